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
    /// Default paid. Paid: a $5/month subscription with monthly allowances, usage past them
    /// billed. Free: nothing is billed except R2 past its free tier, but requests fail past the
    /// daily limits.
    #[serde(default)]
    pub plan: Plan,
    /// Counts per month (default) or day. With `day` the counts are multiplied by 30
    /// (Cloudflare's pricing uses 30-day months); storage sizes are not.
    #[serde(default)]
    pub period: UsagePeriod,
    /// Billing month YYYY-MM, default this month. It picks the prices in force; the engine, which
    /// reads no clock, prices with the newest rows when no front end filled it in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// Workers.
    #[serde(default)]
    pub workers: WorkersUsage,
    /// Workers Logs.
    #[serde(default)]
    pub workers_logs: WorkersLogsUsage,
    /// Observability, from 2026-12-01. Logs and traces, pooled per account.
    #[serde(default)]
    pub observability: ObservabilityUsage,
    /// Workers KV.
    #[serde(default)]
    pub kv: KvUsage,
    /// D1.
    #[serde(default)]
    pub d1: D1Usage,
    /// R2, Standard class.
    #[serde(default)]
    pub r2: R2Usage,
    /// Durable Objects; kv_* are key-value-backed objects. Compute is billed for both storage
    /// backends; SQLite and key-value storage are billed by their own fields.
    #[serde(default)]
    pub durable_objects: DurableObjectsUsage,
    /// Queues.
    #[serde(default)]
    pub queues: QueuesUsage,
    /// Requests and CPU go in workers. Workflow invocations bill as Workers requests and CPU.
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
    /// Workers AI.
    #[serde(default)]
    pub workers_ai: WorkersAiUsage,
    /// Containers and Sandbox, Paid only. Memory and disk bill the instance type's size for the
    /// time it runs; vCPU bills active use.
    #[serde(default)]
    pub containers: ContainersUsage,
    /// Workers for Platforms ($25/month plan). The plan's fee is added when any field is given.
    #[serde(default)]
    pub workers_for_platforms: WorkersForPlatformsUsage,
    /// Browser Run (formerly Browser Rendering).
    #[serde(default)]
    pub browser_run: BrowserRunUsage,
    /// Logpush, uncompressed GB delivered. Cloudflare has published no start date for these
    /// prices.
    #[serde(default)]
    pub logpush: LogpushUsage,
    /// Another profile to price against this one. Without its own compare_to or curve; the report
    /// then has `delta` with per-line and total differences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare_to: Option<Box<UsageProfile>>,
    /// Traffic multipliers, e.g. [0.1, 1, 10]. At most 200, each above 0 and at most 1,000,000. Every count is scaled (storage only with `curve_scales_storage`); the report
    /// then has `curve` (total and dominant product per multiplier) and `break_points`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<f64>,
    /// Scale storage too. Default false: storage stays as given along the curve.
    #[serde(default)]
    pub curve_scales_storage: bool,
    /// Wrangler config: flags unpriced bound products. Products it binds that this profile leaves
    /// at zero are flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSource>,
    /// Set by import_usage: which meters were measured and which are missing. Keep it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub provenance: Option<Provenance>,
}

/// Where the numbers of an imported profile came from. Written by `import_usage`; the engines
/// that read the profile repeat it so that an estimate says what it stands on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The observed window and how it was scaled to a 30-day month, e.g. `2026-11-24 to
    /// 2026-11-30 (7 days, ×4.2857)`.
    pub window: String,
    /// Meters from billable-usage rows: Cloudflare's billing measure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub billing: Vec<String>,
    /// Meters from the GraphQL Analytics API: sampled estimates, not the billing measure.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub analytics_estimate: Vec<String>,
    /// Meters (or whole products) no document gave: unknown, not zero. Their cost is not in the
    /// total.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Workers usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersUsage {
    /// Invocations: HTTP, cron, queue and RPC.
    #[serde(default)]
    pub requests: f64,
    /// Average CPU ms, not wall time. Waiting on I/O is free.
    #[serde(default)]
    pub cpu_ms_per_request: f64,
    /// Free (no Worker run). Static asset requests that do not run the Worker are free and
    /// unlimited.
    #[serde(default)]
    pub static_asset_requests: f64,
    /// Workers Caching hits: requests, no CPU.
    #[serde(default)]
    pub cache_hits: f64,
}

/// Workers Logs usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersLogsUsage {
    /// One per invocation log or console.log line. From 2026-12-01 they bill as Observability
    /// GB: events × bytes_per_event, kept retention_days.
    #[serde(default)]
    pub events: f64,
    /// Head sampling rate, default 1. A fraction from 0 to 1; the events are multiplied by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_sampling_rate: Option<f64>,
    /// Default 4,840 (4.84 KB). Bytes per event, the docs' Workers average; used from 2026-12-01.
    #[serde(default)]
    pub bytes_per_event: f64,
    /// Default 7. Days logs stay queryable, used from 2026-12-01 to derive GB-months stored.
    #[serde(default)]
    pub retention_days: f64,
}

/// Cloudflare Observability usage (from 2026-12-01), beside any Workers Logs events given.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservabilityUsage {
    /// Traces and other logs. GB ingested before compression; the pool also takes the Workers
    /// Logs events converted to GB.
    #[serde(default)]
    pub gb_ingested: f64,
    /// Default: from the ingest. GB-months stored are each day's peak queryable GB summed, ÷ 30;
    /// when not given they are derived from the ingest at the retention (7 days: 7/30 of it).
    #[serde(default)]
    pub gb_month_stored: f64,
}

/// Workers KV usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KvUsage {
    /// A bulk get of n keys is n. Keys read; reads of missing keys count.
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
    /// Rows scanned, not returned. A full scan of a 5,000-row table reads 5,000 rows.
    #[serde(default)]
    pub rows_read: f64,
    /// Plus one per index written. Rows written, and one more per index on each written row.
    #[serde(default)]
    pub rows_written: f64,
    /// Average GB stored. Summed over all databases.
    #[serde(default)]
    pub storage_gb: f64,
    /// Databases in the account. A count held; Paid includes 100,000.
    #[serde(default)]
    pub databases: f64,
}

/// R2 usage in the Standard storage class.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct R2Usage {
    /// Average GB stored.
    #[serde(default)]
    pub storage_gb: f64,
    /// Writes and lists. PutObject, ListObjects, CopyObject and multipart parts are Class A.
    #[serde(default)]
    pub class_a: f64,
    /// Reads (GetObject, HeadObject).
    #[serde(default)]
    pub class_b: f64,
    /// Buckets in the account. A count held; 100,000 are included.
    #[serde(default)]
    pub buckets: f64,
    /// Infrequent Access (no free tier).
    #[serde(default)]
    pub infrequent_access: R2InfrequentAccessUsage,
}

/// R2 usage in the Infrequent Access storage class.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct R2InfrequentAccessUsage {
    /// Average GB stored.
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
    /// HTTP, RPC and alarm requests, not WebSocket messages.
    #[serde(default)]
    pub requests: f64,
    /// Incoming messages, billed 20 per request.
    #[serde(default)]
    pub websocket_messages: f64,
    /// Active seconds summed over objects (or duration_gb_s). Billed as GB-s at 128 MB per
    /// object whatever memory it uses.
    #[serde(default)]
    pub active_seconds: f64,
    /// Already in GB-s. Instead of active_seconds.
    #[serde(default)]
    pub duration_gb_s: f64,
    /// SQLite rows read. Key-value API calls on SQLite-backed objects count as rows.
    #[serde(default)]
    pub sqlite_rows_read: f64,
    /// Each setAlarm is one. SQLite rows written.
    #[serde(default)]
    pub sqlite_rows_written: f64,
    /// SQLite GB stored. The average over the month.
    #[serde(default)]
    pub sqlite_storage_gb: f64,
    /// 4 KB units. Read units of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_read_units: f64,
    /// 4 KB units. Write units of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_write_units: f64,
    /// Deletes. Of key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_deletes: f64,
    /// GB stored. By key-value-backed objects (Workers Paid only).
    #[serde(default)]
    pub kv_storage_gb: f64,
}

/// Queues usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueuesUsage {
    /// Messages delivered. Each costs a write, a read and a delete per 64 KB chunk.
    #[serde(default)]
    pub messages: f64,
    /// Average KB, if over 64. 1 KB = 1,000 bytes, about 100 bytes of metadata included; 0
    /// means up to 64 KB (one chunk).
    #[serde(default)]
    pub message_kb: f64,
    /// Delivery retries. Each is one more read per chunk.
    #[serde(default)]
    pub retries: f64,
    /// Billed operations (overrides messages). When given, the derivation from `messages` is
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
    /// Instance state GB. The average stored over the month.
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
    /// (Queries + stored vectors) × dimensions. Cloudflare's formula counts the stored vectors
    /// once per month on top of the queries.
    #[serde(default)]
    pub queried_dimensions: f64,
    /// Vectors × dimensions. Stored vector dimensions.
    #[serde(default)]
    pub stored_dimensions: f64,
}

/// Workers AI usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersAiUsage {
    /// Neurons used. 10,000 a day are free on both plans.
    #[serde(default)]
    pub neurons: f64,
}

/// Containers usage (Workers Paid only). Memory and disk bill the instance type's size for the
/// time it runs; vCPU bills active use.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainersUsage {
    /// Instance GiB × seconds running. Provisioned memory, billed for the time an instance runs.
    #[serde(default)]
    pub memory_gib_s: f64,
    /// Active vCPU-seconds. Billed on use, not on the instance's share.
    #[serde(default)]
    pub vcpu_s: f64,
    /// Instance GB × seconds running. Provisioned disk, billed for the time an instance runs.
    #[serde(default)]
    pub disk_gb_s: f64,
    /// Egress GB. From North America and Europe.
    #[serde(default)]
    pub egress_gb_north_america_europe: f64,
    /// Egress GB. From Oceania, Korea and Taiwan.
    #[serde(default)]
    pub egress_gb_oceania_korea_taiwan: f64,
    /// Egress GB. From every other region.
    #[serde(default)]
    pub egress_gb_other: f64,
}

/// Workers for Platforms usage: dispatch, user and outbound Workers together.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersForPlatformsUsage {
    /// Requests, once per chain. A dispatch, user and outbound Worker chain is one request.
    #[serde(default)]
    pub requests: f64,
    /// Average CPU ms per request. The CPU of every Worker in the chain counts.
    #[serde(default)]
    pub cpu_ms_per_request: f64,
    /// User Worker scripts. A count held.
    #[serde(default)]
    pub scripts: f64,
}

/// Browser Run usage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BrowserRunUsage {
    /// Browser hours. Quick Actions and Browser Sessions together.
    #[serde(default)]
    pub hours: f64,
    /// Monthly average of daily peaks. Concurrent Browser Sessions browsers.
    #[serde(default)]
    pub concurrent_browsers: f64,
}

/// Logpush usage, uncompressed GB delivered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogpushUsage {
    /// To R2 or Pipelines. GB delivered to Cloudflare destinations.
    #[serde(default)]
    pub cloudflare_destination_gb: f64,
    /// To other destinations. GB delivered outside Cloudflare.
    #[serde(default)]
    pub external_destination_gb: f64,
    /// Transformers input GB. Read by Logpush Transformers.
    #[serde(default)]
    pub transformed_gb: f64,
    /// Request logs delivered. Workers Trace Events.
    #[serde(default)]
    pub workers_trace_events_requests: f64,
}

/// The products in the order reports list them (the order of [`UsageProfile`]'s fields).
pub const PRODUCT_ORDER: [&str; 18] = [
    "workers",
    "workers_logs",
    "observability",
    "kv",
    "d1",
    "r2",
    "durable_objects",
    "queues",
    "workflows",
    "analytics_engine",
    "hyperdrive",
    "vectorize",
    "workers_ai",
    "containers",
    "workers_for_platforms",
    "browser_run",
    "logpush",
    "platform",
];
