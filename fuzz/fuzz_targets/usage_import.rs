//! Any bytes as an import_usage document (JSON, or one value inside a GraphQL response): the
//! importer answers with a result or an error naming the path, and never panics.
#![no_main]

use cf_scale::engine::import::{ImportInput, import};
use cf_scale::knowledge::knowledge;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let limits = &knowledge().expect("embedded knowledge loads").limits;
    // The value as a whole document, as a dataset's groups, and as one group of each dataset.
    let mut documents = vec![
        value.clone(),
        json!({"data": {"viewer": {"accounts": [{"workersInvocationsAdaptive": value.clone()}]}}}),
        json!({"result": value.clone()}),
    ];
    for dataset in [
        "workersInvocationsAdaptive",
        "kvStorageAdaptiveGroups",
        "d1QueriesAdaptiveGroups",
        "r2OperationsAdaptiveGroups",
        "durableObjectsPeriodicGroups",
        "queueMessageOperationsAdaptiveGroups",
        "workflowsAdaptiveGroups",
    ] {
        documents.push(json!({"data": {"viewer": {"accounts": [{dataset: [value.clone()]}]}}}));
    }
    for doc in documents {
        for window in [None, Some(("2026-11-01", "2026-11-07"))] {
            let input = ImportInput {
                documents: vec![doc.clone()],
                start: window.map(|w| w.0.to_owned()),
                end: window.map(|w| w.1.to_owned()),
                billing_cycle_anchor: Some(1),
                ..ImportInput::default()
            };
            let _ = import(limits, &input, &[]);
        }
    }
});
