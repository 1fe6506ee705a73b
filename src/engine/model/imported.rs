//! An `import_usage` result read back where a usage profile is accepted: `estimate_cost` takes
//! its profile, `recommend_scaling` (and `cf-scale review --usage`) its profile and its
//! observations. The rewrite happens on the JSON, before the typed decode, so every error still
//! names the field the caller wrote.

use serde_json::{Map, Value};

/// Whether a JSON object is an `import_usage` result: it has `profile` and `window`, which no
/// usage profile has.
pub fn is_imported(object: &Map<String, Value>) -> bool {
    object.contains_key("profile") && object.contains_key("window")
}

/// Profile fields a caller may set beside an import result, which override its profile's.
const PROFILE_KEYS: [&str; 7] = [
    "month",
    "plan",
    "period",
    "compare_to",
    "curve",
    "curve_scales_storage",
    "config",
];

/// `estimate_cost`'s arguments given as an `import_usage` result become its profile; `detail`
/// and any profile field given beside it (`month`, `compare_to`, `curve`, …) are kept and win.
/// Anything else is left as it is.
pub fn profile_of_imported(args: &mut Map<String, Value>) {
    if !is_imported(args) {
        return;
    }
    let detail = args.remove("detail");
    let beside: Vec<(String, Value)> = PROFILE_KEYS
        .iter()
        .filter_map(|k| args.remove(*k).map(|v| ((*k).to_owned(), v)))
        .collect();
    if let Some(Value::Object(profile)) = args.remove("profile") {
        *args = profile;
    }
    args.extend(beside);
    if let Some(d) = detail {
        args.insert("detail".to_owned(), d);
    }
}

/// A project context whose `usage` is an `import_usage` result: `usage` becomes its profile,
/// and its observations fill the ones the context leaves out (what the caller wrote wins).
pub fn context_of_imported(args: &mut Map<String, Value>) {
    let Some(Value::Object(usage)) = args.get_mut("usage") else {
        return;
    };
    if !is_imported(usage) {
        return;
    }
    let observed = usage.remove("observations");
    let profile = usage.remove("profile").unwrap_or(Value::Null);
    args.insert("usage".to_owned(), profile);
    if let Some(Value::Object(observed)) = observed {
        let target = args
            .entry("observations")
            .or_insert_with(|| Value::Object(Map::new()));
        if target.is_null() {
            *target = Value::Object(Map::new());
        }
        if let Value::Object(target) = target {
            for (k, v) in observed {
                if !v.is_null() {
                    target.entry(k).or_insert(v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn an_import_result_becomes_its_profile() {
        let mut args = object(json!({
            "summary": "…", "window": {"days": 7}, "detail": "full",
            "profile": {"kv": {"reads": 5}}, "observations": {}
        }));
        profile_of_imported(&mut args);
        assert_eq!(
            Value::Object(args),
            json!({"kv": {"reads": 5}, "detail": "full"})
        );
        // A plain profile is left alone, even one with a field called window.
        let mut plain = object(json!({"kv": {"reads": 5}}));
        profile_of_imported(&mut plain);
        assert_eq!(Value::Object(plain), json!({"kv": {"reads": 5}}));
    }

    #[test]
    fn a_context_takes_the_profile_and_the_observations_the_caller_left_out() {
        let mut args = object(json!({
            "observations": {"d1_database_gb": 2.0},
            "usage": {"window": {}, "profile": {"d1": {"rows_read": 1}},
                      "observations": {"d1_database_gb": 9.0, "worker_cpu_ms_p99": 40.0, "tenants": null}}
        }));
        context_of_imported(&mut args);
        assert_eq!(args["usage"], json!({"d1": {"rows_read": 1}}));
        assert_eq!(
            args["observations"],
            json!({"d1_database_gb": 2.0, "worker_cpu_ms_p99": 40.0})
        );
    }
}
