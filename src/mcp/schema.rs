//! Tool input schemas as a model can afford them. Claude Code sends every loaded tool's
//! definition with every request, and the Anthropic API refuses a root `oneOf`/`anyOf`/`allOf`,
//! so the schemas schemars derives from the engines' input types are reshaped here:
//! - `$ref`s inlined, and `$schema`, `title`, `format`, `default` and `additionalProperties`
//!   dropped (the server validates: unknown fields get an error naming the accepted ones);
//! - `Option<T>` written as `T`; enums as `enum` lists; a nested object's `type` left to its
//!   `properties`;
//! - a tagged enum (one object per variant, as `shard_plan` takes) flattened into one object
//!   with the tag as an `enum` and every variant's fields, each saying which variants use it;
//! - the `detail` input every tool takes added.
//!
//! Descriptions keep their first sentence: write it for the model (what the field is, its unit),
//! and put the rest in the following sentences, which `scale://docs/tools/<name>` shows. A first
//! sentence of three words or fewer (`Keys written.`) only restates the name and is dropped.

use serde_json::{Map, Value, json};

use crate::render::view::inline_refs;

/// The `detail` input of every tool.
pub fn detail_property() -> Value {
    json!({
        "type": "string",
        "enum": ["compact", "full"],
        "description": "compact (default) or full: every field."
    })
}

/// The input schema a model gets for `raw` (as schemars writes it), with `detail` added.
pub fn for_model(raw: &Map<String, Value>) -> Map<String, Value> {
    let mut schema = raw.clone();
    inline_refs(&mut schema);
    let mut value = Value::Object(schema);
    tidy(&mut value);
    let Value::Object(mut schema) = value else {
        unreachable!("an object stays an object")
    };
    if schema.contains_key("oneOf") {
        schema = flatten_tagged(&schema);
    }
    schema.shift_remove("description");
    schema.insert("type".into(), "object".into());
    let properties = schema
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(p) = properties.as_object_mut() {
        p.insert("detail".into(), detail_property());
    }
    schema
}

/// Drops what a model does not need and simplifies nullable and enum forms, recursively. Maps of
/// named properties are walked but never stripped: a field may be called `format` or `title`.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(o) => {
            // `Option<T>`: `anyOf: [T, {type: null}]` becomes T (before the strip below, so
            // T's own keys are stripped too), or `type: [T, "null"]` becomes T.
            if let Some(Value::Array(alts)) = o.get("anyOf") {
                let kept: Vec<&Value> = alts
                    .iter()
                    .filter(|a| a.get("type") != Some(&json!("null")))
                    .collect();
                if kept.len() == 1 && alts.len() == 2 {
                    let inner = kept[0].as_object().cloned().unwrap_or_default();
                    o.shift_remove("anyOf");
                    for (k, v) in inner {
                        o.entry(k).or_insert(v);
                    }
                }
            }
            for key in [
                "$schema",
                "title",
                "format",
                "default",
                "additionalProperties",
            ] {
                o.shift_remove(key);
            }
            if let Some(Value::Array(types)) = o.get("type") {
                let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if kept.len() == 1 {
                    o.insert("type".into(), kept[0].clone());
                }
            }
            // An enum whose variants carry doc comments: `oneOf: [{const, description}, ...]`.
            if let Some(Value::Array(alts)) = o.get("oneOf")
                && alts
                    .iter()
                    .all(|a| a.get("const").is_some() || a.get("enum").is_some())
            {
                let values: Vec<Value> = alts
                    .iter()
                    .flat_map(|a| match (a.get("const"), a.get("enum")) {
                        (Some(c), _) => vec![c.clone()],
                        (None, Some(Value::Array(e))) => e.clone(),
                        _ => Vec::new(),
                    })
                    .collect();
                o.shift_remove("oneOf");
                o.insert("type".into(), "string".into());
                o.insert("enum".into(), Value::Array(values));
            }
            if let Some(Value::String(d)) = o.get("description") {
                match first_sentence(d) {
                    Some(short) => {
                        o.insert("description".into(), Value::String(short));
                    }
                    None => {
                        o.shift_remove("description");
                    }
                }
            }
            for (key, v) in o.iter_mut() {
                match (key.as_str(), v) {
                    ("properties", Value::Object(props)) => {
                        for p in props.values_mut() {
                            tidy(p);
                            // A nested object says what it is by its properties.
                            if let Value::Object(p) = p
                                && p.contains_key("properties")
                                && p.get("type") == Some(&json!("object"))
                            {
                                p.shift_remove("type");
                            }
                        }
                    }
                    (_, v) => tidy(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The first sentence of a description, on one line; `None` when it is three words or fewer.
fn first_sentence(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::new();
    for w in &words {
        out.push(w);
        let ends = w.ends_with('.') && !matches!(*w, "e.g." | "i.e." | "vs." | "etc.");
        if ends {
            break;
        }
    }
    (out.len() > 3).then(|| out.join(" "))
}

/// One object from a tagged enum's `oneOf`: the tag (the property every variant fixes with a
/// `const`) becomes an `enum`, each variant's fields become properties whose description starts
/// with the variants that take them. Only the tag is required; each variant's own required
/// fields are enforced by the server, which names a missing one.
fn flatten_tagged(schema: &Map<String, Value>) -> Map<String, Value> {
    let variants: Vec<&Map<String, Value>> = schema["oneOf"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect();
    let tag = variants
        .first()
        .and_then(|v| v.get("properties"))
        .and_then(Value::as_object)
        .and_then(|p| {
            p.iter()
                .find(|(_, s)| s.get("const").is_some())
                .map(|(k, _)| k.clone())
        })
        .unwrap_or_else(|| "type".to_owned());
    let mut names = Vec::new();
    let mut fields: Map<String, Value> = Map::new();
    let mut users: Vec<(String, Vec<String>)> = Vec::new();
    for v in &variants {
        let Some(props) = v.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let name = props
            .get(&tag)
            .and_then(|t| t.get("const"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        names.push(Value::String(name.clone()));
        for (field, spec) in props.iter().filter(|(k, _)| **k != tag) {
            match users.iter_mut().find(|(f, _)| f == field) {
                Some((_, who)) => who.push(name.clone()),
                None => {
                    users.push((field.clone(), vec![name.clone()]));
                    fields.insert(field.clone(), spec.clone());
                }
            }
        }
    }
    for (field, who) in users {
        if let Some(Value::Object(spec)) = fields.get_mut(&field) {
            let text = match spec.get("description").and_then(Value::as_str) {
                Some(doc) => format!("{}: {doc}", who.join(", ")),
                None => format!("{}.", who.join(", ")),
            };
            spec.insert("description".into(), Value::String(text));
        }
    }
    let mut properties = Map::new();
    properties.insert(
        tag.clone(),
        json!({"type": "string", "enum": names, "description": "Which plan; see each field for the strategies that take it."}),
    );
    properties.extend(fields);
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    out.insert("properties".into(), Value::Object(properties));
    out.insert("required".into(), json!([tag]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_enum_becomes_one_object() {
        let raw = json!({
            "$schema": "x",
            "oneOf": [
                {"type": "object", "properties": {"strategy": {"const": "a", "type": "string"}, "n": {"type": "number", "description": "N.", "format": "double"}}, "required": ["strategy", "n"]},
                {"type": "object", "properties": {"strategy": {"const": "b", "type": "string"}, "n": {"type": "number", "description": "N."}, "m": {"type": ["integer", "null"], "description": "M."}}, "required": ["strategy"]}
            ]
        });
        let s = for_model(raw.as_object().unwrap());
        assert!(
            !["oneOf", "anyOf", "allOf"]
                .iter()
                .any(|k| s.contains_key(*k))
        );
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["strategy"]));
        assert_eq!(s["properties"]["strategy"]["enum"], json!(["a", "b"]));
        assert_eq!(
            s["properties"]["n"],
            json!({"type": "number", "description": "a, b."})
        );
        assert_eq!(first_sentence("Keys written."), None);
        assert_eq!(
            first_sentence("Rows read by queries. A full scan reads every row."),
            Some("Rows read by queries.".to_owned())
        );
        assert_eq!(
            first_sentence("A hot key, e.g. `a`, at\n peak. More."),
            Some("A hot key, e.g. `a`, at peak.".to_owned())
        );
        assert_eq!(
            s["properties"]["m"],
            json!({"type": "integer", "description": "b."})
        );
        assert_eq!(
            s["properties"]["detail"]["enum"],
            json!(["compact", "full"])
        );
    }

    #[test]
    fn options_and_enums_are_simplified() {
        let raw = json!({
            "type": "object",
            "properties": {
                "plan": {"anyOf": [{"$ref": "#/$defs/Plan"}, {"type": "null"}], "description": "The account's Workers plan."},
                "x": {"type": "number", "default": 0.0, "format": "double"}
            },
            "$defs": {"Plan": {"oneOf": [{"const": "paid", "description": "P."}, {"const": "free", "description": "F."}]}}
        });
        let s = for_model(raw.as_object().unwrap());
        assert_eq!(
            s["properties"]["plan"],
            json!({"description": "The account's Workers plan.", "type": "string", "enum": ["paid", "free"]})
        );
        assert_eq!(s["properties"]["x"], json!({"type": "number"}));
        assert!(s.get("$defs").is_none());
        // A property named like a schema keyword survives; its own schema is still tidied.
        let raw = json!({
            "type": "object",
            "properties": {"format": {"anyOf": [{"type": "string", "additionalProperties": false, "title": "F"}, {"type": "null"}], "description": "The syntax of the file."}}
        });
        let s = for_model(raw.as_object().unwrap());
        assert_eq!(
            s["properties"]["format"],
            json!({"description": "The syntax of the file.", "type": "string"})
        );
    }
}
