//! Reading GraphQL Analytics API responses (`data.viewer.accounts[]`), dataset by dataset.
//!
//! Field names and units follow Cloudflare's metrics pages (`*/observability/metrics*.mdx`,
//! `analytics/graphql-api/`), read 2026-12-01. Only the datasets in [`DATASETS`] are read; any
//! other name is refused by name in the warnings, never guessed at (agents invent plausible
//! names, and a GraphQL alias hides the dataset's own).

use serde_json::{Map, Value};

use super::ResourceKind;
use super::tally::{Bucket, DAY, Tally, parse_time};
use crate::engine::model::{InputError, MAX_QUANTITY};

/// The most groups read over all documents.
pub(super) const MAX_GROUPS: usize = 1_000_000;

/// Bytes per GB in Cloudflare's storage billing.
const GB: f64 = 1e9;

/// Every dataset read, with the fields it reads (`block.field`; `count` is the group's count).
pub(super) const DATASETS: &[(&str, &[&str])] = &[
    (
        "workersInvocationsAdaptive",
        &[
            "sum.requests",
            "sum.errors",
            "sum.subrequests",
            "sum.cpuTimeUs",
            "quantiles.cpuTimeP50",
            "quantiles.cpuTimeP99",
            "max.memoryUsageBytes",
            "quantiles.memoryUsageBytesP99",
        ],
    ),
    ("kvOperationsAdaptiveGroups", &["sum.requests"]),
    (
        "kvStorageAdaptiveGroups",
        &["max.byteCount", "max.keyCount"],
    ),
    (
        "d1AnalyticsAdaptiveGroups",
        &[
            "sum.rowsRead",
            "sum.rowsWritten",
            "sum.readQueries",
            "sum.writeQueries",
        ],
    ),
    ("d1StorageAdaptiveGroups", &["max.databaseSizeBytes"]),
    (
        "d1QueriesAdaptiveGroups",
        &[
            "count",
            "sum.rowsRead",
            "sum.rowsReturned",
            "sum.rowsWritten",
            "sum.queryDurationMs",
        ],
    ),
    ("r2OperationsAdaptiveGroups", &["sum.requests"]),
    (
        "r2StorageAdaptiveGroups",
        &[
            "max.payloadSize",
            "max.metadataSize",
            "max.objectCount",
            "max.uploadCount",
        ],
    ),
    ("durableObjectsInvocationsAdaptiveGroups", &["sum.requests"]),
    (
        "durableObjectsPeriodicGroups",
        &[
            "sum.duration",
            "sum.activeTime",
            "sum.rowsRead",
            "sum.rowsWritten",
            "sum.inboundWebsocketMsgCount",
            "sum.storageReadUnits",
            "sum.storageWriteUnits",
            "sum.storageDeletes",
            "max.activeWebsocketConnections",
        ],
    ),
    ("durableObjectsSqlStorageGroups", &["max.storedBytes"]),
    ("durableObjectsStorageGroups", &["max.storedBytes"]),
    (
        "queueMessageOperationsAdaptiveGroups",
        &[
            "count",
            "sum.billableOperations",
            "sum.bytes",
            "avg.lagTime",
            "avg.retryCount",
        ],
    ),
    ("queueBacklogAdaptiveGroups", &["avg.messages", "avg.bytes"]),
    ("workflowsAdaptiveGroups", &["count"]),
];

/// Datasets that exist but that cf-scale has no meter for yet.
const NOT_READ: &[&str] = &[
    "queueConsumerMetricsAdaptiveGroups",
    "durableObjectsSubrequestsAdaptiveGroups",
    "workersSubrequestsAdaptiveGroups",
    "workflowsAdaptive",
    "vectorizeV2QueriesAdaptiveGroups",
    "vectorizeV2StorageAdaptiveGroups",
    "aiInferenceAdaptiveGroups",
    "hyperdriveQueriesAdaptiveGroups",
    "containersMetricsAdaptiveGroups",
];

/// R2 operations billed as Class A, from the R2 pricing page (r2/pricing.mdx).
const R2_CLASS_A: &[&str] = &[
    "ListBuckets",
    "PutBucket",
    "ListObjects",
    "PutObject",
    "CopyObject",
    "CompleteMultipartUpload",
    "CreateMultipartUpload",
    "LifecycleStorageTierTransition",
    "ListMultipartUploads",
    "UploadPart",
    "UploadPartCopy",
    "ListParts",
    "PutBucketEncryption",
    "PutBucketCors",
    "PutBucketLifecycleConfiguration",
];
/// R2 operations billed as Class B.
const R2_CLASS_B: &[&str] = &[
    "HeadBucket",
    "HeadObject",
    "GetObject",
    "UsageSummary",
    "GetBucketEncryption",
    "GetBucketLocation",
    "GetBucketCors",
    "GetBucketLifecycleConfiguration",
];
/// R2 operations that are free.
const R2_FREE: &[&str] = &["DeleteObject", "DeleteBucket", "AbortMultipartUpload"];

/// Time dimensions, with the length in seconds of the bucket each names (0: an instant).
const TIME_DIMENSIONS: [(&str, i64); 6] = [
    ("datetimeMinute", 60),
    ("datetimeFiveMinutes", 300),
    ("datetimeFifteenMinutes", 900),
    ("datetimeHour", 3_600),
    ("date", DAY),
    ("datetime", 0),
];

/// The window groups must fall in, when the caller gave one: [start, end) in seconds.
pub(super) type Bounds = Option<(i64, i64)>;

/// Reads one GraphQL response.
pub(super) fn read(
    name: &str,
    doc: &Map<String, Value>,
    bounds: Bounds,
    t: &mut Tally,
) -> Result<(), InputError> {
    let errors: Vec<String> = match doc.get("errors") {
        Some(Value::Array(errors)) => errors.iter().map(error_text).collect(),
        _ => Vec::new(),
    };
    let data = match doc.get("data") {
        Some(Value::Object(data)) => data,
        Some(Value::Null) | None if doc.contains_key("viewer") => doc,
        Some(Value::Null) | None => {
            let why = if errors.is_empty() {
                "no `data`".to_owned()
            } else {
                format!("the API answered only errors: {}", errors.join("; "))
            };
            return Err(InputError::new(
                format!("{name}.data"),
                format!(
                    "is null: {why}. Fix the query (scale://queries/usage.graphql has the ones cf-scale reads) and run it again"
                ),
            ));
        }
        Some(other) => {
            return Err(InputError::new(
                format!("{name}.data"),
                format!("must be an object (got {})", kind(other)),
            ));
        }
    };
    for e in &errors {
        t.warnings.add(format!(
            "{name}: the API reported an error beside the data, so some datasets may be missing or partial: {e}"
        ));
    }
    let accounts = match data.get("viewer").and_then(|v| v.get("accounts")) {
        Some(Value::Array(a)) => a,
        Some(Value::Null) => {
            return Err(InputError::new(
                format!("{name}.data.viewer.accounts"),
                "is null: the token may lack Account Analytics Read for this account",
            ));
        }
        _ => {
            return Err(InputError::new(
                format!("{name}.data.viewer"),
                "must hold `accounts`, an array: query `viewer { accounts(filter: {accountTag: $accountTag}) { … } }`",
            ));
        }
    };
    if accounts.len() > 1 {
        t.warnings.add(format!(
            "{name}: {} accounts in one response; their usage is added together",
            accounts.len()
        ));
    }
    for (a, account) in accounts.iter().enumerate() {
        let Value::Object(account) = account else {
            return Err(InputError::new(
                format!("{name}.data.viewer.accounts[{a}]"),
                format!("must be an object (got {})", kind(account)),
            ));
        };
        for (key, value) in account {
            let path = format!("{name}.data.viewer.accounts[{a}].{key}");
            dataset(&path, key, value, bounds, t)?;
        }
    }
    Ok(())
}

/// One error of the `errors` array, as text.
fn error_text(e: &Value) -> String {
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("(no message)");
    match e.get("path").and_then(Value::as_array) {
        Some(p) => {
            let path: Vec<String> = p
                .iter()
                .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned))
                .collect();
            format!("{message} (at {})", path.join("."))
        }
        None => message.to_owned(),
    }
}

/// The JSON type of a value, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads one dataset node of an account.
fn dataset(
    path: &str,
    key: &str,
    value: &Value,
    bounds: Bounds,
    t: &mut Tally,
) -> Result<(), InputError> {
    let Some((name, fields)) = DATASETS.iter().find(|(n, _)| *n == key) else {
        if NOT_READ.contains(&key) {
            t.warnings.add(format!(
                "{path}: dataset `{key}` is not read (cf-scale has no meter for it yet)"
            ));
        } else {
            let names: Vec<&str> = DATASETS.iter().map(|(n, _)| *n).collect();
            let hint = crate::engine::model::closest_name(key, &names)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            t.warnings.add(format!(
                "{path}: unknown dataset `{key}` refused{hint} (aliases are not read: query each dataset under its own name, as scale://queries/usage.graphql does)"
            ));
        }
        return Ok(());
    };
    let groups = match value {
        Value::Array(g) => g,
        Value::Null => {
            t.warnings.add(format!(
                "{path}: null (the API's errors say why); its meters stay missing"
            ));
            return Ok(());
        }
        other => {
            t.warnings.add(format!(
                "{path}: must be an array of groups (got {}); not read",
                kind(other)
            ));
            return Ok(());
        }
    };
    t.groups += groups.len();
    if t.groups > MAX_GROUPS {
        return Err(InputError::new(
            path,
            format!("more than {MAX_GROUPS} groups in all: query fewer days or coarser dimensions"),
        ));
    }
    t.dataset(name, groups.len());
    // A count equal to a usual `limit` means the API cut the answer (the top statements of
    // d1QueriesAdaptiveGroups are meant to be cut: they price nothing).
    if matches!(groups.len(), 1_000 | 5_000 | 10_000) && *name != "d1QueriesAdaptiveGroups" {
        t.warnings.add(format!(
            "{path}: exactly {} groups, probably cut at the query's limit, so its totals undercount: narrow the window or group by fewer dimensions",
            groups.len()
        ));
    }
    if let Some(Value::Object(first)) = groups.first() {
        unknown_fields(path, first, fields, t);
    }
    let mut outside = 0usize;
    for (i, g) in groups.iter().enumerate() {
        let Value::Object(obj) = g else {
            t.warnings.add(format!(
                "{path}[{i}]: a group must be an object (got {}); skipped",
                kind(g)
            ));
            continue;
        };
        let g = Group {
            obj,
            path,
            index: i,
        };
        let bucket = g.bucket(t);
        if let (Some((start, end)), Some(b)) = (bounds, bucket)
            && (b.start < start || b.start >= end)
        {
            outside += 1;
            continue;
        }
        if let Some(b) = bucket {
            t.saw(name, b);
        }
        read_group(name, &g, bucket, t);
    }
    if outside > 0 {
        t.warnings.add(format!(
            "{path}: {outside} group(s) outside the window were left out"
        ));
    }
    // Meters of this dataset that no group carried stay missing, and say so.
    let unread: Vec<&str> = super::tally::METERS
        .iter()
        .filter(|d| d.dataset == Some(name))
        .filter(|d| t.readings.get(d.path).is_none_or(|r| r.analytics.is_none()))
        .map(|d| d.path)
        .collect();
    if !groups.is_empty() && !unread.is_empty() {
        t.warnings.add(format!(
            "{path}: no group gave {} (a field not selected, a dimension missing, or every group outside the window): missing, not 0",
            unread.join(", ")
        ));
    }
    Ok(())
}

/// Warns once per dataset about fields cf-scale does not read (a typo, or a field with no meter).
fn unknown_fields(path: &str, first: &Map<String, Value>, known: &[&str], t: &mut Tally) {
    let mut unknown = Vec::new();
    for (block, v) in first {
        match (block.as_str(), v) {
            ("dimensions", _) | ("count", _) | ("__typename", _) => {}
            (_, Value::Object(fields)) => {
                for f in fields.keys() {
                    let dotted = format!("{block}.{f}");
                    if !known.contains(&dotted.as_str()) && f != "sampleInterval" {
                        unknown.push(dotted);
                    }
                }
            }
            _ => unknown.push(block.clone()),
        }
    }
    if !unknown.is_empty() {
        t.warnings.add(format!(
            "{path}: field(s) not read: {} (read: {})",
            unknown.join(", "),
            known.join(", ")
        ));
    }
}

/// One group of a dataset: its dimensions and aggregate blocks.
struct Group<'a> {
    obj: &'a Map<String, Value>,
    path: &'a str,
    index: usize,
}

impl Group<'_> {
    /// A number in `block.field` (`count` for the group's count): absent is `None`; a value that
    /// is not a finite number from 0 to 1e15 is warned about and skipped.
    fn num(&self, t: &mut Tally, block: &str, field: &str) -> Option<f64> {
        let v = if block == "count" {
            self.obj.get("count")?
        } else {
            self.obj.get(block)?.get(field)?
        };
        let n = match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            Value::Null => return None,
            _ => None,
        };
        match n {
            Some(n) if n.is_finite() && (0.0..=MAX_QUANTITY).contains(&n) => Some(n),
            _ => {
                let what = if block == "count" {
                    "count".to_owned()
                } else {
                    format!("{block}.{field}")
                };
                t.warnings.add_as(
                    format!("{}[*].{what}", self.path),
                    format!(
                        "{}[*].{what}: a value that is not a number from 0 to 1e15 was skipped (first at [{}]: {v})",
                        self.path, self.index
                    ),
                );
                None
            }
        }
    }

    /// A dimension's value as text.
    fn dim(&self, name: &str) -> Option<&str> {
        self.obj.get("dimensions")?.get(name)?.as_str()
    }

    /// The time bucket the group covers, from its finest time dimension.
    fn bucket(&self, t: &mut Tally) -> Option<Bucket> {
        let dims = self.obj.get("dimensions")?.as_object()?;
        for (dim, len) in TIME_DIMENSIONS {
            if let Some(v) = dims.get(dim) {
                match v.as_str().and_then(parse_time) {
                    Some(start) => return Some(Bucket { start, len }),
                    None => t.warnings.add_as(
                        format!("{}[*].dimensions.{dim}", self.path),
                        format!(
                            "{}[*].dimensions.{dim}: not a date or RFC 3339 time (first at [{}]: {v}); the group is not dated",
                            self.path, self.index
                        ),
                    ),
                }
            }
        }
        None
    }
}

/// Adds one group's numbers to the tally.
fn read_group(dataset: &str, g: &Group, bucket: Option<Bucket>, t: &mut Tally) {
    let day = bucket.map(Bucket::day);
    match dataset {
        "workersInvocationsAdaptive" => {
            let script = g.dim("scriptName").unwrap_or("(all scripts)").to_owned();
            let requests = g.num(t, "sum", "requests");
            // Requests that failed inside Cloudflare are not billed (Workers metrics page).
            let billed = g.dim("status") != Some("internalError");
            let requests = requests.filter(|_| billed);
            if let Some(r) = requests {
                t.count("workers.requests", r, bucket);
            }
            let cpu_ms = g.num(t, "sum", "cpuTimeUs").map(|us| us / 1_000.0);
            if let Some(ms) = cpu_ms {
                t.count("workers.cpu_ms", ms, bucket);
            }
            let p99 = g.num(t, "quantiles", "cpuTimeP99").map(|us| us / 1_000.0);
            let memory = g
                .num(t, "max", "memoryUsageBytes")
                .or_else(|| g.num(t, "quantiles", "memoryUsageBytesP99"))
                .map(|b| b / 1_048_576.0);
            let errors = g.num(t, "sum", "errors");
            let subrequests = g.num(t, "sum", "subrequests");
            let r = t.resource(ResourceKind::Worker, &script);
            add(r, "requests", requests);
            add(r, "errors", errors);
            add(r, "subrequests", subrequests);
            add(r, "cpu_ms", cpu_ms);
            top(r, "cpu_ms_p99", p99);
            top(r, "memory_mb", memory);
        }
        "kvOperationsAdaptiveGroups" => {
            let Some(n) = g.num(t, "sum", "requests") else {
                return;
            };
            let action = g.dim("actionType").map(str::to_ascii_lowercase);
            if action.is_some() {
                t.measured(&["kv.reads", "kv.writes", "kv.deletes", "kv.lists"]);
            }
            let meter = match action.as_deref() {
                Some("read") => "kv.reads",
                Some("write") => "kv.writes",
                Some("delete") => "kv.deletes",
                Some("list") => "kv.lists",
                other => {
                    t.warnings.add(format!(
                        "{}[*].dimensions.actionType: {} is not read, write, delete or list; those requests were not counted",
                        g.path,
                        other.map_or("absent".to_owned(), |a| format!("`{a}`"))
                    ));
                    return;
                }
            };
            t.count(meter, n, bucket);
            let ns = g
                .dim("namespaceId")
                .unwrap_or("(all namespaces)")
                .to_owned();
            let r = t.resource(ResourceKind::KvNamespace, &ns);
            add(r, &meter[3..], Some(n));
        }
        "kvStorageAdaptiveGroups" => {
            let ns = g
                .dim("namespaceId")
                .unwrap_or("(all namespaces)")
                .to_owned();
            if let (Some(bytes), Some(day)) = (g.num(t, "max", "byteCount"), day) {
                t.store("kv.storage_gb", &ns, day, bytes / GB);
                store(
                    t.resource(ResourceKind::KvNamespace, &ns),
                    "storage_gb",
                    day,
                    bytes / GB,
                );
            } else {
                undated(g, t, "max.byteCount");
            }
        }
        "d1AnalyticsAdaptiveGroups" => {
            let db = g.dim("databaseId").unwrap_or("(all databases)").to_owned();
            let read = g.num(t, "sum", "rowsRead");
            let written = g.num(t, "sum", "rowsWritten");
            if let Some(n) = read {
                t.count("d1.rows_read", n, bucket);
            }
            if let Some(n) = written {
                t.count("d1.rows_written", n, bucket);
            }
            let reads = g.num(t, "sum", "readQueries");
            let writes = g.num(t, "sum", "writeQueries");
            let queries = reads.unwrap_or(0.0) + writes.unwrap_or(0.0);
            t.peak("d1.queries", &db, bucket, queries);
            if let Some(w) = writes {
                t.peak("d1.writes", &db, bucket, w);
            }
            let r = t.resource(ResourceKind::D1Database, &db);
            add(r, "rows_read", read);
            add(r, "rows_written", written);
            add(
                r,
                "queries",
                (reads.is_some() || writes.is_some()).then_some(queries),
            );
        }
        "d1StorageAdaptiveGroups" => {
            let db = g.dim("databaseId").unwrap_or("(all databases)").to_owned();
            if let (Some(bytes), Some(day)) = (g.num(t, "max", "databaseSizeBytes"), day) {
                t.store("d1.storage_gb", &db, day, bytes / GB);
                store(
                    t.resource(ResourceKind::D1Database, &db),
                    "storage_gb",
                    day,
                    bytes / GB,
                );
            } else {
                undated(g, t, "max.databaseSizeBytes");
            }
        }
        "d1QueriesAdaptiveGroups" => {
            let Some(query) = g.dim("query") else {
                t.warnings.add(format!(
                    "{}[*].dimensions.query: absent; group by query to see which statements read the most rows",
                    g.path
                ));
                return;
            };
            let db = g.dim("databaseId").unwrap_or("").to_owned();
            let key = (db, query.to_owned());
            let calls = g.num(t, "count", "");
            let read = g.num(t, "sum", "rowsRead");
            let returned = g.num(t, "sum", "rowsReturned");
            let written = g.num(t, "sum", "rowsWritten");
            let ms = g.num(t, "sum", "queryDurationMs");
            let q = t.queries.entry(key).or_default();
            q.calls += calls.unwrap_or(0.0);
            q.rows_read += read.unwrap_or(0.0);
            q.rows_returned += returned.unwrap_or(0.0);
            q.rows_written += written.unwrap_or(0.0);
            q.duration_ms += ms.unwrap_or(0.0);
        }
        "r2OperationsAdaptiveGroups" => {
            let Some(n) = g.num(t, "sum", "requests") else {
                return;
            };
            let action = g.dim("actionType").unwrap_or("");
            let ia = g.dim("storageClass") == Some("InfrequentAccess");
            if g.dim("actionType").is_some() {
                t.measured(&["r2.class_a", "r2.class_b"]);
                if g.dim("storageClass").is_some() {
                    t.measured(&[
                        "r2.infrequent_access.class_a",
                        "r2.infrequent_access.class_b",
                    ]);
                }
            }
            let class = if R2_CLASS_B.contains(&action) {
                "class_b"
            } else if R2_FREE.contains(&action) {
                return;
            } else {
                if !R2_CLASS_A.contains(&action) {
                    t.warnings.add(format!(
                        "{}[*].dimensions.actionType: `{action}` is on neither of the R2 pricing page's lists; counted as Class A, the dearer class",
                        g.path
                    ));
                }
                "class_a"
            };
            let meter = match (ia, class) {
                (false, "class_a") => "r2.class_a",
                (false, _) => "r2.class_b",
                (true, "class_a") => "r2.infrequent_access.class_a",
                (true, _) => "r2.infrequent_access.class_b",
            };
            t.count(meter, n, bucket);
            let bucket_name = g.dim("bucketName").unwrap_or("(all buckets)").to_owned();
            add(
                t.resource(ResourceKind::R2Bucket, &bucket_name),
                class,
                Some(n),
            );
        }
        "r2StorageAdaptiveGroups" => {
            let name = g.dim("bucketName").unwrap_or("(all buckets)").to_owned();
            let payload = g.num(t, "max", "payloadSize");
            let metadata = g.num(t, "max", "metadataSize");
            let (Some(day), true) = (day, payload.is_some() || metadata.is_some()) else {
                undated(g, t, "max.payloadSize");
                return;
            };
            let gb = (payload.unwrap_or(0.0) + metadata.unwrap_or(0.0)) / GB;
            let ia = g.dim("storageClass") == Some("InfrequentAccess");
            if g.dim("storageClass").is_some() {
                t.measured(&["r2.storage_gb", "r2.infrequent_access.storage_gb"]);
            }
            let meter = if ia {
                "r2.infrequent_access.storage_gb"
            } else {
                "r2.storage_gb"
            };
            t.store(meter, &name, day, gb);
            let metric = if ia { "ia_storage_gb" } else { "storage_gb" };
            store(t.resource(ResourceKind::R2Bucket, &name), metric, day, gb);
        }
        "durableObjectsInvocationsAdaptiveGroups" => {
            let Some(n) = g.num(t, "sum", "requests") else {
                return;
            };
            t.count("durable_objects.requests", n, bucket);
            let ns = g
                .dim("namespaceId")
                .unwrap_or("(all namespaces)")
                .to_owned();
            if let Some(object) = g.dim("objectId") {
                let object = format!("{ns}/{object}");
                t.peak("durable_objects.object_requests", &object, bucket, n);
            }
            add(
                t.resource(ResourceKind::DurableObjectNamespace, &ns),
                "requests",
                Some(n),
            );
        }
        "durableObjectsPeriodicGroups" => {
            let ns = g
                .dim("namespaceId")
                .unwrap_or("(all namespaces)")
                .to_owned();
            // Duration in GB-s; from active time (µs) at 128 MB when only that is selected.
            let duration = g
                .num(t, "sum", "duration")
                .or_else(|| g.num(t, "sum", "activeTime").map(|us| us / 1e6 * 0.128));
            let fields = [
                ("durable_objects.duration_gb_s", "duration_gb_s", duration),
                (
                    "durable_objects.websocket_messages",
                    "websocket_messages",
                    g.num(t, "sum", "inboundWebsocketMsgCount"),
                ),
                (
                    "durable_objects.sqlite_rows_read",
                    "sqlite_rows_read",
                    g.num(t, "sum", "rowsRead"),
                ),
                (
                    "durable_objects.sqlite_rows_written",
                    "sqlite_rows_written",
                    g.num(t, "sum", "rowsWritten"),
                ),
                (
                    "durable_objects.kv_read_units",
                    "kv_read_units",
                    g.num(t, "sum", "storageReadUnits"),
                ),
                (
                    "durable_objects.kv_write_units",
                    "kv_write_units",
                    g.num(t, "sum", "storageWriteUnits"),
                ),
                (
                    "durable_objects.kv_deletes",
                    "kv_deletes",
                    g.num(t, "sum", "storageDeletes"),
                ),
            ];
            let sockets = g.num(t, "max", "activeWebsocketConnections");
            for (meter, _, v) in fields {
                if let Some(v) = v {
                    t.count(meter, v, bucket);
                }
            }
            let r = t.resource(ResourceKind::DurableObjectNamespace, &ns);
            for (_, metric, v) in fields {
                add(r, metric, v);
            }
            top(r, "websocket_connections", sockets);
        }
        "durableObjectsSqlStorageGroups" | "durableObjectsStorageGroups" => {
            let ns = g
                .dim("namespaceId")
                .unwrap_or("(all namespaces)")
                .to_owned();
            let (meter, metric) = if dataset == "durableObjectsSqlStorageGroups" {
                ("durable_objects.sqlite_storage_gb", "sqlite_storage_gb")
            } else {
                ("durable_objects.kv_storage_gb", "kv_storage_gb")
            };
            if let (Some(bytes), Some(day)) = (g.num(t, "max", "storedBytes"), day) {
                t.store(meter, &ns, day, bytes / GB);
                store(
                    t.resource(ResourceKind::DurableObjectNamespace, &ns),
                    metric,
                    day,
                    bytes / GB,
                );
            } else {
                undated(g, t, "max.storedBytes");
            }
        }
        "queueMessageOperationsAdaptiveGroups" => {
            let queue = g
                .dim("queueId")
                .or_else(|| g.dim("queueID"))
                .unwrap_or("(all queues)")
                .to_owned();
            let ops = g.num(t, "sum", "billableOperations");
            if let Some(n) = ops {
                t.count("queues.operations", n, bucket);
            }
            let action = g.dim("actionType");
            if action == Some("WriteMessage") {
                let messages = g.num(t, "count", "").or(ops);
                if let Some(m) = messages {
                    t.peak("queues.writes", &queue, bucket, m);
                }
            }
            let lag = g.num(t, "avg", "lagTime").map(|ms| ms / 1_000.0);
            let retries = g.num(t, "avg", "retryCount");
            let outcome_dlq = g.dim("outcome") == Some("dlq");
            let r = t.resource(ResourceKind::Queue, &queue);
            add(r, "operations", ops);
            top(r, "consumer_lag_seconds", lag);
            top(r, "retries_per_message", retries);
            if outcome_dlq {
                add(
                    r,
                    "dead_lettered",
                    g.obj.get("count").and_then(Value::as_f64),
                );
            }
        }
        "queueBacklogAdaptiveGroups" => {
            let queue = g
                .dim("queueId")
                .or_else(|| g.dim("queueID"))
                .unwrap_or("(all queues)")
                .to_owned();
            let messages = g.num(t, "avg", "messages");
            let bytes = g.num(t, "avg", "bytes").map(|b| b / GB);
            let r = t.resource(ResourceKind::Queue, &queue);
            top(r, "backlog_messages", messages);
            top(r, "backlog_gb", bytes);
        }
        "workflowsAdaptiveGroups" => {
            let Some(n) = g.num(t, "count", "") else {
                return;
            };
            let workflow = g
                .dim("workflowName")
                .unwrap_or("(all workflows)")
                .to_owned();
            match g.dim("eventType") {
                // Billing counts steps run, not retries (ATTEMPT_*) or rollbacks.
                Some("STEP_START") => {
                    t.count("workflows.steps", n, bucket);
                    add(t.resource(ResourceKind::Workflow, &workflow), "steps", Some(n));
                }
                Some("WORKFLOW_START") => {
                    add(t.resource(ResourceKind::Workflow, &workflow), "runs", Some(n));
                    t.peak("workflows.creations", &workflow, bucket, n);
                }
                Some(_) => {}
                None => t.warnings.add(format!(
                    "{}[*].dimensions.eventType: absent; group by eventType so steps (STEP_START) can be counted",
                    g.path
                )),
            }
        }
        _ => {}
    }
}

/// Adds a count to a resource metric.
fn add(r: &mut super::tally::ResourceTally, metric: &str, v: Option<f64>) {
    if let Some(v) = v {
        *r.counts.entry(intern(metric)).or_default() += v;
    }
}

/// Keeps the largest value of a resource metric.
fn top(r: &mut super::tally::ResourceTally, metric: &'static str, v: Option<f64>) {
    if let Some(v) = v {
        let e = r.max.entry(metric).or_insert(v);
        *e = e.max(v);
    }
}

/// Keeps a day's peak storage of a resource.
fn store(r: &mut super::tally::ResourceTally, metric: &'static str, day: i64, gb: f64) {
    let e = r.stored.entry(metric).or_default().entry(day).or_insert(gb);
    *e = e.max(gb);
}

/// A storage group without a date cannot be averaged over days.
fn undated(g: &Group, t: &mut Tally, field: &str) {
    t.warnings.add(format!(
        "{}[*]: a storage group without a `date` dimension or without {field} was skipped: group storage by date",
        g.path
    ));
}

/// The resource metric names, as static strings.
fn intern(metric: &str) -> &'static str {
    const NAMES: &[&str] = &[
        "requests",
        "errors",
        "subrequests",
        "cpu_ms",
        "reads",
        "writes",
        "deletes",
        "lists",
        "rows_read",
        "rows_written",
        "queries",
        "class_a",
        "class_b",
        "duration_gb_s",
        "websocket_messages",
        "sqlite_rows_read",
        "sqlite_rows_written",
        "kv_read_units",
        "kv_write_units",
        "kv_deletes",
        "operations",
        "dead_lettered",
        "steps",
        "runs",
    ];
    NAMES
        .iter()
        .find(|n| **n == metric)
        .copied()
        .unwrap_or("other")
}
