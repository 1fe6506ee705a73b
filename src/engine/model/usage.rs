//! `UsageProfile`: monthly usage of an account, the input of `estimate_cost` and of every engine
//! that prices a design.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ConfigSource, Plan};

/// What the counts in a profile are counted over.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsagePeriod {
    /// Counts are per month (the default).
    #[default]
    Month,
    /// Counts are per day; they are multiplied by 30 (Cloudflare's pricing uses 30-day months).
    /// Storage sizes are not multiplied.
    Day,
}

/// Monthly usage of a Cloudflare account, the input of `estimate_cost`.
///
/// Every count is per month unless `period` is `day`; storage is the average GB stored over the
/// month. Every field is optional and defaults to 0; products you do not use can be left out.
/// Unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageProfile {
    /// Workers plan, default paid. Paid: a $5/month subscription with monthly allowances, usage
    /// past them billed. Free: nothing is billed except R2 past its free tier, but requests fail
    /// past the daily limits.
    #[serde(default)]
    pub plan: Plan,
    /// What the counts are per, default month. With `day` the counts are multiplied by 30
    /// (Cloudflare's pricing uses 30-day months); storage sizes are not.
    #[serde(default)]
    pub period: UsagePeriod,
    /// Workers.
    #[serde(default)]
    pub workers: WorkersUsage,
    /// Workers Logs.
    #[serde(default)]
    pub workers_logs: WorkersLogsUsage,
    /// Workers KV.
    #[serde(default)]
    pub kv: KvUsage,
    /// D1.
    #[serde(default)]
    pub d1: D1Usage,
    /// R2, Standard class.
    #[serde(default)]
    pub r2: R2Usage,
    /// Durable Objects; kv_* fields are for key-value-backed objects. Compute is billed for both
    /// storage backends; SQLite and key-value storage are billed by their own fields.
    #[serde(default)]
    pub durable_objects: DurableObjectsUsage,
    /// Queues.
    #[serde(default)]
    pub queues: QueuesUsage,
    /// Workflows; their requests and CPU go in `workers`.
    #[serde(default)]
    pub workflows: WorkflowsUsage,
    /// Workers Analytics Engine.
    #[serde(default)]
    pub analytics_engine: AnalyticsEngineUsage,
    /// Hyperdrive.
    #[serde(default)]
    pub hyperdrive: HyperdriveUsage,
    /// Vectorize.
    #[serde(default)]
    pub vectorize: VectorizeUsage,
    /// An alternative design's profile to price against this one (without its own compare_to or
    /// curve). The report then has `delta` with per-line and total differences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_to: Option<Box<UsageProfile>>,
    /// Traffic multipliers to price, e.g. [0.1, 1, 10]. At most 200, each above 0 and at most
    /// 1,000,000. Every count is scaled (storage only with `curve_scales_storage`); the report
    /// then has `curve` (total and dominant product per multiplier) and `break_points`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<f64>,
    /// Scale storage too. Default false: storage stays as given along the curve.
    #[serde(default)]
    pub curve_scales_storage: bool,
    /// The Wrangler config, to flag bound products this profile leaves unpriced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSource>,
}

/// Workers usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersUsage {
    /// Worker invocations: HTTP, cron, queue consumer and RPC.
    #[serde(default)]
    pub requests: f64,
    /// Average CPU ms per invocation, not wall time. Waiting on I/O is free.
    #[serde(default)]
    pub cpu_ms_per_request: f64,
    /// Asset requests not running the Worker. They are free and unlimited.
    #[serde(default)]
    pub static_asset_requests: f64,
    /// Requests answered by Workers Caching (billed as requests, no CPU).
    #[serde(default)]
    pub cache_hits: f64,
}

/// Workers Logs usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersLogsUsage {
    /// Log events: each invocation log and each console.log line is one.
    #[serde(default)]
    pub events: f64,
}

/// Workers KV usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KvUsage {
    /// Keys read; a bulk get of n keys is n reads. Reads of missing keys count.
    #[serde(default)]
    pub reads: f64,
    /// Keys written.
    #[serde(default)]
    pub writes: f64,
    /// Keys deleted.
    #[serde(default)]
    pub deletes: f64,
    /// List requests.
    #[serde(default)]
    pub lists: f64,
    /// Average GB stored.
    #[serde(default)]
    pub storage_gb: f64,
}

/// D1 usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct D1Usage {
    /// Rows scanned by queries, not rows returned. A full scan of a 5,000-row table reads 5,000
    /// rows.
    #[serde(default)]
    pub rows_read: f64,
    /// Rows written, plus one per index on each written row.
    #[serde(default)]
    pub rows_written: f64,
    /// Average GB stored. Summed over all databases.
    #[serde(default)]
    pub storage_gb: f64,
}

/// R2 usage in the Standard storage class.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct R2Usage {
    /// Average GB stored (GB-month).
    #[serde(default)]
    pub storage_gb: f64,
    /// Class A operations: writes and lists. PutObject, ListObjects, CopyObject and multipart
    /// parts are Class A.
    #[serde(default)]
    pub class_a: f64,
    /// Class B operations: reads. GetObject and HeadObject are Class B.
    #[serde(default)]
    pub class_b: f64,
    /// The Infrequent Access storage class (no free tier).
    #[serde(default)]
    pub infrequent_access: R2InfrequentAccessUsage,
}

/// R2 usage in the Infrequent Access storage class.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct R2InfrequentAccessUsage {
    /// Average GB stored (GB-month).
    #[serde(default)]
    pub storage_gb: f64,
    /// Class A operations.
    #[serde(default)]
    pub class_a: f64,
    /// Class B operations.
    #[serde(default)]
    pub class_b: f64,
    /// GB read back. Infrequent Access bills each GB retrieved.
    #[serde(default)]
    pub retrieval_gb: f64,
}

/// Durable Objects usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurableObjectsUsage {
    /// Requests to objects: HTTP, RPC calls and alarms, not WebSocket messages.
    #[serde(default)]
    pub requests: f64,
    /// Incoming WebSocket messages, billed 20 per request.
    #[serde(default)]
    pub websocket_messages: f64,
    /// Seconds objects are active, summed over objects (or give duration_gb_s). Billed as GB-s at
    /// 128 MB per object whatever memory it uses.
    #[serde(default)]
    pub active_seconds: f64,
    /// Duration already in GB-s, instead of active_seconds.
    #[serde(default)]
    pub duration_gb_s: f64,
    /// SQLite rows read. Key-value API calls on SQLite-backed objects count as rows.
    #[serde(default)]
    pub sqlite_rows_read: f64,
    /// SQLite rows written; each setAlarm is one.
    #[serde(default)]
    pub sqlite_rows_written: f64,
    /// SQLite GB stored. The average over the month.
    #[serde(default)]
    pub sqlite_storage_gb: f64,
    /// 4 KB read units. For key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_read_units: f64,
    /// 4 KB write units. For key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_write_units: f64,
    /// Key-value deletes. For key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_deletes: f64,
    /// Key-value GB stored. For key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_storage_gb: f64,
}

/// Queues usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueuesUsage {
    /// Messages sent and delivered. Each costs a write, a read and a delete per 64 KB chunk.
    #[serde(default)]
    pub messages: f64,
    /// Average message size in KB, if over 64. 1 KB = 1,000 bytes, about 100 bytes of metadata
    /// included; 0 means up to 64 KB (one chunk).
    #[serde(default)]
    pub message_kb: f64,
    /// Delivery retries. Each is one more read per chunk.
    #[serde(default)]
    pub retries: f64,
    /// Billed operations if known (overrides messages). The derivation from `messages` is then
    /// skipped.
    #[serde(default)]
    pub operations: f64,
}

/// Workflows usage (requests and CPU go in `workers`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowsUsage {
    /// Steps run. Retries and rollback handlers are not counted.
    #[serde(default)]
    pub steps: f64,
    /// Average GB of instance state stored.
    #[serde(default)]
    pub storage_gb: f64,
}

/// Workers Analytics Engine usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsEngineUsage {
    /// Data points written. One per writeDataPoint call.
    #[serde(default)]
    pub data_points: f64,
    /// SQL read queries. Queries to the SQL API.
    #[serde(default)]
    pub read_queries: f64,
}

/// Hyperdrive usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HyperdriveUsage {
    /// Queries, cached or not. Every query through Hyperdrive counts.
    #[serde(default)]
    pub queries: f64,
}

/// Vectorize usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VectorizeUsage {
    /// Queried dimensions: queries × vector dimensions.
    #[serde(default)]
    pub queried_dimensions: f64,
    /// Stored vectors × dimensions.
    #[serde(default)]
    pub stored_dimensions: f64,
}

/// The products in the order reports list them (the order of [`UsageProfile`]'s fields).
pub const PRODUCT_ORDER: [&str; 12] = [
    "workers",
    "workers_logs",
    "kv",
    "d1",
    "r2",
    "durable_objects",
    "queues",
    "workflows",
    "analytics_engine",
    "hyperdrive",
    "vectorize",
    "platform",
];
