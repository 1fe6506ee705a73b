//! `recommend_scaling`: what breaks first for a project, why, and what to do. The composer: the
//! one engine that calls the others (see [`compose`] for the entry points that combine them).
//!
//! The rules are data: each `[[row.recommend]]` of `matrix.toml` names its conditions, the limit
//! it measures and the severities by utilisation; checklist items say when they are done;
//! anti-patterns say how they are detected. This engine evaluates them against the signals of a
//! [`ProjectContext`], ranks what triggers, prices it with the cost engine when usage is given,
//! and sizes it with the shard engine when a rule asks.

mod code;
mod compose;
mod levers;
mod signals;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

pub use compose::{
    CONFIG_FILES, CostEngine, analyze_project, estimate_cost, import_usage, shard_plan, with_config,
};
pub use levers::{CostLever, RunawayRisk};
use signals::{Eval, inputs_of};

use crate::engine::model::{
    Dollars, InputError, Plan, PriceTable, ProjectContext, ProjectSource, Service, UsageProfile,
    from_json,
};
use crate::engine::{cost, shard};
use crate::knowledge::{
    Condition, Knowledge, LimitValue, Op, RecommendRule, Severity, SignalValue,
};

/// Whether a checklist item is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// The context shows it is done.
    Done,
    /// The context shows it is not.
    Todo,
    /// The context does not say.
    Unknown,
}

/// One checklist item and its status.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ChecklistStatus {
    /// The stage it belongs to.
    pub stage: String,
    /// Item id.
    pub id: String,
    /// What to do.
    pub text: String,
    /// Done, todo or unknown (unknown is not todo).
    pub status: ItemStatus,
    /// The pattern with the code, as a resource URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// The traffic tier and its checklist.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StageReport {
    /// `before-launch`, `10k`, `100k`, `1m` or `10m`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Checklist items the context shows done.
    pub done: usize,
    /// Checklist items the context does not settle.
    pub unknown: usize,
    /// The items to do, as `id: what to do`.
    pub todo: Vec<String>,
    /// Every item of this stage and the ones before it, with its status.
    pub checklist: Vec<ChecklistStatus>,
}

/// How well a recommendation is grounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceLevel {
    /// From the caller's measurements.
    Measured,
    /// Computed from them.
    Derived,
    /// From an assumption.
    Assumed,
}

/// A `shard_plan` run for a recommendation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShardSummary {
    /// The strategy.
    pub strategy: String,
    /// The plan's summary; call `shard_plan` with the same strategy for the code.
    pub summary: String,
}

/// One ranked recommendation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Recommendation {
    /// Stable id, e.g. `kv-key-sharding`.
    pub id: String,
    /// What to do.
    pub title: String,
    /// critical | high | medium | low.
    pub severity: Severity,
    /// The resource that runs out.
    pub bottleneck: String,
    /// The input that triggered it, and what it is measured against.
    pub evidence: String,
    /// Fraction of the limit in use, when a limit applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utilisation: Option<f64>,
    /// Steps, in order.
    pub actions: Vec<String>,
    /// The pattern with the code: a `scale://patterns/{id}` URI.
    pub pattern: String,
    /// Monthly cost change from the cost engine; null when not computable (no usage given, or
    /// the rule has no usage model), never 0 as a stand-in.
    #[serde(with = "rust_decimal::serde::float_option")]
    #[schemars(with = "Option<f64>")]
    pub cost_impact_usd_per_month: Option<Decimal>,
    /// What it costs in complexity or consistency.
    pub tradeoffs: String,
    /// measured | derived | assumed.
    pub evidence_level: EvidenceLevel,
    /// The shard plan for the context's numbers, when the rule calls for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_plan: Option<ShardSummary>,
}

/// A limit the context touches.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Headroom {
    /// Limit id in `scale://data/limits`.
    pub limit: String,
    /// The signal measured.
    pub signal: String,
    /// Its value.
    pub current: f64,
    /// The limit, in the signal's unit.
    pub max: f64,
    /// Unit of the limit.
    pub unit: String,
    /// current ÷ max.
    pub utilisation: f64,
    /// Months until the limit is reached at the stated growth (none without growth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub months_until_hit: Option<f64>,
    /// The docs page of the limit.
    pub source: String,
}

/// An anti-pattern the context shows.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DetectedAntiPattern {
    /// Id in `scale://data/anti-patterns`.
    pub id: String,
    /// Name.
    pub title: String,
    /// Why it fails.
    pub problem: String,
    /// What to do instead.
    pub instead: String,
}

/// An observation that would change the advice.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Missing {
    /// The field to provide (`observations.<name>` unless it is top-level).
    pub field: String,
    /// Which decisions it feeds.
    pub why: String,
}

/// The report of `recommend_scaling`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Recommendations {
    /// The answer in a few sentences: the stage, the bill and its largest product, the first
    /// fixes with their evidence, and what to ask for next.
    pub summary: String,
    /// The traffic tier and its checklist.
    pub stage: StageReport,
    /// What to do, most severe first.
    pub recommendations: Vec<Recommendation>,
    /// With usage: what cuts the bill, largest saving first, each priced by the cost engine on
    /// the changed profile.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cost_levers: Vec<CostLever>,
    /// What an hour and a day of a plausible loop would add, largest first, and its guards.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runaway: Vec<RunawayRisk>,
    /// Every limit the context touches.
    pub headroom: Vec<Headroom>,
    /// Anti-patterns detected.
    pub anti_patterns: Vec<DetectedAntiPattern>,
    /// Pairs of recommendations that pull in opposite directions, and how to choose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
    /// Observations that would sharpen the answer.
    pub missing: Vec<Missing>,
    /// The monthly cost of `usage`, when given.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::float_option",
        default
    )]
    #[schemars(with = "Option<f64>")]
    pub monthly_cost_usd: Option<Decimal>,
    /// How the context was read.
    pub assumptions: Vec<String>,
}

/// Every signal a rule may test, with what it is; the knowledge tests check that rules use no
/// other.
pub const SIGNALS: &[(&str, &str)] = &[
    ("requests_per_day", "requests per day"),
    ("peak_requests_per_second", "peak requests per second"),
    ("growth_percent_per_month", "traffic growth per month"),
    ("plan_paid", "whether the account is on Workers Paid"),
    ("d1_read_latency_p95_ms", "p95 D1 read latency"),
    ("d1_database_gb", "size of the largest D1 database"),
    ("d1_growth_gb_per_month", "D1 growth per month"),
    ("d1_writes_per_second", "D1 writes per second at peak"),
    ("d1_queries_per_request", "D1 queries per request"),
    (
        "kv_hot_key_writes_per_second",
        "writes per second to the hottest KV key",
    ),
    ("kv_cache_hit_rate", "KV cache hit rate"),
    ("worker_memory_mb", "peak Worker memory"),
    ("worker_cpu_ms_p99", "p99 CPU per request"),
    ("subrequests_per_request", "subrequests per request"),
    ("queue_backlog_messages", "queue backlog"),
    ("queue_consumer_lag_seconds", "queue consumer lag"),
    (
        "queue_has_dlq",
        "whether consumers have a dead-letter queue",
    ),
    ("r2_upload_mb", "largest upload through the Worker"),
    (
        "durable_object_peak_rps_per_object",
        "requests per second to the busiest Durable Object",
    ),
    ("edge_cache_hit_rate", "edge cache hit rate"),
    ("read_write_ratio", "reads per write"),
    ("staleness_tolerance_seconds", "how stale reads may be"),
    ("tenants", "number of tenants"),
    ("d1_queries_per_second", "D1 queries per second at peak"),
    ("d1_query_ms", "mean D1 query duration"),
    ("cpu_limit_ms", "the configured limits.cpu_ms"),
    (
        "service_calls_per_request",
        "Cloudflare-service calls per request",
    ),
    (
        "queue_lag_growth_seconds_per_hour",
        "how fast queue lag grows",
    ),
    ("queue_retention_hours", "the queue's retention"),
    (
        "queue_messages_per_second",
        "messages per second to the busiest queue",
    ),
    (
        "durable_object_handler_ms",
        "mean Durable Object handler time",
    ),
    (
        "workflow_creations_per_second",
        "Workflow instances created per second",
    ),
    (
        "d1_rows_read_avoidable",
        "the share of D1 rows read an index would avoid",
    ),
    ("durable_objects_held", "Durable Objects that exist"),
    (
        "run_worker_first",
        "whether every asset request runs the Worker",
    ),
    // Derived by the engine from the signals above and the plan's limits (see signals.rs).
    (
        "d1_query_load_per_second",
        "D1 queries per second weighted by query time, as 1 ms queries",
    ),
    (
        "durable_object_load_per_second",
        "Durable Object requests per second weighted by handler time, as 1 ms requests",
    ),
    (
        "worker_cpu_cap_used",
        "p99 CPU as a fraction of the configured cap",
    ),
    ("queue_lag_rising", "whether queue lag is growing"),
    (
        "queue_hours_to_retention",
        "hours until the oldest message reaches retention",
    ),
    (
        "free_plan_pressure",
        "the fraction used of the nearest Free-plan cap",
    ),
    (
        "kv_already_caches",
        "whether KV already serves the reads from its cache",
    ),
    (
        "d1_months_to_full",
        "months until the largest D1 database is full",
    ),
    (
        "hyperdrive_cache_too_stale",
        "whether Hyperdrive's default caching is staler than allowed",
    ),
    ("usage_given", "whether a usage profile was given"),
    ("logs_sampled", "whether the usage samples Workers Logs"),
    (
        "logs_exceed_requests",
        "whether there are at least as many log events as requests",
    ),
    ("smart_placement", "whether Smart Placement is on"),
    ("users_global", "whether users are global"),
    ("uses_workers", "whether Workers is used"),
    ("uses_kv", "whether KV is used"),
    ("uses_d1", "whether D1 is used"),
    ("uses_r2", "whether R2 is used"),
    ("uses_durable_objects", "whether Durable Objects are used"),
    ("uses_queues", "whether Queues are used"),
    ("uses_workflows", "whether Workflows are used"),
    ("uses_hyperdrive", "whether Hyperdrive is used"),
    ("uses_analytics_engine", "whether Analytics Engine is used"),
    ("uses_vectorize", "whether Vectorize is used"),
];

impl ProjectContext {
    /// The value of a signal, or `None` when the context does not say.
    pub fn signal(&self, name: &str) -> Option<SignalValue> {
        let o = &self.observations;
        let num = |v: Option<f64>| v.map(SignalValue::Number);
        let flag = |v: Option<bool>| v.map(SignalValue::Bool);
        if let Some(service) = name.strip_prefix("uses_") {
            let wanted: Service = from_json(serde_json::Value::from(service)).ok()?;
            return self
                .services
                .as_ref()
                .map(|s| SignalValue::Bool(s.contains(&wanted)));
        }
        match name {
            "requests_per_day" => num(self.requests_per_day),
            "peak_requests_per_second" => num(self.peak_requests_per_second),
            "growth_percent_per_month" => num(self.growth_percent_per_month),
            "plan_paid" => self.plan.map(|p| SignalValue::Bool(p == Plan::Paid)),
            "d1_read_latency_p95_ms" => num(o.d1_read_latency_p95_ms),
            "d1_database_gb" => num(o.d1_database_gb),
            "d1_growth_gb_per_month" => num(o.d1_growth_gb_per_month),
            "d1_writes_per_second" => num(o.d1_writes_per_second),
            "d1_queries_per_second" => num(o.d1_queries_per_second),
            "d1_query_ms" => num(o.d1_query_ms),
            "cpu_limit_ms" => num(o.cpu_limit_ms),
            "service_calls_per_request" => num(o.service_calls_per_request),
            "queue_lag_growth_seconds_per_hour" => num(o.queue_lag_growth_seconds_per_hour),
            "queue_retention_hours" => num(o.queue_retention_hours),
            "queue_messages_per_second" => num(o.queue_messages_per_second),
            "durable_object_handler_ms" => num(o.durable_object_handler_ms),
            "workflow_creations_per_second" => num(o.workflow_creations_per_second),
            "d1_rows_read_avoidable" => num(o.d1_rows_read_avoidable),
            "durable_objects_held" => num(o.durable_objects_held),
            "run_worker_first" => flag(o.run_worker_first),
            "d1_queries_per_request" => num(o.d1_queries_per_request),
            "kv_hot_key_writes_per_second" => num(o.kv_hot_key_writes_per_second),
            "kv_cache_hit_rate" => num(o.kv_cache_hit_rate),
            "worker_memory_mb" => num(o.worker_memory_mb),
            "worker_cpu_ms_p99" => num(o.worker_cpu_ms_p99),
            "subrequests_per_request" => num(o.subrequests_per_request),
            "queue_backlog_messages" => num(o.queue_backlog_messages),
            "queue_consumer_lag_seconds" => num(o.queue_consumer_lag_seconds),
            "queue_has_dlq" => flag(o.queue_has_dlq),
            "r2_upload_mb" => num(o.r2_upload_mb),
            "durable_object_peak_rps_per_object" => num(o.durable_object_peak_rps_per_object),
            "edge_cache_hit_rate" => num(o.edge_cache_hit_rate),
            "read_write_ratio" => num(o.read_write_ratio),
            "staleness_tolerance_seconds" => num(o.staleness_tolerance_seconds),
            "tenants" => num(o.tenants),
            "smart_placement" => flag(o.smart_placement),
            "users_global" => flag(o.users_global),
            _ => None,
        }
    }

    /// Checks every number: finite, not negative, not absurd; rates at most 1.
    pub fn validate(&self) -> Result<(), InputError> {
        if let Some(ProjectSource::Directory(d)) = &self.project {
            return Err(InputError::new(
                "project",
                format!(
                    "`{d}` is a directory: the server or the CLI scans it; the engine takes an analyze_project result"
                ),
            ));
        }
        let check = |path: &str, v: Option<f64>, max: f64| match v {
            Some(x) if !(x.is_finite() && (0.0..=max).contains(&x)) => Err(InputError::new(
                path,
                format!("must be a number from 0 to {max:e} (got {x})"),
            )),
            _ => Ok(()),
        };
        check("requests_per_day", self.requests_per_day, 1e13)?;
        check(
            "peak_requests_per_second",
            self.peak_requests_per_second,
            1e9,
        )?;
        check(
            "growth_percent_per_month",
            self.growth_percent_per_month,
            1000.0,
        )?;
        let o = &self.observations;
        for (name, v, max) in [
            ("d1_read_latency_p95_ms", o.d1_read_latency_p95_ms, 1e6),
            ("d1_database_gb", o.d1_database_gb, 1e6),
            ("d1_growth_gb_per_month", o.d1_growth_gb_per_month, 1e6),
            ("d1_writes_per_second", o.d1_writes_per_second, 1e9),
            ("d1_queries_per_second", o.d1_queries_per_second, 1e9),
            ("d1_query_ms", o.d1_query_ms, 1e6),
            ("cpu_limit_ms", o.cpu_limit_ms, 1e9),
            (
                "service_calls_per_request",
                o.service_calls_per_request,
                1e9,
            ),
            (
                "queue_lag_growth_seconds_per_hour",
                o.queue_lag_growth_seconds_per_hour,
                1e9,
            ),
            ("queue_retention_hours", o.queue_retention_hours, 1e6),
            (
                "queue_messages_per_second",
                o.queue_messages_per_second,
                1e9,
            ),
            (
                "durable_object_handler_ms",
                o.durable_object_handler_ms,
                1e6,
            ),
            (
                "workflow_creations_per_second",
                o.workflow_creations_per_second,
                1e9,
            ),
            ("d1_rows_read_avoidable", o.d1_rows_read_avoidable, 1.0),
            ("durable_objects_held", o.durable_objects_held, 1e12),
            ("d1_queries_per_request", o.d1_queries_per_request, 1e6),
            (
                "kv_hot_key_writes_per_second",
                o.kv_hot_key_writes_per_second,
                1e9,
            ),
            ("kv_cache_hit_rate", o.kv_cache_hit_rate, 1.0),
            ("worker_memory_mb", o.worker_memory_mb, 1e6),
            ("worker_cpu_ms_p99", o.worker_cpu_ms_p99, 1e9),
            ("subrequests_per_request", o.subrequests_per_request, 1e9),
            ("queue_backlog_messages", o.queue_backlog_messages, 1e15),
            (
                "queue_consumer_lag_seconds",
                o.queue_consumer_lag_seconds,
                1e9,
            ),
            ("r2_upload_mb", o.r2_upload_mb, 1e9),
            (
                "durable_object_peak_rps_per_object",
                o.durable_object_peak_rps_per_object,
                1e9,
            ),
            ("edge_cache_hit_rate", o.edge_cache_hit_rate, 1.0),
            ("read_write_ratio", o.read_write_ratio, 1e12),
            (
                "staleness_tolerance_seconds",
                o.staleness_tolerance_seconds,
                1e9,
            ),
            ("tenants", o.tenants, 1e9),
        ] {
            check(&format!("observations.{name}"), v, max)?;
        }
        if let Some(u) = &self.usage {
            u.validate()
                .map_err(|e| InputError::new(format!("usage.{}", e.path), e.message))?;
        }
        Ok(())
    }
}

fn holds(value: SignalValue, op: Op, target: SignalValue) -> bool {
    match (value, target) {
        (SignalValue::Number(v), SignalValue::Number(t)) => match op {
            Op::Gt => v > t,
            Op::Gte => v >= t,
            Op::Lt => v < t,
            Op::Lte => v <= t,
            Op::Eq => v == t,
        },
        (SignalValue::Bool(v), SignalValue::Bool(t)) => op == Op::Eq && v == t,
        _ => false,
    }
}

/// All conditions: `Some(true)` when every one holds, `Some(false)` when one fails, `None` when
/// none fails but some signal is unknown (returned in `unknown`).
fn all_hold<'a>(
    eval: &Eval,
    conditions: &'a [Condition],
    unknown: &mut Vec<&'a str>,
) -> Option<bool> {
    let mut known = true;
    for c in conditions {
        match eval.signal(&c.signal) {
            Some(v) if !holds(v, c.op, c.value) => return Some(false),
            Some(_) => {}
            None => {
                known = false;
                unknown.push(&c.signal);
            }
        }
    }
    known.then_some(true)
}

fn show(v: SignalValue) -> String {
    match v {
        SignalValue::Bool(b) => b.to_string(),
        SignalValue::Number(n) => {
            crate::engine::model::grouped(Decimal::try_from(n).unwrap_or_default().round_dp(3))
        }
    }
}

fn op_word(op: Op) -> &'static str {
    match op {
        Op::Gt => ">",
        Op::Gte => "≥",
        Op::Lt => "<",
        Op::Lte => "≤",
        Op::Eq => "=",
    }
}

/// Evaluates the rules for a project.
pub fn recommend(
    k: &Knowledge,
    prices: &PriceTable,
    ctx: &ProjectContext,
) -> Result<Recommendations, InputError> {
    ctx.validate()?;
    let filled;
    let ctx = match &ctx.config {
        Some(_) => {
            filled = with_config(k, ctx)?;
            &filled
        }
        None => ctx,
    };
    // Usage without a month is priced in the month of `today`, and on the context's plan.
    let dated;
    let month = ctx.today.as_deref().and_then(|t| t.get(..7));
    let plan_differs = matches!((&ctx.usage, ctx.plan), (Some(u), Some(p)) if u.plan != p);
    let ctx = match (&ctx.usage, month) {
        (Some(u), _) if (u.month.is_none() && month.is_some()) || plan_differs => {
            let mut c = ctx.clone();
            if let Some(u) = c.usage.as_mut() {
                if u.month.is_none() {
                    u.month = month.map(str::to_owned);
                }
                if let Some(p) = ctx.plan {
                    u.plan = p;
                }
            }
            dated = c;
            &dated
        }
        _ => ctx,
    };
    // The rows the code's proposed indexes avoid, as a share of the bill's rows read, feed the
    // D1 index lever, unless the share was measured.
    let scanned;
    let ctx = match (&ctx.project, &ctx.usage) {
        (Some(ProjectSource::Scan(p)), Some(u))
            if ctx.observations.d1_rows_read_avoidable.is_none() && u.d1.rows_read > 0.0 =>
        {
            match p.index_saving {
                Some(s) if s.rows_read_before > s.rows_read_after => {
                    let mut c = ctx.clone();
                    let share = (s.rows_read_before - s.rows_read_after) / u.d1.rows_read;
                    c.observations.d1_rows_read_avoidable = Some(share.min(1.0));
                    scanned = c;
                    &scanned
                }
                _ => ctx,
            }
        }
        _ => ctx,
    };
    let eval = Eval::new(ctx, k);
    // The current bill, once: each recommendation's cost impact is priced against it.
    let bill_report = match &ctx.usage {
        Some(u) => Some(estimate_cost(k, prices, u)?),
        None => None,
    };
    let bill = bill_report.as_ref().map(|r| r.total_usd);
    let mut assumptions = vec![format!(
        "Limits are the {} values in scale://data/limits.",
        ctx.plan.unwrap_or_default().name()
    )];
    if ctx.plan.is_none() {
        assumptions.push("plan not given: Workers Paid assumed.".to_owned());
    }
    if ctx.config.is_some() {
        assumptions.push("services, queue_has_dlq, smart_placement and cpu_limit_ms were read from the Wrangler config where not given.".to_owned());
    }
    if plan_differs {
        assumptions.push(format!(
            "usage is priced on {}, the context's plan.",
            ctx.plan.unwrap_or_default().name()
        ));
    }
    let o = &ctx.observations;
    if o.d1_query_ms.is_none()
        && (o.d1_writes_per_second.is_some() || o.d1_queries_per_second.is_some())
    {
        assumptions.push("d1_query_ms not given: 1 ms per query assumed, so one database serves about 1,000 queries per second; at 5 ms it serves 200.".to_owned());
    }
    if o.durable_object_handler_ms.is_none() && o.durable_object_peak_rps_per_object.is_some() {
        assumptions.push("durable_object_handler_ms not given: 1 ms per request assumed, the load at which the documented ~1,000 requests/s per object holds.".to_owned());
    }
    let limit_value = |id: &str| -> Option<(f64, &crate::knowledge::Limit)> {
        let l = k.limit(id)?;
        let v = match ctx.plan.unwrap_or_default() {
            Plan::Paid => l.paid,
            Plan::Free => l.free,
        };
        v.and_then(LimitValue::number).map(|v| (v, l))
    };

    // Missing signals, with the decisions they feed.
    let mut missing: Vec<Missing> = Vec::new();
    let mut note_missing = |signal: &str, why: String| {
        if signal.starts_with("usage.") {
            return;
        }
        let inputs = inputs_of(signal);
        let signal = match inputs.first() {
            Some(first) if *first == "usage" => return,
            Some(first) => *first,
            None => signal,
        };
        let field =
            if SIGNALS.iter().take(4).any(|(s, _)| *s == signal) || signal.starts_with("uses_") {
                if signal.starts_with("uses_") {
                    "services".to_owned()
                } else {
                    signal.replace("plan_paid", "plan")
                }
            } else {
                format!("observations.{signal}")
            };
        match missing.iter_mut().find(|m| m.field == field) {
            Some(m) if !m.why.contains(&why) => {
                m.why.push_str("; ");
                m.why.push_str(&why);
            }
            Some(_) => {}
            None => missing.push(Missing { field, why }),
        }
    };

    let mut recommendations = Vec::new();
    for row in &k.matrix {
        for rule in &row.recommend {
            let mut unknown = Vec::new();
            let conditions = all_hold(&eval, &rule.when, &mut unknown);
            let util = match &rule.utilisation {
                Some(u) => {
                    let limit = match &u.limit {
                        Some(id) => {
                            limit_value(id).map(|(v, l)| (v, l.id.as_str(), l.unit.as_str()))
                        }
                        None => Some((1.0, "", "")),
                    };
                    match (eval.signal(&u.signal), limit) {
                        (Some(SignalValue::Number(v)), Some((max, id, unit))) => {
                            Some((v, max * u.limit_factor, id, unit, u))
                        }
                        (None, _) => {
                            unknown.push(&u.signal);
                            None
                        }
                        _ => None,
                    }
                }
                None => None,
            };
            let util_ok = match (&rule.utilisation, &util) {
                (None, _) => Some(true),
                (Some(_), Some((v, max, _, _, u))) => Some(*v / *max >= u.trigger_at),
                (Some(_), None) => None,
            };
            match (conditions, util_ok) {
                (Some(true), Some(true)) => {}
                (Some(false), _) | (_, Some(false)) => continue,
                _ => {
                    if !applies_to_services(ctx, rule) {
                        continue;
                    }
                    for s in unknown {
                        note_missing(s, format!("decides `{}`", rule.id));
                    }
                    continue;
                }
            }
            recommendations.push(build(
                k,
                prices,
                &eval,
                bill,
                row.bottleneck.as_str(),
                rule,
                util.map(|(v, max, id, unit, u)| {
                    (
                        v,
                        max,
                        id,
                        u.unit.as_deref().unwrap_or(unit),
                        u.signal.as_str(),
                    )
                }),
            )?);
        }
    }
    if let Some(ProjectSource::Scan(p)) = &ctx.project {
        recommendations.extend(code::recommendations(p));
    }
    recommendations.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(
                b.utilisation
                    .unwrap_or(0.0)
                    .total_cmp(&a.utilisation.unwrap_or(0.0)),
            )
            .then(
                b.cost_impact_usd_per_month
                    .unwrap_or_default()
                    .abs()
                    .cmp(&a.cost_impact_usd_per_month.unwrap_or_default().abs()),
            )
    });

    // Rules that pull the other way, when both fire.
    let mut conflicts = Vec::new();
    for row in &k.matrix {
        for rule in &row.recommend {
            for other in &rule.conflicts_with {
                let fired = |id: &str| recommendations.iter().any(|r: &Recommendation| r.id == id);
                if fired(&rule.id) && fired(other) {
                    conflicts.push(format!(
                        "`{}` and `{other}` pull in opposite directions: pick one by where the reads happen ({}).",
                        rule.id, rule.tradeoffs
                    ));
                }
            }
        }
    }

    // Headroom.
    let mut headroom = Vec::new();
    for h in &k.headroom {
        let (Some(SignalValue::Number(current)), Some((max, l))) =
            (eval.signal(&h.signal), limit_value(&h.limit))
        else {
            continue;
        };
        let max = max * h.limit_factor;
        let months = match h.growth.as_str() {
            _ if current >= max => Some(0.0),
            "traffic" => ctx
                .growth_percent_per_month
                .filter(|g| *g > 0.0 && current > 0.0)
                .map(|g| (max / current).ln() / (1.0 + g / 100.0).ln()),
            "none" => None,
            signal => match eval.signal(signal) {
                Some(SignalValue::Number(g)) if g > 0.0 => Some((max - current) / g),
                _ => None,
            },
        };
        headroom.push(Headroom {
            limit: l.id.clone(),
            signal: h.signal.clone(),
            current,
            max,
            unit: l.unit.clone(),
            utilisation: current / max,
            months_until_hit: months.map(|m| (m * 10.0).round() / 10.0),
            source: l.source.clone(),
        });
    }
    headroom.sort_by(|a, b| b.utilisation.total_cmp(&a.utilisation));

    // Stage and checklist.
    let rpd = match eval.signal("requests_per_day") {
        Some(SignalValue::Number(r)) => Some(r),
        _ => None,
    };
    if ctx.requests_per_day.is_none() && rpd.is_some() {
        assumptions
            .push("requests_per_day not given: read from usage.workers.requests.".to_owned());
    }
    if rpd.is_none() {
        note_missing(
            "requests_per_day",
            "picks the growth stage and its checklist".to_owned(),
        );
        assumptions
            .push("requests_per_day not given: the before-launch checklist applies.".to_owned());
    }
    let stage_index = k
        .checklist
        .iter()
        .rposition(|s| rpd.unwrap_or(0.0) >= s.min_requests_per_day as f64)
        .unwrap_or(0);
    let mut checklist = Vec::new();
    for stage in &k.checklist[..=stage_index.min(k.checklist.len().saturating_sub(1))] {
        for item in &stage.item {
            let mut unknown = Vec::new();
            let status = if item.done_when.is_empty() {
                ItemStatus::Unknown
            } else {
                match all_hold(&eval, &item.done_when, &mut unknown) {
                    Some(true) => ItemStatus::Done,
                    Some(false) => ItemStatus::Todo,
                    None => ItemStatus::Unknown,
                }
            };
            checklist.push(ChecklistStatus {
                stage: stage.id.clone(),
                id: item.id.clone(),
                text: item.text.clone(),
                status,
                pattern: item
                    .pattern
                    .as_ref()
                    .map(|p| format!("scale://patterns/{p}")),
            });
        }
    }
    let current_stage = k.checklist.get(stage_index);

    // Anti-patterns.
    let anti_patterns = k
        .anti_patterns
        .iter()
        .filter(|a| {
            !a.detect.is_empty() && all_hold(&eval, &a.detect, &mut Vec::new()) == Some(true)
        })
        .map(|a| DetectedAntiPattern {
            id: a.id.clone(),
            title: a.title.clone(),
            problem: a.problem.clone(),
            instead: a.instead.clone(),
        })
        .collect();

    // What cuts the bill, and what a loop would cost: both priced on changed profiles.
    let mut cost_levers = Vec::new();
    if let (Some(usage), Some(report)) = (&ctx.usage, &bill_report) {
        let (found, needed) = levers::cost_levers(k, prices, &eval, usage, report)?;
        cost_levers = found;
        for (signal, why) in needed {
            note_missing(&signal, why);
        }
    }
    let base = match &ctx.usage {
        Some(u) => u.clone(),
        None => UsageProfile {
            plan: ctx.plan.unwrap_or_default(),
            month: month.map(str::to_owned),
            ..UsageProfile::default()
        },
    };
    let (runaway, needed, notes) = levers::runaway(k, prices, &eval, &base)?;
    for (signal, why) in needed {
        note_missing(&signal, why);
    }
    assumptions.extend(notes);
    if !runaway.is_empty() && ctx.usage.is_none() {
        assumptions.push("Runaway costs are priced on top of an empty month (no usage given): the included allowances absorb the first of each loop.".to_owned());
    }

    if bill.is_none() {
        note_missing_usage(&mut missing);
    }
    let count = |status: ItemStatus| checklist.iter().filter(|c| c.status == status).count();
    let (done, unknown) = (count(ItemStatus::Done), count(ItemStatus::Unknown));
    let todo = checklist
        .iter()
        .filter(|c| c.status == ItemStatus::Todo)
        .map(|c| format!("{}: {}", c.id, c.text))
        .collect();
    let mut report = Recommendations {
        summary: String::new(),
        stage: StageReport {
            id: current_stage.map(|s| s.id.clone()).unwrap_or_default(),
            title: current_stage.map(|s| s.title.clone()).unwrap_or_default(),
            done,
            unknown,
            todo,
            checklist,
        },
        recommendations,
        cost_levers,
        runaway,
        headroom,
        anti_patterns,
        conflicts,
        missing,
        monthly_cost_usd: bill,
        assumptions,
    };
    report.summary = summary(&report, bill_report.as_ref());
    Ok(report)
}

/// The few sentences a model reads first, kept within 380 characters.
fn summary(r: &Recommendations, bill: Option<&cost::CostReport>) -> String {
    use std::fmt::Write;
    let mut s = format!("Stage {}.", r.stage.id);
    if let Some(b) = bill {
        let _ = write!(s, " Bill {}/month", Dollars(b.total_usd));
        let top = b
            .products
            .iter()
            .max_by(|x, y| x.subtotal_usd.cmp(&y.subtotal_usd))
            .filter(|p| !p.subtotal_usd.is_zero() && !b.total_usd.is_zero());
        if let Some(p) = top {
            let share = (p.subtotal_usd / b.total_usd * Decimal::ONE_HUNDRED).round();
            let _ = write!(s, " ({share}% {})", p.product);
        }
        // An imported profile: the bill stands on measured numbers, except these.
        if let Some(p) = b.provenance.as_ref().filter(|p| !p.missing.is_empty()) {
            let _ = write!(s, ", not counting unmeasured {}", p.missing.join(", "));
        }
        s.push('.');
    }
    if r.recommendations.is_empty() {
        s.push_str(" Nothing to fix for what the context shows.");
    } else {
        let mut by: Vec<(Severity, usize)> = Vec::new();
        for rec in &r.recommendations {
            match by.iter_mut().find(|(sev, _)| *sev == rec.severity) {
                Some((_, n)) => *n += 1,
                None => by.push((rec.severity, 1)),
            }
        }
        let parts: Vec<String> = by
            .iter()
            .map(|(sev, n)| format!("{n} {}", sev.word()))
            .collect();
        let _ = write!(
            s,
            " {} fixes: {}.",
            r.recommendations.len(),
            parts.join(", ")
        );
        let first = &r.recommendations[0];
        let used = first
            .utilisation
            .map(|u| {
                format!(
                    ", {}% of its limit",
                    crate::engine::model::grouped(
                        Decimal::try_from(u * 100.0).unwrap_or_default().round()
                    )
                )
            })
            .unwrap_or_default();
        let _ = write!(s, " First: {} (`{}`{used}).", first.title, first.id);
    }
    // Then, as room allows: the largest saving, the worst loop, the next fixes, what to ask.
    let fits = |s: &mut String, more: String| {
        if s.len() + more.len() <= 380 {
            s.push_str(&more);
        }
    };
    if let Some(l) = r.cost_levers.first() {
        fits(
            &mut s,
            format!(
                " Biggest saving: `{}` {}/month.",
                l.id,
                Dollars(l.saving_usd_per_month)
            ),
        );
    }
    if let Some(x) = r.runaway.first() {
        fits(
            &mut s,
            format!(" Worst loop: `{}` {}/day.", x.id, Dollars(x.usd_per_day)),
        );
    }
    let then: Vec<String> = r
        .recommendations
        .iter()
        .skip(1)
        .take(2)
        .map(|x| format!("`{}`", x.id))
        .collect();
    if !then.is_empty() {
        fits(&mut s, format!(" Then: {}.", then.join(", ")));
    }
    if !r.missing.is_empty() {
        let fields: Vec<&str> = r
            .missing
            .iter()
            .take(3)
            .map(|m| m.field.trim_start_matches("observations."))
            .collect();
        fits(&mut s, format!(" Ask for: {}.", fields.join(", ")));
    }
    if s.len() > 380 {
        let mut cut = 377;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// The product a signal measures, when it measures one (`d1_*` is D1, `kv_*` KV, …).
fn signal_service(signal: &str) -> Option<Service> {
    const PREFIXES: [(&str, Service); 7] = [
        ("d1_", Service::D1),
        ("kv_", Service::Kv),
        ("queue_", Service::Queues),
        ("r2_", Service::R2),
        ("durable_object_", Service::DurableObjects),
        ("workflow_", Service::Workflows),
        ("hyperdrive_", Service::Hyperdrive),
    ];
    PREFIXES
        .iter()
        .find(|(p, _)| signal.starts_with(p))
        .map(|(_, s)| *s)
}

/// Whether a rule can apply to the services the context uses: false when the context lists its
/// services and the rule measures only products outside them (so its unknown signals are not
/// worth asking for).
fn applies_to_services(ctx: &ProjectContext, rule: &RecommendRule) -> bool {
    let Some(services) = &ctx.services else {
        return true;
    };
    let mut products = rule
        .when
        .iter()
        .map(|c| c.signal.as_str())
        .chain(rule.utilisation.iter().map(|u| u.signal.as_str()))
        .filter_map(signal_service)
        .peekable();
    products.peek().is_none() || products.any(|p| services.contains(&p))
}

/// Usage leads the list when it is missing: it prices the bill, every fix and every lever.
fn note_missing_usage(missing: &mut Vec<Missing>) {
    missing.insert(0, Missing {
        field: "usage".to_owned(),
        why: "a monthly usage profile (or an import_usage result) prices the bill, each recommendation and the cost levers".to_owned(),
    });
}

fn build(
    k: &Knowledge,
    prices: &PriceTable,
    eval: &Eval,
    bill: Option<Decimal>,
    bottleneck: &str,
    rule: &RecommendRule,
    util: Option<(f64, f64, &str, &str, &str)>,
) -> Result<Recommendation, InputError> {
    let ctx = eval.ctx;
    let mut evidence: Vec<String> = rule
        .when
        .iter()
        .filter_map(|c| {
            eval.signal(&c.signal).map(|v| match c.op {
                Op::Eq => format!("{} = {}", c.signal, show(v)),
                op => format!(
                    "{} = {} ({} {})",
                    c.signal,
                    show(v),
                    op_word(op),
                    show(c.value)
                ),
            })
        })
        .collect();
    let mut severity = rule.severity;
    let utilisation = util.map(|(v, max, id, unit, signal)| {
        let u = v / max;
        if id.is_empty() {
            evidence.push(format!(
                "{signal} {} → {}% of its cap",
                show(SignalValue::Number(v)),
                show(SignalValue::Number(u * 100.0))
            ));
        } else {
            evidence.push(format!(
                "{signal} {} vs limit {} {unit} ({id}) → {}% of the limit",
                show(SignalValue::Number(v)),
                show(SignalValue::Number(max)),
                show(SignalValue::Number(u * 100.0))
            ));
        }
        if let Some(e) = rule
            .escalate
            .iter()
            .filter(|e| u >= e.at)
            .min_by_key(|e| e.severity)
        {
            severity = severity.min(e.severity);
        }
        u
    });
    for e in &rule.escalate_when {
        if all_hold(eval, &e.when, &mut Vec::new()) == Some(true) {
            severity = severity.min(e.severity);
            for c in &e.when {
                let line = eval.signal(&c.signal).map(|v| match c.op {
                    Op::Eq => format!("{} = {}", c.signal, show(v)),
                    op => format!(
                        "{} = {} ({} {})",
                        c.signal,
                        show(v),
                        op_word(op),
                        show(c.value)
                    ),
                });
                if let Some(line) = line.filter(|l| !evidence.contains(l)) {
                    evidence.push(line);
                }
            }
        }
    }

    let strategy = match (&rule.shard_with_tenants, ctx.observations.tenants) {
        (Some(s), Some(_)) => Some(s.as_str()),
        _ => rule.shard.as_deref(),
    };
    let shard_plan = match strategy.and_then(|s| shard_request(ctx, s)) {
        Some(request) => {
            let month = ctx.today.as_deref().and_then(|t| t.get(..7));
            let pricer = CostEngine::new(k, prices).in_month(month);
            let sctx = shard::Context {
                limits: &k.limits,
                prices: *prices,
                pricer: &pricer,
            };
            shard::plan(&sctx, &request).ok().map(|p| {
                (
                    p.strategy.clone(),
                    p.summary.clone(),
                    p.cost.map(|c| c.extra_usd),
                )
            })
        }
        None => None,
    };
    // Without a usage profile there is no bill to change: null, not a zero stand-in.
    let cost_impact = match (&ctx.usage, bill, rule.cost.is_empty(), rule.plan.as_deref()) {
        (Some(usage), Some(bill), _, Some(plan)) => {
            let mut moved = usage.clone();
            moved.compare_to = None;
            moved.curve.clear();
            moved.plan = from_json(serde_json::Value::from(plan))?;
            Some(estimate_cost(k, prices, &moved)?.total_usd - bill)
        }
        (Some(usage), Some(bill), false, None) => {
            match levers::changed(prices, usage, &rule.cost, eval)? {
                Ok(changed) => Some(cost::estimate(prices, &k.limits, &changed)?.total_usd - bill),
                // A change that needs a signal nobody gave has no impact to show.
                Err(_) => None,
            }
        }
        (Some(_), _, true, None) => shard_plan.as_ref().and_then(|s| s.2),
        _ => None,
    };
    Ok(Recommendation {
        id: rule.id.clone(),
        title: rule.title.clone(),
        severity,
        bottleneck: bottleneck.to_owned(),
        evidence: evidence.join("; "),
        utilisation: utilisation.map(|u| (u * 1000.0).round() / 1000.0),
        actions: rule.actions.clone(),
        pattern: format!("scale://patterns/{}", rule.pattern),
        cost_impact_usd_per_month: cost_impact,
        tradeoffs: rule.tradeoffs.clone(),
        evidence_level: EvidenceLevel::Measured,
        shard_plan: shard_plan.map(|(strategy, summary, _)| ShardSummary { strategy, summary }),
    })
}

/// The shard request a rule implies, from the context's numbers; `None` when they are missing.
fn shard_request(ctx: &ProjectContext, strategy: &str) -> Option<shard::ShardRequest> {
    let o = &ctx.observations;
    let value = match strategy {
        "kv_key" => {
            serde_json::json!({"strategy": "kv_key", "key": "hot-key", "peak_writes_per_second": o.kv_hot_key_writes_per_second?})
        }
        "durable_object" => {
            let mut request = serde_json::json!({"strategy": "durable_object", "peak_requests_per_second": o.durable_object_peak_rps_per_object?});
            // An object serves about 1,000 ÷ handler ms requests per second.
            if let Some(ms) = o.durable_object_handler_ms.filter(|ms| *ms > 0.0) {
                request["per_object_rps"] = serde_json::Value::from(1000.0 / ms);
            }
            request
        }
        "d1_time" => {
            let month = ctx.today.as_deref()?.get(..7)?;
            serde_json::json!({"strategy": "d1_time", "table": "events", "current_gb": o.d1_database_gb?,
                "growth_gb_per_month": o.d1_growth_gb_per_month?, "start_month": month})
        }
        "d1_tenant" => {
            let tenants = o.tenants?.round().max(1.0);
            let avg = o.d1_database_gb? / tenants;
            // The largest tenant is unknown: the plan assumes ten times the average.
            serde_json::json!({"strategy": "d1_tenant", "tenants": tenants as u64, "avg_tenant_gb": avg,
                "largest_tenant_gb": avg * 10.0,
                "growth_gb_per_month_per_tenant": o.d1_growth_gb_per_month.unwrap_or(0.0) / tenants})
        }
        _ => return None,
    };
    from_json(value).ok()
}

#[cfg(test)]
mod tests;
