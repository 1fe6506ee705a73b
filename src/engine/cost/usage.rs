//! `UsageProfile`: the input of `estimate_cost`, and its validation and metering into billed
//! quantities.

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::{InputError, Plan, check_quantity};

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
    pub config: Option<crate::engine::config::ConfigSource>,
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
pub(super) const PRODUCT_ORDER: [&str; 12] = [
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

/// One billed quantity, before prices: which input it came from and which price applies.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Meter {
    /// Input key of the product, e.g. `durable_objects`.
    pub product: &'static str,
    /// Metric name in the report, e.g. `sqlite_rows_read`.
    pub metric: &'static str,
    /// The price row that bills it.
    pub price_id: &'static str,
    /// Monthly quantity, in the price row's unit.
    pub quantity: Decimal,
    /// Storage: not multiplied by the day period, and not scaled along a curve unless asked.
    pub storage: bool,
}

/// Numbers the metering needs from the price table's billing rules.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    pub days_per_month: Decimal,
    pub do_billed_memory_gb: Decimal,
    pub do_websocket_messages_per_request: Decimal,
    pub queues_chunk_kb: Decimal,
    pub queues_operations_per_message: Decimal,
}

fn dec(path: &str, v: f64) -> Result<Decimal, InputError> {
    check_quantity(path, v)?;
    Decimal::try_from(v)
        .map_err(|_| InputError::new(path, format!("cannot be used as a number: {v}")))
}

/// [`dec`] for the field `product.metric`, formatting the path only when reporting an error.
fn dec_at(product: &str, metric: &str, v: f64) -> Result<Decimal, InputError> {
    match Decimal::try_from(v) {
        Ok(d) if v.is_finite() && (0.0..=crate::engine::MAX_QUANTITY).contains(&v) => Ok(d),
        _ => dec(&format!("{product}.{metric}"), v),
    }
}

fn mul(path: &str, a: Decimal, b: Decimal) -> Result<Decimal, InputError> {
    a.checked_mul(b)
        .ok_or_else(|| InputError::new(path, "the quantity it implies is too large to price"))
}

impl UsageProfile {
    /// Checks every number and the combinations the tool forbids.
    pub fn validate(&self) -> Result<(), InputError> {
        self.meter_with(&Rules::neutral(), Decimal::ONE, true)
            .map(|_| ())?;
        let d = &self.durable_objects;
        if d.active_seconds > 0.0 && d.duration_gb_s > 0.0 {
            return Err(InputError::new(
                "durable_objects",
                "give active_seconds or duration_gb_s, not both",
            ));
        }
        if let Some(other) = &self.compare_to {
            if other.compare_to.is_some() || !other.curve.is_empty() {
                return Err(InputError::new(
                    "compare_to",
                    "a compared profile may not have its own compare_to or curve",
                ));
            }
            other.validate().map_err(|e| prefix("compare_to", e))?;
        }
        if self.curve.len() > super::MAX_CURVE_POINTS {
            return Err(InputError::new(
                "curve",
                format!(
                    "has {} points; at most {} are accepted",
                    self.curve.len(),
                    super::MAX_CURVE_POINTS
                ),
            ));
        }
        for (i, m) in self.curve.iter().enumerate() {
            if !(m.is_finite() && *m > 0.0 && *m <= super::MAX_MULTIPLIER) {
                return Err(InputError::new(
                    format!("curve[{i}]"),
                    format!("must be a multiplier above 0 and at most 1e6 (got {m})"),
                ));
            }
        }
        Ok(())
    }

    /// The billed quantities of this profile, scaled by `multiplier` (storage too when
    /// `scale_storage`).
    pub(super) fn meter_with(
        &self,
        rules: &Rules,
        multiplier: Decimal,
        scale_storage: bool,
    ) -> Result<Vec<Meter>, InputError> {
        let days = match self.period {
            UsagePeriod::Month => Decimal::ONE,
            UsagePeriod::Day => rules.days_per_month,
        };
        let count_factor = mul("curve", days, multiplier)?;
        let storage_factor = if scale_storage {
            multiplier
        } else {
            Decimal::ONE
        };
        let mut out = Vec::with_capacity(16);
        let mut push = |product: &'static str,
                        metric: &'static str,
                        price_id: &'static str,
                        raw: Decimal,
                        storage: bool|
         -> Result<(), InputError> {
            let factor = if storage {
                storage_factor
            } else {
                count_factor
            };
            let quantity = raw.checked_mul(factor).ok_or_else(|| {
                InputError::new(
                    format!("{product}.{metric}"),
                    "the quantity it implies is too large to price",
                )
            })?;
            if !quantity.is_zero() {
                out.push(Meter {
                    product,
                    metric,
                    price_id,
                    quantity,
                    storage,
                });
            }
            Ok(())
        };

        let w = &self.workers;
        let requests = dec("workers.requests", w.requests)?;
        let cache_hits = dec("workers.cache_hits", w.cache_hits)?;
        let cpu = dec("workers.cpu_ms_per_request", w.cpu_ms_per_request)?;
        dec("workers.static_asset_requests", w.static_asset_requests)?;
        push(
            "workers",
            "requests",
            "workers.requests",
            requests + cache_hits,
            false,
        )?;
        push(
            "workers",
            "cpu_ms",
            "workers.cpu_ms",
            mul("workers.cpu_ms_per_request", requests, cpu)?,
            false,
        )?;

        // Fields billed as given, in report order: (product, metric, price, value, storage).
        let kv = &self.kv;
        let d1 = &self.d1;
        let r2 = &self.r2;
        let ia = &r2.infrequent_access;
        for (product, metric, price_id, value, storage) in [
            (
                "workers_logs",
                "events",
                "workers_logs.events",
                self.workers_logs.events,
                false,
            ),
            ("kv", "reads", "kv.reads", kv.reads, false),
            ("kv", "writes", "kv.writes", kv.writes, false),
            ("kv", "deletes", "kv.deletes", kv.deletes, false),
            ("kv", "lists", "kv.lists", kv.lists, false),
            ("kv", "storage_gb", "kv.storage", kv.storage_gb, true),
            ("d1", "rows_read", "d1.rows_read", d1.rows_read, false),
            (
                "d1",
                "rows_written",
                "d1.rows_written",
                d1.rows_written,
                false,
            ),
            ("d1", "storage_gb", "d1.storage", d1.storage_gb, true),
            ("r2", "storage_gb", "r2.storage", r2.storage_gb, true),
            ("r2", "class_a", "r2.class_a", r2.class_a, false),
            ("r2", "class_b", "r2.class_b", r2.class_b, false),
            (
                "r2",
                "infrequent_access.storage_gb",
                "r2_ia.storage",
                ia.storage_gb,
                true,
            ),
            (
                "r2",
                "infrequent_access.class_a",
                "r2_ia.class_a",
                ia.class_a,
                false,
            ),
            (
                "r2",
                "infrequent_access.class_b",
                "r2_ia.class_b",
                ia.class_b,
                false,
            ),
            (
                "r2",
                "infrequent_access.retrieval_gb",
                "r2_ia.retrieval",
                ia.retrieval_gb,
                false,
            ),
        ] {
            push(
                product,
                metric,
                price_id,
                dec_at(product, metric, value)?,
                storage,
            )?;
        }

        let o = &self.durable_objects;
        let ws = dec("durable_objects.websocket_messages", o.websocket_messages)?;
        let ws_requests = ws / rules.do_websocket_messages_per_request;
        let do_requests = dec("durable_objects.requests", o.requests)? + ws_requests;
        push(
            "durable_objects",
            "requests",
            "durable_objects.requests",
            do_requests,
            false,
        )?;
        let active = dec("durable_objects.active_seconds", o.active_seconds)?;
        let gb_s = dec("durable_objects.duration_gb_s", o.duration_gb_s)?
            + mul(
                "durable_objects.active_seconds",
                active,
                rules.do_billed_memory_gb,
            )?;
        push(
            "durable_objects",
            "duration_gb_s",
            "durable_objects.duration",
            gb_s,
            false,
        )?;
        for (product, metric, price_id, value, storage) in [
            (
                "durable_objects",
                "sqlite_rows_read",
                "do_sqlite.rows_read",
                o.sqlite_rows_read,
                false,
            ),
            (
                "durable_objects",
                "sqlite_rows_written",
                "do_sqlite.rows_written",
                o.sqlite_rows_written,
                false,
            ),
            (
                "durable_objects",
                "sqlite_storage_gb",
                "do_sqlite.storage",
                o.sqlite_storage_gb,
                true,
            ),
            (
                "durable_objects",
                "kv_read_units",
                "do_kv.read_units",
                o.kv_read_units,
                false,
            ),
            (
                "durable_objects",
                "kv_write_units",
                "do_kv.write_units",
                o.kv_write_units,
                false,
            ),
            (
                "durable_objects",
                "kv_deletes",
                "do_kv.deletes",
                o.kv_deletes,
                false,
            ),
            (
                "durable_objects",
                "kv_storage_gb",
                "do_kv.storage",
                o.kv_storage_gb,
                true,
            ),
        ] {
            push(
                product,
                metric,
                price_id,
                dec_at(product, metric, value)?,
                storage,
            )?;
        }

        let q = &self.queues;
        let operations = dec("queues.operations", q.operations)?;
        let operations = if operations.is_zero() {
            let kb = dec("queues.message_kb", q.message_kb)?;
            let chunks = (kb / rules.queues_chunk_kb).ceil().max(Decimal::ONE);
            let messages = dec("queues.messages", q.messages)?;
            let retries = dec("queues.retries", q.retries)?;
            let per_message = mul(
                "queues.message_kb",
                chunks,
                rules.queues_operations_per_message,
            )?;
            mul("queues.messages", messages, per_message)?
                .checked_add(mul("queues.retries", retries, chunks)?)
                .ok_or_else(|| {
                    InputError::new("queues", "the quantity it implies is too large to price")
                })?
        } else {
            for (field, v) in [
                ("messages", q.messages),
                ("message_kb", q.message_kb),
                ("retries", q.retries),
            ] {
                dec(&format!("queues.{field}"), v)?;
            }
            operations
        };
        push(
            "queues",
            "operations",
            "queues.operations",
            operations,
            false,
        )?;

        let (wf, ae, v) = (&self.workflows, &self.analytics_engine, &self.vectorize);
        for (product, metric, price_id, value, storage) in [
            ("workflows", "steps", "workflows.steps", wf.steps, false),
            (
                "workflows",
                "storage_gb",
                "workflows.storage",
                wf.storage_gb,
                true,
            ),
            (
                "analytics_engine",
                "data_points",
                "analytics_engine.data_points",
                ae.data_points,
                false,
            ),
            (
                "analytics_engine",
                "read_queries",
                "analytics_engine.read_queries",
                ae.read_queries,
                false,
            ),
            (
                "hyperdrive",
                "queries",
                "hyperdrive.queries",
                self.hyperdrive.queries,
                false,
            ),
            (
                "vectorize",
                "queried_dimensions",
                "vectorize.queried_dimensions",
                v.queried_dimensions,
                false,
            ),
            (
                "vectorize",
                "stored_dimensions",
                "vectorize.stored_dimensions",
                v.stored_dimensions,
                true,
            ),
        ] {
            push(
                product,
                metric,
                price_id,
                dec_at(product, metric, value)?,
                storage,
            )?;
        }
        Ok(out)
    }
}

impl Rules {
    /// Rules with every factor 1: enough to validate numbers without a price table.
    fn neutral() -> Self {
        Self {
            days_per_month: Decimal::ONE,
            do_billed_memory_gb: Decimal::ONE,
            do_websocket_messages_per_request: Decimal::ONE,
            queues_chunk_kb: Decimal::ONE,
            queues_operations_per_message: Decimal::ONE,
        }
    }
}

fn prefix(parent: &str, e: InputError) -> InputError {
    let path = if e.path.is_empty() {
        parent.to_owned()
    } else {
        format!("{parent}.{}", e.path)
    };
    InputError::new(path, e.message)
}
