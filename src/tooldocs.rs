//! The reference of each tool, served as `scale://docs/tools/<name>`: what the tool is for, every
//! input field with its whole doc comment, and every output field, marking what the compact
//! answer leaves out. Tool definitions carry only first sentences (a model pays for them in every
//! request); this is where a model reads the rest when it needs it.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

use crate::engine::model::{ProjectContext, UsageProfile};
use crate::engine::{config, cost, import, recommend, scan, shard};
use crate::render::view;

/// Prefix of the tool reference URIs.
pub const PREFIX: &str = "scale://docs/tools/";

/// One tool's reference.
struct ToolDoc {
    name: &'static str,
    about: &'static str,
    input: fn() -> Map<String, Value>,
    output: fn() -> Map<String, Value>,
    view: &'static [&'static str],
}

fn input_of<T: JsonSchema>() -> Map<String, Value> {
    schema(
        SchemaSettings::draft2020_12()
            .into_generator()
            .into_root_schema_for::<T>(),
    )
}

fn output_of<T: JsonSchema>() -> Map<String, Value> {
    schema(
        SchemaSettings::draft2020_12()
            .for_serialize()
            .into_generator()
            .into_root_schema_for::<T>(),
    )
}

fn schema(root: schemars::Schema) -> Map<String, Value> {
    match serde_json::to_value(root) {
        Ok(Value::Object(mut o)) => {
            view::inline_refs(&mut o);
            o
        }
        _ => Map::new(),
    }
}

const TOOLS: &[ToolDoc] = &[
    ToolDoc {
        name: "recommend_scaling",
        about: "What breaks first for a Cloudflare Workers project, why, and what to do. Give what you know; \
what is left out is never taken as zero: it is listed under `missing` when it could change the advice. \
`config` takes the Wrangler config text (services, queue_has_dlq and smart_placement are read from it); \
`usage` takes an estimate_cost profile (see scale://docs/tools/estimate_cost) and prices the bill and each \
fix. Recommendations are ranked by severity, then by how much of the limit is used. The rules are data: \
scale://data/matrix.",
        input: input_of::<ProjectContext>,
        output: output_of::<recommend::Recommendations>,
        view: view::RECOMMEND_SCALING,
    },
    ToolDoc {
        name: "estimate_cost",
        about: "The exact monthly cost of a usage profile on Workers Paid or Free, itemised per product and \
metric against each included allowance, with the price table's date. Counts are per month unless `period` \
is `day` (then multiplied by 30, as Cloudflare prices); storage is the average GB held over the month; every \
field is optional and 0 when left out. Money is exact decimal; subtotals and totals are rounded to cents. \
On Workers Free nothing is billed except R2 past its free tier, and the report lists each daily limit the \
usage exceeds with what Workers Paid would cost. Prices and their sources: scale://data/pricing.",
        input: input_of::<UsageProfile>,
        output: output_of::<cost::CostReport>,
        view: view::ESTIMATE_COST,
    },
    ToolDoc {
        name: "shard_plan",
        about: "Sizes one sharding or partitioning design for the caller's numbers. `strategy` picks it: \
kv_key (a KV key written faster than 1 write/s), d1_time (time-series rows outgrowing a 10 GB D1 database), \
d1_tenant (multi-tenant data across D1 databases), durable_object (one object past its request rate), queue \
(a producer faster than one queue takes). Each field below names the strategies that take it; a field of \
another strategy is refused by name. The answer shows each step of the arithmetic against a documented \
limit (scale://data/limits), the plan, the migration, the monthly cost from the cost engine and the \
alternatives; with detail \"full\" also the TypeScript, SQL and wrangler config.",
        input: input_of::<shard::ShardRequest>,
        output: output_of::<shard::ShardPlan>,
        view: view::SHARD_PLAN,
    },
    ToolDoc {
        name: "analyze_config",
        about: "Reads a Wrangler configuration with real parsers (TOML; JSON and JSONC with comments and \
trailing commas), resolves `env.<name>` the way Wrangler does (keys such as main, routes and placement are \
inherited; bindings are not; the Worker becomes `<name>-<env>`), lists every binding by kind and lints the \
settings that matter for scale and cost. Give `content` (at most 1 MiB) or a `path` relative to the \
server's working directory (absolute paths, `..` and symlinks out of it are refused).",
        input: input_of::<config::AnalyzeInput>,
        output: output_of::<config::ProjectConfig>,
        view: view::ANALYZE_CONFIG,
    },
    ToolDoc {
        name: "import_usage",
        about: "Turns Cloudflare's own usage data into a usage profile, offline: GraphQL Analytics API responses (run the queries of scale://queries/usage.graphql with an Account Analytics Read token) and billable-usage rows (v2 `/billable/usage` with `x_BillableMetricId`, or v1 `/billable-usage`; Billing Read), as returned, inline as `documents` or as files under `paths` (8 MiB in all). Counts are scaled from the observed window to a 30-day month (exactly one billing cycle, with `billing_cycle_anchor`, is taken as it is); storage is the mean of each day's peak. Billing rows win over analytics, which Cloudflare samples and says are not the billing measure; the differences are listed. A meter no document gives is missing, never 0, and its cost is not in the bill. Unknown datasets are refused by name. The result's `profile` is an estimate_cost input; the whole result is a recommend_scaling `usage` (its observations fill what the context leaves out).",
        input: input_of::<import::ImportInput>,
        output: output_of::<import::ImportedUsage>,
        view: view::IMPORT_USAGE,
    },
    ToolDoc {
        name: "analyze_project",
        about: "Reads a Workers project directory, offline, with real parsers: the Wrangler config (bindings, `main`, each D1 binding's `migrations_dir`, default `migrations/`), the D1 migrations applied in file-name order to an in-memory SQLite (D1 is SQLite), and the TypeScript/JavaScript from `main` and the files it imports by relative path, then the rest of `src/` (tests skipped), parsed with oxc; at most 500 code files, 1 MiB each, 16 MiB in all (larger, binary or non-UTF-8 files, and symlinks out of the directory, are skipped with a warning). SQL passed to `prepare`, `exec` and `batch` on D1 bindings (`env.DB`, `this.env.DB`, aliases, `D1Database`-typed parameters, `this.db` set from one) is read from string and template literals and the consts in scope, `exec` split where SQLite splits; SQL built at run time, or sent through an object the scan cannot tie to a binding, is listed under `unresolved`, not guessed. DDL the code runs (`CREATE TABLE IF NOT EXISTS`) joins the schema first. Each statement is planned with `EXPLAIN QUERY PLAN` (placeholders unbound): a table scan, a temporary B-tree for ORDER BY/GROUP BY or an automatic index gets a `CREATE INDEX` on the filtered, joined and ordered columns, kept only when planning again with it removes the problem. `table_rows` gives rows read per call before (the table) and after (1 for a unique key, the LIMIT, or the rows returned per call from `usage`); with `calls_per_month` (by query id `file:line` or SQL text, or from an import_usage result as `usage`) `index_saving` prices those statements' D1 rows before and after through the cost engine, with the index rows the writes add. Code hazards are found by handler (fetch and router callbacks, queue, alarm) through a call graph by function name. The path is relative to the server's working directory; absolute paths and `..` are refused.",
        input: input_of::<scan::ScanInput>,
        output: output_of::<scan::ProjectScan>,
        view: view::ANALYZE_PROJECT,
    },
];

/// The names of the documented tools, in listing order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TOOLS.iter().map(|t| t.name)
}

/// The reference of tool `name` as markdown, or `None` for an unknown tool.
pub fn markdown(name: &str) -> Option<String> {
    let t = TOOLS.iter().find(|t| t.name == name)?;
    let mut s = format!("# `{}`\n\n{}\n\n## Input\n\n", t.name, t.about);
    let input = (t.input)();
    if input.contains_key("oneOf") {
        let mut fields: Vec<(String, String)> = Vec::new();
        for variant in input["oneOf"].as_array().into_iter().flatten() {
            let Some(props) = variant.get("properties").and_then(Value::as_object) else {
                continue;
            };
            let tag = props
                .values()
                .find_map(|p| p.get("const").and_then(Value::as_str))
                .unwrap_or_default();
            let doc = variant
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            fields.push((tag.to_owned(), one_line(doc)));
        }
        s.push_str("- `strategy` (string, required):\n");
        for (tag, doc) in &fields {
            s.push_str(&format!("  - `{tag}`: {doc}\n"));
        }
        for variant in input["oneOf"].as_array().into_iter().flatten() {
            let Some(obj) = variant.as_object() else {
                continue;
            };
            let tag = obj["properties"]
                .as_object()
                .and_then(|p| {
                    p.values()
                        .find_map(|v| v.get("const").and_then(Value::as_str))
                })
                .unwrap_or_default();
            s.push_str(&format!("\n### strategy `{tag}`\n\n"));
            fields_of(obj, 0, &mut s, true);
        }
    } else {
        fields_of(&input, 0, &mut s, true);
    }
    s.push_str("- `detail` (string: compact | full): compact (the default) leaves out the fields marked below; full returns every field.\n");
    s.push_str("\n## Output\n\n`structuredContent`, in this order, `summary` first; the text content carries the same summary and a markdown rendering.\n\n");
    let mut output = (t.output)();
    view::describe(&mut output, t.view);
    fields_of(&output, 0, &mut s, false);
    Some(s)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The type of a property as a reader says it: `number`, `string: a | b`, `array of object`, …
fn type_of(p: &Map<String, Value>) -> String {
    let simple = |v: &Value| match v {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => String::new(),
    };
    if let Some(values) = p.get("enum").and_then(Value::as_array) {
        let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        return format!("string: {}", names.join(" | "));
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(alts) = p.get(k).and_then(Value::as_array) {
            let consts: Vec<&str> = alts
                .iter()
                .filter_map(|a| a.get("const").and_then(Value::as_str))
                .collect();
            if !consts.is_empty() {
                return format!("string: {}", consts.join(" | "));
            }
            let kinds: Vec<String> = alts
                .iter()
                .filter_map(Value::as_object)
                .filter(|a| a.get("type") != Some(&Value::from("null")))
                .map(type_of)
                .collect();
            return kinds.join(" or ");
        }
    }
    if p.get("$ref").and_then(Value::as_str) == Some("#") {
        return "object, the same shape as this input".to_owned();
    }
    match p.get("type").map(simple).as_deref() {
        Some("array") => {
            let item = p
                .get("items")
                .and_then(Value::as_object)
                .map(type_of)
                .unwrap_or_default();
            format!("array of {item}")
        }
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => "any".to_owned(),
    }
}

/// The object schema a property holds, through `Option`s and arrays.
fn object_in(p: &Map<String, Value>) -> Option<&Map<String, Value>> {
    if p.contains_key("properties") {
        return Some(p);
    }
    for k in ["anyOf", "oneOf"] {
        if let Some(found) = p
            .get(k)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .find_map(object_in)
        {
            return Some(found);
        }
    }
    p.get("items")
        .and_then(Value::as_object)
        .and_then(object_in)
}

fn fields_of(schema: &Map<String, Value>, depth: usize, s: &mut String, input: bool) {
    let Some(props) = object_in(schema)
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
    else {
        return;
    };
    let required: Vec<&str> = object_in(schema)
        .and_then(|o| o.get("required"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for (name, p) in props {
        let Some(p) = p.as_object() else { continue };
        if p.get("const").is_some() {
            continue;
        }
        let mark = if input && required.contains(&name.as_str()) {
            ", required"
        } else {
            ""
        };
        let doc = p
            .get("description")
            .and_then(Value::as_str)
            .map(one_line)
            .unwrap_or_default();
        let sep = if doc.is_empty() { "" } else { ": " };
        s.push_str(&format!(
            "{}- `{name}` ({}{mark}){sep}{doc}\n",
            "  ".repeat(depth),
            type_of(p)
        ));
        if object_in(p).is_some() && p.get("$ref").is_none() {
            fields_of(p, depth + 1, s, input);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_a_reference_with_every_field() {
        for name in names() {
            let md = markdown(name).unwrap();
            assert!(md.starts_with(&format!("# `{name}`")), "{md}");
            assert!(
                md.contains("## Input") && md.contains("## Output"),
                "{name}"
            );
            assert!(md.contains("- `summary` (string)"), "{name}: {md}");
        }
        let cost = markdown("estimate_cost").unwrap();
        // The whole doc comment, not only the first sentence the definition carries.
        assert!(cost.contains("reads of missing keys count."), "{cost}");
        assert!(cost.contains("Only with detail \"full\"."), "{cost}");
        let shard = markdown("shard_plan").unwrap();
        for strategy in ["kv_key", "d1_time", "d1_tenant", "durable_object", "queue"] {
            assert!(
                shard.contains(&format!("### strategy `{strategy}`")),
                "{shard}"
            );
        }
        assert!(
            shard.contains("- `peak_writes_per_second` (number, required)"),
            "{shard}"
        );
        assert!(markdown("no_such_tool").is_none());
    }
}
