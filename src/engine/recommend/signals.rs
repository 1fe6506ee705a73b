//! The signals the rules read: what the context says, what its usage profile implies when the
//! context does not say it, and the capacity models derived from both with the plan's limits.
//! Thresholds stay in `matrix.toml`; the formulas are here, each in one line.

use rust_decimal::prelude::ToPrimitive;

use crate::engine::model::{Plan, ProjectContext, UsagePeriod, UsageProfile};
use crate::knowledge::{Knowledge, LimitValue, SignalValue};

/// A context read with the knowledge at hand.
pub(super) struct Eval<'a> {
    pub ctx: &'a ProjectContext,
    pub k: &'a Knowledge,
    /// The usage profile as JSON, made on the first `usage.<field>` signal.
    usage_json: std::cell::OnceCell<Option<serde_json::Value>>,
}

impl<'a> Eval<'a> {
    /// Reads `ctx` with `k`.
    pub fn new(ctx: &'a ProjectContext, k: &'a Knowledge) -> Self {
        Self {
            ctx,
            k,
            usage_json: std::cell::OnceCell::new(),
        }
    }
}

/// The signals each derived signal is computed from, for `missing[]`.
pub(super) fn inputs_of(derived: &str) -> &'static [&'static str] {
    match derived {
        "d1_query_load_per_second" => &["d1_queries_per_second", "d1_query_ms"],
        "durable_object_load_per_second" => &[
            "durable_object_peak_rps_per_object",
            "durable_object_handler_ms",
        ],
        "worker_cpu_cap_used" => &["worker_cpu_ms_p99", "cpu_limit_ms"],
        "queue_lag_rising" => &["queue_lag_growth_seconds_per_hour"],
        "queue_hours_to_retention" => &[
            "queue_consumer_lag_seconds",
            "queue_lag_growth_seconds_per_hour",
        ],
        "free_plan_pressure" => &["requests_per_day", "peak_requests_per_second", "usage"],
        "kv_already_caches" => &["kv_cache_hit_rate"],
        "d1_months_to_full" => &["d1_database_gb", "d1_growth_gb_per_month"],
        "hyperdrive_cache_too_stale" => &["staleness_tolerance_seconds"],
        "usage_given" | "logs_sampled" | "logs_exceed_requests" => &["usage"],
        _ => &[],
    }
}

impl Eval<'_> {
    /// A limit's value on the context's plan (Paid when unknown), when it is a number.
    pub fn limit(&self, id: &str) -> Option<f64> {
        let l = self.k.limit(id)?;
        match self.ctx.plan.unwrap_or_default() {
            Plan::Paid => l.paid,
            Plan::Free => l.free,
        }
        .and_then(LimitValue::number)
    }

    fn num(&self, name: &str) -> Option<f64> {
        match self.signal(name)? {
            SignalValue::Number(n) => Some(n),
            SignalValue::Bool(_) => None,
        }
    }

    /// The value of a signal, or `None` when nothing says.
    pub fn signal(&self, name: &str) -> Option<SignalValue> {
        let n = SignalValue::Number;
        match name {
            // One database runs one query at a time: 1,000 ÷ mean ms queries per second.
            "d1_query_load_per_second" => {
                let qps = self
                    .num("d1_queries_per_second")
                    .or_else(|| self.num("d1_writes_per_second"))?;
                Some(n(qps * self.num("d1_query_ms").unwrap_or(1.0)))
            }
            // The documented ~1,000 requests/s per object holds for ~1 ms requests.
            "durable_object_load_per_second" => {
                let rps = self.num("durable_object_peak_rps_per_object")?;
                Some(n(rps * self.num("durable_object_handler_ms").unwrap_or(1.0)))
            }
            "worker_cpu_cap_used" => {
                let p99 = self.num("worker_cpu_ms_p99")?;
                let cap = self.num("cpu_limit_ms")?;
                (cap > 0.0).then(|| n(p99 / cap))
            }
            "queue_lag_rising" => self
                .num("queue_lag_growth_seconds_per_hour")
                .map(|g| SignalValue::Bool(g > 0.0)),
            "queue_hours_to_retention" => {
                let lag = self.num("queue_consumer_lag_seconds")?;
                let growth = self.num("queue_lag_growth_seconds_per_hour")?;
                let retention = self
                    .num("queue_retention_hours")
                    .or_else(|| self.limit("queues.retention_default_hours"))?;
                (growth > 0.0).then(|| n(((retention * 3600.0 - lag) / growth).max(0.0)))
            }
            "free_plan_pressure" => self.free_plan_pressure().map(n),
            "kv_already_caches" => {
                let uses_kv = matches!(self.signal("uses_kv"), Some(SignalValue::Bool(true)));
                self.num("kv_cache_hit_rate")
                    .map(|hit| SignalValue::Bool(uses_kv && hit >= 0.8))
            }
            "d1_months_to_full" => {
                let gb = self.num("d1_database_gb")?;
                let growth = self.num("d1_growth_gb_per_month")?;
                let max = self.limit("d1.database_size_gb")?;
                (growth > 0.0).then(|| n(((max - gb) / growth).max(0.0)))
            }
            // Hyperdrive caches reads for 60 s, and serves them 15 s stale while it refreshes.
            "hyperdrive_cache_too_stale" => {
                let uses = matches!(
                    self.signal("uses_hyperdrive"),
                    Some(SignalValue::Bool(true))
                );
                self.num("staleness_tolerance_seconds")
                    .map(|s| SignalValue::Bool(uses && s < 75.0))
            }
            "usage_given" => Some(SignalValue::Bool(self.ctx.usage.is_some())),
            // At least one log event per request: invocation logs are on.
            "logs_exceed_requests" => self.ctx.usage.as_ref().map(|u| {
                SignalValue::Bool(
                    u.workers.requests > 0.0 && u.workers_logs.events >= u.workers.requests,
                )
            }),
            // `usage.<field>`: a number or flag of the usage profile.
            _ if name.starts_with("usage.") => {
                let u = self
                    .usage_json
                    .get_or_init(|| {
                        self.ctx
                            .usage
                            .as_ref()
                            .and_then(|u| serde_json::to_value(u).ok())
                    })
                    .as_ref()?;
                match usage_field(u, &name["usage.".len()..])? {
                    serde_json::Value::Number(v) => v.as_f64().map(n),
                    serde_json::Value::Bool(b) => Some(SignalValue::Bool(*b)),
                    _ => None,
                }
            }
            // Logs are sampled when the usage says so; unknown without usage.
            "logs_sampled" => self.ctx.usage.as_ref().map(|u| {
                SignalValue::Bool(u.workers_logs.head_sampling_rate.is_some_and(|r| r < 1.0))
            }),
            _ => self
                .ctx
                .signal(name)
                .or_else(|| self.implied_by_usage(name)),
        }
    }

    /// What the usage profile implies when the context does not say: requests per day and the
    /// products in use.
    fn implied_by_usage(&self, name: &str) -> Option<SignalValue> {
        let u = self.ctx.usage.as_ref()?;
        let per_day = |monthly_or_daily: f64| match u.period {
            UsagePeriod::Day => monthly_or_daily,
            UsagePeriod::Month => monthly_or_daily / 30.0,
        };
        match name {
            "requests_per_day" if u.workers.requests > 0.0 => {
                Some(SignalValue::Number(per_day(u.workers.requests)))
            }
            _ if self.ctx.services.is_none() => {
                let product = name.strip_prefix("uses_")?;
                Some(SignalValue::Bool(uses(u, product)))
            }
            _ => None,
        }
    }

    /// The largest fraction of a Workers Free cap the context uses: requests per day, the burst
    /// rate per minute, and from usage KV writes and D1 rows per day. `None` off Free.
    fn free_plan_pressure(&self) -> Option<f64> {
        if self.ctx.plan != Some(Plan::Free) {
            return None;
        }
        let mut fractions = Vec::new();
        if let (Some(rpd), Some(cap)) = (
            self.num("requests_per_day"),
            self.limit("workers.requests_per_day"),
        ) {
            fractions.push(rpd / cap);
        }
        if let (Some(rps), Some(cap)) = (
            self.num("peak_requests_per_second"),
            self.limit("workers.requests_per_minute_burst"),
        ) {
            fractions.push(rps * 60.0 / cap);
        }
        if let Some(u) = &self.ctx.usage {
            let days = match u.period {
                UsagePeriod::Day => 1.0,
                UsagePeriod::Month => 30.0,
            };
            if let Some(cap) = self.limit("kv.writes_per_day") {
                fractions.push(u.kv.writes / days / cap);
            }
            for (used, price) in [
                (u.d1.rows_written, "d1.rows_written"),
                (u.d1.rows_read, "d1.rows_read"),
            ] {
                let cap = self
                    .k
                    .price(price)
                    .and_then(|p| p.free_included)
                    .and_then(|d| d.to_f64());
                if let Some(cap) = cap.filter(|c| *c > 0.0) {
                    fractions.push(used / days / cap);
                }
            }
        }
        fractions.into_iter().reduce(f64::max)
    }
}

/// A field of a usage profile's JSON by its dotted path, e.g. `r2.infrequent_access.class_a`.
pub(super) fn usage_field<'v>(
    usage: &'v serde_json::Value,
    path: &str,
) -> Option<&'v serde_json::Value> {
    path.split('.').try_fold(usage, |v, part| v.get(part))
}

/// Whether a usage profile uses a product (by its `services` name).
fn uses(u: &UsageProfile, product: &str) -> bool {
    let d = &u.durable_objects;
    match product {
        "workers" => u.workers.requests > 0.0,
        "kv" => u.kv.reads + u.kv.writes + u.kv.deletes + u.kv.lists + u.kv.storage_gb > 0.0,
        "d1" => u.d1.rows_read + u.d1.rows_written + u.d1.storage_gb > 0.0,
        "r2" => {
            u.r2.storage_gb + u.r2.class_a + u.r2.class_b + u.r2.infrequent_access.storage_gb > 0.0
        }
        "durable_objects" => {
            d.requests + d.websocket_messages + d.active_seconds + d.duration_gb_s > 0.0
        }
        "queues" => u.queues.messages + u.queues.operations > 0.0,
        "workflows" => u.workflows.steps > 0.0,
        "hyperdrive" => u.hyperdrive.queries > 0.0,
        "analytics_engine" => u.analytics_engine.data_points > 0.0,
        "vectorize" => u.vectorize.queried_dimensions + u.vectorize.stored_dimensions > 0.0,
        _ => false,
    }
}
