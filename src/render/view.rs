//! The compact view of a report: what a model gets by default, and `detail: "full"` for the rest.
//!
//! A view is a list of rules over the report's JSON, applied to the answer and to its
//! `outputSchema` alike so that the schema describes both forms:
//! - `"a.b"` leaves field `b` of object `a` out (`"items[].x"` leaves `x` out of every item);
//! - `"a[:N]"` keeps the first `N` items of array `a`.
//!
//! In the schema an omitted field stops being required and its description says it comes with
//! `detail: "full"`; a truncated array says how many items the compact form keeps.

use serde_json::{Map, Value};

/// `estimate_cost`: every line with its price, without what only auditors read.
pub const ESTIMATE_COST: &[&str] = &[
    "price_table.currency",
    "price_table.source",
    "products[].lines[].billable",
    "products[].lines[].rounding",
    "products[].lines[].billed",
    "products[].lines[].price_id",
    "products[].lines[].in_force",
    "assumptions",
];

/// `shard_plan`: the decision, its numbers and the steps; the code and the citations in full.
pub const SHARD_PLAN: &[&str] = &[
    "capacity[].limit.value",
    "capacity[].limit.unit",
    "capacity[].limit.source",
    "capacity[].limit.as_of",
    "code",
    "assumptions",
];

/// `recommend_scaling`: what to fix and why; the checklist, trade-offs and sources in full.
pub const RECOMMEND_SCALING: &[&str] = &[
    "stage.todo[:2]",
    "stage.checklist",
    "recommendations[:4]",
    "recommendations[].actions[:1]",
    "recommendations[].bottleneck",
    "recommendations[].tradeoffs",
    "recommendations[].evidence_level",
    "recommendations[].shard_plan.summary",
    "cost_levers[:3]",
    "cost_levers[].title",
    "cost_levers[].assumption",
    "cost_levers[].tradeoffs",
    "cost_levers[].line_usd",
    "runaway[:2]",
    "runaway[].title",
    "runaway[].assumption",
    "runaway[].guards[:1]",
    "runaway[].product",
    "headroom[:4]",
    "headroom[].signal",
    "headroom[].source",
    "anti_patterns[].problem",
    "conflicts[:2]",
    "missing[:4]",
    "assumptions",
];

/// `import_usage`: the profile and observations whole (they are passed on), the resources
/// closest to a limit, the costliest queries.
pub const IMPORT_USAGE: &[&str] = &[
    "resources[:5]",
    "resources[].usage",
    "resources[].headroom[:1]",
    "queries[:2]",
    "queries[].database",
    "differences[:3]",
    "warnings[:8]",
    "assumptions",
];

/// `analyze_config`: the bindings and the lints; each lint's source in full.
pub const ANALYZE_CONFIG: &[&str] = &["lints[].source", "lints[].serves"];

/// `analyze_project`: the findings and their fixes; plans, statements and sources in full.
pub const ANALYZE_PROJECT: &[&str] = &[
    "findings[:8]",
    "findings[].source",
    "findings[].pattern",
    "queries",
    "unresolved[:3]",
    "files",
    "assumptions",
];

/// One segment of a rule's path.
enum Step<'a> {
    /// A field of an object.
    Field(&'a str),
    /// Every item of the array in the named field.
    Items(&'a str),
}

/// What a rule does at the end of its path.
enum Action<'a> {
    Omit(&'a str),
    KeepFirst(&'a str, usize),
}

fn parse(rule: &str) -> (Vec<Step<'_>>, Action<'_>) {
    let mut parts: Vec<&str> = rule.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let steps = parts
        .into_iter()
        .map(|p| match p.strip_suffix("[]") {
            Some(name) => Step::Items(name),
            None => Step::Field(p),
        })
        .collect();
    let action = match last.split_once("[:") {
        Some((name, n)) => {
            Action::KeepFirst(name, n.trim_end_matches(']').parse().unwrap_or(usize::MAX))
        }
        None => Action::Omit(last),
    };
    (steps, action)
}

/// Applies the rules to a report's JSON: the compact answer.
pub fn compact(value: &mut Value, rules: &[&str]) {
    for rule in rules {
        let (steps, action) = parse(rule);
        apply(value, &steps, &action);
    }
}

fn apply(value: &mut Value, steps: &[Step], action: &Action) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    match steps.split_first() {
        None => match action {
            Action::Omit(name) => {
                object.shift_remove(*name);
            }
            Action::KeepFirst(name, n) => {
                if let Some(Value::Array(items)) = object.get_mut(*name) {
                    items.truncate(*n);
                }
            }
        },
        Some((Step::Field(name), rest)) => {
            if let Some(inner) = object.get_mut(*name) {
                apply(inner, rest, action);
            }
        }
        Some((Step::Items(name), rest)) => {
            if let Some(Value::Array(items)) = object.get_mut(*name) {
                for item in items {
                    apply(item, rest, action);
                }
            }
        }
    }
}

/// Rewrites an output schema so that it describes the compact answer as well as the full one.
/// The schema's `$ref`s are inlined first ([`inline_refs`]). Panics on a rule whose path the
/// schema does not have, so a stale rule fails the first test that lists the tools.
pub fn describe(schema: &mut Map<String, Value>, rules: &[&str]) {
    inline_refs(schema);
    for rule in rules {
        let (steps, action) = parse(rule);
        assert!(
            describe_object(schema, &steps, &action),
            "view rule `{rule}` names no field of the output schema"
        );
    }
}

/// Replaces every `{"$ref": "#/$defs/X"}` with the definition of `X` (keeping keys written
/// beside the `$ref`, such as a description) and drops `$defs`: a schema a reader follows
/// without jumps.
pub fn inline_refs(schema: &mut Map<String, Value>) {
    let defs = match schema.remove("$defs") {
        Some(Value::Object(d)) => d,
        _ => return,
    };
    let mut within = Vec::new();
    for value in schema.values_mut() {
        inline(value, &defs, &mut within);
    }
}

/// Replaces each `$ref` by its definition. A definition met again inside itself (a recursive
/// type, such as a profile's `compare_to`) becomes a bare object there, so no reference is left
/// pointing at the removed `$defs`.
fn inline<'d>(value: &mut Value, defs: &'d Map<String, Value>, within: &mut Vec<&'d str>) {
    match value {
        Value::Object(object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .and_then(|name| defs.get_key_value(name));
            let mut entered = false;
            if let Some((name, def)) = target {
                object.shift_remove("$ref");
                if within.contains(&name.as_str()) {
                    object
                        .entry("type")
                        .or_insert_with(|| Value::from("object"));
                } else if let Value::Object(def) = def {
                    for (k, v) in def {
                        object.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    within.push(name);
                    entered = true;
                }
            }
            for v in object.values_mut() {
                inline(v, defs, within);
            }
            if entered {
                within.pop();
            }
        }
        Value::Array(items) => {
            for v in items {
                inline(v, defs, within);
            }
        }
        _ => {}
    }
}

/// The object schema a property stands for: itself, or the non-null branch of an `anyOf` /
/// `oneOf` (how schemars writes an `Option`).
fn object_of(schema: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let branch = ["anyOf", "oneOf"].into_iter().find_map(|k| {
        let alts = schema.get(k)?.as_array()?;
        let i = alts
            .iter()
            .position(|a| a.get("type").and_then(Value::as_str) != Some("null"))?;
        Some((k, i))
    });
    match branch {
        Some((k, i)) => schema[k][i]
            .as_object_mut()
            .expect("a schema branch is an object"),
        None => schema,
    }
}

fn describe_object(object: &mut Map<String, Value>, steps: &[Step], action: &Action) -> bool {
    let object = object_of(object);
    let name = match steps.first() {
        Some(Step::Field(n) | Step::Items(n)) => *n,
        None => match action {
            Action::Omit(n) | Action::KeepFirst(n, _) => *n,
        },
    };
    let Some(prop) = object
        .get_mut("properties")
        .and_then(|p| p.get_mut(name))
        .and_then(Value::as_object_mut)
    else {
        return false;
    };
    match steps.split_first() {
        Some((Step::Field(_), rest)) => describe_object(prop, rest, action),
        Some((Step::Items(_), rest)) => {
            let prop = object_of(prop);
            match prop.get_mut("items").and_then(Value::as_object_mut) {
                Some(item) => describe_object(item, rest, action),
                None => false,
            }
        }
        None => {
            let note = match action {
                Action::Omit(_) => "Only with detail \"full\".".to_owned(),
                Action::KeepFirst(_, n) => format!("The first {n} unless detail is \"full\"."),
            };
            let text = match prop.get("description").and_then(Value::as_str) {
                Some(d) => format!("{} {note}", d.trim_end()),
                None => note,
            };
            prop.insert("description".into(), Value::String(text));
            if matches!(action, Action::Omit(_))
                && let Some(Value::Array(required)) = object.get_mut("required")
            {
                required.retain(|r| r.as_str() != Some(name));
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_apply_to_the_answer_and_to_its_schema() {
        let mut value = json!({"summary": "s", "a": {"b": 1, "c": 2}, "items": [{"x": 1, "y": 2}, {"x": 3, "y": 4}], "list": [1, 2, 3]});
        let rules = ["a.b", "items[].x", "list[:2]"];
        compact(&mut value, &rules);
        assert_eq!(
            value,
            json!({"summary": "s", "a": {"c": 2}, "items": [{"y": 2}, {"y": 4}], "list": [1, 2]})
        );

        let mut schema = json!({
            "type": "object",
            "properties": {
                "a": {"$ref": "#/$defs/A"},
                "items": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
                "list": {"type": "array", "items": {"type": "number"}, "description": "Numbers."}
            },
            "required": ["a", "items", "list"],
            "$defs": {
                "A": {"type": "object", "properties": {"b": {"type": "number", "description": "B."}, "c": {"type": "number"}}, "required": ["b", "c"]},
                "Item": {"type": "object", "properties": {"x": {"type": "number"}, "y": {"type": "number"}}, "required": ["x", "y"]}
            }
        });
        describe(schema.as_object_mut().unwrap(), &rules);
        assert!(schema.get("$defs").is_none());
        assert_eq!(schema["properties"]["a"]["required"], json!(["c"]));
        assert_eq!(
            schema["properties"]["a"]["properties"]["b"]["description"],
            "B. Only with detail \"full\"."
        );
        assert_eq!(
            schema["properties"]["items"]["items"]["required"],
            json!(["y"])
        );
        assert_eq!(
            schema["properties"]["list"]["description"],
            "Numbers. The first 2 unless detail is \"full\"."
        );
        assert_eq!(schema["required"], json!(["a", "items", "list"]));
    }

    #[test]
    #[should_panic(expected = "names no field")]
    fn a_stale_rule_is_caught() {
        let mut schema = json!({"type": "object", "properties": {"a": {"type": "number"}}});
        describe(schema.as_object_mut().unwrap(), &["b"]);
    }
}
