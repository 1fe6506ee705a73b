//! The usage importer against an independent corpus: GraphQL Analytics and billable-usage
//! documents in `tests/fixtures/usage/`, and in `cases.toml` the profile, observations,
//! provenance, warnings and bill each should give, computed by hand from the documented shapes.
//!
//! Cases where the importer is believed to disagree with its specification live in
//! `cases_pending.toml` (same format, each with a `known_bug`): they are parsed and their files
//! checked, but not run, so this suite stays green while the discrepancy is worked on. Move a
//! case back into `cases.toml` once it is fixed.

use cf_scale::engine::import::ImportInput;
use cf_scale::engine::model::PriceTable;
use cf_scale::engine::recommend::import_usage;
use cf_scale::knowledge::knowledge;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    files: Vec<String>,
    start: Option<String>,
    end: Option<String>,
    anchor: Option<u8>,
    plan: Option<String>,
    window_days: Option<f64>,
    month: Option<String>,
    #[serde(default)]
    profile: BTreeMap<String, f64>,
    #[serde(default)]
    profile_str: BTreeMap<String, String>,
    #[serde(default)]
    observations: BTreeMap<String, f64>,
    #[serde(default)]
    billing: Vec<String>,
    #[serde(default)]
    analytics_estimate: Vec<String>,
    #[serde(default)]
    missing: Vec<String>,
    #[serde(default)]
    not_missing: Vec<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    warning_with: Vec<Vec<String>>,
    min_warnings: Option<usize>,
    queries: Option<Vec<String>>,
    #[serde(default)]
    differences: Vec<Difference>,
    error_path: Option<String>,
    monthly_cost_usd: Option<f64>,
    /// Only in `cases_pending.toml`: what the importer does differently.
    known_bug: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    meter: String,
    billing: f64,
    analytics: f64,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/usage")
}

fn load(name: &str) -> Option<File> {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path).ok()?;
    Some(toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn document(file: &str) -> Value {
    let path = dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The value at a dotted path (`r2.infrequent_access.class_a`).
fn at<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, key| v.get(key))
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn close(got: f64, want: f64) -> bool {
    if want == 0.0 {
        got.abs() < 1e-12
    } else {
        ((got - want) / want).abs() <= 1e-9
    }
}

fn has_string(v: &Value, s: &str) -> bool {
    match v {
        Value::String(x) => x == s,
        Value::Array(a) => a.iter().any(|v| has_string(v, s)),
        Value::Object(o) => o.values().any(|v| has_string(v, s)),
        _ => false,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs one case; each failed expectation is one line of the returned list.
fn run(case: &Case) -> Vec<String> {
    let k = knowledge().expect("knowledge");
    let prices = PriceTable::builtin(k);
    let mut input = json!({
        "documents": case.files.iter().map(|f| document(f)).collect::<Vec<_>>(),
    });
    for (key, v) in [
        ("start", &case.start),
        ("end", &case.end),
        ("plan", &case.plan),
    ] {
        if let Some(v) = v {
            input[key] = json!(v);
        }
    }
    if let Some(a) = case.anchor {
        input["billing_cycle_anchor"] = json!(a);
    }
    let input: ImportInput = serde_json::from_value(input).expect("ImportInput");
    let mut fail = Vec::new();
    let result = import_usage(k, &prices, &input, &[]);

    if let Some(want) = &case.error_path {
        match result {
            Err(e) if &e.path == want => {}
            Err(e) => fail.push(format!(
                "error path: expected `{want}`, got `{}` ({})",
                e.path, e.message
            )),
            Ok(_) => fail.push(format!(
                "expected an error at `{want}`, the import succeeded"
            )),
        }
        return fail;
    }
    let out = match result {
        Ok(out) => serde_json::to_value(&out).expect("serialize"),
        Err(e) => return vec![format!("unexpected error at `{}`: {}", e.path, e.message)],
    };
    // USAGE_IMPORT_DUMP=<case name> prints the import's full result.
    if std::env::var("USAGE_IMPORT_DUMP").is_ok_and(|n| n == case.name) {
        eprintln!("{}", serde_json::to_string_pretty(&out).unwrap());
    }
    let profile = &out["profile"];

    // The profile leaves out fields at 0 (their default), keeps counts from 100 up in whole
    // units and everything else to 6 decimals, as README documents.
    for (path, want) in &case.profile {
        let kept = if *want >= 100.0 && !path.ends_with("_gb") && !path.ends_with("per_request") {
            want.round()
        } else {
            (want * 1e6).round() / 1e6
        };
        match number(at(profile, path)).or(Some(0.0)) {
            Some(got) if close(got, kept) => {}
            got => fail.push(format!("profile.{path}: expected {want}, got {got:?}")),
        }
    }
    for (path, want) in &case.profile_str {
        let got = at(profile, path).and_then(Value::as_str);
        if got != Some(want.as_str()) {
            fail.push(format!("profile.{path}: expected {want:?}, got {got:?}"));
        }
    }
    let month = case.month.as_deref().unwrap_or("2026-11");
    let got = profile.get("month").and_then(Value::as_str);
    if got != Some(month) {
        fail.push(format!("profile.month: expected {month:?}, got {got:?}"));
    }
    for (name, want) in &case.observations {
        match number(out["observations"].get(name)) {
            Some(got) if close(got, *want) => {}
            got => fail.push(format!("observations.{name}: expected {want}, got {got:?}")),
        }
    }
    if let Some(want) = case.window_days {
        match number(out["window"].get("days")) {
            Some(got) if close(got, want) => {}
            got => fail.push(format!("window.days: expected {want}, got {got:?}")),
        }
    }

    let provenance = &profile["provenance"];
    for (list, wanted) in [
        ("billing", &case.billing),
        ("analytics_estimate", &case.analytics_estimate),
        ("missing", &case.missing),
    ] {
        let got = strings(provenance.get(list));
        // A whole product is named once when all its meters are in the list.
        let product = |m: &str| m.split('.').next().unwrap_or(m).to_owned();
        for w in wanted {
            if !got.contains(w) && !got.contains(&product(w)) {
                fail.push(format!("provenance.{list} lacks `{w}`: {got:?}"));
            }
        }
    }
    let missing = strings(provenance.get("missing"));
    for w in &case.not_missing {
        let product = w.split('.').next().unwrap_or(w).to_owned();
        if missing.contains(w) || missing.contains(&product) {
            fail.push(format!("provenance.missing lists `{w}`: {missing:?}"));
        }
    }

    let warnings = strings(out.get("warnings"));
    for w in &case.warnings {
        if !warnings.iter().any(|x| x.contains(w.as_str())) {
            fail.push(format!("no warning contains `{w}`: {warnings:?}"));
        }
    }
    for parts in &case.warning_with {
        if !warnings
            .iter()
            .any(|x| parts.iter().all(|p| x.contains(p.as_str())))
        {
            fail.push(format!(
                "no warning contains all of {parts:?}: {warnings:?}"
            ));
        }
    }
    if let Some(n) = case.min_warnings
        && warnings.len() < n
    {
        fail.push(format!("expected at least {n} warnings, got {warnings:?}"));
    }

    if let Some(want) = &case.queries {
        let got = out["queries"].as_array().cloned().unwrap_or_default();
        if got.len() != want.len() {
            fail.push(format!(
                "queries: expected {} entries, got {}: {got:?}",
                want.len(),
                got.len()
            ));
        }
        for (i, sql) in want.iter().enumerate() {
            if !got.get(i).is_some_and(|q| has_string(q, sql)) {
                fail.push(format!(
                    "queries[{i}]: expected `{sql}`, got {:?}",
                    got.get(i)
                ));
            }
        }
    }

    let differences = out["differences"].as_array().cloned().unwrap_or_default();
    for d in &case.differences {
        let Some(row) = differences.iter().find(|r| r["meter"] == json!(d.meter)) else {
            fail.push(format!("differences lacks `{}`: {differences:?}", d.meter));
            continue;
        };
        for (field, want) in [("billing", d.billing), ("analytics", d.analytics)] {
            match number(row.get(field)) {
                Some(got) if close(got, want) => {}
                got => fail.push(format!(
                    "differences[{}].{field}: expected {want}, got {got:?}",
                    d.meter
                )),
            }
        }
    }

    if let Some(want) = case.monthly_cost_usd {
        match number(out.get("monthly_cost_usd")) {
            Some(got) if (got * 100.0).round() == (want * 100.0).round() => {}
            got => fail.push(format!("monthly_cost_usd: expected {want:.2}, got {got:?}")),
        }
    }
    fail
}

#[test]
fn every_case_gives_its_hand_computed_profile_and_bill() {
    let cases = load("cases.toml").expect("tests/fixtures/usage/cases.toml");
    assert!(!cases.case.is_empty());
    let mut report = Vec::new();
    for case in &cases.case {
        assert!(
            case.known_bug.is_none(),
            "{}: known_bug belongs in cases_pending.toml",
            case.name
        );
        for line in run(case) {
            report.push(format!("[{}] {line}", case.name));
        }
    }
    assert!(
        report.is_empty(),
        "{} expectation(s) failed:\n{}",
        report.len(),
        report.join("\n")
    );
}

#[test]
fn case_names_are_unique_and_every_fixture_is_used() {
    let mut cases = load("cases.toml").expect("cases.toml").case;
    let pending = load("cases_pending.toml")
        .map(|f| f.case)
        .unwrap_or_default();
    for p in &pending {
        assert!(
            p.known_bug.is_some(),
            "{}: a pending case says what differs",
            p.name
        );
    }
    cases.extend(pending);
    let mut names: Vec<_> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate case names");
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            assert!(
                cases.iter().any(|c| c.files.contains(&name)),
                "{name} is in no case"
            );
        }
    }
    for c in &cases {
        for f in &c.files {
            document(f);
        }
    }
}

/// `USAGE_IMPORT_PENDING=1 cargo test --test usage_import pending -- --nocapture` runs the
/// cases of `cases_pending.toml` and prints, for each, whether the importer still differs.
/// Without the variable it does nothing, so the pending cases never fail the suite.
#[test]
fn pending_cases_on_request() {
    if std::env::var_os("USAGE_IMPORT_PENDING").is_none() {
        return;
    }
    for case in load("cases_pending.toml")
        .map(|f| f.case)
        .unwrap_or_default()
    {
        let fail = run(&case);
        if fail.is_empty() {
            eprintln!("[{}] now passes: move it to cases.toml", case.name);
        } else {
            for line in fail {
                eprintln!("[{}] still differs: {line}", case.name);
            }
        }
    }
}
