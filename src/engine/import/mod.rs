//! `import_usage`: Cloudflare's own usage data turned into a usage profile, the observations
//! `recommend_scaling` reads, each resource's usage and headroom, and where every number came
//! from. A leaf engine: it reads the documents it is given and the limits, and nothing else.
//!
//! Two sources, per meter:
//! - billable-usage rows ([`billing`]): Cloudflare's billing measure;
//! - GraphQL Analytics responses ([`graphql`]): sampled estimates, which Cloudflare says are not
//!   the billing measure.
//!
//! Where both give a meter the billing rows win and the difference is reported. A meter no
//! document gives is `missing`, never 0. Counts are scaled from the observed window to a 30-day
//! month (Cloudflare's pricing uses 30-day months); storage is the mean over the observed days
//! of the account's daily peak.

mod billing;
mod graphql;
mod tally;

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::model::{InputError, Observations, Plan, Provenance, UsageProfile};
use crate::knowledge::{Limit, LimitValue};
use tally::{DAY, METERS, MeterKind, Tally, date_of, parse_time};

/// The most bytes of documents one import reads (inline and from files together).
pub const MAX_IMPORT_BYTES: usize = 8 << 20;
/// The most documents one import reads.
pub const MAX_DOCUMENTS: usize = 64;

/// What to import: responses of Cloudflare's GraphQL Analytics API and billable-usage API, as
/// returned. Run the queries of `scale://queries/usage.graphql` (see the `usage_review` prompt).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// Responses as returned: a GraphQL body (`{data: {viewer: {accounts: […]}}, errors}`) or
    /// billable usage (`{result: [rows]}` or the rows). With paths, 8 MiB in all.
    #[serde(default)]
    #[schemars(with = "Vec<serde_json::Map<String, Value>>")]
    pub documents: Vec<Value>,
    /// JSON files holding such responses, relative to the server's working directory; 8 MiB in
    /// all. Saves pasting them.
    #[serde(default)]
    pub paths: Vec<String>,
    /// First day observed, YYYY-MM-DD; default the earliest date in the data. Give start and
    /// end: days without traffic are absent from the responses.
    #[serde(default)]
    pub start: Option<String>,
    /// Last day observed, YYYY-MM-DD, inclusive; default the latest date in the data.
    #[serde(default)]
    pub end: Option<String>,
    /// Day of month the billing cycle starts, 1 to 31. A window of exactly one cycle is taken
    /// as the month, unscaled.
    #[serde(default)]
    pub billing_cycle_anchor: Option<u8>,
    /// Default paid.
    #[serde(default)]
    pub plan: Option<Plan>,
}

/// What a resource is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A Worker script.
    Worker,
    /// A KV namespace.
    KvNamespace,
    /// A D1 database.
    D1Database,
    /// An R2 bucket.
    R2Bucket,
    /// A Durable Object namespace (a class).
    DurableObjectNamespace,
    /// A queue.
    Queue,
    /// A Workflow.
    Workflow,
    /// The account as a whole (daily Free allowances, storage per account).
    Account,
}

/// The observed window.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Window {
    /// First day, YYYY-MM-DD.
    pub start: String,
    /// Last day, YYYY-MM-DD, inclusive.
    pub end: String,
    /// Length in days (fractional when the data is hourly), to 4 decimals.
    pub days: f64,
    /// The factor counts were multiplied by to make a 30-day month, to 4 decimals (the profile
    /// uses it unrounded).
    pub to_month: f64,
    /// `given`, `data` (from the dates in the documents) or `billing_cycle`.
    pub basis: String,
}

/// One limit a resource is measured against.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResourceHeadroom {
    /// Limit id in `scale://data/limits`.
    pub limit: String,
    /// The value observed.
    pub current: f64,
    /// The limit on the plan.
    pub max: f64,
    /// Unit of both.
    pub unit: String,
    /// current ÷ max.
    pub utilisation: f64,
}

/// One resource's usage and headroom.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ResourceUsage {
    /// What it is.
    pub kind: ResourceKind,
    /// Its id or name as the API reports it.
    pub id: String,
    /// Counts per 30-day month, storage in GB on the last day, and the largest values seen
    /// (`cpu_ms_p99`, `memory_mb`, `backlog_messages`, `consumer_lag_seconds`, …).
    pub usage: BTreeMap<String, f64>,
    /// Against the per-resource limits, most used first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headroom: Vec<ResourceHeadroom>,
}

/// A D1 statement that reads far more rows than it returns: an index is the usual fix.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryCost {
    /// The database id.
    pub database: String,
    /// The statement as D1 reports it (cut at 240 characters).
    pub query: String,
    /// Calls per 30-day month.
    pub calls_per_month: f64,
    /// Rows read per 30-day month.
    pub rows_read_per_month: f64,
    /// Rows read for each row returned (for each call when it returns none).
    pub rows_read_per_row_returned: f64,
    /// Its share of the rows read by all the queries reported, 0 to 1.
    pub share_of_rows_read: f64,
    /// Mean duration of one call, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_ms: Option<f64>,
}

/// A meter both sources gave.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Difference {
    /// The profile field (`workers.cpu_ms` is the month's CPU milliseconds in all).
    pub meter: String,
    /// From the billing rows, per month (the one used).
    pub billing: f64,
    /// From GraphQL Analytics, per month.
    pub analytics: f64,
    /// (analytics − billing) ÷ billing, in percent; absent when billing is 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference_percent: Option<f64>,
}

/// The result of `import_usage`: a profile for `estimate_cost`, observations for
/// `recommend_scaling` (pass the whole result as its `usage`), and each resource's headroom.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ImportedUsage {
    /// The answer in a few sentences: the window, the sources, the bill, the largest resources,
    /// what is missing.
    pub summary: String,
    /// The observed window and its scaling to a month.
    pub window: Window,
    /// An estimate_cost profile of a 30-day month, with its provenance; fields at 0 are left
    /// out (0 is their default).
    #[serde(serialize_with = "pruned")]
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub profile: UsageProfile,
    /// What the data shows for recommend_scaling, rounded to 3 or 4 decimals; unknown ones are
    /// left out.
    #[serde(serialize_with = "without_nulls")]
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub observations: Observations,
    /// The bill of `profile` at the prices in force in its month; meters missing are not in it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::float_option",
        default
    )]
    #[schemars(with = "Option<f64>")]
    pub monthly_cost_usd: Option<rust_decimal::Decimal>,
    /// Per resource: usage and headroom, most used first.
    pub resources: Vec<ResourceUsage>,
    /// D1 statements that read far more rows than they return, most rows read first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queries: Vec<QueryCost>,
    /// Meters both sources gave, and how far apart they are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    /// Unknown datasets or fields, partial responses, short windows, units assumed.
    pub warnings: Vec<String>,
    /// How the documents were read.
    pub assumptions: Vec<String>,
}

/// Serializes a value without its zeros, `false`s, nulls and empty objects: for a profile or
/// observations those are what leaving a field out means.
fn pruned<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    fn prune(v: &mut Value) -> bool {
        match v {
            Value::Null | Value::Bool(false) => false,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::Object(o) => {
                o.retain(|_, v| prune(v));
                !o.is_empty()
            }
            Value::Array(a) => !a.is_empty(),
            _ => true,
        }
    }
    let mut v = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if !prune(&mut v) {
        v = Value::Object(serde_json::Map::new());
    }
    v.serialize(s)
}

/// Serializes a value without its nulls: for observations, unknown is left out, and a measured
/// 0 or `false` is kept.
fn without_nulls<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    let mut v = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let Value::Object(o) = &mut v {
        o.retain(|_, v| !v.is_null());
    }
    v.serialize(s)
}

/// Reads the documents of `input` and `files` (each named for messages) into an import.
pub fn import(
    limits: &[Limit],
    input: &ImportInput,
    files: &[(String, Value)],
) -> Result<ImportedUsage, InputError> {
    let documents: Vec<(String, &Value)> = input
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("documents[{i}]"), d))
        .chain(files.iter().map(|(n, d)| (n.clone(), d)))
        .collect();
    if documents.is_empty() {
        return Err(InputError::new(
            "documents",
            "give at least one response (documents or paths): run the queries of scale://queries/usage.graphql",
        ));
    }
    if documents.len() > MAX_DOCUMENTS {
        return Err(InputError::new(
            "documents",
            format!(
                "{} documents; at most {MAX_DOCUMENTS} are read",
                documents.len()
            ),
        ));
    }
    if let Some(a) = input.billing_cycle_anchor.filter(|a| !(1..=31).contains(a)) {
        return Err(InputError::new(
            "billing_cycle_anchor",
            format!("must be a day of the month from 1 to 31 (got {a})"),
        ));
    }
    let given = given_window(input)?;
    let mut t = Tally::default();
    for (i, (name, doc)) in documents.iter().enumerate() {
        // The same answer given twice would be counted twice.
        if let Some((first, _)) = documents[..i].iter().find(|(_, d)| d == doc) {
            t.warnings
                .add(format!("{name}: the same document as {first}; read once"));
            continue;
        }
        if billing::is_billing(doc) {
            billing::read(name, doc, given, &mut t)?;
        } else if let Value::Object(o) = doc
            && (o.contains_key("data") || o.contains_key("viewer") || o.contains_key("errors"))
        {
            graphql::read(name, o, given, &mut t)?;
        } else {
            return Err(InputError::new(
                name.as_str(),
                "is neither a GraphQL Analytics response ({\"data\": {\"viewer\": {\"accounts\": […]}}}) nor billable usage ({\"result\": [rows with ConsumedQuantity]})",
            ));
        }
    }
    let window = window(input, given, &t)?;
    let plan = input.plan.unwrap_or_default();
    Ok(build(limits, plan, window, t))
}

/// The window the caller gave, as [start, end) seconds.
fn given_window(input: &ImportInput) -> Result<Option<(i64, i64)>, InputError> {
    let day = |field: &str, v: &Option<String>| -> Result<Option<i64>, InputError> {
        v.as_deref()
            .map(|s| {
                (s.len() == 10)
                    .then(|| parse_time(s))
                    .flatten()
                    .ok_or_else(|| {
                        InputError::new(field, format!("must be a date YYYY-MM-DD (got {s:?})"))
                    })
            })
            .transpose()
    };
    match (day("start", &input.start)?, day("end", &input.end)?) {
        (Some(s), Some(e)) if e < s => Err(InputError::new(
            "end",
            "must not be before start (both are YYYY-MM-DD; end is inclusive)",
        )),
        (Some(s), Some(e)) => Ok(Some((s, e + DAY))),
        (None, None) => Ok(None),
        _ => Err(InputError::new(
            if input.start.is_none() {
                "start"
            } else {
                "end"
            },
            "give both start and end, or neither (then the data's dates are used)",
        )),
    }
}

/// The observed window and its scaling to a 30-day month.
fn window(
    input: &ImportInput,
    given: Option<(i64, i64)>,
    t: &Tally,
) -> Result<(Window, i64, f64), InputError> {
    let (start, end, mut basis) = match (given, t.first, t.last) {
        (Some((s, e)), _, _) => (s, e, "given"),
        (None, Some(s), Some(e)) => (s, e, "data"),
        _ => {
            return Err(InputError::new(
                "start",
                "the documents carry no dates: group by `date` (the queries of scale://queries/usage.graphql do) or give start and end",
            ));
        }
    };
    let days = (end - start) as f64 / DAY as f64;
    let mut to_month = 30.0 / days;
    if let Some(anchor) = input.billing_cycle_anchor
        && is_one_cycle(start, end, anchor)
    {
        to_month = 1.0;
        basis = "billing_cycle";
    }
    let w = Window {
        start: date_of(start),
        end: date_of(end - 1),
        days: round(days, 4),
        to_month: round(to_month, 4),
        basis: basis.to_owned(),
    };
    Ok((w, end, to_month))
}

/// Whether [start, end) is one billing cycle starting on day `anchor` (clamped to short months).
fn is_one_cycle(start: i64, end: i64, anchor: u8) -> bool {
    use chrono::{Datelike, NaiveDate};
    let Some(s) = chrono::DateTime::from_timestamp(start, 0).map(|d| d.date_naive()) else {
        return false;
    };
    let on = |y: i32, m: u32| {
        let last = (28..=31)
            .rev()
            .find(|d| NaiveDate::from_ymd_opt(y, m, *d).is_some())
            .unwrap_or(28);
        NaiveDate::from_ymd_opt(y, m, u32::from(anchor).min(last))
    };
    let (ny, nm) = if s.month() == 12 {
        (s.year() + 1, 1)
    } else {
        (s.year(), s.month() + 1)
    };
    let starts = on(s.year(), s.month()) == Some(s);
    let next = on(ny, nm).and_then(|d| d.and_hms_opt(0, 0, 0));
    starts && next.is_some_and(|n| n.and_utc().timestamp() == end) && start % DAY == 0
}

fn round(v: f64, dp: i32) -> f64 {
    let f = 10f64.powi(dp);
    (v * f).round() / f
}

/// The name a meter has in the profile.
fn shown(path: &str) -> &str {
    if path == "workers.cpu_ms" {
        "workers.cpu_ms_per_request"
    } else {
        path
    }
}

/// Turns the tally into the result.
fn build(
    limits: &[Limit],
    plan: Plan,
    (window, end, factor): (Window, i64, f64),
    mut t: Tally,
) -> ImportedUsage {
    let days = window.days;
    let mut warnings = std::mem::take(&mut t.warnings);
    let mut assumptions = Vec::new();
    let mut values: BTreeMap<&'static str, f64> = BTreeMap::new();
    let mut provenance = Provenance {
        window: format!(
            "{} to {} ({} days, ×{})",
            window.start, window.end, window.days, window.to_month
        ),
        ..Provenance::default()
    };
    let mut differences = Vec::new();
    let mut missing: Vec<&'static str> = Vec::new();
    count_held(&mut t);
    for def in METERS {
        let r = t.readings.get(def.path);
        let analytics = r.and_then(|r| r.analytics.map(|_| monthly_analytics(def.kind, r, factor)));
        let billing = r.and_then(|r| r.billing.map(|_| monthly_billing(def.kind, r, factor)));
        match (billing, analytics) {
            (Some(b), a) => {
                values.insert(def.path, b);
                provenance.billing.push(shown(def.path).to_owned());
                if let Some(a) = a.filter(|_| def.kind != MeterKind::Held) {
                    differences.push(Difference {
                        meter: def.path.to_owned(),
                        billing: round(b, 2),
                        analytics: round(a, 2),
                        difference_percent: (b > 0.0).then(|| round((a - b) / b * 100.0, 1)),
                    });
                }
            }
            (None, Some(a)) => {
                values.insert(def.path, a);
                provenance
                    .analytics_estimate
                    .push(shown(def.path).to_owned());
            }
            (None, None) => missing.push(def.path),
        }
    }
    // Billed Durable Object requests already hold incoming WebSocket messages at 20:1.
    if provenance
        .billing
        .iter()
        .any(|m| m == "durable_objects.requests")
        && values
            .remove("durable_objects.websocket_messages")
            .is_some()
    {
        provenance
            .analytics_estimate
            .retain(|m| m != "durable_objects.websocket_messages");
        assumptions.push("Durable Object requests come from billing rows, which count incoming WebSocket messages at 20:1 already; the analytics message count is not added again.".to_owned());
    }
    // Key-value-backed storage is not in the shipped queries (durableObjectsStorageGroups); with
    // no key-value-backed reads or writes measured, there is none to bill.
    let kv_units_idle = [
        "durable_objects.kv_read_units",
        "durable_objects.kv_write_units",
    ]
    .iter()
    .all(|m| values.get(m) == Some(&0.0));
    if kv_units_idle && missing.contains(&"durable_objects.kv_storage_gb") {
        missing.retain(|m| *m != "durable_objects.kv_storage_gb");
        values.insert("durable_objects.kv_storage_gb", 0.0);
        provenance
            .analytics_estimate
            .push("durable_objects.kv_storage_gb".to_owned());
        assumptions.push("No key-value-backed Durable Object reads or writes were measured, so their storage is taken as 0 (durableObjectsStorageGroups was not given).".to_owned());
    }
    provenance.missing = group_missing(&missing);
    provenance.billing = grouped(&provenance.billing);
    provenance.analytics_estimate = grouped(&provenance.analytics_estimate);

    let mut profile = UsageProfile {
        plan,
        month: Some(date_of(end - 1)[..7].to_owned()),
        ..UsageProfile::default()
    };
    for (path, v) in &values {
        set(&mut profile, path, *v);
    }
    if let (Some(cpu), Some(req)) = (values.get("workers.cpu_ms"), values.get("workers.requests")) {
        // To 6 decimals: at billions of requests the fourth decimal of a millisecond is dollars.
        profile.workers.cpu_ms_per_request = if *req > 0.0 { round(cpu / req, 6) } else { 0.0 };
    }
    profile.provenance = Some(provenance);

    if days < 1.0 {
        warnings.add(format!(
            "the window is {days} days, shorter than a day: scaling it ×{factor} to a month magnifies one hour's pattern"
        ));
    } else if days < 7.0 {
        warnings.add(format!(
            "the window is {days} day(s): weekly patterns are not in it; 7 to 31 days give a steadier month"
        ));
    }
    // A source that covers much less than the window is scaled as if it covered all of it.
    let window_secs = window.days * DAY as f64;
    for (source, (first, last)) in &t.spans {
        let covered = (last - first) as f64;
        if covered < 0.8 * window_secs {
            warnings.add(format!(
                "{source} covers {} of the window's {} days: its meters are scaled as if it covered all of it (×{}); query the same days for every source",
                round(covered / DAY as f64, 2),
                window.days,
                window.to_month
            ));
        }
    }
    if window.basis == "data" {
        assumptions.push(format!(
            "The window was taken from the data's dates ({} to {}); days without traffic are absent from the responses, so give start and end when they differ.",
            window.start, window.end
        ));
    }
    assumptions.push(format!(
        "Counts are scaled ×{} from {} days to a 30-day month; storage is the mean of each day's peak over the days observed, in GB of 10^9 bytes.",
        window.to_month, window.days
    ));
    if !provenance_analytics_empty(&profile) {
        assumptions.push("GraphQL Analytics numbers are sampled estimates; Cloudflare says they are not the billing measure. Billable-usage rows, where given, win.".to_owned());
    }
    let websocket_seen = t.resources.iter().any(|((k, _), r)| {
        *k == ResourceKind::DurableObjectNamespace
            && (r.max.get("websocket_connections").is_some_and(|v| *v > 0.0)
                || r.counts.get("websocket_messages").is_some_and(|v| *v > 0.0))
    });
    if websocket_seen
        && values.contains_key("durable_objects.requests")
        && !profile_billed(&profile, "durable_objects.requests")
    {
        warnings.add("Durable Objects use WebSockets: with the Hibernation API, incoming messages are in the invocations dataset as requests (billed 20 per request), so durable_objects.requests may be overstated; billable-usage rows settle it".to_owned());
    }

    let rows_read_total = t.readings.get("d1.rows_read").and_then(|r| r.analytics);
    let observations = observations(
        &t.resources,
        &t.peaks_view(),
        &t.queries,
        rows_read_total,
        &mut assumptions,
    );
    let mut resources = resources(limits, plan, &t, factor);
    let total_resources = resources.len();
    if total_resources > 40 {
        resources.truncate(40);
        warnings.add(format!(
            "{total_resources} resources; the 40 most used are listed"
        ));
    }
    let queries = queries(&t.queries, factor);
    let mut out = ImportedUsage {
        summary: String::new(),
        window,
        profile,
        observations,
        monthly_cost_usd: None,
        resources,
        queries,
        differences,
        warnings: warnings.into_list(20),
        assumptions,
    };
    out.summarize();
    out
}

fn provenance_analytics_empty(p: &UsageProfile) -> bool {
    p.provenance
        .as_ref()
        .is_none_or(|p| p.analytics_estimate.is_empty())
}

fn profile_billed(p: &UsageProfile, meter: &str) -> bool {
    p.provenance
        .as_ref()
        .is_some_and(|p| p.billing.iter().any(|m| m == meter))
}

/// Meters as listed, a whole product named once when all its meters are in the list.
fn grouped(list: &[String]) -> Vec<String> {
    let paths: Vec<&'static str> = METERS
        .iter()
        .map(|d| d.path)
        .filter(|p| list.iter().any(|m| m == shown(p)))
        .collect();
    group_missing(&paths)
}

/// Missing meters, a whole product named once when none of its meters were given.
fn group_missing(missing: &[&'static str]) -> Vec<String> {
    let mut out = Vec::new();
    let product = |p: &str| p.split('.').next().unwrap_or(p).to_owned();
    let mut products: Vec<String> = METERS.iter().map(|d| product(d.path)).collect();
    products.dedup();
    for p in products {
        let all: Vec<&str> = METERS
            .iter()
            .map(|d| d.path)
            .filter(|m| product(m) == p)
            .collect();
        let gone: Vec<&str> = all
            .iter()
            .copied()
            .filter(|m| missing.contains(m))
            .collect();
        if gone.len() == all.len() {
            out.push(p);
        } else {
            out.extend(gone.iter().map(|m| shown(m).to_owned()));
        }
    }
    out
}

/// A meter's monthly figure from GraphQL Analytics.
fn monthly_analytics(kind: MeterKind, r: &tally::Reading, factor: f64) -> f64 {
    match kind {
        MeterKind::Count => r.analytics.unwrap_or(0.0) * factor,
        MeterKind::Storage => {
            let mut per_day: BTreeMap<i64, f64> = BTreeMap::new();
            for ((_, day), gb) in &r.stored {
                *per_day.entry(*day).or_default() += gb;
            }
            mean(per_day.values().copied())
        }
        MeterKind::Held => r.analytics.unwrap_or(0.0),
    }
}

/// Databases and buckets held: the distinct ones the storage datasets report.
fn count_held(t: &mut Tally) {
    for (held, stores) in [
        ("d1.databases", &["d1.storage_gb"][..]),
        (
            "r2.buckets",
            &["r2.storage_gb", "r2.infrequent_access.storage_gb"][..],
        ),
    ] {
        let measured = stores
            .iter()
            .any(|m| t.readings.get(m).is_some_and(|r| r.analytics.is_some()));
        let mut ids: Vec<&str> = stores
            .iter()
            .filter_map(|m| t.readings.get(m))
            .flat_map(|r| r.stored.keys().map(|(id, _)| id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let n = ids.len() as f64;
        if measured {
            t.readings.entry(held).or_default().analytics = Some(n);
        }
    }
}

/// A meter's monthly figure from billing rows.
fn monthly_billing(kind: MeterKind, r: &tally::Reading, factor: f64) -> f64 {
    match kind {
        MeterKind::Storage if !r.billing_daily.is_empty() => {
            mean(r.billing_daily.values().copied())
        }
        _ => r.billing.unwrap_or(0.0) * factor,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Writes a meter's value into the profile.
fn set(p: &mut UsageProfile, path: &str, v: f64) {
    // Whole units from 100 up (a fraction of a request bills nothing), else 6 decimals: the
    // bill is priced from these same rounded values.
    let count = tally::meter(path).is_some_and(|d| d.kind == MeterKind::Count);
    let v = if count && v >= 100.0 {
        v.round()
    } else {
        round(v, 6)
    };
    let d = &mut p.durable_objects;
    let slot = match path {
        "workers.requests" => &mut p.workers.requests,
        "workers_logs.events" => &mut p.workers_logs.events,
        "observability.gb_ingested" => &mut p.observability.gb_ingested,
        "kv.reads" => &mut p.kv.reads,
        "kv.writes" => &mut p.kv.writes,
        "kv.deletes" => &mut p.kv.deletes,
        "kv.lists" => &mut p.kv.lists,
        "kv.storage_gb" => &mut p.kv.storage_gb,
        "d1.rows_read" => &mut p.d1.rows_read,
        "d1.rows_written" => &mut p.d1.rows_written,
        "d1.storage_gb" => &mut p.d1.storage_gb,
        "d1.databases" => &mut p.d1.databases,
        "r2.storage_gb" => &mut p.r2.storage_gb,
        "r2.class_a" => &mut p.r2.class_a,
        "r2.class_b" => &mut p.r2.class_b,
        "r2.buckets" => &mut p.r2.buckets,
        "r2.infrequent_access.storage_gb" => &mut p.r2.infrequent_access.storage_gb,
        "r2.infrequent_access.class_a" => &mut p.r2.infrequent_access.class_a,
        "r2.infrequent_access.class_b" => &mut p.r2.infrequent_access.class_b,
        "durable_objects.requests" => &mut d.requests,
        "durable_objects.websocket_messages" => &mut d.websocket_messages,
        "durable_objects.duration_gb_s" => &mut d.duration_gb_s,
        "durable_objects.sqlite_rows_read" => &mut d.sqlite_rows_read,
        "durable_objects.sqlite_rows_written" => &mut d.sqlite_rows_written,
        "durable_objects.sqlite_storage_gb" => &mut d.sqlite_storage_gb,
        "durable_objects.kv_read_units" => &mut d.kv_read_units,
        "durable_objects.kv_write_units" => &mut d.kv_write_units,
        "durable_objects.kv_deletes" => &mut d.kv_deletes,
        "durable_objects.kv_storage_gb" => &mut d.kv_storage_gb,
        "queues.operations" => &mut p.queues.operations,
        "workflows.steps" => &mut p.workflows.steps,
        // workers.cpu_ms becomes cpu_ms_per_request once requests are known.
        _ => return,
    };
    *slot = v;
}

/// The peak rates, by signal.
type Peaks = BTreeMap<&'static str, (f64, String, i64)>;

impl Tally {
    /// The highest rate of each signal, with its resource and bucket length.
    fn peaks_view(&self) -> Peaks {
        let mut out = Peaks::new();
        for signal in [
            "d1.queries",
            "d1.writes",
            "queues.writes",
            "durable_objects.object_requests",
            "workflows.creations",
        ] {
            if let Some((rate, r, len)) = self.peak_rate(signal) {
                out.insert(signal, (rate, r.to_owned(), len));
            }
        }
        out
    }
}

/// The observations the data supports.
fn observations(
    resources: &BTreeMap<(ResourceKind, String), tally::ResourceTally>,
    peaks: &Peaks,
    queries: &BTreeMap<(String, String), tally::QueryTally>,
    rows_read_total: Option<f64>,
    assumptions: &mut Vec<String>,
) -> Observations {
    let of = |kind: ResourceKind| resources.iter().filter(move |((k, _), _)| *k == kind);
    let max_of = |kind: ResourceKind, metric: &str| {
        of(kind)
            .filter_map(|(_, r)| r.max.get(metric).copied())
            .max_by(f64::total_cmp)
    };
    let mut o = Observations {
        worker_cpu_ms_p99: max_of(ResourceKind::Worker, "cpu_ms_p99").map(|v| round(v, 3)),
        worker_memory_mb: max_of(ResourceKind::Worker, "memory_mb").map(|v| round(v, 1)),
        queue_backlog_messages: max_of(ResourceKind::Queue, "backlog_messages").map(f64::round),
        queue_consumer_lag_seconds: max_of(ResourceKind::Queue, "consumer_lag_seconds")
            .map(|v| round(v, 3)),
        ..Observations::default()
    };
    o.subrequests_per_request = of(ResourceKind::Worker)
        .filter_map(|(_, r)| {
            let req = *r.counts.get("requests")?;
            let sub = *r.counts.get("subrequests")?;
            (req > 0.0).then(|| sub / req)
        })
        .max_by(f64::total_cmp)
        .map(|v| round(v, 2));
    // The largest database on its last day, and its growth by least squares over the days.
    let largest = of(ResourceKind::D1Database)
        .filter_map(|(_, r)| r.stored.get("storage_gb"))
        .filter_map(|series| series.iter().next_back().map(|(_, gb)| (*gb, series)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((gb, series)) = largest {
        o.d1_database_gb = Some(round(gb, 4));
        if series.len() >= 2 {
            o.d1_growth_gb_per_month = Some(round(slope(series) * 30.0, 4).max(0.0));
            assumptions.push(format!(
                "D1 growth is the least-squares slope of the largest database's daily size over {} days, ×30.",
                series.len()
            ));
        }
    }
    let rate = |signal: &str| peaks.get(signal).map(|(r, _, _)| round(*r, 3));
    o.d1_queries_per_second = rate("d1.queries");
    o.d1_writes_per_second = rate("d1.writes");
    o.queue_messages_per_second = rate("queues.writes");
    o.durable_object_peak_rps_per_object = rate("durable_objects.object_requests");
    o.workflow_creations_per_second = rate("workflows.creations");
    if let Some(len) = peaks.values().map(|(_, _, len)| *len).max() {
        assumptions.push(format!(
            "Peak rates are the busiest time bucket's mean (buckets of up to {len} s); a shorter burst inside it is higher."
        ));
    }
    // Rows an index would avoid: what statements reading ten or more rows per row returned read
    // beyond what they return (each call returns at least one row's worth of work).
    // Against all rows read when D1's analytics give them: the statements listed are a top few.
    let listed: f64 = queries.values().map(|q| q.rows_read).sum();
    let total = rows_read_total.map_or(listed, |all| all.max(listed));
    if total > 0.0 {
        let avoidable: f64 = queries
            .values()
            .filter_map(|q| {
                let floor = q.rows_returned.max(q.calls);
                (floor > 0.0 && q.rows_read / floor >= 10.0).then_some(q.rows_read - floor)
            })
            .sum();
        o.d1_rows_read_avoidable = Some(round(avoidable / total, 4));
    }
    let (calls, ms) = queries
        .values()
        .fold((0.0, 0.0), |(c, m), q| (c + q.calls, m + q.duration_ms));
    if calls > 0.0 && ms > 0.0 {
        o.d1_query_ms = Some(round(ms / calls, 3));
    }
    o
}

/// Least-squares slope of a daily series, per day.
fn slope(series: &BTreeMap<i64, f64>) -> f64 {
    let n = series.len() as f64;
    let (sx, sy) = series
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (d, v)| (sx + *d as f64, sy + v));
    let (mx, my) = (sx / n, sy / n);
    let (num, den) = series.iter().fold((0.0, 0.0), |(num, den), (d, v)| {
        let dx = *d as f64 - mx;
        (num + dx * (v - my), den + dx * dx)
    });
    if den == 0.0 { 0.0 } else { num / den }
}

/// The plan's value of a limit, when it is a number.
fn limit(limits: &[Limit], plan: Plan, id: &str) -> Option<(f64, String)> {
    let l = limits.iter().find(|l| l.id == id)?;
    let v = match plan {
        Plan::Paid => l.paid,
        Plan::Free => l.free,
    };
    match v {
        Some(LimitValue::Number(n)) if n > 0.0 => Some((n, l.unit.clone())),
        _ => None,
    }
}

/// Each resource's usage and its headroom.
fn resources(limits: &[Limit], plan: Plan, t: &Tally, factor: f64) -> Vec<ResourceUsage> {
    let mut out = Vec::new();
    for ((kind, id), r) in &t.resources {
        let mut usage = BTreeMap::new();
        for (m, v) in &r.counts {
            usage.insert((*m).to_owned(), round(v * factor, 2));
        }
        for (m, series) in &r.stored {
            if let Some((_, gb)) = series.iter().next_back() {
                usage.insert((*m).to_owned(), round(*gb, 4));
            }
        }
        for (m, v) in &r.max {
            usage.insert((*m).to_owned(), round(*v, 3));
        }
        let mut headroom = Vec::new();
        let mut measure = |limit_id: &str, current: Option<f64>| {
            if let (Some(current), Some((max, unit))) = (current, limit(limits, plan, limit_id)) {
                headroom.push(ResourceHeadroom {
                    limit: limit_id.to_owned(),
                    current: round(current, 4),
                    max,
                    unit,
                    utilisation: round(current / max, 4),
                });
            }
        };
        match kind {
            ResourceKind::Worker => {
                measure(
                    "workers.cpu_ms_per_request_default",
                    r.max.get("cpu_ms_p99").copied(),
                );
                measure("workers.memory_mb", r.max.get("memory_mb").copied());
                let per_request = match (r.counts.get("subrequests"), r.counts.get("requests")) {
                    (Some(s), Some(q)) if *q > 0.0 => Some(s / q),
                    _ => None,
                };
                measure("workers.subrequests_default", per_request);
            }
            ResourceKind::D1Database => {
                let last = r
                    .stored
                    .get("storage_gb")
                    .and_then(|s| s.values().next_back());
                measure("d1.database_size_gb", last.copied());
            }
            ResourceKind::Queue => {
                measure("queues.backlog_gb", r.max.get("backlog_gb").copied());
                let peak = t
                    .peaks
                    .iter()
                    .filter(|((s, q, _), _)| *s == "queues.writes" && q == id)
                    .map(|(_, (v, len))| v / *len as f64)
                    .max_by(f64::total_cmp);
                measure("queues.messages_per_second_per_queue", peak);
            }
            ResourceKind::DurableObjectNamespace => {
                let prefix = format!("{id}/");
                let peak = t
                    .peaks
                    .iter()
                    .filter(|((s, o, _), _)| {
                        *s == "durable_objects.object_requests" && o.starts_with(&prefix)
                    })
                    .map(|(_, (v, len))| v / *len as f64)
                    .max_by(f64::total_cmp);
                measure("durable_objects.requests_per_second_per_object", peak);
            }
            _ => {}
        }
        headroom.sort_by(|a, b| b.utilisation.total_cmp(&a.utilisation));
        out.push(ResourceUsage {
            kind: *kind,
            id: id.clone(),
            usage,
            headroom,
        });
    }
    if let Some(account) = account(limits, plan, t) {
        out.push(account);
    }
    let top = |r: &ResourceUsage| r.headroom.first().map_or(0.0, |h| h.utilisation);
    out.sort_by(|a, b| top(b).total_cmp(&top(a)).then(a.kind.cmp(&b.kind)));
    out
}

/// The account's headroom: storage per account and, on Free, the daily allowances.
fn account(limits: &[Limit], plan: Plan, t: &Tally) -> Option<ResourceUsage> {
    let mut headroom = Vec::new();
    let mut usage = BTreeMap::new();
    let daily_peak = |path: &str| {
        t.readings
            .get(path)
            .and_then(|r| r.daily.values().copied().max_by(f64::total_cmp))
    };
    let stored_peak = |path: &str| {
        t.readings.get(path).and_then(|r| {
            let mut per_day: BTreeMap<i64, f64> = BTreeMap::new();
            for ((_, day), gb) in &r.stored {
                *per_day.entry(*day).or_default() += gb;
            }
            per_day.values().copied().max_by(f64::total_cmp)
        })
    };
    let mut checks: Vec<(&str, &str, Option<f64>)> = vec![
        (
            "d1.storage_per_account_gb",
            "d1_storage_gb",
            stored_peak("d1.storage_gb"),
        ),
        (
            "durable_objects.storage_per_account_gb",
            "durable_objects_storage_gb",
            stored_peak("durable_objects.sqlite_storage_gb"),
        ),
        (
            "kv.storage_per_account_gb",
            "kv_storage_gb",
            stored_peak("kv.storage_gb"),
        ),
    ];
    if plan == Plan::Free {
        checks.extend([
            (
                "workers.requests_per_day",
                "peak_day_requests",
                daily_peak("workers.requests"),
            ),
            (
                "kv.reads_per_day",
                "peak_day_kv_reads",
                daily_peak("kv.reads"),
            ),
            (
                "kv.writes_per_day",
                "peak_day_kv_writes",
                daily_peak("kv.writes"),
            ),
        ]);
    }
    for (id, metric, current) in checks {
        let (Some(current), Some((max, unit))) = (current, limit(limits, plan, id)) else {
            continue;
        };
        usage.insert(metric.to_owned(), round(current, 4));
        headroom.push(ResourceHeadroom {
            limit: id.to_owned(),
            current: round(current, 4),
            max,
            unit,
            utilisation: round(current / max, 4),
        });
    }
    headroom.sort_by(|a, b| b.utilisation.total_cmp(&a.utilisation));
    (!headroom.is_empty()).then(|| ResourceUsage {
        kind: ResourceKind::Account,
        id: "account".to_owned(),
        usage,
        headroom,
    })
}

/// The D1 statements that read at least ten rows per row returned and at least 1% of the rows
/// read, most rows read first (at most ten).
fn queries(all: &BTreeMap<(String, String), tally::QueryTally>, factor: f64) -> Vec<QueryCost> {
    let total: f64 = all.values().map(|q| q.rows_read).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut out: Vec<QueryCost> = all
        .iter()
        .filter_map(|((db, query), q)| {
            let per = if q.rows_returned > 0.0 {
                q.rows_read / q.rows_returned
            } else if q.calls > 0.0 {
                q.rows_read / q.calls
            } else {
                return None;
            };
            let share = q.rows_read / total;
            (per >= 10.0 && share >= 0.01).then(|| QueryCost {
                database: db.clone(),
                query: query.chars().take(240).collect(),
                calls_per_month: round(q.calls * factor, 0),
                rows_read_per_month: round(q.rows_read * factor, 0),
                rows_read_per_row_returned: round(per, 1),
                share_of_rows_read: round(share, 4),
                mean_ms: (q.calls > 0.0 && q.duration_ms > 0.0)
                    .then(|| round(q.duration_ms / q.calls, 3)),
            })
        })
        .collect();
    out.sort_by(|a, b| b.rows_read_per_month.total_cmp(&a.rows_read_per_month));
    out.truncate(10);
    out
}

impl ImportedUsage {
    /// Writes `summary`: call again after the bill is added.
    pub fn summarize(&mut self) {
        use std::fmt::Write;
        let w = &self.window;
        let mut s = format!(
            "{} days ({} to {}, ×{:.2} to a month).",
            w.days, w.start, w.end, w.to_month
        );
        if let Some(usd) = self.monthly_cost_usd {
            let _ = write!(
                s,
                " Bill {}/month at {} prices.",
                crate::engine::model::Dollars(usd),
                self.profile.month.as_deref().unwrap_or("current")
            );
        }
        if let Some(p) = &self.profile.provenance {
            let products = |list: &[String]| {
                let mut ps: Vec<&str> = Vec::new();
                for m in list {
                    let p = m.split('.').next().unwrap_or(m);
                    if !ps.contains(&p) {
                        ps.push(p);
                    }
                }
                ps.join(", ")
            };
            let mut sources = Vec::new();
            if !p.billing.is_empty() {
                sources.push(format!("billing rows: {}", products(&p.billing)));
            }
            if !p.analytics_estimate.is_empty() {
                sources.push(format!(
                    "analytics estimates: {}",
                    products(&p.analytics_estimate)
                ));
            }
            if !p.missing.is_empty() {
                sources.push(format!("missing, not billed: {}", p.missing.join(", ")));
            }
            let joined = sources.join("; ");
            let mut chars = joined.chars();
            if let Some(first) = chars.next() {
                let _ = write!(s, " {}{}.", first.to_uppercase(), chars.as_str());
            }
        }
        if let Some(r) = self.resources.first()
            && let Some(h) = r.headroom.first()
        {
            let id: String = r.id.chars().take(8).collect();
            let cut = if r.id.chars().count() > 8 { "…" } else { "" };
            let _ = write!(
                s,
                " Nearest limit: {id}{cut} at {:.0}% of {}.",
                h.utilisation * 100.0,
                h.limit
            );
        }
        if let Some(q) = self.queries.first() {
            let _ = write!(
                s,
                " One D1 query reads {:.0}% of rows read, {:.0} per row returned.",
                q.share_of_rows_read * 100.0,
                q.rows_read_per_row_returned
            );
        }
        if !self.warnings.is_empty() {
            let _ = write!(s, " {} warning(s).", self.warnings.len());
        }
        self.summary = s;
    }
}

#[cfg(test)]
mod tests;
