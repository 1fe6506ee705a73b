//! What a caller knows about a project: the plan, the products in use, measurements, and the
//! Wrangler configuration as given. The input of `recommend_scaling`, read by every engine that
//! needs a part of it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::UsageProfile;

/// The Workers plan of an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Workers Paid: a $5/month subscription with monthly allowances, usage past them billed.
    #[default]
    Paid,
    /// Workers Free: daily allowances; past them requests fail rather than bill.
    Free,
}

impl Plan {
    /// `Workers Paid` or `Workers Free`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Paid => "Workers Paid",
            Self::Free => "Workers Free",
        }
    }
}

/// A Cloudflare product a project uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// Workers.
    Workers,
    /// Workers KV.
    Kv,
    /// D1.
    D1,
    /// R2.
    R2,
    /// Durable Objects.
    DurableObjects,
    /// Queues.
    Queues,
    /// Workflows.
    Workflows,
    /// Hyperdrive.
    Hyperdrive,
    /// Workers Analytics Engine.
    AnalyticsEngine,
    /// Vectorize.
    Vectorize,
}

/// What is known from measurements. Every field is optional: leave out what you do not know
/// (unknown is not zero; the report lists what would sharpen it). Numbers must be finite and not
/// negative; rates (`*_hit_rate`) are fractions from 0 to 1; other values at most 1e9 (sizes in GB
/// and latencies at most 1e6, the backlog at most 1e15).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observations {
    /// p95 D1 read latency as users see it, ms.
    pub d1_read_latency_p95_ms: Option<f64>,
    /// Largest D1 database, GB.
    pub d1_database_gb: Option<f64>,
    /// GB that database grows per month.
    pub d1_growth_gb_per_month: Option<f64>,
    /// Peak writes per second to that database.
    pub d1_writes_per_second: Option<f64>,
    /// Peak queries/s to that database, reads and writes.
    pub d1_queries_per_second: Option<f64>,
    /// Mean query ms (`meta.duration`). One database runs one query at a time, so it serves
    /// about 1,000 ÷ this many queries per second.
    pub d1_query_ms: Option<f64>,
    /// D1 queries per request on the hottest route.
    pub d1_queries_per_request: Option<f64>,
    /// Peak writes per second to the hottest KV key.
    pub kv_hot_key_writes_per_second: Option<f64>,
    /// Fraction of KV reads served from the local cache, 0 to 1.
    pub kv_cache_hit_rate: Option<f64>,
    /// Peak memory of a Worker isolate, MB.
    pub worker_memory_mb: Option<f64>,
    /// p99 CPU time per request, ms.
    pub worker_cpu_ms_p99: Option<f64>,
    /// The configured limits.cpu_ms. Read from the Wrangler config when one is given.
    pub cpu_limit_ms: Option<f64>,
    /// Subrequests per request on the busiest route.
    pub subrequests_per_request: Option<f64>,
    /// KV and D1 calls per request. They count against 1,000 per invocation on KV's and D1's
    /// pages.
    pub service_calls_per_request: Option<f64>,
    /// Messages waiting in the busiest queue.
    pub queue_backlog_messages: Option<f64>,
    /// Age of the oldest unprocessed message, seconds.
    pub queue_consumer_lag_seconds: Option<f64>,
    /// Lag growth, seconds per hour. 0 when steady; it decides whether lag is rising and when it
    /// reaches retention.
    pub queue_lag_growth_seconds_per_hour: Option<f64>,
    /// Configured retention, hours. Default the plan's: 4 days on Paid, 24 h on Free.
    pub queue_retention_hours: Option<f64>,
    /// Peak messages/s to the busiest queue.
    pub queue_messages_per_second: Option<f64>,
    /// Whether every queue consumer has a dead-letter queue.
    pub queue_has_dlq: Option<bool>,
    /// Largest upload through the Worker, MB.
    pub r2_upload_mb: Option<f64>,
    /// Peak requests per second to the busiest Durable Object.
    pub durable_object_peak_rps_per_object: Option<f64>,
    /// Mean handler ms of that object. One object serves about 1,000 ÷ this many requests per
    /// second (the documented 1,000 holds for ~1 ms requests).
    pub durable_object_handler_ms: Option<f64>,
    /// Fraction of cacheable requests the edge cache answers, 0 to 1.
    pub edge_cache_hit_rate: Option<f64>,
    /// Reads per write on the main data.
    pub read_write_ratio: Option<f64>,
    /// How stale a read may be, seconds.
    pub staleness_tolerance_seconds: Option<f64>,
    /// Number of tenants.
    pub tenants: Option<f64>,
    /// Whether Smart Placement is on.
    pub smart_placement: Option<bool>,
    /// Whether users are spread across continents.
    pub users_global: Option<bool>,
    /// Peak Workflow instances created/s.
    pub workflow_creations_per_second: Option<f64>,
    /// Share of D1 rows read that an index would avoid, 0 to 1. From import_usage.
    pub d1_rows_read_avoidable: Option<f64>,
    /// Durable Objects that exist, active or not.
    pub durable_objects_held: Option<f64>,
    /// Whether every static asset request runs the Worker first. Read from the config.
    pub run_worker_first: Option<bool>,
}

/// What an agent knows about a project, the input of `recommend_scaling`. Everything is
/// optional; unknown fields are rejected.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectContext {
    /// Workers plan; unknown is assumed paid.
    #[serde(default)]
    pub plan: Option<Plan>,
    /// Requests per day today; picks the growth stage.
    #[serde(default)]
    pub requests_per_day: Option<f64>,
    /// Peak requests per second.
    #[serde(default)]
    pub peak_requests_per_second: Option<f64>,
    /// Traffic growth per month in percent, e.g. 15. Projects when limits are hit.
    #[serde(default)]
    pub growth_percent_per_month: Option<f64>,
    /// The products the project uses.
    #[serde(default)]
    pub services: Option<Vec<Service>>,
    /// Measurements.
    #[serde(default)]
    pub observations: Observations,
    /// An estimate_cost profile of the monthly usage: prices the bill and each fix.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub usage: Option<UsageProfile>,
    /// Today's date, `YYYY-MM-DD`; names D1 partitions. Engines read no clock; the server fills
    /// it in when absent.
    #[serde(default)]
    pub today: Option<String>,
    /// The Wrangler config; fills services, queue_has_dlq and smart_placement when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<ConfigSource>,
    /// An analyze_project result, or a project directory to scan: its findings join the
    /// recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Value>")]
    pub project: Option<super::ProjectSource>,
}

/// The syntax of a Wrangler configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigFormat {
    /// wrangler.toml.
    Toml,
    /// wrangler.json (comments and trailing commas accepted, as Wrangler does).
    Json,
    /// wrangler.jsonc.
    Jsonc,
}

/// A Wrangler configuration to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSource {
    /// The file's text, at most 1 MiB.
    pub content: String,
    /// The syntax; sniffed from the text when absent.
    #[serde(default)]
    pub format: Option<ConfigFormat>,
}
