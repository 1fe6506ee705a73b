use super::*;
use crate::engine::model::from_json;
use crate::knowledge::{Knowledge, knowledge};
use serde_json::json;

fn k() -> &'static Knowledge {
    knowledge().unwrap()
}

fn run(v: serde_json::Value) -> CostReport {
    try_run(v).unwrap_or_else(|e| panic!("{e}"))
}

fn try_run(v: serde_json::Value) -> Result<CostReport, InputError> {
    let profile: UsageProfile = from_json(v)?;
    estimate(&PriceTable::builtin(k()), &k().limits, &profile)
}

fn usd(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn subtotal(r: &CostReport, product: &str) -> Decimal {
    r.products
        .iter()
        .find(|p| p.product == product)
        .unwrap_or_else(|| panic!("no {product} in {r:#?}"))
        .subtotal_usd
}

fn line<'a>(r: &'a CostReport, product: &str, metric: &str) -> &'a CostLine {
    r.products
        .iter()
        .filter(|p| p.product == product)
        .flat_map(|p| &p.lines)
        .find(|l| l.metric == metric)
        .unwrap_or_else(|| panic!("no {product}.{metric}"))
}

// ---------------------------------------------------------------------------------------------
// Worked examples published by Cloudflare, reproduced to the cent.

/// Workers pricing (developers.cloudflare.com/workers/platform/pricing/), "Example pricing".
#[test]
fn docs_workers_example_1_15m_requests_7ms() {
    let r = run(json!({"workers": {"requests": 15_000_000, "cpu_ms_per_request": 7}}));
    assert_eq!(r.subscription_usd, usd("5.00"));
    assert_eq!(line(&r, "workers", "requests").cost_usd, usd("1.50"));
    assert_eq!(line(&r, "workers", "cpu_ms").cost_usd, usd("1.50"));
    assert_eq!(r.total_usd, usd("8.00"));
}

/// Workers pricing, "Example 2": 80 % of 15 M requests are static assets.
#[test]
fn docs_workers_example_2_static_assets_free() {
    let r = run(
        json!({"workers": {"requests": 3_000_000, "static_asset_requests": 12_000_000, "cpu_ms_per_request": 7}}),
    );
    assert_eq!(r.total_usd, usd("5.00"));
    assert!(
        r.assumptions
            .iter()
            .any(|a| a.contains("12,000,000 static asset requests are free"))
    );
}

/// Workers pricing, "Example 3": an hourly cron using 3 minutes of CPU.
#[test]
fn docs_workers_example_3_cron_3_minutes_cpu() {
    let r = run(json!({"workers": {"requests": 720, "cpu_ms_per_request": 180_000}}));
    assert_eq!(line(&r, "workers", "requests").cost_usd, Decimal::ZERO);
    assert_eq!(line(&r, "workers", "cpu_ms").cost_usd, usd("1.992"));
    assert_eq!(r.total_usd, usd("6.99"));
    assert!(
        r.warnings.iter().any(|w| w.contains("limits.cpu_ms")),
        "{:?}",
        r.warnings
    );
}

/// Workers pricing, "Example 4": 100 M requests at 7 ms.
#[test]
fn docs_workers_example_4_100m_requests() {
    let r = run(json!({"workers": {"requests": 100_000_000, "cpu_ms_per_request": 7}}));
    assert_eq!(line(&r, "workers", "requests").cost_usd, usd("27.00"));
    assert_eq!(line(&r, "workers", "cpu_ms").cost_usd, usd("13.40"));
    assert_eq!(r.total_usd, usd("45.40"));
}

/// Workers pricing, "Example 5: Worker with caching": 80 % cache hits bill as requests, no CPU.
#[test]
fn docs_workers_example_5_caching() {
    let r = run(
        json!({"workers": {"requests": 20_000_000, "cache_hits": 80_000_000, "cpu_ms_per_request": 7}}),
    );
    assert_eq!(line(&r, "workers", "requests").cost_usd, usd("27.00"));
    assert_eq!(line(&r, "workers", "cpu_ms").cost_usd, usd("2.20"));
    assert_eq!(r.total_usd, usd("34.20"));
}

/// Workers pricing, "Vectorize" › "Calculating vector dimensions": $0.31 gross, inside the
/// included allocation, so nothing is billed.
#[test]
fn docs_vectorize_dimensions() {
    let r = run(
        json!({"vectorize": {"queried_dimensions": 30_720_000, "stored_dimensions": 7_680_000}}),
    );
    let q = line(&r, "vectorize", "queried_dimensions");
    let s = line(&r, "vectorize", "stored_dimensions");
    let gross = q.quantity * q.usd_per_unit / q.per + s.quantity * s.usd_per_unit / s.per;
    assert_eq!(cents(gross), usd("0.31"));
    assert_eq!(subtotal(&r, "vectorize"), Decimal::ZERO);
    assert_eq!(r.total_usd, usd("5.00"));
}

/// Workers Logs (developers.cloudflare.com/workers/observability/logs/workers-logs/),
/// "Pricing" › "Examples" › "Example 1" and "Example 2".
#[test]
fn docs_workers_logs_examples() {
    // Per-event pricing, in force until 2026-11-30.
    let r = run(json!({"month": "2026-11", "workers_logs": {"events": 30_000_000}}));
    assert_eq!(subtotal(&r, "workers_logs"), usd("6.00"));
    assert_eq!(
        line(&r, "workers_logs", "events").in_force,
        "until 2026-11-30"
    );
    let r = run(json!({"month": "2026-11", "workers_logs": {"events": 200_000_000}}));
    assert_eq!(subtotal(&r, "workers_logs"), usd("108.00"));
    // The same example 2 with the sampling given instead: 1B requests x 2 logs at 10%.
    let r = run(
        json!({"month": "2026-11", "workers_logs": {"events": 2_000_000_000, "head_sampling_rate": 0.1}}),
    );
    assert_eq!(subtotal(&r, "workers_logs"), usd("108.00"));
}

/// From 2026-12-01 the same events bill as Observability GB (by hand: 30,000,000 events x 4,840
/// bytes = 145.2 GB ingested, (145.2 - 50) x $0.25 = $23.80; stored 145.2 x 7 / 30 = 33.88
/// GB-months, (33.88 - 12) x $0.10 = $2.188; $25.99 in all).
#[test]
fn workers_logs_bill_as_observability_from_december() {
    let r = run(json!({"month": "2026-12", "workers_logs": {"events": 30_000_000}}));
    assert!(r.products.iter().all(|p| p.product != "workers_logs"));
    assert_eq!(
        line(&r, "observability", "ingest_gb").quantity,
        usd("145.2")
    );
    assert_eq!(
        line(&r, "observability", "ingest_gb").cost_usd,
        usd("23.80")
    );
    assert_eq!(subtotal(&r, "observability"), usd("25.99"));
    assert!(
        r.assumptions
            .iter()
            .any(|a| a.contains("145.2 GB ingested") && a.contains("7 days")),
        "{:?}",
        r.assumptions
    );
    // Observability's published example: 75 GB ingested, 20 GB-months stored = $7.05 over.
    let r = run(
        json!({"month": "2026-12", "observability": {"gb_ingested": 75, "gb_month_stored": 20}}),
    );
    assert_eq!(subtotal(&r, "observability"), usd("7.05"));
    // Before December there is no Observability price: the line is not counted, and said so.
    let r = run(json!({"month": "2026-11", "observability": {"gb_ingested": 75}}));
    assert!(r.products.iter().all(|p| p.product != "observability"));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("observability.ingest_gb has no price in force in 2026-11")),
        "{:?}",
        r.warnings
    );
}

/// A November bill against December's: the logs line moves from per-event to Observability GB,
/// the comparison says which prices differ between the months, and each line names its row.
#[test]
fn compare_and_curve_work_across_the_december_change() {
    let events = json!({"events": 60_000_000});
    let r = run(json!({
        "month": "2026-11", "workers_logs": events,
        "compare_to": {"month": "2026-12", "workers_logs": events}
    }));
    let d = r.delta.as_ref().unwrap();
    // November: (60M - 20M) x $0.60/M = $24.00. December: 60M x 4,840 B = 290.4 GB:
    // (290.4 - 50) x $0.25 = $60.10; 290.4 x 7/30 = 67.76 GB-months: (67.76 - 12) x $0.10 = $5.576.
    assert_eq!(d.baseline_total_usd, usd("29.00"));
    assert_eq!(d.compared_total_usd, usd("70.68"));
    assert!(
        d.lines
            .iter()
            .any(|l| l.product == "workers_logs" && l.difference_usd == usd("-24"))
    );
    assert!(d.lines.iter().any(|l| l.product == "observability"));
    assert!(
        r.assumptions.iter().any(
            |a| a.contains("priced for 2026-11 and compare_to for 2026-12")
                && a.contains("workers_logs.events")
        ),
        "{:?}",
        r.assumptions
    );
    // A compared design without a month is priced in this profile's month.
    let r = run(
        json!({"month": "2026-11", "workers_logs": events, "compare_to": {"workers_logs": {"events": 30_000_000}}}),
    );
    assert_eq!(r.delta.unwrap().compared_total_usd, usd("11.00"));
    // The curve prices December at each multiplier: ×1 is the December bill.
    let r = run(json!({"month": "2026-12", "workers_logs": events, "curve": [1, 2]}));
    assert_eq!(r.curve[0].total_usd, usd("70.68"));
    assert!(r.curve[1].total_usd > r.curve[0].total_usd);
    assert_eq!(r.month.as_deref(), Some("2026-12"));
    let err = try_run(json!({"month": "2026-13"})).unwrap_err();
    assert_eq!(err.path, "month", "{err}");
    assert!(err.message.contains("YYYY-MM"), "{err}");
}

/// Queues pricing (developers.cloudflare.com/queues/platform/pricing/), "Examples": 1 M
/// messages a day, then 100 M messages of 127 KB.
#[test]
fn docs_queues_examples() {
    let r = run(json!({"period": "day", "queues": {"messages": 1_000_000}}));
    assert_eq!(line(&r, "queues", "operations").quantity, usd("90000000"));
    assert_eq!(line(&r, "queues", "operations").billable, usd("89000000"));
    assert_eq!(subtotal(&r, "queues"), usd("35.60"));
    let r = run(json!({"queues": {"messages": 100_000_000, "message_kb": 127}}));
    assert_eq!(line(&r, "queues", "operations").billable, usd("599000000"));
    assert_eq!(subtotal(&r, "queues"), usd("239.60"));
}

/// R2 pricing (developers.cloudflare.com/r2/pricing/), "R2 billing examples".
#[test]
fn docs_r2_examples() {
    // "Standard storage example"
    let r = run(json!({"r2": {"storage_gb": 1000, "class_a": 1000, "class_b": 1_000_000}}));
    assert_eq!(subtotal(&r, "r2"), usd("14.85"));
    // "Infrequent access example": 1,000 class A operations round up to a whole million.
    let r = run(
        json!({"r2": {"infrequent_access": {"storage_gb": 1000, "class_a": 1000, "class_b": 1_000_000, "retrieval_gb": 1000}}}),
    );
    assert_eq!(
        line(&r, "r2", "infrequent_access.class_a").cost_usd,
        usd("9.00")
    );
    assert_eq!(subtotal(&r, "r2"), usd("29.90"));
    // "Asset hosting": 10 M reads a day.
    let r = run(json!({"r2": {"storage_gb": 10, "class_a": 100_000, "class_b": 300_000_000}}));
    assert_eq!(line(&r, "r2", "class_b").billable, usd("290000000"));
    assert_eq!(subtotal(&r, "r2"), usd("104.40"));
}

/// Durable Objects pricing (developers.cloudflare.com/durable-objects/platform/pricing/),
/// "Compute billing examples" 1 to 4: the billable excess rounds up to the next unit.
#[test]
fn docs_durable_objects_compute_examples() {
    let cases = [
        (
            json!({"requests": 1_500_000, "active_seconds": 1_000_000}),
            "0.15",
            "0",
            "5.15",
        ),
        (
            json!({"requests": 150_000, "websocket_messages": 72_000_000, "active_seconds": 86_400_000}),
            "0.45",
            "137.50",
            "142.95",
        ),
        (
            json!({"requests": 100, "websocket_messages": 259_200_000, "active_seconds": 259_200_000}),
            "1.80",
            "412.50",
            "419.30",
        ),
        (
            json!({"requests": 10_000, "websocket_messages": 432_000_000, "active_seconds": 4_320_000}),
            "3.15",
            "12.50",
            "20.65",
        ),
    ];
    for (i, (usage, requests, duration, total)) in cases.into_iter().enumerate() {
        let r = run(json!({"durable_objects": usage}));
        assert_eq!(
            line(&r, "durable_objects", "requests").cost_usd,
            usd(requests),
            "example {}",
            i + 1
        );
        let d = r.products[0]
            .lines
            .iter()
            .find(|l| l.metric == "duration_gb_s");
        assert_eq!(
            d.map_or(Decimal::ZERO, |l| l.cost_usd),
            usd(duration),
            "example {}",
            i + 1
        );
        assert_eq!(r.total_usd, usd(total), "example {}", i + 1);
    }
    let r = run(json!({"durable_objects": {"active_seconds": 86_400_000}}));
    assert_eq!(
        line(&r, "durable_objects", "duration_gb_s").quantity,
        usd("11059200")
    );
}

// ---------------------------------------------------------------------------------------------
// Hand-computed cases for every line type.

#[test]
fn kv_lines() {
    let r = run(
        json!({"kv": {"reads": 20_000_000, "writes": 2_000_000, "deletes": 1_500_000, "lists": 1_000_000, "storage_gb": 3}}),
    );
    assert_eq!(line(&r, "kv", "reads").cost_usd, usd("5.00"));
    assert_eq!(line(&r, "kv", "writes").cost_usd, usd("5.00"));
    assert_eq!(line(&r, "kv", "deletes").cost_usd, usd("2.50"));
    assert_eq!(line(&r, "kv", "lists").cost_usd, Decimal::ZERO);
    assert_eq!(line(&r, "kv", "storage_gb").cost_usd, usd("1.00"));
    assert_eq!(subtotal(&r, "kv"), usd("13.50"));
    assert_eq!(r.total_usd, usd("18.50"));
}

#[test]
fn d1_lines_and_cent_rounding_only_in_totals() {
    let r = run(
        json!({"d1": {"rows_read": 30_000_000_000u64, "rows_written": 60_000_000, "storage_gb": 7.5}}),
    );
    assert_eq!(line(&r, "d1", "rows_read").cost_usd, usd("5.00"));
    assert_eq!(line(&r, "d1", "rows_written").cost_usd, usd("10.00"));
    assert_eq!(
        line(&r, "d1", "storage_gb").cost_usd,
        usd("1.875"),
        "lines stay exact"
    );
    assert_eq!(subtotal(&r, "d1"), usd("16.88"));
    assert_eq!(r.total_usd, usd("21.88"));
}

#[test]
fn durable_object_storage_lines() {
    let r = run(json!({"durable_objects": {
        "sqlite_rows_read": 25_500_000_000u64, "sqlite_rows_written": 51_000_000, "sqlite_storage_gb": 6,
        "kv_read_units": 3_000_000, "kv_write_units": 2_000_000, "kv_deletes": 1_000_000, "kv_storage_gb": 2}}));
    assert_eq!(
        line(&r, "durable_objects", "sqlite_rows_read").cost_usd,
        usd("0.50")
    );
    assert_eq!(
        line(&r, "durable_objects", "sqlite_rows_written").cost_usd,
        usd("1.00")
    );
    assert_eq!(
        line(&r, "durable_objects", "sqlite_storage_gb").cost_usd,
        usd("0.20")
    );
    assert_eq!(
        line(&r, "durable_objects", "kv_read_units").cost_usd,
        usd("0.40")
    );
    assert_eq!(
        line(&r, "durable_objects", "kv_write_units").cost_usd,
        usd("1.00")
    );
    assert_eq!(
        line(&r, "durable_objects", "kv_deletes").cost_usd,
        Decimal::ZERO
    );
    assert_eq!(
        line(&r, "durable_objects", "kv_storage_gb").cost_usd,
        usd("0.20")
    );
    assert_eq!(subtotal(&r, "durable_objects"), usd("3.30"));
}

#[test]
fn duration_gb_s_is_taken_as_given() {
    let r = run(json!({"durable_objects": {"duration_gb_s": 1_400_000}}));
    assert_eq!(
        line(&r, "durable_objects", "duration_gb_s").cost_usd,
        usd("12.50")
    );
}

#[test]
fn workflows_analytics_engine_hyperdrive_vectorize() {
    let r = run(json!({
        "workflows": {"steps": 600_000, "storage_gb": 3},
        "analytics_engine": {"data_points": 20_000_000, "read_queries": 3_000_000},
        "hyperdrive": {"queries": 1_000_000_000},
        "vectorize": {"queried_dimensions": 150_000_000, "stored_dimensions": 210_000_000}}));
    assert_eq!(line(&r, "workflows", "steps").cost_usd, usd("0.80"));
    assert_eq!(line(&r, "workflows", "storage_gb").cost_usd, usd("0.40"));
    // Priced, not billed yet: shown, left out of the total, and said so.
    assert_eq!(
        line(&r, "analytics_engine", "data_points").cost_usd,
        usd("2.50")
    );
    assert!(!line(&r, "analytics_engine", "read_queries").billed);
    assert_eq!(subtotal(&r, "analytics_engine"), Decimal::ZERO);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("does not bill it yet"))
    );
    assert_eq!(line(&r, "hyperdrive", "queries").cost_usd, Decimal::ZERO);
    assert_eq!(
        line(&r, "vectorize", "queried_dimensions").cost_usd,
        usd("1.00")
    );
    assert_eq!(
        line(&r, "vectorize", "stored_dimensions").cost_usd,
        usd("0.10")
    );
    assert_eq!(r.total_usd, usd("7.30"));
}

#[test]
fn queue_retries_and_large_messages() {
    let r = run(json!({"queues": {"messages": 1_000_000, "message_kb": 100, "retries": 200_000}}));
    assert_eq!(line(&r, "queues", "operations").quantity, usd("6400000"));
    assert_eq!(subtotal(&r, "queues"), usd("2.16"));
    let r = run(json!({"queues": {"messages": 1_000_000, "operations": 2_000_000}}));
    assert_eq!(
        line(&r, "queues", "operations").quantity,
        usd("2000000"),
        "operations override"
    );
}

#[test]
fn missing_cpu_is_a_warning_not_a_silent_zero() {
    let r = run(json!({"workers": {"requests": 50_000_000}}));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("cpu_ms_per_request was not given"))
    );
}

#[test]
fn products_without_usage_are_left_out() {
    let r = run(json!({"kv": {"reads": 1}}));
    assert_eq!(r.products.len(), 1);
    assert_eq!(r.products[0].lines.len(), 1);
    let r = run(json!({}));
    assert!(r.products.is_empty());
    assert_eq!(r.total_usd, usd("5.00"));
}

// ---------------------------------------------------------------------------------------------
// The Free plan.

#[test]
fn free_plan_under_its_limits_costs_nothing() {
    let r = run(
        json!({"plan": "free", "period": "day", "workers": {"requests": 60_000, "cpu_ms_per_request": 3}, "kv": {"reads": 50_000}}),
    );
    assert_eq!(r.total_usd, Decimal::ZERO);
    let free = r.free_plan.as_ref().unwrap();
    assert!(free.exceeded.is_empty() && free.needs_paid.is_empty());
    assert_eq!(free.paid_equivalent_usd, usd("5.00"));
}

#[test]
fn free_plan_over_its_limits_says_what_fails_and_what_paid_costs() {
    let r = run(json!({"plan": "free",
        "workers": {"requests": 4_500_000, "cpu_ms_per_request": 15},
        "kv": {"writes": 60_000},
        "durable_objects": {"kv_write_units": 10},
        "r2": {"storage_gb": 20}}));
    let free = r.free_plan.as_ref().unwrap();
    let exceeded: Vec<_> = free
        .exceeded
        .iter()
        .map(|e| format!("{}.{}", e.product, e.metric))
        .collect();
    assert_eq!(exceeded, ["workers.requests", "kv.writes"]);
    let req = &free.exceeded[0];
    assert_eq!(
        (req.usage, req.limit, req.period),
        (usd("150000"), usd("100000"), Period::Day)
    );
    assert!(req.what_fails.contains("fail"), "{}", req.what_fails);
    assert_eq!(free.needs_paid, ["durable_objects.kv_write_units"]);
    // R2 bills past its own free tier even on Workers Free: 10 GB × $0.015.
    assert_eq!(r.total_usd, usd("0.15"));
    // Paid: 5 + requests 0 + CPU (67.5 M - 30 M) × 0.02/M = 0.75 + R2 0.15 = 5.90.
    assert_eq!(free.paid_equivalent_usd, usd("5.90"));
    assert!(
        r.warnings.iter().any(|w| w.contains("cap of 10 ms")),
        "{:?}",
        r.warnings
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("$5.90")),
        "{:?}",
        r.warnings
    );
}

// ---------------------------------------------------------------------------------------------
// compare_to and curve.

#[test]
fn compare_kv_cache_in_front_of_d1() {
    // D1 only: 3 B requests' worth of reads at 20 rows each; the alternative caches 80 % in KV.
    let r = run(json!({
        "workers": {"requests": 100_000_000, "cpu_ms_per_request": 5},
        "d1": {"rows_read": 2_000_000_000_000u64},
        "compare_to": {
            "workers": {"requests": 100_000_000, "cpu_ms_per_request": 5},
            "kv": {"reads": 100_000_000},
            "d1": {"rows_read": 400_000_000_000u64}}}));
    let d = r.delta.as_ref().unwrap();
    // Baseline: 5 + 27 + 9.4 + (2,000,000 M - 25,000 M) rows × 0.001/M = 1,975 → 2,016.40.
    assert_eq!(d.baseline_total_usd, usd("2016.40"));
    // Compared: 5 + 27 + 9.4 + KV 45 + D1 375 = 461.40.
    assert_eq!(d.compared_total_usd, usd("461.40"));
    assert_eq!(d.difference_usd, usd("-1555.00"));
    let lines: Vec<_> = d
        .lines
        .iter()
        .map(|l| (l.product.as_str(), l.metric.as_str(), l.difference_usd))
        .collect();
    assert_eq!(
        lines,
        [
            ("kv", "reads", usd("45")),
            ("d1", "rows_read", usd("-1600"))
        ]
    );
}

#[test]
fn curve_with_break_points() {
    let r = run(json!({
        "workers": {"requests": 1_000_000, "cpu_ms_per_request": 1},
        "kv": {"writes": 500_000},
        "d1": {"rows_written": 10_000_000},
        "curve": [8, 1, 4]}));
    let points: Vec<_> = r
        .curve
        .iter()
        .map(|p| (p.multiplier, p.total_usd, p.dominant_product.clone()))
        .collect();
    assert_eq!(
        points,
        [
            (1.0, usd("5.00"), None),
            (4.0, usd("10.00"), Some("kv".to_owned())),
            (8.0, usd("50.00"), Some("d1".to_owned())),
        ]
    );
    let breaks: Vec<_> = r
        .break_points
        .iter()
        .map(|b| {
            (
                b.multiplier,
                b.kind,
                b.product.as_str(),
                b.metric.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        breaks,
        [
            (2.0, BreakKind::AllowanceExhausted, "kv", Some("writes")),
            (
                5.0,
                BreakKind::AllowanceExhausted,
                "d1",
                Some("rows_written")
            ),
            (8.0, BreakKind::DominantProductChanged, "d1", None),
        ]
    );
}

#[test]
fn curve_on_free_finds_the_first_failing_limit_and_storage_stays_unless_asked() {
    let r = run(json!({"plan": "free", "period": "day",
        "workers": {"requests": 25_000, "cpu_ms_per_request": 2},
        "d1": {"storage_gb": 4},
        "curve": [1, 10]}));
    let b: Vec<_> = r
        .break_points
        .iter()
        .map(|b| (b.multiplier, b.kind, b.metric.as_deref()))
        .collect();
    assert_eq!(b, [(4.0, BreakKind::FreeLimitExceeded, Some("requests"))]);
    let r = run(
        json!({"plan": "free", "d1": {"storage_gb": 4}, "curve": [1, 10], "curve_scales_storage": true}),
    );
    assert_eq!(r.break_points[0].multiplier, 1.25);
}

// ---------------------------------------------------------------------------------------------
// Bad input.

#[test]
fn bad_numbers_name_the_field_and_the_range() {
    for (input, path) in [
        (json!({"kv": {"reads": -1}}), "kv.reads"),
        (
            json!({"r2": {"infrequent_access": {"retrieval_gb": 2e15}}}),
            "r2.infrequent_access.retrieval_gb",
        ),
        (
            json!({"compare_to": {"d1": {"rows_read": -5}}}),
            "compare_to.d1.rows_read",
        ),
    ] {
        let err = try_run(input).unwrap_err();
        assert_eq!(err.path, path);
        assert!(err.message.contains("0 to 1e15"), "{err}");
    }
    let nan: UsageProfile =
        crate::engine::model::from_toml_str("[workers]\nrequests = nan\n").unwrap();
    let err = estimate(&PriceTable::builtin(k()), &k().limits, &nan).unwrap_err();
    assert_eq!(err.path, "workers.requests");
    let inf: UsageProfile = crate::engine::model::from_toml_str("[kv]\nwrites = inf\n").unwrap();
    assert!(estimate(&PriceTable::builtin(k()), &k().limits, &inf).is_err());
}

#[test]
fn bad_shapes_are_rejected() {
    let err = try_run(json!({"kv": {"reads": "many"}})).unwrap_err();
    assert_eq!(err.path, "kv.reads");
    let err = try_run(json!({"kv": {"raeds": 1}})).unwrap_err();
    assert!(err.message.contains("did you mean `reads`"), "{err}");
    let err =
        try_run(json!({"durable_objects": {"active_seconds": 1, "duration_gb_s": 1}})).unwrap_err();
    assert_eq!(err.path, "durable_objects");
    assert!(err.message.contains("not both"));
    let err = try_run(json!({"curve": vec![1.0; 201]})).unwrap_err();
    assert_eq!(err.path, "curve");
    let err = try_run(json!({"curve": [1, 0]})).unwrap_err();
    assert_eq!(err.path, "curve[1]");
    let err = try_run(json!({"compare_to": {"curve": [2]}})).unwrap_err();
    assert_eq!(err.path, "compare_to");
    let err =
        try_run(json!({"workers": {"requests": 1e15, "cpu_ms_per_request": 1e15}})).unwrap_err();
    assert!(err.message.contains("too large"), "{err}");
}

#[test]
fn a_price_table_without_a_row_is_an_error_naming_it() {
    let prices: Vec<_> = k()
        .pricing
        .iter()
        .filter(|p| p.id != "kv.reads")
        .cloned()
        .collect();
    let table = PriceTable {
        prices: &prices,
        rules: &k().billing_rules,
        base_rules: &k().billing_rules,
        source: "custom.toml",
    };
    let profile: UsageProfile = from_json(json!({"kv": {"reads": 5}})).unwrap();
    let err = estimate(&table, &k().limits, &profile).unwrap_err();
    assert!(
        err.to_string()
            .contains("custom.toml has no price row `kv.reads`"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Properties.

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A profile with a handful of counts, from a seed vector.
    fn profile(v: &[f64; 12], plan: &str) -> serde_json::Value {
        json!({"plan": plan,
            "workers": {"requests": v[0], "cpu_ms_per_request": v[1].min(1000.0), "cache_hits": v[2]},
            "kv": {"reads": v[3], "writes": v[4], "storage_gb": v[5].min(1e6)},
            "d1": {"rows_read": v[6], "rows_written": v[7]},
            "r2": {"class_a": v[8], "infrequent_access": {"class_b": v[9]}},
            "durable_objects": {"websocket_messages": v[10], "active_seconds": v[11].min(1e9)},
            "queues": {"messages": v[4], "message_kb": v[1].min(128.0)}})
    }

    fn counts() -> impl Strategy<Value = [f64; 12]> {
        prop::array::uniform12(0.0..1e12f64)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn cost_is_never_negative(v in counts(), free in any::<bool>()) {
            let r = run(profile(&v, if free { "free" } else { "paid" }));
            prop_assert!(r.total_usd >= Decimal::ZERO);
            for p in &r.products {
                prop_assert!(p.subtotal_usd >= Decimal::ZERO);
                for l in &p.lines {
                    prop_assert!(l.cost_usd >= Decimal::ZERO && l.billable >= Decimal::ZERO);
                }
            }
        }

        #[test]
        fn cost_never_decreases_when_a_count_grows(v in counts(), i in 0usize..12, extra in 0.0..1e11f64) {
            let before = run(profile(&v, "paid")).total_usd;
            let mut grown = v;
            grown[i] += extra;
            let after = run(profile(&grown, "paid")).total_usd;
            prop_assert!(after >= before, "{before} -> {after}");
        }
    }

    #[test]
    fn zero_usage_on_paid_costs_exactly_the_subscription() {
        let r = run(profile(&[0.0; 12], "paid"));
        assert_eq!(r.total_usd, r.subscription_usd);
        assert_eq!(r.total_usd, usd("5.00"));
    }
}
