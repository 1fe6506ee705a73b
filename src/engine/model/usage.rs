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
    /// `paid` (Workers Paid, $5/month subscription; the default) or `free` (Workers Free: nothing
    /// billed except R2 past its free tier, but requests fail past the daily limits).
    #[serde(default)]
    pub plan: Plan,
    /// `month` (default) or `day`: what the counts below are counted over.
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
    /// R2 (Standard storage class, with Infrequent Access nested).
    #[serde(default)]
    pub r2: R2Usage,
    /// Durable Objects: compute, SQLite storage, and key-value storage.
    #[serde(default)]
    pub durable_objects: DurableObjectsUsage,
    /// Queues.
    #[serde(default)]
    pub queues: QueuesUsage,
    /// Workflows (their requests and CPU bill as Workers requests and CPU: put them in `workers`).
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
    /// Optional: a second profile (an alternative design, e.g. "KV cache in front of D1") to
    /// compare with this one; the report then has `delta` with per-line and total differences.
    /// It may not itself have `compare_to` or `curve`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_to: Option<Box<UsageProfile>>,
    /// Optional: traffic multipliers (at most 200, each above 0 and at most 1,000,000), e.g.
    /// `[0.1, 1, 10, 100]`. Every count is scaled (storage only with `curve_scales_storage`);
    /// the report then has `curve` (total and dominant product per multiplier) and `break_points`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<f64>,
    /// Scale storage sizes along the curve too (default false: storage stays as given).
    #[serde(default)]
    pub curve_scales_storage: bool,
    /// Optional: the project's Wrangler configuration; products it binds that this profile
    /// leaves at zero are flagged, so nothing bound goes unpriced by accident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSource>,
}

/// Workers usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersUsage {
    /// Worker invocations (HTTP requests, cron, queue consumer and RPC invocations).
    #[serde(default)]
    pub requests: f64,
    /// Average CPU milliseconds per invocation (not wall time: waiting on I/O is free).
    #[serde(default)]
    pub cpu_ms_per_request: f64,
    /// Requests served from static assets without running the Worker: free and unlimited.
    #[serde(default)]
    pub static_asset_requests: f64,
    /// Requests answered by Workers Caching: billed as requests, but use no CPU.
    #[serde(default)]
    pub cache_hits: f64,
}

/// Workers Logs usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersLogsUsage {
    /// Log events written (each invocation log and each console.log line is one event).
    #[serde(default)]
    pub events: f64,
}

/// Workers KV usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KvUsage {
    /// Keys read (a bulk read of n keys is n reads; reads of missing keys count).
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
    /// Rows read (scanned) by queries: a full scan of a 5,000-row table reads 5,000 rows.
    #[serde(default)]
    pub rows_read: f64,
    /// Rows written (each index on a written column adds a row written).
    #[serde(default)]
    pub rows_written: f64,
    /// Average GB stored, summed over all databases.
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
    /// Class A operations (writes and lists: PutObject, ListObjects, CopyObject, multipart parts).
    #[serde(default)]
    pub class_a: f64,
    /// Class B operations (reads: GetObject, HeadObject).
    #[serde(default)]
    pub class_b: f64,
    /// Usage in the Infrequent Access storage class (no free tier).
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
    /// GB retrieved (read back).
    #[serde(default)]
    pub retrieval_gb: f64,
}

/// Durable Objects usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DurableObjectsUsage {
    /// Requests to objects: HTTP requests, RPC calls, alarm invocations (not WebSocket messages).
    #[serde(default)]
    pub requests: f64,
    /// Incoming WebSocket messages; billed as requests at 20 messages per request.
    #[serde(default)]
    pub websocket_messages: f64,
    /// Seconds objects are active (summed over objects); billed as GB-s at 128 MB per object
    /// whatever memory it uses. Give this or `duration_gb_s`, not both.
    #[serde(default)]
    pub active_seconds: f64,
    /// Duration already in GB-s. Give this or `active_seconds`, not both.
    #[serde(default)]
    pub duration_gb_s: f64,
    /// Rows read by SQLite-backed objects (key-value API calls on them count as rows).
    #[serde(default)]
    pub sqlite_rows_read: f64,
    /// Rows written by SQLite-backed objects (each setAlarm is one row written).
    #[serde(default)]
    pub sqlite_rows_written: f64,
    /// Average GB stored by SQLite-backed objects.
    #[serde(default)]
    pub sqlite_storage_gb: f64,
    /// Read request units (4 KB each) of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_read_units: f64,
    /// Write request units (4 KB each) of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_write_units: f64,
    /// Delete requests of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_deletes: f64,
    /// Average GB stored by key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_storage_gb: f64,
}

/// Queues usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueuesUsage {
    /// Messages sent and delivered (each costs a write, a read and a delete per 64 KB chunk).
    #[serde(default)]
    pub messages: f64,
    /// Average message size in KB (1 KB = 1,000 bytes, about 100 bytes of metadata included);
    /// 0 means "up to 64 KB" (one chunk).
    #[serde(default)]
    pub message_kb: f64,
    /// Delivery retries in total (each is one more read per chunk).
    #[serde(default)]
    pub retries: f64,
    /// Billed operations, when known: overrides the derivation from `messages`.
    #[serde(default)]
    pub operations: f64,
}

/// Workflows usage (requests and CPU go in `workers`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkflowsUsage {
    /// Steps run (retries and rollback handlers not counted).
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
    /// Data points written (each writeDataPoint call).
    #[serde(default)]
    pub data_points: f64,
    /// SQL API read queries.
    #[serde(default)]
    pub read_queries: f64,
}

/// Hyperdrive usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HyperdriveUsage {
    /// Database queries through Hyperdrive, cached or not.
    #[serde(default)]
    pub queries: f64,
}

/// Vectorize usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VectorizeUsage {
    /// Queried vector dimensions (queries × dimensions of the vectors searched).
    #[serde(default)]
    pub queried_dimensions: f64,
    /// Stored vector dimensions (vectors × dimensions).
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
