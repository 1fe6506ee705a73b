//! A profile written out as the GraphQL Analytics API would report it, day by day, and imported
//! back, gives the same bill: the importer's scaling and conversions undo the writing exactly.

use cf_scale::engine::import::ImportInput;
use cf_scale::engine::model::{PriceTable, UsageProfile};
use cf_scale::engine::recommend;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Per-month figures of the profile under test.
#[derive(Debug, Clone)]
struct Month {
    requests: f64,
    cpu_ms: f64,
    kv: [f64; 4],
    kv_gb: f64,
    d1_read: f64,
    d1_written: f64,
    d1_gb: f64,
    r2_a: f64,
    r2_b: f64,
    r2_gb: f64,
    do_requests: f64,
    do_gb_s: f64,
    do_rows: [f64; 2],
    do_gb: f64,
    queue_ops: f64,
    steps: f64,
}

fn month() -> impl Strategy<Value = Month> {
    let count = || 0.0..5e9f64;
    let gb = || 0.0..500.0f64;
    (
        (
            count(),
            0.1..50.0f64,
            [count(), count(), count(), count()],
            gb(),
        ),
        (count(), count(), 0.0..9.0f64, count(), count(), gb()),
        (
            count(),
            0.0..5e7f64,
            [count(), count()],
            gb(),
            count(),
            0.0..1e8f64,
        ),
    )
        .prop_map(
            |(
                (requests, cpu, kv, kv_gb),
                (d1r, d1w, d1_gb, a, b, r2_gb),
                (dor, gbs, rows, do_gb, q, steps),
            )| Month {
                requests,
                cpu_ms: requests * cpu,
                kv,
                kv_gb,
                d1_read: d1r,
                d1_written: d1w,
                d1_gb,
                r2_a: a,
                r2_b: b,
                r2_gb,
                do_requests: dor,
                do_gb_s: gbs,
                do_rows: rows,
                do_gb,
                queue_ops: q,
                steps,
            },
        )
}

/// The month as a GraphQL Analytics response over `days` days from 2026-11-01: each day carries
/// 1/30 of every count (a 30-day month), and storage is level.
fn response(m: &Month, days: u32) -> Value {
    let d = |n: f64| n / 30.0;
    let mut acc: serde_json::Map<String, Value> = serde_json::Map::new();
    let mut push = |dataset: &str, g: Value| {
        acc.entry(dataset)
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .unwrap()
            .push(g);
    };
    for day in 1..=days {
        let date = format!("2026-11-{day:02}");
        push(
            "workersInvocationsAdaptive",
            json!({"sum": {"requests": d(m.requests), "cpuTimeUs": d(m.cpu_ms) * 1000.0},
                   "dimensions": {"date": date, "scriptName": "api", "status": "success"}}),
        );
        for (action, n) in ["read", "write", "delete", "list"].iter().zip(m.kv) {
            push(
                "kvOperationsAdaptiveGroups",
                json!({"sum": {"requests": d(n)}, "dimensions": {"date": date, "actionType": action}}),
            );
        }
        push(
            "kvStorageAdaptiveGroups",
            json!({"max": {"byteCount": m.kv_gb * 1e9}, "dimensions": {"date": date, "namespaceId": "ns"}}),
        );
        push(
            "d1AnalyticsAdaptiveGroups",
            json!({"sum": {"rowsRead": d(m.d1_read), "rowsWritten": d(m.d1_written)},
                   "dimensions": {"date": date, "databaseId": "db"}}),
        );
        push(
            "d1StorageAdaptiveGroups",
            json!({"max": {"databaseSizeBytes": m.d1_gb * 1e9}, "dimensions": {"date": date, "databaseId": "db"}}),
        );
        for (action, n) in [("PutObject", m.r2_a), ("GetObject", m.r2_b)] {
            push(
                "r2OperationsAdaptiveGroups",
                json!({"sum": {"requests": d(n)}, "dimensions": {"date": date, "bucketName": "b", "actionType": action, "storageClass": "Standard"}}),
            );
        }
        push(
            "r2StorageAdaptiveGroups",
            json!({"max": {"payloadSize": m.r2_gb * 1e9, "metadataSize": 0},
                   "dimensions": {"date": date, "bucketName": "b", "storageClass": "Standard"}}),
        );
        push(
            "durableObjectsInvocationsAdaptiveGroups",
            json!({"sum": {"requests": d(m.do_requests)}, "dimensions": {"date": date, "namespaceId": "ns"}}),
        );
        push(
            "durableObjectsPeriodicGroups",
            json!({"sum": {"duration": d(m.do_gb_s), "rowsRead": d(m.do_rows[0]), "rowsWritten": d(m.do_rows[1]),
                           "inboundWebsocketMsgCount": 0, "storageReadUnits": 0, "storageWriteUnits": 0, "storageDeletes": 0},
                   "dimensions": {"date": date, "namespaceId": "ns"}}),
        );
        push(
            "durableObjectsSqlStorageGroups",
            json!({"max": {"storedBytes": m.do_gb * 1e9}, "dimensions": {"date": date, "namespaceId": "ns"}}),
        );
        push(
            "queueMessageOperationsAdaptiveGroups",
            json!({"sum": {"billableOperations": d(m.queue_ops)}, "dimensions": {"date": date, "queueId": "q", "actionType": "WriteMessage"}}),
        );
        push(
            "workflowsAdaptiveGroups",
            json!({"count": d(m.steps), "dimensions": {"date": date, "workflowName": "w", "eventType": "STEP_START"}}),
        );
    }
    json!({"data": {"viewer": {"accounts": [acc]}}, "errors": null})
}

/// The month as the profile a user would write.
fn profile(m: &Month) -> UsageProfile {
    let mut p = UsageProfile {
        month: Some("2026-11".to_owned()),
        ..UsageProfile::default()
    };
    p.workers.requests = m.requests;
    p.workers.cpu_ms_per_request = if m.requests > 0.0 {
        m.cpu_ms / m.requests
    } else {
        0.0
    };
    [p.kv.reads, p.kv.writes, p.kv.deletes, p.kv.lists] = m.kv;
    p.kv.storage_gb = m.kv_gb;
    p.d1.rows_read = m.d1_read;
    p.d1.rows_written = m.d1_written;
    p.d1.storage_gb = m.d1_gb;
    p.d1.databases = 1.0;
    p.r2.class_a = m.r2_a;
    p.r2.class_b = m.r2_b;
    p.r2.storage_gb = m.r2_gb;
    p.r2.buckets = 1.0;
    p.durable_objects.requests = m.do_requests;
    p.durable_objects.duration_gb_s = m.do_gb_s;
    [
        p.durable_objects.sqlite_rows_read,
        p.durable_objects.sqlite_rows_written,
    ] = m.do_rows;
    p.durable_objects.sqlite_storage_gb = m.do_gb;
    p.queues.operations = m.queue_ops;
    p.workflows.steps = m.steps;
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_profile_written_as_analytics_and_imported_back_bills_the_same(
        m in month(),
        days in prop::sample::select(vec![1u32, 7, 30]),
    ) {
        let k = cf_scale::knowledge::knowledge().unwrap();
        let prices = PriceTable::builtin(k);
        let expected = recommend::estimate_cost(k, &prices, &profile(&m)).unwrap();
        let input = ImportInput {
            documents: vec![response(&m, days)],
            start: Some("2026-11-01".to_owned()),
            end: Some(format!("2026-11-{days:02}")),
            ..ImportInput::default()
        };
        let imported = recommend::import_usage(k, &prices, &input, &[]).unwrap();
        prop_assert_eq!(imported.window.days, f64::from(days));
        let got = imported.monthly_cost_usd.unwrap();
        // Profile values are kept to 6 decimal places; at these volumes that moves no cent
        // but can tip one line's rounding up to the next billing unit.
        let diff = (got - expected.total_usd).abs();
        prop_assert!(
            diff <= rust_decimal::Decimal::new(1, 2),
            "imported {} against {} ({} days)\n{:#?}",
            got, expected.total_usd, days, imported.profile
        );
        let p = imported.profile.provenance.unwrap();
        prop_assert_eq!(p.missing, vec!["workers_logs".to_owned(), "observability".to_owned()]);
    }
}
