//! What the importer accumulates while it reads: per meter the analytics and billing totals, per
//! resource its usage and storage series, peak rates per time bucket, and warnings.

use std::collections::{BTreeMap, BTreeSet};

use super::ResourceKind;

/// Seconds in a day.
pub(super) const DAY: i64 = 86_400;

/// A meter the importer fills, with where the GraphQL Analytics API reports it.
pub(super) struct MeterDef {
    /// The meter's path in the usage profile (`workers.cpu_ms` is the total, turned into
    /// `cpu_ms_per_request`).
    pub path: &'static str,
    /// How it turns into a monthly figure.
    pub kind: MeterKind,
    /// The dataset that reports it; `None` when only billing rows do.
    pub dataset: Option<&'static str>,
}

/// How a meter becomes a monthly profile figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MeterKind {
    /// A count over the window, scaled to a 30-day month.
    Count,
    /// An amount stored (GB): the mean over the days of the account's daily peak.
    Storage,
    /// A number of things held (databases, buckets): the most seen.
    Held,
}

use MeterKind::{Count, Held, Storage};

const fn m(path: &'static str, kind: MeterKind, dataset: &'static str) -> MeterDef {
    MeterDef {
        path,
        kind,
        dataset: Some(dataset),
    }
}

const WORKERS: &str = "workersInvocationsAdaptive";
const KV_OPS: &str = "kvOperationsAdaptiveGroups";
const D1: &str = "d1AnalyticsAdaptiveGroups";
const R2_OPS: &str = "r2OperationsAdaptiveGroups";
const R2_STORE: &str = "r2StorageAdaptiveGroups";
const DO_PERIODIC: &str = "durableObjectsPeriodicGroups";

/// Every meter the importer knows, in profile order.
pub(super) const METERS: &[MeterDef] = &[
    m("workers.requests", Count, WORKERS),
    m("workers.cpu_ms", Count, WORKERS),
    MeterDef {
        path: "workers_logs.events",
        kind: Count,
        dataset: None,
    },
    MeterDef {
        path: "observability.gb_ingested",
        kind: Count,
        dataset: None,
    },
    m("kv.reads", Count, KV_OPS),
    m("kv.writes", Count, KV_OPS),
    m("kv.deletes", Count, KV_OPS),
    m("kv.lists", Count, KV_OPS),
    m("kv.storage_gb", Storage, "kvStorageAdaptiveGroups"),
    m("d1.rows_read", Count, D1),
    m("d1.rows_written", Count, D1),
    m("d1.storage_gb", Storage, "d1StorageAdaptiveGroups"),
    m("d1.databases", Held, "d1StorageAdaptiveGroups"),
    m("r2.storage_gb", Storage, R2_STORE),
    m("r2.class_a", Count, R2_OPS),
    m("r2.class_b", Count, R2_OPS),
    m("r2.buckets", Held, R2_STORE),
    m("r2.infrequent_access.storage_gb", Storage, R2_STORE),
    m("r2.infrequent_access.class_a", Count, R2_OPS),
    m("r2.infrequent_access.class_b", Count, R2_OPS),
    m(
        "durable_objects.requests",
        Count,
        "durableObjectsInvocationsAdaptiveGroups",
    ),
    m("durable_objects.websocket_messages", Count, DO_PERIODIC),
    m("durable_objects.duration_gb_s", Count, DO_PERIODIC),
    m("durable_objects.sqlite_rows_read", Count, DO_PERIODIC),
    m("durable_objects.sqlite_rows_written", Count, DO_PERIODIC),
    m(
        "durable_objects.sqlite_storage_gb",
        Storage,
        "durableObjectsSqlStorageGroups",
    ),
    m("durable_objects.kv_read_units", Count, DO_PERIODIC),
    m("durable_objects.kv_write_units", Count, DO_PERIODIC),
    m("durable_objects.kv_deletes", Count, DO_PERIODIC),
    m(
        "durable_objects.kv_storage_gb",
        Storage,
        "durableObjectsStorageGroups",
    ),
    m(
        "queues.operations",
        Count,
        "queueMessageOperationsAdaptiveGroups",
    ),
    m("workflows.steps", Count, "workflowsAdaptiveGroups"),
];

/// The definition of a meter path.
pub(super) fn meter(path: &str) -> Option<&'static MeterDef> {
    METERS.iter().find(|d| d.path == path)
}

/// One meter's readings.
#[derive(Debug, Default)]
pub(super) struct Reading {
    /// The GraphQL Analytics total over the window (counts), once its dataset was read.
    pub analytics: Option<f64>,
    /// Per UTC day (days since 1970), analytics counts.
    pub daily: BTreeMap<i64, f64>,
    /// Storage: the peak per resource and day, in GB.
    pub stored: BTreeMap<(String, i64), f64>,
    /// The billing rows' total over the window.
    pub billing: Option<f64>,
    /// Billing storage rows: per day, in GB (a level, not a GB-month).
    pub billing_daily: BTreeMap<i64, f64>,
}

/// One resource's usage.
#[derive(Debug, Default)]
pub(super) struct ResourceTally {
    /// Counts over the window, by metric.
    pub counts: BTreeMap<&'static str, f64>,
    /// Storage (GB) per day, by metric: the day's peak.
    pub stored: BTreeMap<&'static str, BTreeMap<i64, f64>>,
    /// Largest values seen, by metric (CPU p99, memory, backlog, lag).
    pub max: BTreeMap<&'static str, f64>,
}

/// A D1 query's statistics.
#[derive(Debug, Default)]
pub(super) struct QueryTally {
    pub calls: f64,
    pub rows_read: f64,
    pub rows_returned: f64,
    pub rows_written: f64,
    pub duration_ms: f64,
}

/// Warnings, each said once with how often it happened.
#[derive(Debug, Default)]
pub(super) struct Warnings {
    /// By key: the first text and the count.
    seen: BTreeMap<String, (String, usize)>,
    order: Vec<String>,
}

impl Warnings {
    /// Adds a warning; the same text again only counts.
    pub fn add(&mut self, text: String) {
        self.add_as(text.clone(), text);
    }

    /// Adds a warning under `key`: a later one with the same key (the same problem at another
    /// place) only counts, and the first text is kept.
    pub fn add_as(&mut self, key: String, text: String) {
        match self.seen.get_mut(&key) {
            Some((_, n)) => *n += 1,
            None => {
                self.seen.insert(key.clone(), (text, 1));
                self.order.push(key);
            }
        }
    }

    /// The warnings in the order first seen, with the repeat count, at most `max` of them.
    pub fn into_list(mut self, max: usize) -> Vec<String> {
        let total = self.order.len();
        let mut out: Vec<String> = self
            .order
            .iter()
            .take(max)
            .filter_map(|k| self.seen.remove(k))
            .map(|(w, n)| match n {
                1 => w,
                n => format!("{w} ({n} times)"),
            })
            .collect();
        if total > max {
            out.push(format!("{} more warnings not listed.", total - max));
        }
        out
    }
}

/// A time bucket a group covers: its start (seconds since 1970, UTC) and length in seconds
/// (0 for an instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bucket {
    pub start: i64,
    pub len: i64,
}

impl Bucket {
    /// The UTC day it starts in.
    pub fn day(self) -> i64 {
        self.start.div_euclid(DAY)
    }
}

/// Everything read so far.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub readings: BTreeMap<&'static str, Reading>,
    /// Datasets read, with their group counts.
    pub datasets: BTreeMap<&'static str, usize>,
    pub resources: BTreeMap<(ResourceKind, String), ResourceTally>,
    /// Peak-rate candidates: (signal, resource, bucket start) → (sum, bucket length).
    pub peaks: BTreeMap<(&'static str, String, i64), (f64, i64)>,
    pub queries: BTreeMap<(String, String), QueryTally>,
    /// The earliest start and latest end of any dated group or row.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// Whether billing rows were read.
    pub billing_rows: usize,
    pub warnings: Warnings,
    /// Groups read in all, against the bound.
    pub groups: usize,
    /// Products (profile keys) billing rows covered.
    pub billed_products: BTreeSet<&'static str>,
    /// Per source (a dataset, or `billable usage`), the first start and last end it covers.
    pub spans: BTreeMap<&'static str, (i64, i64)>,
    /// Billing rows read, by meter and period, so a repeated row is not added twice.
    pub billed_periods: BTreeSet<(&'static str, i64, i64)>,
}

impl Tally {
    /// Records that a dataset was read. An empty answer measures its meters at 0; otherwise a
    /// meter is measured only when a group carries its field.
    pub fn dataset(&mut self, name: &'static str, groups: usize) {
        *self.datasets.entry(name).or_default() += groups;
        if groups > 0 {
            return;
        }
        for d in METERS.iter().filter(|d| d.dataset == Some(name)) {
            self.readings
                .entry(d.path)
                .or_default()
                .analytics
                .get_or_insert(0.0);
        }
    }

    /// Marks meters as measured (0 until something is added): a group split by a dimension
    /// (KV's actionType, R2's storageClass) measures every value of it, present or not.
    pub fn measured(&mut self, paths: &[&'static str]) {
        for p in paths {
            self.readings
                .entry(p)
                .or_default()
                .analytics
                .get_or_insert(0.0);
        }
    }

    /// Adds an analytics count to a meter.
    pub fn count(&mut self, path: &'static str, value: f64, bucket: Option<Bucket>) {
        let r = self.readings.entry(path).or_default();
        *r.analytics.get_or_insert(0.0) += value;
        if let Some(b) = bucket {
            *r.daily.entry(b.day()).or_default() += value;
        }
    }

    /// Records an analytics storage level (GB) of one resource on one day; the day's peak is
    /// kept.
    pub fn store(&mut self, path: &'static str, resource: &str, day: i64, gb: f64) {
        let r = self.readings.entry(path).or_default();
        r.analytics.get_or_insert(0.0);
        let v = r.stored.entry((resource.to_owned(), day)).or_default();
        *v = v.max(gb);
    }

    /// The usage record of one resource.
    pub fn resource(&mut self, kind: ResourceKind, id: &str) -> &mut ResourceTally {
        self.resources.entry((kind, id.to_owned())).or_default()
    }

    /// A rate candidate: `value` happened in `bucket` to `resource`. Only buckets of an hour or
    /// less are kept; a day's mean says nothing of its peak.
    pub fn peak(
        &mut self,
        signal: &'static str,
        resource: &str,
        bucket: Option<Bucket>,
        value: f64,
    ) {
        if let Some(b) = bucket.filter(|b| b.len > 0 && b.len <= 3_600) {
            let e = self
                .peaks
                .entry((signal, resource.to_owned(), b.start))
                .or_insert((0.0, b.len));
            e.0 += value;
        }
    }

    /// The highest per-second rate of a signal over its buckets, with the resource.
    pub fn peak_rate(&self, signal: &str) -> Option<(f64, &str, i64)> {
        self.peaks
            .iter()
            .filter(|((s, _, _), _)| *s == signal)
            .map(|((_, r, _), (v, len))| (v / *len as f64, r.as_str(), *len))
            .max_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// Widens the data's time span, and the source's, to cover a bucket.
    pub fn saw(&mut self, source: &'static str, b: Bucket) {
        let end = b.start + b.len.max(1);
        self.first = Some(self.first.map_or(b.start, |f| f.min(b.start)));
        self.last = Some(self.last.map_or(end, |l| l.max(end)));
        let span = self.spans.entry(source).or_insert((b.start, end));
        *span = (span.0.min(b.start), span.1.max(end));
    }
}

/// Seconds since 1970 of a `YYYY-MM-DD` date (midnight UTC) or an RFC 3339 time.
pub(super) fn parse_time(s: &str) -> Option<i64> {
    if s.len() == 10 {
        let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
    } else {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.timestamp())
    }
}

/// `YYYY-MM-DD` of the UTC day holding second `t`.
pub(super) fn date_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .map(|d| d.date_naive().to_string())
        .unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_dates_and_instants() {
        assert_eq!(parse_time("1970-01-02"), Some(DAY));
        assert_eq!(parse_time("1970-01-01T01:00:00Z"), Some(3_600));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time("2026-13-01"), None);
        assert_eq!(parse_time("soon"), None);
        assert_eq!(date_of(parse_time("2026-11-30").unwrap() + 5), "2026-11-30");
    }

    #[test]
    fn warnings_count_repeats_and_are_bounded() {
        let mut w = Warnings::default();
        for _ in 0..3 {
            w.add("a".into());
        }
        for i in 0..5 {
            w.add(format!("b{i}"));
        }
        let list = w.into_list(3);
        assert_eq!(
            list,
            ["a (3 times)", "b0", "b1", "3 more warnings not listed."]
        );
    }

    #[test]
    fn every_meter_is_a_profile_path_once() {
        let mut seen = BTreeSet::new();
        for d in METERS {
            assert!(seen.insert(d.path), "{} twice", d.path);
        }
    }
}
