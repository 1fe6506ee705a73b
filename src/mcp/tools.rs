//! The server's tools: thin wrappers that parse the arguments, call an engine, and return the
//! report as `structuredContent` plus a markdown summary for the model.

use std::sync::Arc;

use rmcp::{
    handler::server::{
        common::{schema_for_output, schema_for_type},
        wrapper::Parameters,
    },
    model::{CallToolResult, ContentBlock, JsonObject},
    tool, tool_router,
};
use serde::Serialize;

use super::CfScale;
use crate::engine::model::{self, PriceTable};
use crate::engine::{config, cost, import, recommend, scan, shard};
use crate::knowledge::{self, Knowledge};
use crate::render::{self, view};

/// How much of a report the caller wants: the `detail` input every tool takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    Compact,
    Full,
}

/// Takes `detail` out of the arguments (the engines' inputs do not know it).
fn take_detail(args: &mut JsonObject) -> Result<Detail, String> {
    match args.shift_remove("detail") {
        None => Ok(Detail::Compact),
        Some(serde_json::Value::String(d)) if d == "compact" => Ok(Detail::Compact),
        Some(serde_json::Value::String(d)) if d == "full" => Ok(Detail::Full),
        Some(other) => Err(format!(
            "detail: must be \"compact\" or \"full\" (got {other})"
        )),
    }
}

/// A tool error the caller reads: bad input, named by field.
fn failure(message: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}

/// How a tool's report is shown: the compact view's rules and the markdown for the text.
struct Shown<O> {
    view: &'static [&'static str],
    markdown: fn(&O) -> String,
}

impl CfScale {
    /// The shape of every tool: decode the arguments (errors name the field), load the knowledge
    /// and the price table, run the engine, and return its report (compact unless `detail` is
    /// "full") as structured content, with the markdown as text for clients that show text.
    fn run<I, O>(
        &self,
        mut args: JsonObject,
        engine: impl FnOnce(&Knowledge, &PriceTable, I) -> Result<O, String>,
        shown: Shown<O>,
    ) -> CallToolResult
    where
        I: serde::de::DeserializeOwned,
        O: Serialize,
    {
        let detail = match take_detail(&mut args) {
            Ok(d) => d,
            Err(e) => return failure(e),
        };
        let input: I = match model::from_json(serde_json::Value::Object(args)) {
            Ok(i) => i,
            Err(e) => return failure(e),
        };
        let k = match knowledge::knowledge() {
            Ok(k) => k,
            Err(e) => return failure(e),
        };
        let file = match self.price_file() {
            Ok(f) => f,
            Err(e) => return failure(e),
        };
        let prices = file.map_or_else(|| PriceTable::builtin(k), |f| f.table(k));
        let out = match engine(k, &prices, input) {
            Ok(out) => out,
            Err(e) => return failure(e),
        };
        let mut value = match serde_json::to_value(&out) {
            Ok(v) => v,
            Err(e) => return failure(format!("the report could not be written: {e}")),
        };
        if detail == Detail::Compact {
            view::compact(&mut value, shown.view);
        }
        let mut result = CallToolResult::success(vec![ContentBlock::text((shown.markdown)(&out))]);
        result.structured_content = Some(value);
        result
    }
}

/// A tool's input schema as the model gets it (see [`super::schema`]).
fn input_schema<T: schemars::JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    Arc::new(super::schema::for_model(&schema_for_type::<T>()))
}

/// A tool's output schema, describing the compact and the full answer.
fn output_schema<T: schemars::JsonSchema + std::any::Any>(view: &[&str]) -> Arc<JsonObject> {
    let mut schema = schema_for_output::<T>().as_ref().clone();
    view::describe(&mut schema, view);
    Arc::new(schema)
}

/// Reads a file named relative to the server's working directory, refusing anything that
/// resolves outside it (absolute paths, `..`, symlinks pointing out) and files over `max` bytes.
fn read_workspace_file(path: &str, max: usize) -> Result<String, String> {
    let root = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| format!("working directory: {e}"))?;
    let full = crate::workspace::within(&root, path)?;
    let size = std::fs::metadata(&full)
        .map_err(|e| format!("path `{path}`: {e}"))?
        .len();
    if size > max as u64 {
        return Err(format!(
            "path `{path}` is {size} bytes; at most {} MiB is accepted",
            max >> 20
        ));
    }
    std::fs::read_to_string(&full).map_err(|e| format!("path `{path}`: {e}"))
}

/// Scans a project directory (relative to the working directory) for `recommend_scaling`.
fn scan_directory(
    k: &Knowledge,
    prices: &PriceTable,
    dir: &str,
) -> Result<model::ProjectFindings, String> {
    let tree =
        crate::workspace::DirTree::within_working_dir(dir).map_err(|e| format!("project: {e}"))?;
    let month = crate::clock::month_utc();
    let report =
        recommend::analyze_project(k, prices, &scan::ScanInput::default(), &tree, Some(&month))
            .map_err(|e| format!("project: {e}"))?;
    Ok(report.into())
}

/// Reads the JSON files of an import, within the import's 8 MiB bound (inline documents count).
fn read_documents(
    paths: &[String],
    inline: &[serde_json::Value],
) -> Result<Vec<(String, serde_json::Value)>, String> {
    let mut budget = import::MAX_IMPORT_BYTES
        .saturating_sub(inline.iter().map(|d| d.to_string().len()).sum::<usize>());
    let mut out = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let text = read_workspace_file(path, budget).map_err(|e| format!("paths[{i}]: {e}"))?;
        budget = budget.saturating_sub(text.len());
        let value = serde_json::from_str(&text)
            .map_err(|e| format!("paths[{i}]: `{path}` is not JSON: {e}"))?;
        out.push((path.clone(), value));
    }
    Ok(out)
}

#[tool_router(vis = "pub(super)")]
impl CfScale {
    /// Exact monthly cost of a Cloudflare usage profile.
    #[tool(
        name = "estimate_cost",
        description = "Exact monthly USD cost of a Cloudflare usage profile (or an import_usage result) on Workers Paid or Free, itemised against each allowance at the prices in force in `month`. Counts per month (per day with period \"day\"), storage in average GB; omit unused products. compare_to prices another design or month, curve scales traffic. Use it instead of doing price arithmetic. Docs: scale://docs/tools/estimate_cost.",
        input_schema = input_schema::<model::UsageProfile>(),
        output_schema = output_schema::<cost::CostReport>(view::ESTIMATE_COST),
        annotations(title = "Estimate monthly cost", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn estimate_cost(&self, Parameters(mut args): Parameters<JsonObject>) -> CallToolResult {
        model::imported::profile_of_imported(&mut args);
        self.run(
            args,
            |k, prices, mut profile: model::UsageProfile| {
                // The engine reads no clock: an undated profile is priced this month.
                if profile.month.is_none() {
                    profile.month = Some(crate::clock::month_utc());
                }
                recommend::estimate_cost(k, prices, &profile).map_err(|e| e.to_string())
            },
            Shown {
                view: view::ESTIMATE_COST,
                markdown: render::cost_markdown,
            },
        )
    }

    /// A sharding or partitioning plan for the caller's numbers.
    #[tool(
        name = "shard_plan",
        description = "Sizes a sharding or partitioning design for your numbers against Cloudflare's documented limits: the arithmetic, the plan, migration steps, monthly cost and alternatives (the TypeScript, SQL and wrangler config with detail \"full\"). Required per strategy: kv_key: key, peak_writes_per_second; d1_time: table, current_gb, growth_gb_per_month, start_month; d1_tenant: tenants, avg_tenant_gb, largest_tenant_gb; durable_object: peak_requests_per_second; queue: messages_per_second, message_kb, processing_ms_per_message. Docs: scale://docs/tools/shard_plan.",
        input_schema = input_schema::<shard::ShardRequest>(),
        output_schema = output_schema::<shard::ShardPlan>(view::SHARD_PLAN),
        annotations(title = "Plan sharding", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shard_plan(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, request: shard::ShardRequest| {
                let month = crate::clock::month_utc();
                recommend::shard_plan(k, prices, &request, Some(&month)).map_err(|e| e.to_string())
            },
            Shown {
                view: view::SHARD_PLAN,
                markdown: render::shard_markdown,
            },
        )
    }

    /// What breaks first for a project, why, and what to do.
    #[tool(
        name = "recommend_scaling",
        description = "Start here for 'will this scale', 'what should we fix' or 'why is the bill high' on a Cloudflare Workers project. Pass what you know (traffic, services, observations, the Wrangler config text as config, an estimate_cost profile or import_usage result as usage) and omit the rest. Returns ranked fixes with the evidence against documented limits, headroom, the growth-stage checklist, the bill, and missing: what to ask the user next. Docs: scale://docs/tools/recommend_scaling.",
        input_schema = input_schema::<model::ProjectContext>(),
        output_schema = output_schema::<recommend::Recommendations>(view::RECOMMEND_SCALING),
        annotations(title = "Recommend scaling work", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn recommend_scaling(
        &self,
        Parameters(mut args): Parameters<JsonObject>,
    ) -> CallToolResult {
        model::imported::context_of_imported(&mut args);
        self.run(
            args,
            |k, prices, mut ctx: model::ProjectContext| {
                // Today names partitions and picks the month usage is priced in.
                if ctx.today.is_none() {
                    ctx.today = Some(crate::clock::today_utc());
                }
                if let Some(model::ProjectSource::Directory(dir)) = &ctx.project {
                    ctx.project = Some(model::ProjectSource::Scan(scan_directory(k, prices, dir)?));
                }
                recommend::recommend(k, prices, &ctx).map_err(|e| e.to_string())
            },
            Shown {
                view: view::RECOMMEND_SCALING,
                markdown: render::recommend_markdown,
            },
        )
    }

    /// Reads and lints a Wrangler configuration.
    #[tool(
        name = "analyze_config",
        description = "Reads the project's Wrangler config (wrangler.toml, .json or .jsonc; its text as content, or a path relative to the server's working directory), resolves env the way Wrangler does, lists every binding by kind, and lints the settings that matter for scale and cost (stable ids, severity, config path). Pass the same text as config to recommend_scaling. Docs: scale://docs/tools/analyze_config.",
        input_schema = input_schema::<config::AnalyzeInput>(),
        output_schema = output_schema::<config::ProjectConfig>(view::ANALYZE_CONFIG),
        annotations(title = "Analyze Wrangler config", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn analyze_config(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, _, input: config::AnalyzeInput| {
                let content = match (&input.content, &input.path) {
                    (Some(c), None) => std::borrow::Cow::Borrowed(c.as_str()),
                    (None, Some(p)) => std::borrow::Cow::Owned(read_workspace_file(p, config::MAX_CONFIG_BYTES)?),
                    _ => return Err("give exactly one of `content` (the file's text) or `path` (relative to the working directory)".to_owned()),
                };
                config::analyze(&k.limits, &input, &content).map_err(|e| e.to_string())
            },
            Shown {
                view: view::ANALYZE_CONFIG,
                markdown: render::config_markdown,
            },
        )
    }

    /// Cloudflare's own usage data as a profile, observations and per-resource headroom.
    #[tool(
        name = "import_usage",
        description = "Turns Cloudflare's own usage data into an exact profile, offline: GraphQL Analytics responses and billable-usage rows, as returned (inline, or as JSON file paths). Returns the profile for estimate_cost with its bill, observations, per-resource headroom, D1 queries that read far more rows than they return, and what is missing. Queries to run: scale://queries/usage.graphql. Pass the whole result as usage to recommend_scaling. Docs: scale://docs/tools/import_usage.",
        input_schema = input_schema::<import::ImportInput>(),
        output_schema = output_schema::<import::ImportedUsage>(view::IMPORT_USAGE),
        annotations(title = "Import Cloudflare usage", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn import_usage(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, input: import::ImportInput| {
                let files = read_documents(&input.paths, &input.documents)?;
                recommend::import_usage(k, prices, &input, &files).map_err(|e| e.to_string())
            },
            Shown {
                view: view::IMPORT_USAGE,
                markdown: render::import_markdown,
            },
        )
    }

    /// The project's code and migrations: D1 query plans with checked indexes, loop hazards.
    #[tool(
        name = "analyze_project",
        description = "Reads a Workers project directory (relative to the server's working directory): plans every D1 statement the code sends in SQLite against the migrations, proposing an index for each scan or sort and checking it in the new plan, and finds the code that loops the bill (alarm re-arms, a consumer feeding its own queue, kv.list() per request, subrequests in loops, R2 bodies read whole, WebSockets without hibernation), each with file:line and fix. Pass the result as project to recommend_scaling. Docs: scale://docs/tools/analyze_project.",
        input_schema = input_schema::<scan::ScanInput>(),
        output_schema = output_schema::<scan::ProjectScan>(view::ANALYZE_PROJECT),
        annotations(title = "Analyze project code", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn analyze_project(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, input: scan::ScanInput| {
                let tree = crate::workspace::DirTree::within_working_dir(
                    input.path.as_deref().unwrap_or("."),
                )
                .map_err(|e| format!("path: {e}"))?;
                let month = crate::clock::month_utc();
                recommend::analyze_project(k, prices, &input, &tree, Some(&month))
                    .map_err(|e| e.to_string())
            },
            Shown {
                view: view::ANALYZE_PROJECT,
                markdown: render::scan_markdown,
            },
        )
    }
}
