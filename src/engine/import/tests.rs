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
    assert!(
        p.analytics_estimate
            .contains(&"workers.requests".to_owned())
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
