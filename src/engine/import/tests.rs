use serde_json::json;

use super::*;

fn limits() -> &'static [Limit] {
    &crate::knowledge::knowledge().unwrap().limits
}

fn run(docs: Vec<Value>) -> ImportedUsage {
    let input = ImportInput {
        documents: docs,
        ..ImportInput::default()
    };
    import(limits(), &input, &[]).unwrap()
}

fn graphql(account: Value) -> Value {
    json!({"data": {"viewer": {"accounts": [account]}}, "errors": null})
}

#[test]
fn a_week_of_workers_scales_to_a_month_and_excludes_internal_errors() {
    let mut groups = Vec::new();
    for day in 1..=7 {
        groups.push(json!({"sum": {"requests": 1000, "cpuTimeUs": 5_000_000, "subrequests": 2000, "errors": 3},
            "quantiles": {"cpuTimeP99": 12_000},
            "dimensions": {"date": format!("2026-11-0{day}"), "scriptName": "api", "status": "success"}}));
        groups.push(json!({"sum": {"requests": 10, "cpuTimeUs": 0},
            "dimensions": {"date": format!("2026-11-0{day}"), "scriptName": "api", "status": "internalError"}}));
    }
    let out = run(vec![graphql(json!({"workersInvocationsAdaptive": groups}))]);
    assert_eq!(out.window.days, 7.0);
    assert_eq!(out.window.start, "2026-11-01");
    assert_eq!(out.window.end, "2026-11-07");
    assert!((out.profile.workers.requests - 30_000.0).abs() < 1e-6);
    // 35,000 ms over 7,000 billed requests.
    assert!((out.profile.workers.cpu_ms_per_request - 5.0).abs() < 1e-9);
    assert_eq!(
        out.observations.worker_cpu_ms_p99,
        Some(12.0),
        "{:#?}",
        out.resources
    );
    assert_eq!(out.observations.subrequests_per_request, Some(2.0));
    let p = out.profile.provenance.as_ref().unwrap();
    // Every Workers meter came from analytics: the product is named once.
    assert!(
        p.analytics_estimate.contains(&"workers".to_owned()),
        "{p:?}"
    );
    assert!(p.missing.contains(&"kv".to_owned()), "{:?}", p.missing);
    assert_eq!(out.profile.month.as_deref(), Some("2026-11"));
}

#[test]
fn unknown_datasets_are_refused_by_name() {
    let out = run(vec![graphql(json!({
        "workersKvOperationsAdaptiveGroups": [],
        "kvOperationsAdaptiveGroups": [{"sum": {"requests": 5}, "dimensions": {"date": "2026-11-01", "actionType": "read"}}]
    }))]);
    assert!(
        out.warnings.iter().any(|w| w
            .contains("unknown dataset `workersKvOperationsAdaptiveGroups`")
            && w.contains("did you mean `kvOperationsAdaptiveGroups`")),
        "{:?}",
        out.warnings
    );
    assert_eq!(out.profile.kv.reads, 150.0);
}

#[test]
fn only_errors_is_an_error_naming_the_path() {
    let input = ImportInput {
        documents: vec![
            json!({"data": null, "errors": [{"message": "cannot request data older than 2678400s", "path": ["viewer", "accounts", "0", "d1AnalyticsAdaptiveGroups"]}]}),
        ],
        ..ImportInput::default()
    };
    let err = import(limits(), &input, &[]).unwrap_err();
    assert_eq!(err.path, "documents[0].data");
    assert!(err.message.contains("older than"), "{err}");
}

/// Every dataset and field the shipped queries select is one the importer reads.
#[test]
fn the_shipped_queries_select_only_what_is_read() {
    let text = crate::knowledge::skill_file("queries/usage.graphql").unwrap();
    let mut seen = 0;
    for (name, fields) in graphql::DATASETS {
        let Some(at) = text.find(&format!("{name}(")) else {
            continue;
        };
        seen += 1;
        // The node's body: from its first `{` to the matching `}`.
        let body = &text[at..];
        let open = body.find('{').unwrap();
        let mut depth = 0;
        let mut end = open;
        for (i, c) in body[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let node = &body[open + 1..end];
        for block in ["sum", "max", "avg", "quantiles"] {
            if let Some(b) = node.find(&format!("{block} {{")) {
                let inner = &node[b + block.len() + 2..];
                let inner = &inner[..inner.find('}').unwrap()];
                for field in inner.split_whitespace() {
                    let dotted = format!("{block}.{field}");
                    assert!(
                        fields.contains(&dotted.as_str()),
                        "{name}: {dotted} is not read"
                    );
                }
            }
        }
        if node.contains("count") {
            assert!(fields.contains(&"count"), "{name}: count is not read");
        }
    }
    // Every dataset with a meter is queried (durableObjectsStorageGroups is for key-value-backed
    // objects only; add it by hand when they are used).
    assert_eq!(seen, graphql::DATASETS.len() - 1);
}

#[test]
fn an_answer_cut_at_its_limit_is_flagged() {
    let groups: Vec<Value> = (0..1_000)
        .map(|i| json!({"sum": {"requests": 1}, "dimensions": {"date": "2026-11-01", "namespaceId": format!("ns{i}"), "actionType": "read"}}))
        .collect();
    let out = run(vec![graphql(json!({"kvOperationsAdaptiveGroups": groups}))]);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("exactly 1000 groups")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn billing_rows_win_and_the_difference_is_reported() {
    let rows: Vec<Value> = (1..=2)
        .map(|d| json!({"ChargePeriodStart": format!("2026-11-0{d}T00:00:00Z"), "ChargePeriodEnd": format!("2026-11-0{}T00:00:00Z", d + 1),
                        "ConsumedQuantity": 1100, "ConsumedUnit": "Requests", "x_BillableMetricId": "workers_standard_requests"}))
        .collect();
    let analytics = graphql(json!({"workersInvocationsAdaptive": [
        {"sum": {"requests": 1000, "cpuTimeUs": 1000}, "dimensions": {"date": "2026-11-01", "status": "success"}},
        {"sum": {"requests": 1000, "cpuTimeUs": 1000}, "dimensions": {"date": "2026-11-02", "status": "success"}}
    ]}));
    let out = run(vec![json!({"result": rows, "success": true}), analytics]);
    assert_eq!(out.window.days, 2.0);
    assert!((out.profile.workers.requests - 2200.0 * 15.0).abs() < 1e-6);
    let d = &out.differences[0];
    assert_eq!(d.meter, "workers.requests");
    assert!(
        (d.difference_percent.unwrap() - (-9.1)).abs() < 0.05,
        "{d:?}"
    );
    let p = out.profile.provenance.unwrap();
    assert!(p.billing.contains(&"workers.requests".to_owned()));
    assert!(
        p.analytics_estimate
            .contains(&"workers.cpu_ms_per_request".to_owned())
    );
}

#[test]
fn one_billing_cycle_is_taken_as_it_is() {
    let input = ImportInput {
        documents: vec![graphql(json!({"workflowsAdaptiveGroups": [
            {"count": 700, "dimensions": {"date": "2026-10-15", "eventType": "STEP_START"}},
            {"count": 9, "dimensions": {"date": "2026-10-15", "eventType": "ATTEMPT_START"}}
        ]}))],
        start: Some("2026-10-15".into()),
        end: Some("2026-11-14".into()),
        billing_cycle_anchor: Some(15),
        ..ImportInput::default()
    };
    let out = import(limits(), &input, &[]).unwrap();
    assert_eq!(out.window.basis, "billing_cycle");
    assert_eq!(out.window.to_month, 1.0);
    assert_eq!(out.window.days, 31.0);
    assert_eq!(out.profile.workflows.steps, 700.0);
    // Without the anchor the same 31 days scale to 30.
    let input = ImportInput {
        billing_cycle_anchor: None,
        ..input
    };
    let out = import(limits(), &input, &[]).unwrap();
    // 677.42 steps, kept in whole steps.
    assert_eq!(out.profile.workflows.steps, 677.0);
}

#[test]
fn bad_values_are_warned_about_by_path_and_skipped() {
    let out = run(vec![graphql(json!({"d1AnalyticsAdaptiveGroups": [
        {"sum": {"rowsRead": "lots", "rowsWritten": 5}, "dimensions": {"date": "2026-11-01", "databaseId": "a"}},
        {"sum": {"rowsRead": -3, "rowsWritten": 5}, "dimensions": {"date": "2026-11-01", "databaseId": "a"}},
        {"sum": {"rowsRead": 10, "rowsWritten": 5}, "dimensions": {"date": "2026-11-01", "databaseId": "a"}},
        "not a group"
    ]}))]);
    assert_eq!(out.profile.d1.rows_read, 300.0);
    assert_eq!(out.profile.d1.rows_written, 450.0);
    let w = out.warnings.join("\n");
    assert!(
        w.contains("d1AnalyticsAdaptiveGroups[*].sum.rowsRead") && w.contains("(2 times)"),
        "{w}"
    );
    assert!(
        w.contains("d1AnalyticsAdaptiveGroups[3]: a group must be an object"),
        "{w}"
    );
}

#[test]
fn a_missing_number_is_never_written_as_zero_without_saying_so() {
    let out = run(vec![graphql(json!({"d1StorageAdaptiveGroups": [
        {"max": {"databaseSizeBytes": 2e9}, "dimensions": {"date": "2026-11-01", "databaseId": "a"}},
        {"max": {"databaseSizeBytes": 2.3e9}, "dimensions": {"date": "2026-11-04", "databaseId": "a"}}
    ]}))]);
    let p = out.profile.provenance.as_ref().unwrap();
    // The storage dataset was given; the rows read and written were not.
    assert!(p.analytics_estimate.contains(&"d1.storage_gb".to_owned()));
    assert!(
        p.missing.contains(&"d1.rows_read".to_owned()),
        "{:?}",
        p.missing
    );
    assert_eq!(out.observations.d1_database_gb, Some(2.3));
    // 0.3 GB over 3 days is 3 GB a month.
    assert!((out.observations.d1_growth_gb_per_month.unwrap() - 3.0).abs() < 1e-9);
}

#[test]
fn a_field_no_group_carries_is_missing_not_zero() {
    // CPU not selected: requests are measured, CPU per request is not.
    let out = run(vec![graphql(json!({"workersInvocationsAdaptive": [
        {"sum": {"requests": 1000}, "dimensions": {"date": "2026-11-01", "status": "success"}}
    ]}))]);
    let p = out.profile.provenance.as_ref().unwrap();
    assert!(
        p.analytics_estimate
            .contains(&"workers.requests".to_owned()),
        "{p:?}"
    );
    assert!(
        p.missing.contains(&"workers.cpu_ms_per_request".to_owned()),
        "{p:?}"
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("no group gave workers.cpu_ms")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn a_window_that_misses_every_group_leaves_the_meters_missing() {
    let input = ImportInput {
        documents: vec![graphql(json!({"d1AnalyticsAdaptiveGroups": [
            {"sum": {"rowsRead": 5e6, "rowsWritten": 10}, "dimensions": {"date": "2026-10-01", "databaseId": "a"}}
        ]}))],
        start: Some("2026-11-01".into()),
        end: Some("2026-11-07".into()),
        ..ImportInput::default()
    };
    let out = import(limits(), &input, &[]).unwrap();
    let p = out.profile.provenance.as_ref().unwrap();
    // Every D1 meter is missing: the product is named once.
    assert!(p.missing.contains(&"d1".to_owned()), "{p:?}");
    assert_eq!(out.profile.d1.rows_read, 0.0);
}

#[test]
fn billing_units_and_rows_past_the_window() {
    let rows = json!([
        // A storage level in gigabytes, and a month-long row in a 10-day window.
        {"ChargePeriodStart": "2026-11-01T00:00:00Z", "ChargePeriodEnd": "2026-11-02T00:00:00Z",
         "ConsumedQuantity": 12, "ConsumedUnit": "Gigabytes", "x_BillableMetricId": "d1_storage"},
        {"ChargePeriodStart": "2026-11-01T00:00:00Z", "ChargePeriodEnd": "2026-12-01T00:00:00Z",
         "ConsumedQuantity": 3e7, "ConsumedUnit": "Requests", "x_BillableMetricId": "workers_standard_requests"}
    ]);
    let input = ImportInput {
        documents: vec![json!({"result": rows, "success": true})],
        start: Some("2026-11-01".into()),
        end: Some("2026-11-10".into()),
        ..ImportInput::default()
    };
    let out = import(limits(), &input, &[]).unwrap();
    assert_eq!(out.profile.d1.storage_gb, 12.0);
    // A third of the row is inside the window: 1e7 requests in 10 days, 3e7 a month.
    assert_eq!(out.profile.workers.requests, 3e7);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("reaching past the window")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn a_source_covering_part_of_the_window_is_named_and_zeros_are_kept() {
    let out = run(vec![
        graphql(json!({"d1StorageAdaptiveGroups": [
            {"max": {"databaseSizeBytes": 2e9}, "dimensions": {"date": "2026-11-01", "databaseId": "a"}},
            {"max": {"databaseSizeBytes": 2e9}, "dimensions": {"date": "2026-11-30", "databaseId": "a"}}
        ]})),
        graphql(json!({"kvOperationsAdaptiveGroups": [
            {"sum": {"requests": 10}, "dimensions": {"date": "2026-11-29", "actionType": "read"}},
            {"sum": {"requests": 10}, "dimensions": {"date": "2026-11-30", "actionType": "read"}}
        ]})),
    ]);
    assert_eq!(out.window.days, 30.0);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.starts_with("kvOperationsAdaptiveGroups covers 2 of the window's 30 days")),
        "{:?}",
        out.warnings
    );
    // No growth is a measured 0, kept in the answer.
    let v = serde_json::to_value(&out).unwrap();
    assert_eq!(v["observations"]["d1_growth_gb_per_month"], json!(0.0));
}

#[test]
fn the_same_answer_twice_is_read_once() {
    let doc = graphql(json!({"kvOperationsAdaptiveGroups": [
        {"sum": {"requests": 30}, "dimensions": {"date": "2026-11-01", "actionType": "read"}}
    ]}));
    let row = json!({"ChargePeriodStart": "2026-11-01T00:00:00Z", "ChargePeriodEnd": "2026-11-02T00:00:00Z",
        "ConsumedQuantity": 100, "ConsumedUnit": "Requests", "x_BillableMetricId": "workers_standard_requests"});
    let v1_like = json!({"result": [row.clone()], "success": true});
    let v2_like = json!([row]);
    let out = run(vec![doc.clone(), doc, v1_like, v2_like]);
    assert_eq!(out.profile.kv.reads, 900.0);
    assert_eq!(out.profile.workers.requests, 3000.0);
    let w = out.warnings.join("\n");
    assert!(w.contains("the same document as documents[0]"), "{w}");
    assert!(w.contains("read once"), "{w}");
}
