//! Row types of `skills/scale/data/*.toml`. Unknown keys are errors, so a typo in a data file
//! fails the test suite instead of silently dropping a fact.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{KnowledgeError, skill_file};

pub(super) fn parse<T: DeserializeOwned>(file: &'static str) -> Result<T, KnowledgeError> {
    let text = skill_file(file).ok_or(KnowledgeError::Missing(file))?;
    toml::from_str(text).map_err(|e| KnowledgeError::Invalid {
        file,
        message: e.to_string(),
    })
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok());
    matches!(
        (num(0..4), num(5..7), num(8..10)),
        (Some(2000..=2100), Some(1..=12), Some(1..=31))
    )
}

/// The contents of a price table file (`data/pricing.toml`, or a replacement given with
/// `--pricing` / `CF_SCALE_PRICING`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingFile {
    /// One row per billed metric.
    pub price: Vec<Price>,
    /// Billing rules: the conversion factors the prices rely on. A replacement table may leave
    /// them out; the built-in rules then apply.
    #[serde(default)]
    pub rule: Vec<BillingRule>,
}

impl PricingFile {
    /// Inconsistencies in the rows (ids, paired fields, dates, citations); empty when usable.
    /// Rows sharing an id must cover periods that neither overlap nor leave a gap.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self.price.iter().flat_map(Price::problems).collect();
        out.extend(periods(&self.price));
        let mut seen = std::collections::HashSet::new();
        for id in self.rule.iter().map(|r| &r.id) {
            if !seen.insert(id) {
                out.push(format!("pricing: duplicate rule id `{id}`"));
            }
        }
        out
    }
}

/// The day after `day` (YYYY-MM-DD).
pub fn next_day(day: &str) -> Option<String> {
    let y: i32 = day.get(0..4)?.parse().ok()?;
    let m: u32 = day.get(5..7)?.parse().ok()?;
    let d: u32 = day.get(8..10)?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    Some(match (d < days, m < 12) {
        (true, _) => format!("{y:04}-{m:02}-{:02}", d + 1),
        (false, true) => format!("{y:04}-{:02}-01", m + 1),
        (false, false) => format!("{:04}-01-01", y + 1),
    })
}

/// Overlaps and gaps between the periods of rows that share an id.
pub(super) fn periods(rows: &[Price]) -> Vec<String> {
    let mut out = Vec::new();
    let mut ids: Vec<&str> = rows.iter().map(|p| p.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let mut group: Vec<&Price> = rows.iter().filter(|p| p.id == id).collect();
        if group.len() < 2 {
            continue;
        }
        group.sort_by(|a, b| a.effective_from.cmp(&b.effective_from));
        for pair in group.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            match (&a.effective_until, &b.effective_from) {
                (None, _) => out.push(format!(
                    "pricing: `{id}` has a row with no effective_until before another row: the periods overlap"
                )),
                (Some(_), None) => out.push(format!(
                    "pricing: `{id}` has two rows without effective_from: the periods overlap"
                )),
                (Some(until), Some(from)) => {
                    if from <= until {
                        out.push(format!(
                            "pricing: `{id}` rows overlap: one is in force until {until}, the next from {from}"
                        ));
                    } else if next_day(until).as_deref() != Some(from.as_str()) {
                        out.push(format!(
                            "pricing: `{id}` has a gap: one row ends {until}, the next starts {from}"
                        ));
                    }
                }
            }
        }
    }
    out
}

/// A billing rule: a number that turns usage into billed units (e.g. the 64 KB chunk of a queue
/// operation), with its source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingRule {
    /// Stable id, e.g. `queues.operation_chunk_kb`.
    pub id: String,
    /// The number, exact.
    pub value: Decimal,
    /// Its unit.
    pub unit: String,
    /// What it means, in plain words.
    pub description: String,
    /// The Cloudflare docs page it comes from.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LimitsFile {
    pub limit: Vec<Limit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MatrixFile {
    pub row: Vec<MatrixRow>,
    #[serde(default)]
    pub headroom: Vec<HeadroomSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChecklistFile {
    pub stage: Vec<Stage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AntiPatternsFile {
    pub anti_pattern: Vec<AntiPattern>,
}

/// The period an allowance is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// Resets every day at 00:00 UTC.
    Day,
    /// Per monthly billing cycle.
    Month,
    /// For the account as a whole, not reset.
    Total,
}

/// How usage is turned into billable units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Pro rata: 1.5 million requests cost 1.5 times the per-million price.
    Exact,
    /// The billable excess rounded up to the next billing unit (R2: 1,000,001 billable
    /// operations bill as 2 million).
    Up,
    /// The month's quantity rounded to the nearest whole unit (a half rounds up) before the
    /// allowance is taken off (Browser Run hours).
    NearestTotal,
}

/// One price: what a metric of a product costs on the Free and Paid plans.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// `<product>.<metric>`, e.g. `kv.writes`.
    pub id: String,
    /// Product key, e.g. `kv`, `d1`, `r2_ia`, `durable_objects`.
    pub product: String,
    /// Metric key within the product, e.g. `writes`.
    pub metric: String,
    /// What is counted, in plain words.
    pub description: String,
    /// Unit of the metric (plural noun), e.g. `requests`, `gb_months`.
    pub unit: String,
    /// Allowance on the Workers Free plan; absent when the product is not on Free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_included: Option<Decimal>,
    /// Period of `free_included`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_period: Option<Period>,
    /// Allowance included with Workers Paid; absent means none included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_included: Option<Decimal>,
    /// Period of `paid_included`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_period: Option<Period>,
    /// Paid price in USD per `per` units beyond the allowance; absent means not charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usd: Option<Decimal>,
    /// The number of units `usd` buys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per: Option<u64>,
    /// How usage is rounded into billing units.
    pub rounding: Rounding,
    /// False when the product is priced but Cloudflare does not bill it yet.
    pub billed: bool,
    /// True when usage past the free tier is billed whatever the Workers plan (R2 has its own
    /// subscription); false when the Free plan bills nothing and fails past its limits instead.
    #[serde(default)]
    pub billed_on_free: bool,
    /// True when the Free plan neither bills nor limits the metric (it comes with the plan, e.g.
    /// Observability storage on Free is seven days' retention, not metered).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub free_unmetered: bool,
    /// What happens on Workers Free past the allowance, when it is not that requests fail (e.g.
    /// "new data is not ingested until 00:00 UTC").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_free_limit: Option<String>,
    /// First day the row is in force (YYYY-MM-DD); absent: since before the table's first date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// Last day the row is in force (YYYY-MM-DD); absent: still in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<String>,
    /// A caution repeated in every estimate that uses this price (e.g. an announced change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// Billing semantics worth knowing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The Cloudflare docs page the numbers come from.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

impl Price {
    /// Whether the row is in force on `day` (YYYY-MM-DD); ISO dates compare as text.
    pub fn in_force_on(&self, day: &str) -> bool {
        self.effective_from.as_deref().is_none_or(|f| f <= day)
            && self.effective_until.as_deref().is_none_or(|u| day <= u)
    }

    pub(super) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let id = &self.id;
        if self.id != format!("{}.{}", self.product, self.metric) {
            out.push(format!("pricing: `{id}` is not `<product>.<metric>`"));
        }
        if self.free_included.is_some() != self.free_period.is_some() {
            out.push(format!(
                "pricing: `{id}` needs free_included and free_period together"
            ));
        }
        if self.paid_included.is_some() != self.paid_period.is_some() {
            out.push(format!(
                "pricing: `{id}` needs paid_included and paid_period together"
            ));
        }
        if self.usd.is_some() != self.per.is_some_and(|p| p > 0) {
            out.push(format!(
                "pricing: `{id}` needs usd and a positive per together"
            ));
        }
        if self.usd.is_some_and(|u| u.is_sign_negative()) {
            out.push(format!("pricing: `{id}` has a negative price"));
        }
        for (key, v) in [
            ("free_included", self.free_included),
            ("paid_included", self.paid_included),
        ] {
            if v.is_some_and(|v| v.is_sign_negative()) {
                out.push(format!("pricing: `{id}` has a negative {key}"));
            }
        }
        for (key, date) in [
            ("effective_from", &self.effective_from),
            ("effective_until", &self.effective_until),
        ] {
            if let Some(d) = date.as_deref().filter(|d| !is_iso_date(d)) {
                out.push(format!("pricing: `{id}` {key} `{d}` is not YYYY-MM-DD"));
            }
        }
        if let (Some(f), Some(u)) = (&self.effective_from, &self.effective_until)
            && f > u
        {
            out.push(format!(
                "pricing: `{id}` is in force from {f} until {u}: an empty period"
            ));
        }
        out
    }
}

/// A limit value: a number in the row's unit, or `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LimitValue {
    /// A number in the row's unit.
    Number(f64),
    /// No limit.
    Unlimited(Unlimited),
}

/// The literal string `"unlimited"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unlimited {
    /// No limit.
    Unlimited,
}

impl LimitValue {
    /// The number, or `None` when unlimited.
    pub fn number(self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n),
            Self::Unlimited(_) => None,
        }
    }
}

/// One platform limit on the Free and Paid plans.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// `<product>.<name>`, e.g. `kv.writes_per_key_per_second`.
    pub id: String,
    /// Product key, e.g. `kv`.
    pub product: String,
    /// What is limited, in plain words.
    pub name: String,
    /// Unit of the values, e.g. `writes/second`.
    pub unit: String,
    /// Value on Workers Free; absent when the product is not on Free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<LimitValue>,
    /// Value on Workers Paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<LimitValue>,
    /// True when the user can change it (in config, or on request).
    #[serde(default)]
    pub configurable: bool,
    /// Context worth knowing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// The Cloudflare docs page the numbers come from.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

/// One row of the scaling decision matrix: a bottleneck, how it shows, what to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixRow {
    /// Stable id, e.g. `d1-read-latency`.
    pub id: String,
    /// The resource that runs out.
    pub bottleneck: String,
    /// What the user sees.
    pub symptom: String,
    /// Measurable signals and thresholds.
    pub signals: Vec<String>,
    /// Remedies, cheapest and simplest first.
    pub solutions: Vec<String>,
    /// Anchor ids of the pattern sections with code.
    pub patterns: Vec<String>,
    /// The Cloudflare docs page behind the row.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
    /// The recommendations this row makes, and when (evaluated by `recommend_scaling`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommend: Vec<RecommendRule>,
}

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A limit is breached or about to be: requests fail.
    Critical,
    /// Close to a limit, or a failure mode is unguarded.
    High,
    /// Worth doing at this scale.
    Medium,
    /// An optimisation.
    Low,
}

impl Severity {
    /// `critical`, `high`, `medium` or `low`.
    pub fn word(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// A comparison of a context signal with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Equal.
    Eq,
}

/// A signal's value: a number or a yes/no.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SignalValue {
    /// A yes/no observation, or whether a service is used.
    Bool(bool),
    /// A measured or derived number.
    Number(f64),
}

/// `signal op value`, e.g. `d1_read_latency_p95_ms gt 50`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// A signal name of the project context (see the recommend engine's vocabulary).
    pub signal: String,
    /// The comparison.
    pub op: Op,
    /// The value compared with.
    pub value: SignalValue,
}

/// A signal measured against a documented limit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilisationSpec {
    /// The signal.
    pub signal: String,
    /// The limit row id (`limits.toml`), on the context's plan; absent when the signal is
    /// already a fraction of its cap (e.g. `worker_cpu_cap_used`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// Multiplies the limit into the signal's unit (e.g. 3600 for hours to seconds).
    #[serde(default = "one")]
    pub limit_factor: f64,
    /// The signal's unit, when `limit_factor` converts the limit's (e.g. `seconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The recommendation triggers at this fraction of the limit.
    pub trigger_at: f64,
}

fn one() -> f64 {
    1.0
}

/// A severity that applies from a utilisation on.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Fraction of the limit.
    pub at: f64,
    /// Severity from there on.
    pub severity: Severity,
}

/// A severity that applies when conditions hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalSeverity {
    /// Conditions that must all hold.
    pub when: Vec<Condition>,
    /// Severity then.
    pub severity: Severity,
}

/// A change to the usage profile that a recommendation or a cost lever would make, priced by
/// the cost engine on the changed profile. Changes apply in order. `factor`, `set_from`,
/// `remove_signal` and the amount moved by `to` read the profile as it was before any change;
/// `add_from` adds to the field as the earlier changes left it, so a `factor` followed by an
/// `add_from` on one field composes:
/// - `factor`: the field is multiplied by it (default 1); with `to`, the amount removed is added
///   to that field;
/// - `set`: the field takes this value;
/// - `set_from`: the field takes another field's value × `times` × the signal `times_signal`;
/// - `add_from`: another field's value × `times` × `times_signal` is added (it may be negative;
///   the field stays at 0 or above);
/// - `remove_signal`: a fraction (0 to 1) read from a signal is removed, as with `factor`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostChange {
    /// A usage field path, e.g. `d1.storage_gb` or `r2.infrequent_access.retrieval_gb`.
    pub field: String,
    /// What remains of it.
    #[serde(default = "one")]
    pub factor: f64,
    /// Where the removed amount goes, e.g. `r2.storage_gb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The value the field takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<f64>,
    /// The field whose value (× `times` × `times_signal`) the field takes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_from: Option<String>,
    /// The field whose value (× `times` × `times_signal`) is added to the field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add_from: Option<String>,
    /// The multiplier of `set_from` / `add_from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<f64>,
    /// A signal whose value also multiplies `set_from` / `add_from`, e.g.
    /// `durable_object_handler_ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times_signal: Option<String>,
    /// A signal holding the fraction of the field to remove.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_signal: Option<String>,
}

impl CostChange {
    /// The signals the change reads.
    pub fn signals(&self) -> impl Iterator<Item = &str> {
        self.times_signal
            .iter()
            .chain(&self.remove_signal)
            .map(String::as_str)
    }

    /// The usage fields the change names.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.field)
            .chain(&self.to)
            .chain(&self.set_from)
            .chain(&self.add_from)
            .map(String::as_str)
    }
}

/// A way to cut one line of the bill (`data/levers.toml`): the usage changes it makes, priced
/// by the cost engine, so its saving is a real difference of two bills.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    /// Stable id, e.g. `do-websocket-hibernation`.
    pub id: String,
    /// What to do, in a line.
    pub title: String,
    /// The bill lines it cuts, `product.metric` as the cost report names them.
    pub lines: Vec<String>,
    /// Conditions that must all hold (the rules' signals; `usage.<field>` reads the profile).
    #[serde(default)]
    pub when: Vec<Condition>,
    /// How the usage changes.
    #[serde(default)]
    pub change: Vec<CostChange>,
    /// The plan the account moves to instead (`free`): saved when that plan's bill is lower and
    /// the usage stays within its limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The assumption that makes the saving, in words.
    pub assumption: String,
    /// What it costs in effort, consistency or latency.
    pub tradeoffs: String,
    /// Anchor id of the pattern with the code.
    pub pattern: String,
    /// The Cloudflare docs page behind it.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

/// A plausible loop and what an hour of it costs at the project's scale (`data/levers.toml`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Runaway {
    /// Stable id, e.g. `durable-object-wake-loop`.
    pub id: String,
    /// The product it bills, a usage key.
    pub product: String,
    /// The loop, in a line.
    pub title: String,
    /// What an hour of the loop adds: `field` gains `per_second` × the signal `rate` × 3,600.
    pub adds: Vec<RunawayAdd>,
    /// The assumption behind the rate, in words.
    pub assumption: String,
    /// What bounds it, most effective first.
    pub guards: Vec<String>,
    /// Anchor id of the pattern with the guard's code.
    pub pattern: String,
    /// The Cloudflare docs page behind it.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

/// One usage field a runaway loop adds to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunawayAdd {
    /// A usage field, e.g. `durable_objects.duration_gb_s`.
    pub field: String,
    /// The signal giving the loop's rate, e.g. `peak_requests_per_second`.
    pub rate: String,
    /// Units of `field` per second per unit of `rate`.
    pub per_second: f64,
}

/// `data/levers.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LeversFile {
    #[serde(default)]
    pub lever: Vec<Lever>,
    #[serde(default)]
    pub runaway: Vec<Runaway>,
}

/// One recommendation rule of a matrix row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendRule {
    /// Stable id, e.g. `kv-key-sharding`.
    pub id: String,
    /// What to do, in a line.
    pub title: String,
    /// Severity when triggered (utilisation may raise it).
    pub severity: Severity,
    /// Anchor id of the pattern with the code.
    pub pattern: String,
    /// Steps, in order.
    pub actions: Vec<String>,
    /// What it costs in complexity or consistency.
    pub tradeoffs: String,
    /// Conditions that must all hold.
    #[serde(default)]
    pub when: Vec<Condition>,
    /// The limit the rule measures, when it measures one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilisation: Option<UtilisationSpec>,
    /// Severities by utilisation, highest threshold first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate: Vec<Escalation>,
    /// Severities by conditions: each applies when all of its conditions hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_when: Vec<ConditionalSeverity>,
    /// Rules that pull the other way: when both trigger, the report names the conflict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts_with: Vec<String>,
    /// The plan the fix moves the account to; its cost impact is that plan's bill minus today's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// A `shard_plan` strategy to use instead of `shard` when the context knows its tenants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_with_tenants: Option<String>,
    /// A `shard_plan` strategy to run for the context's numbers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// How the usage changes, for the cost impact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost: Vec<CostChange>,
    /// What an assumption behind `cost` is, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_assumption: Option<String>,
    /// The Cloudflare docs page behind the threshold.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

/// A limit the context is measured against in the headroom table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadroomSpec {
    /// The signal.
    pub signal: String,
    /// The limit row id.
    pub limit: String,
    /// Multiplies the limit into the signal's unit.
    #[serde(default = "one")]
    pub limit_factor: f64,
    /// How the signal grows: `traffic` (with growth_percent_per_month) or the name of a signal
    /// giving its growth per month.
    pub growth: String,
}

/// One traffic tier of the growth checklist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// `before-launch`, `10k`, `100k`, `1m` or `10m`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The tier starts at this many requests per day.
    pub min_requests_per_day: u64,
    /// What to have done at this tier.
    pub item: Vec<ChecklistItem>,
}

/// One checklist item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Stable id, unique across the checklist.
    pub id: String,
    /// One actionable line.
    pub text: String,
    /// Anchor id of the pattern section that shows how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Conditions that show the item is done (all must hold; unknown signals leave it unknown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done_when: Vec<Condition>,
    /// The Cloudflare docs page behind the item.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

/// A design that fails at scale, and what to do instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AntiPattern {
    /// Stable id, e.g. `kv-as-counter`.
    pub id: String,
    /// Short name.
    pub title: String,
    /// Why it fails, with the number that makes it fail.
    pub problem: String,
    /// What to do instead.
    pub instead: String,
    /// Anchor id of the pattern section that shows how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Conditions that detect the anti-pattern in a project context (all must hold).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detect: Vec<Condition>,
    /// The Cloudflare docs page behind the row.
    pub source: String,
    /// The date of that page.
    pub as_of: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(from: Option<&str>, until: Option<&str>) -> String {
        let mut r = String::from(
            "[[price]]\nid = \"kv.reads\"\nproduct = \"kv\"\nmetric = \"reads\"\ndescription = \"d\"\nunit = \"reads\"\nusd = \"0.50\"\nper = 1\nrounding = \"exact\"\nbilled = true\nsource = \"https://developers.cloudflare.com/\"\nas_of = \"2026-01-01\"\n",
        );
        if let Some(f) = from {
            r.push_str(&format!("effective_from = \"{f}\"\n"));
        }
        if let Some(u) = until {
            r.push_str(&format!("effective_until = \"{u}\"\n"));
        }
        r
    }

    fn problems_of(rows: &[String]) -> Vec<String> {
        let file: PricingFile = toml::from_str(&rows.join("\n")).unwrap();
        file.problems()
    }

    #[test]
    fn dated_rows_of_one_id_must_neither_overlap_nor_leave_a_gap() {
        let ok = [row(None, Some("2026-11-30")), row(Some("2026-12-01"), None)];
        assert!(problems_of(&ok).is_empty(), "{:?}", problems_of(&ok));
        let overlap = [row(None, Some("2026-12-05")), row(Some("2026-12-01"), None)];
        assert!(
            problems_of(&overlap).iter().any(|p| p.contains("overlap")),
            "{:?}",
            problems_of(&overlap)
        );
        let gap = [row(None, Some("2026-11-29")), row(Some("2026-12-01"), None)];
        assert!(
            problems_of(&gap).iter().any(|p| p.contains("gap")),
            "{:?}",
            problems_of(&gap)
        );
        let two_open = [row(None, None), row(Some("2026-12-01"), None)];
        assert!(problems_of(&two_open).iter().any(|p| p.contains("overlap")));
        let backwards = [row(Some("2026-12-02"), Some("2026-12-01"))];
        assert!(
            problems_of(&backwards)
                .iter()
                .any(|p| p.contains("empty period"))
        );
        let bad_date = [row(Some("December"), None)];
        assert!(
            problems_of(&bad_date)
                .iter()
                .any(|p| p.contains("not YYYY-MM-DD"))
        );
        assert_eq!(next_day("2026-11-30").as_deref(), Some("2026-12-01"));
        assert_eq!(next_day("2026-12-31").as_deref(), Some("2027-01-01"));
        assert_eq!(next_day("2028-02-28").as_deref(), Some("2028-02-29"));
        assert_eq!(next_day("2027-02-28").as_deref(), Some("2027-03-01"));
    }

    #[test]
    fn iso_dates() {
        assert!(is_iso_date("2026-07-07"));
        assert!(!is_iso_date("2026-13-07"));
        assert!(!is_iso_date("2026-7-7"));
        assert!(!is_iso_date("July 2026"));
    }

    #[test]
    fn limit_value_accepts_number_or_unlimited_only() {
        let v: Limit = toml::from_str(
            "id='a.b'\nproduct='a'\nname='n'\nunit='u'\nfree=1\npaid='unlimited'\nsource='s'\nas_of='d'",
        )
        .unwrap();
        assert_eq!(v.free.and_then(LimitValue::number), Some(1.0));
        assert_eq!(v.paid.and_then(LimitValue::number), None);
        let bad = toml::from_str::<Limit>(
            "id='a.b'\nproduct='a'\nname='n'\nunit='u'\npaid='lots'\nsource='s'\nas_of='d'",
        );
        assert!(bad.is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = toml::from_str::<AntiPattern>(
            "id='x'\ntitle='t'\nproblem='p'\ninstead='i'\nsource='s'\nas_of='d'\nsorce='typo'",
        )
        .unwrap_err();
        assert!(err.to_string().contains("sorce"), "{err}");
    }
}
