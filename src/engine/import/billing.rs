//! Reading billable-usage rows: v2 (`GET /accounts/{id}/billable/usage`, FinOps FOCUS rows with
//! `x_BillableMetricId`, one per metric per day, free-tier usage included) and v1
//! (`GET /accounts/{id}/billable-usage`, rows named by `ServiceName`). Both come in Cloudflare's
//! `{result, success, errors}` envelope, or as the bare `result` array.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::graphql::{Bounds, kind};
use super::tally::{Bucket, MeterKind, Tally, meter, parse_time};
use crate::engine::model::{InputError, MAX_QUANTITY};

/// Billing metric ids and the meter each fills. Cloudflare's API reference documents one id,
/// `workers_standard_requests` (the v2 example and its `metric` filter); the others were
/// recorded from an account's billable-usage page (2026-10) and are matched by prefix, because
/// ids may carry suffixes. An id not here is reported, never guessed.
const METRICS: &[(&str, &str)] = &[
    ("workers_standard_requests", "workers.requests"),
    ("workers_cpu_ms", "workers.cpu_ms"),
    ("workers_logs", "workers_logs.events"),
    ("kv_read_operations", "kv.reads"),
    ("kv_write_operations", "kv.writes"),
    ("kv_list_operations", "kv.lists"),
    ("kv_delete_operations", "kv.deletes"),
    ("kv_storage", "kv.storage_gb"),
    ("d1_rows_read", "d1.rows_read"),
    ("d1_rows_written", "d1.rows_written"),
    ("d1_storage", "d1.storage_gb"),
    ("r2_storage_class_a_operations", "r2.class_a"),
    ("r2_storage_class_b_operations", "r2.class_b"),
    (
        "durable_objects_compute_requests",
        "durable_objects.requests",
    ),
    (
        "durable_objects_compute_duration",
        "durable_objects.duration_gb_s",
    ),
    (
        "durable_objects_storage_rows_read",
        "durable_objects.sqlite_rows_read",
    ),
    (
        "durable_objects_storage_rows_written",
        "durable_objects.sqlite_rows_written",
    ),
    (
        "durable_objects_sql_storage",
        "durable_objects.sqlite_storage_gb",
    ),
    ("queues_standard_operations", "queues.operations"),
];

/// The most rows read over all documents.
const MAX_ROWS: usize = 1_000_000;

/// Whether a document looks like billable usage: the envelope, or an array of rows.
pub(super) fn is_billing(doc: &Value) -> bool {
    let row = |v: &Value| v.get("ConsumedQuantity").is_some();
    match doc {
        Value::Array(rows) => rows.first().is_none_or(row),
        Value::Object(o) => match o.get("result") {
            Some(Value::Array(rows)) => rows.first().is_none_or(row),
            Some(Value::Null) => o.contains_key("success"),
            _ => false,
        },
        _ => false,
    }
}

/// Reads one billable-usage document.
pub(super) fn read(
    name: &str,
    doc: &Value,
    bounds: Bounds,
    t: &mut Tally,
) -> Result<(), InputError> {
    let (rows, path) = match doc {
        Value::Array(rows) => (rows, name.to_owned()),
        Value::Object(o) => match o.get("result") {
            Some(Value::Array(rows)) => (rows, format!("{name}.result")),
            _ => {
                let errors: Vec<String> = o
                    .get("errors")
                    .and_then(Value::as_array)
                    .map(|e| {
                        e.iter()
                            .filter_map(|e| e.get("message").and_then(Value::as_str))
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                return Err(InputError::new(
                    format!("{name}.result"),
                    format!(
                        "is null: the billing API answered {}. Billable usage needs a token with Billing Read",
                        if errors.is_empty() {
                            "no rows".to_owned()
                        } else {
                            errors.join("; ")
                        }
                    ),
                ));
            }
        },
        other => {
            return Err(InputError::new(
                name,
                format!("must be an object or an array (got {})", kind(other)),
            ));
        }
    };
    t.billing_rows += rows.len();
    if t.billing_rows > MAX_ROWS {
        return Err(InputError::new(
            path,
            format!("more than {MAX_ROWS} rows in all: query fewer days"),
        ));
    }
    let mut unread: BTreeSet<String> = BTreeSet::new();
    let mut outside = 0usize;
    for (i, row) in rows.iter().enumerate() {
        let Value::Object(row) = row else {
            t.warnings.add(format!(
                "{path}[{i}]: a row must be an object (got {}); skipped",
                kind(row)
            ));
            continue;
        };
        let at = |field: &str| format!("{path}[{i}].{field}");
        let quantity = match row.get("ConsumedQuantity") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let Some(quantity) = quantity.filter(|q| q.is_finite() && (0.0..=MAX_QUANTITY).contains(q))
        else {
            t.warnings.add(format!(
                "{}: not a number from 0 to 1e15 ({}); the row was skipped",
                at("ConsumedQuantity"),
                row.get("ConsumedQuantity").unwrap_or(&Value::Null)
            ));
            continue;
        };
        let period = period(row);
        let Some(bucket) = period else {
            t.warnings.add(format!(
                "{}: ChargePeriodStart/ChargePeriodEnd are not RFC 3339 times; the row was skipped",
                at("ChargePeriodStart")
            ));
            continue;
        };
        // A row reaching past the window counts for the part inside it.
        let mut share = 1.0;
        if let Some((start, end)) = bounds {
            let overlap = (bucket.start + bucket.len).min(end) - bucket.start.max(start);
            if overlap <= 0 {
                outside += 1;
                continue;
            }
            if overlap < bucket.len {
                share = overlap as f64 / bucket.len as f64;
                t.warnings.add(format!(
                    "{path}: rows reaching past the window were counted for the part inside it"
                ));
            }
        }
        let unit = row
            .get("ConsumedUnit")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let id = row.get("x_BillableMetricId").and_then(Value::as_str);
        let service = row.get("ServiceName").and_then(Value::as_str);
        let target = match (id, service) {
            (Some(id), _) => METRICS
                .iter()
                .find(|(prefix, _)| id == *prefix || id.starts_with(&format!("{prefix}_")))
                .map(|(_, m)| *m),
            // v1 rows name a service, not a metric: only Workers Standard requests are certain.
            (None, Some(s))
                if s.eq_ignore_ascii_case("Workers Standard")
                    && matches!(unit.as_str(), "" | "requests" | "count") =>
            {
                Some("workers.requests")
            }
            _ => None,
        };
        let Some(mut target) = target else {
            let label = id
                .or(service)
                .unwrap_or("(no x_BillableMetricId or ServiceName)");
            unread.insert(if unit.is_empty() {
                label.to_owned()
            } else {
                format!("{label} ({unit})")
            });
            continue;
        };
        // From 2026-12-01 Workers Logs bill by the GB.
        if target == "workers_logs.events" && (unit.contains("gb") || unit.contains("gigabyte")) {
            target = "observability.gb_ingested";
        }
        let Some(def) = meter(target) else {
            continue;
        };
        // One row per metric per day: a second row for the same meter and period (v1 and v2
        // together, or one answer given twice) is not added again.
        if !t
            .billed_periods
            .insert((def.path, bucket.start, bucket.len))
        {
            t.warnings.add(format!(
                "{path}: rows repeating a meter and period already read (v1 and v2 together, or overlapping answers) were read once"
            ));
            continue;
        }
        let Some(value) = convert(target, def.kind, &unit, quantity, &at("ConsumedUnit"), t) else {
            continue;
        };
        t.saw("billable usage", bucket);
        if let Some(p) = target.split('.').next().and_then(|p| {
            crate::engine::model::PRODUCT_ORDER
                .iter()
                .find(|q| **q == p)
                .copied()
        }) {
            t.billed_products.insert(p);
        }
        let r = t.readings.entry(def.path).or_default();
        match value {
            Amount::Total(v) => *r.billing.get_or_insert(0.0) += v * share,
            Amount::Level(gb) => {
                r.billing.get_or_insert(0.0);
                let e = r.billing_daily.entry(bucket.day()).or_insert(gb);
                *e = e.max(gb);
            }
        }
    }
    if !unread.is_empty() {
        let list: Vec<String> = unread.iter().take(8).cloned().collect();
        let more = unread.len().saturating_sub(8);
        t.warnings.add(format!(
            "{path}: billing metrics not imported (no mapping, so their cost is not in the total): {}{}",
            list.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
    }
    if outside > 0 {
        t.warnings.add(format!(
            "{path}: {outside} row(s) outside the window were left out"
        ));
    }
    Ok(())
}

/// A row's charge period as a bucket.
fn period(row: &Map<String, Value>) -> Option<Bucket> {
    let time = |k: &str| row.get(k).and_then(Value::as_str).and_then(parse_time);
    let start = time("ChargePeriodStart")?;
    let end = time("ChargePeriodEnd").unwrap_or(start + super::tally::DAY);
    (end > start).then_some(Bucket {
        start,
        len: end - start,
    })
}

/// A billing row's quantity in the meter's unit.
enum Amount {
    /// Adds to the window's total (counts, GB-months).
    Total(f64),
    /// A level held that day, in GB.
    Level(f64),
}

/// Converts a row's quantity by its unit; an unexpected unit is assumed to be the meter's own,
/// with a warning.
fn convert(
    target: &str,
    kind: MeterKind,
    unit: &str,
    q: f64,
    at: &str,
    t: &mut Tally,
) -> Option<Amount> {
    let assumed = |t: &mut Tally, what: &str| {
        t.warnings.add(format!(
            "{at}: unit `{unit}` for {target} not recognised; assumed {what}"
        ));
    };
    Some(match kind {
        MeterKind::Storage => {
            if unit.contains("month") {
                Amount::Total(q)
            } else if unit.contains("gb") || unit.contains("gigabyte") {
                Amount::Level(q)
            } else if unit.contains("byte") {
                Amount::Level(q / 1e9)
            } else {
                assumed(t, "GB-months");
                Amount::Total(q)
            }
        }
        MeterKind::Count | MeterKind::Held => {
            if target == "workers.cpu_ms" {
                match unit {
                    "ms" | "milliseconds" | "millisecond" | "cpu ms" | "cpu milliseconds" => {
                        Amount::Total(q)
                    }
                    "s" | "seconds" | "second" => Amount::Total(q * 1_000.0),
                    "µs" | "us" | "microseconds" => Amount::Total(q / 1_000.0),
                    _ => {
                        assumed(t, "milliseconds");
                        Amount::Total(q)
                    }
                }
            } else if target == "durable_objects.duration_gb_s" {
                if !unit.contains("gb") {
                    assumed(t, "GB-seconds");
                }
                Amount::Total(q)
            } else if target == "observability.gb_ingested" {
                let bytes = unit.contains("byte") && !unit.contains("gigabyte");
                Amount::Total(if bytes { q / 1e9 } else { q })
            } else {
                match unit {
                    "" | "count" | "requests" | "request" | "operations" | "operation" | "rows"
                    | "events" | "messages" => Amount::Total(q),
                    u if u.starts_with("million") => Amount::Total(q * 1e6),
                    _ => {
                        assumed(t, "a plain count");
                        Amount::Total(q)
                    }
                }
            }
        }
    })
}
