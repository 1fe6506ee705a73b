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
        Ok(d) if v.is_finite() && (0.0..=crate::engine::model::MAX_QUANTITY).contains(&v) => Ok(d),
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
