//! How cost metering turns a [`UsageProfile`] into billed quantities, and its validation.

use rust_decimal::Decimal;

use crate::engine::model::{InputError, UsagePeriod, UsageProfile, check_quantity};

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
    /// A quantity held rather than a flow (storage, databases, buckets, scripts, browsers): not
    /// multiplied by the day period, and not scaled along a curve unless asked.
    pub storage: bool,
}

/// How Workers Logs events are billed in the month priced: per event (until 2026-11-30), or as
/// Cloudflare Observability GB (from 2026-12-01), with the conversion factors the price table's
/// rules give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Logs {
    /// `workers_logs.events` has a price in force.
    PerEvent,
    /// Events become GB ingested and GB-months stored.
    AsGb {
        /// Bytes per event when the profile gives none.
        bytes_per_event: Decimal,
        /// Days kept queryable when the profile gives none.
        retention_days: Decimal,
    },
}

/// Numbers the metering needs from the price table's billing rules.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    pub days_per_month: Decimal,
    pub do_billed_memory_gb: Decimal,
    pub do_websocket_messages_per_request: Decimal,
    pub queues_chunk_kb: Decimal,
    pub queues_operations_per_message: Decimal,
    pub logs: Logs,
}

/// What the metering derived and a report should state: the logs conversion, when it happened.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Derived {
    /// GB ingested from Workers Logs events, with the bytes per event and the retention used.
    pub logs_gb: Option<(Decimal, Decimal, Decimal)>,
    /// GB-months stored derived from GB ingested (no `gb_month_stored` given), at this retention.
    pub stored_from_ingest: Option<Decimal>,
}

/// How a quantity follows the profile's period and a curve's multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// A count per period: ×30 for a per-day profile, scaled along a curve.
    Flow,
    /// A quantity held (storage, databases): scaled along a curve only with
    /// `curve_scales_storage`.
    Held,
    /// Already a monthly quantity at this multiplier.
    Fixed,
}

const GB: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

fn dec(path: &str, v: f64) -> Result<Decimal, InputError> {
    check_quantity(path, v)?;
    Decimal::try_from(v)
        .map_err(|_| InputError::new(path, format!("cannot be used as a number: {v}")))
}

/// [`dec`] for the field `product.metric`, formatting the path only when reporting an error.
fn dec_at(product: &str, metric: &str, v: f64) -> Result<Decimal, InputError> {
    match Decimal::try_from(v) {
        Ok(d) if v.is_finite() && (0.0..=crate::engine::model::MAX_QUANTITY).contains(&v) => Ok(d),
        _ => dec(&format!("{product}.{metric}"), v),
    }
}

fn mul(path: &str, a: Decimal, b: Decimal) -> Result<Decimal, InputError> {
    a.checked_mul(b)
        .ok_or_else(|| InputError::new(path, "the quantity it implies is too large to price"))
}

/// `YYYY-MM` with a plausible year and month.
pub(super) fn is_month(s: &str) -> bool {
    crate::knowledge::is_iso_date(&format!("{s}-01"))
}

impl UsageProfile {
    /// Checks every number and the combinations the tool forbids.
    pub fn validate(&self) -> Result<(), InputError> {
        self.meter_with(&Rules::neutral(), Decimal::ONE, true)
            .map(|_| ())?;
        if let Some(m) = self.month.as_deref().filter(|m| !is_month(m)) {
            return Err(InputError::new(
                "month",
                format!("must be a billing month YYYY-MM, e.g. 2026-12 (got {m:?})"),
            ));
        }
        if let Some(rate) = self.workers_logs.head_sampling_rate
            && !(rate.is_finite() && (0.0..=1.0).contains(&rate))
        {
            return Err(InputError::new(
                "workers_logs.head_sampling_rate",
                format!("must be a fraction from 0 to 1 (got {rate})"),
            ));
        }
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
        self.meter_derived(rules, multiplier, scale_storage)
            .map(|(m, _)| m)
    }

    /// [`Self::meter_with`], with what the metering derived.
    pub(super) fn meter_derived(
        &self,
        rules: &Rules,
        multiplier: Decimal,
        scale_storage: bool,
    ) -> Result<(Vec<Meter>, Derived), InputError> {
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
        let mut derived = Derived::default();
        let mut push = |product: &'static str,
                        metric: &'static str,
                        price_id: &'static str,
                        raw: Decimal,
                        scale: Scale|
         -> Result<(), InputError> {
            let factor = match scale {
                Scale::Flow => count_factor,
                Scale::Held => storage_factor,
                Scale::Fixed => Decimal::ONE,
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
                    storage: scale != Scale::Flow,
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
            Scale::Flow,
        )?;
        push(
            "workers",
            "cpu_ms",
            "workers.cpu_ms",
            mul("workers.cpu_ms_per_request", requests, cpu)?,
            Scale::Flow,
        )?;

        // Workers Logs: per event until 2026-11-30, then GB into the Observability pool.
        let logs = &self.workers_logs;
        let sampled = mul(
            "workers_logs.head_sampling_rate",
            dec("workers_logs.events", logs.events)?,
            Decimal::try_from(logs.head_sampling_rate.unwrap_or(1.0).clamp(0.0, 1.0))
                .unwrap_or(Decimal::ONE),
        )?;
        let bytes = dec("workers_logs.bytes_per_event", logs.bytes_per_event)?;
        let retention = dec("workers_logs.retention_days", logs.retention_days)?;
        let o = &self.observability;
        let mut ingest = dec("observability.gb_ingested", o.gb_ingested)?;
        let stored = dec("observability.gb_month_stored", o.gb_month_stored)?;
        let mut derived_storage = Decimal::ZERO;
        match rules.logs {
            Logs::PerEvent => push(
                "workers_logs",
                "events",
                "workers_logs.events",
                sampled,
                Scale::Flow,
            )?,
            Logs::AsGb {
                bytes_per_event,
                retention_days,
            } => {
                if !sampled.is_zero() {
                    let bytes = if bytes.is_zero() {
                        bytes_per_event
                    } else {
                        bytes
                    };
                    let retention = if retention.is_zero() {
                        retention_days
                    } else {
                        retention
                    };
                    let gb = mul("workers_logs.events", sampled, bytes)? / GB;
                    ingest += gb;
                    derived_storage += gb * retention / rules.days_per_month;
                    derived.logs_gb = Some((gb, bytes, retention));
                }
                if stored.is_zero() && !o.gb_ingested.is_nan() && o.gb_ingested > 0.0 {
                    derived_storage += dec("observability.gb_ingested", o.gb_ingested)?
                        * retention_days
                        / rules.days_per_month;
                    derived.stored_from_ingest = Some(retention_days);
                }
            }
        }
        push(
            "observability",
            "ingest_gb",
            "observability.ingest_gb",
            ingest,
            Scale::Flow,
        )?;
        // GB-months given are held for the month; those derived follow the ingest's period.
        let stored_total = mul("observability.gb_month_stored", stored, storage_factor)?
            + mul("observability.gb_ingested", derived_storage, count_factor)?;
        push(
            "observability",
            "storage_gb_months",
            "observability.storage_gb_months",
            stored_total,
            Scale::Fixed,
        )?;

        // Fields billed as given, in report order: (product, metric, price, value, held).
        let kv = &self.kv;
        let d1 = &self.d1;
        let r2 = &self.r2;
        let ia = &r2.infrequent_access;
        for (product, metric, price_id, value, storage) in [
            ("kv", "reads", "kv.reads", kv.reads, Scale::Flow),
            ("kv", "writes", "kv.writes", kv.writes, Scale::Flow),
            ("kv", "deletes", "kv.deletes", kv.deletes, Scale::Flow),
            ("kv", "lists", "kv.lists", kv.lists, Scale::Flow),
            ("kv", "storage_gb", "kv.storage", kv.storage_gb, Scale::Held),
            ("d1", "rows_read", "d1.rows_read", d1.rows_read, Scale::Flow),
            (
                "d1",
                "rows_written",
                "d1.rows_written",
                d1.rows_written,
                Scale::Flow,
            ),
            ("d1", "storage_gb", "d1.storage", d1.storage_gb, Scale::Held),
            ("d1", "databases", "d1.databases", d1.databases, Scale::Held),
            ("r2", "storage_gb", "r2.storage", r2.storage_gb, Scale::Held),
            ("r2", "class_a", "r2.class_a", r2.class_a, Scale::Flow),
            ("r2", "class_b", "r2.class_b", r2.class_b, Scale::Flow),
            ("r2", "buckets", "r2.buckets", r2.buckets, Scale::Held),
            (
                "r2",
                "infrequent_access.storage_gb",
                "r2_ia.storage",
                ia.storage_gb,
                Scale::Held,
            ),
            (
                "r2",
                "infrequent_access.class_a",
                "r2_ia.class_a",
                ia.class_a,
                Scale::Flow,
            ),
            (
                "r2",
                "infrequent_access.class_b",
                "r2_ia.class_b",
                ia.class_b,
                Scale::Flow,
            ),
            (
                "r2",
                "infrequent_access.retrieval_gb",
                "r2_ia.retrieval",
                ia.retrieval_gb,
                Scale::Flow,
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
            Scale::Flow,
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
            Scale::Flow,
        )?;
        for (product, metric, price_id, value, storage) in [
            (
                "durable_objects",
                "sqlite_rows_read",
                "do_sqlite.rows_read",
                o.sqlite_rows_read,
                Scale::Flow,
            ),
            (
                "durable_objects",
                "sqlite_rows_written",
                "do_sqlite.rows_written",
                o.sqlite_rows_written,
                Scale::Flow,
            ),
            (
                "durable_objects",
                "sqlite_storage_gb",
                "do_sqlite.storage",
                o.sqlite_storage_gb,
                Scale::Held,
            ),
            (
                "durable_objects",
                "kv_read_units",
                "do_kv.read_units",
                o.kv_read_units,
                Scale::Flow,
            ),
            (
                "durable_objects",
                "kv_write_units",
                "do_kv.write_units",
                o.kv_write_units,
                Scale::Flow,
            ),
            (
                "durable_objects",
                "kv_deletes",
                "do_kv.deletes",
                o.kv_deletes,
                Scale::Flow,
            ),
            (
                "durable_objects",
                "kv_storage_gb",
                "do_kv.storage",
                o.kv_storage_gb,
                Scale::Held,
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
            Scale::Flow,
        )?;

        let (wf, ae, v) = (&self.workflows, &self.analytics_engine, &self.vectorize);
        let (ai, c, b, lp) = (
            &self.workers_ai,
            &self.containers,
            &self.browser_run,
            &self.logpush,
        );
        for (product, metric, price_id, value, storage) in [
            (
                "workflows",
                "steps",
                "workflows.steps",
                wf.steps,
                Scale::Flow,
            ),
            (
                "workflows",
                "storage_gb",
                "workflows.storage",
                wf.storage_gb,
                Scale::Held,
            ),
            (
                "analytics_engine",
                "data_points",
                "analytics_engine.data_points",
                ae.data_points,
                Scale::Flow,
            ),
            (
                "analytics_engine",
                "read_queries",
                "analytics_engine.read_queries",
                ae.read_queries,
                Scale::Flow,
            ),
            (
                "hyperdrive",
                "queries",
                "hyperdrive.queries",
                self.hyperdrive.queries,
                Scale::Flow,
            ),
            (
                "vectorize",
                "queried_dimensions",
                "vectorize.queried_dimensions",
                v.queried_dimensions,
                Scale::Flow,
            ),
            (
                "vectorize",
                "stored_dimensions",
                "vectorize.stored_dimensions",
                v.stored_dimensions,
                Scale::Held,
            ),
            (
                "workers_ai",
                "neurons",
                "workers_ai.neurons",
                ai.neurons,
                Scale::Flow,
            ),
            (
                "containers",
                "memory_gib_s",
                "containers.memory_gib_s",
                c.memory_gib_s,
                Scale::Flow,
            ),
            (
                "containers",
                "vcpu_s",
                "containers.vcpu_s",
                c.vcpu_s,
                Scale::Flow,
            ),
            (
                "containers",
                "disk_gb_s",
                "containers.disk_gb_s",
                c.disk_gb_s,
                Scale::Flow,
            ),
            (
                "containers",
                "egress_gb_north_america_europe",
                "containers.egress_gb_north_america_europe",
                c.egress_gb_north_america_europe,
                Scale::Flow,
            ),
            (
                "containers",
                "egress_gb_oceania_korea_taiwan",
                "containers.egress_gb_oceania_korea_taiwan",
                c.egress_gb_oceania_korea_taiwan,
                Scale::Flow,
            ),
            (
                "containers",
                "egress_gb_other",
                "containers.egress_gb_other",
                c.egress_gb_other,
                Scale::Flow,
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

        let p = &self.workers_for_platforms;
        let wfp_requests = dec("workers_for_platforms.requests", p.requests)?;
        let wfp_cpu = dec(
            "workers_for_platforms.cpu_ms_per_request",
            p.cpu_ms_per_request,
        )?;
        let scripts = dec("workers_for_platforms.scripts", p.scripts)?;
        if !(wfp_requests.is_zero() && wfp_cpu.is_zero() && scripts.is_zero()) {
            // The plan's fee, once a month: not scaled by the period or a curve.
            push(
                "workers_for_platforms",
                "subscription",
                "workers_for_platforms.subscription",
                Decimal::ONE,
                Scale::Fixed,
            )?;
        }
        push(
            "workers_for_platforms",
            "requests",
            "workers_for_platforms.requests",
            wfp_requests,
            Scale::Flow,
        )?;
        push(
            "workers_for_platforms",
            "cpu_ms",
            "workers_for_platforms.cpu_ms",
            mul(
                "workers_for_platforms.cpu_ms_per_request",
                wfp_requests,
                wfp_cpu,
            )?,
            Scale::Flow,
        )?;
        push(
            "workers_for_platforms",
            "scripts",
            "workers_for_platforms.scripts",
            scripts,
            Scale::Held,
        )?;

        for (product, metric, price_id, value, storage) in [
            (
                "browser_run",
                "hours",
                "browser_run.hours",
                b.hours,
                Scale::Flow,
            ),
            (
                "browser_run",
                "concurrent_browsers",
                "browser_run.concurrent_browsers",
                b.concurrent_browsers,
                Scale::Held,
            ),
            (
                "logpush",
                "cloudflare_destination_gb",
                "logpush.cloudflare_destination_gb",
                lp.cloudflare_destination_gb,
                Scale::Flow,
            ),
            (
                "logpush",
                "external_destination_gb",
                "logpush.external_destination_gb",
                lp.external_destination_gb,
                Scale::Flow,
            ),
            (
                "logpush",
                "transformed_gb",
                "logpush.transformed_gb",
                lp.transformed_gb,
                Scale::Flow,
            ),
            (
                "logpush",
                "workers_trace_events_requests",
                "logpush.workers_trace_events_requests",
                lp.workers_trace_events_requests,
                Scale::Flow,
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
        Ok((out, derived))
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
            logs: Logs::PerEvent,
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
