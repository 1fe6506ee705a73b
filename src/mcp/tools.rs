//! The server's tools: thin wrappers that parse the arguments, call an engine, and return the
//! report as `structuredContent` plus a markdown summary for the model.

use std::sync::Arc;

use rmcp::{
    handler::server::{
        common::{schema_for_input, schema_for_output, schema_for_type},
        wrapper::Parameters,
    },
    model::{CallToolResult, ContentBlock, JsonObject},
    tool, tool_router,
};
use serde::Serialize;

use super::CfScale;
use crate::engine::model::{self, PriceTable};
use crate::engine::{config, cost, recommend, shard};
use crate::knowledge::{self, Knowledge};
use crate::render;

/// A successful tool result: the report for programs, the summary for the model.
fn report<T: Serialize>(value: &T, summary: String) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(summary)]);
    result.structured_content = serde_json::to_value(value).ok();
    result
}

/// A tool error the caller reads: bad input, named by field.
fn failure(message: impl std::fmt::Display) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_string())])
}

impl CfScale {
    /// The shape of every tool: decode the arguments (errors name the field), load the knowledge
    /// and the price table, run the engine, and return its report with a markdown summary.
    fn run<I, O>(
        &self,
        args: JsonObject,
        engine: impl FnOnce(&Knowledge, &PriceTable, I) -> Result<O, String>,
        summary: fn(&O) -> String,
    ) -> CallToolResult
    where
        I: serde::de::DeserializeOwned,
        O: Serialize,
    {
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
        match engine(k, &prices, input) {
            Ok(out) => report(&out, summary(&out)),
            Err(e) => failure(e),
        }
    }
}

/// Reads a config file named relative to the server's working directory, refusing anything that
/// resolves outside it (absolute paths, `..`, symlinks pointing out) and files over 1 MiB.
fn read_workspace_file(path: &str) -> Result<String, String> {
    let relative = std::path::Path::new(path);
    if relative.is_absolute()
        || relative
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!(
            "path `{path}` must be relative to the working directory, without `..`"
        ));
    }
    let root = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .map_err(|e| format!("working directory: {e}"))?;
    let full = root
        .join(relative)
        .canonicalize()
        .map_err(|e| format!("path `{path}`: {e}"))?;
    if !full.starts_with(&root) {
        return Err(format!(
            "path `{path}` resolves outside the working directory"
        ));
    }
    let size = std::fs::metadata(&full)
        .map_err(|e| format!("path `{path}`: {e}"))?
        .len();
    if size > config::MAX_CONFIG_BYTES as u64 {
        return Err(format!(
            "path `{path}` is {size} bytes; at most 1 MiB is accepted"
        ));
    }
    std::fs::read_to_string(&full).map_err(|e| format!("path `{path}`: {e}"))
}

/// The input schema of `shard_plan`: the tagged enum's `oneOf`, with the root `type: object`
/// that MCP requires.
fn shard_input_schema() -> Arc<JsonObject> {
    let mut schema = schema_for_type::<shard::ShardRequest>().as_ref().clone();
    schema.insert("type".into(), serde_json::Value::from("object"));
    schema.remove("title");
    Arc::new(schema)
}

#[tool_router(vis = "pub(super)")]
impl CfScale {
    /// Exact monthly cost of a Cloudflare usage profile.
    #[tool(
        name = "estimate_cost",
        description = "Exact monthly cost (USD) of a Cloudflare developer-platform usage profile: Workers, Workers Logs, KV, D1, R2 (Standard and Infrequent Access), Durable Objects (compute, SQLite and key-value storage), Queues, Workflows, Analytics Engine, Hyperdrive, Vectorize, on Workers Paid or Free. Itemised per product and metric with included allowances, billable quantities and unit prices from a dated price table; on Free it lists the daily limits the usage exceeds and what Paid would cost. Optional: `compare_to` (a second profile, e.g. with a cache in front of D1) for per-line differences, and `curve` (traffic multipliers) for the cost at each scale and the break points where allowances run out or the dominant cost changes. Counts are per month unless period is \"day\"; storage is average GB. Use it for any 'what will this cost' or 'which design is cheaper' question instead of doing the arithmetic yourself.",
        input_schema = schema_for_input::<model::UsageProfile>().unwrap_or_default(),
        output_schema = schema_for_output::<cost::CostReport>(),
        annotations(title = "Estimate monthly cost", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn estimate_cost(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, profile: model::UsageProfile| {
                recommend::estimate_cost(k, prices, &profile).map_err(|e| e.to_string())
            },
            render::cost_markdown,
        )
    }

    /// A sharding or partitioning plan for the caller's numbers.
    #[tool(
        name = "shard_plan",
        description = "Sizes a sharding or partitioning design on Cloudflare for your numbers, shows the arithmetic step by step against the documented limits (each with its source), writes the TypeScript, SQL and wrangler config, lists the migration steps, prices the plan with the cost engine and names cheaper or simpler alternatives. `strategy` picks the case: `kv_key` (a hot KV key over the 1 write/s per-key limit: shard count, key names, read fan-out cost, Durable Object alternative), `d1_time` (time-series data outgrowing a 10 GB D1 database: partition period, table or database per partition, archival to R2), `d1_tenant` (multi-tenant data: dedicated vs shared databases packed first-fit decreasing, account limits, routing), `durable_object` (one object over its ~1,000 req/s soft limit: shard count, idFromName scheme, fan-in), `queue` (producer rate: queue count, batch size, concurrency, retries, dead-letter queue).",
        input_schema = shard_input_schema(),
        output_schema = schema_for_output::<shard::ShardPlan>(),
        annotations(title = "Plan sharding", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn shard_plan(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, request: shard::ShardRequest| {
                recommend::shard_plan(k, prices, &request).map_err(|e| e.to_string())
            },
            render::shard_markdown,
        )
    }

    /// What breaks first for a project, why, and what to do.
    #[tool(
        name = "recommend_scaling",
        description = "Start here for any 'will this scale / what should we fix' question about a Cloudflare Workers project. Give what you know (requests_per_day, peak_requests_per_second, growth_percent_per_month, services, observations such as d1_database_gb, kv_hot_key_writes_per_second, d1_read_latency_p95_ms, queue_has_dlq, and optionally a usage profile as in estimate_cost); leave out what you do not know. Returns the growth stage with its checklist (done / todo / unknown), recommendations ranked by severity with the evidence (your number vs the documented limit), utilisation, actions, the pattern URI with code, monthly cost impact and trade-offs, a headroom table of every limit touched with months until it is hit, anti-patterns seen, and `missing`: the observations that would change the advice. Ask the user for the missing ones that matter.",
        input_schema = schema_for_input::<model::ProjectContext>().unwrap_or_default(),
        output_schema = schema_for_output::<recommend::Recommendations>(),
        annotations(title = "Recommend scaling work", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn recommend_scaling(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, prices, ctx: model::ProjectContext| {
                recommend::recommend(k, prices, &ctx).map_err(|e| e.to_string())
            },
            render::recommend_markdown,
        )
    }

    /// Reads and lints a Wrangler configuration.
    #[tool(
        name = "analyze_config",
        description = "Reads the project's Wrangler configuration (wrangler.toml, wrangler.json or wrangler.jsonc: pass its text as `content`, or a `path` relative to the server's working directory), resolves an environment (`env`) the way Wrangler does (bindings are not inherited), and returns every binding by kind (KV, D1, R2, Durable Objects with their storage backend, queue producers and consumers with their settings, Workflows, Hyperdrive, Analytics Engine, Vectorize, services), routes, crons, placement, limits and observability, plus lints with stable ids, severity, the config path and a source: consumers without a dead-letter queue, queue settings over their limits, pinned concurrency, limits.cpu_ms over the maximum, D1/Hyperdrive without Smart Placement, key-value-backed Durable Objects, no observability, a stale compatibility_date (before `stale_before`), Free-plan cron limits, unknown binding keys. Pass the same text as `config` to recommend_scaling to fill services and observations.",
        input_schema = schema_for_input::<config::AnalyzeInput>().unwrap_or_default(),
        output_schema = schema_for_output::<config::ProjectConfig>(),
        annotations(title = "Analyze Wrangler config", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn analyze_config(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        self.run(
            args,
            |k, _, input: config::AnalyzeInput| {
                let content = match (&input.content, &input.path) {
                    (Some(c), None) => std::borrow::Cow::Borrowed(c.as_str()),
                    (None, Some(p)) => std::borrow::Cow::Owned(read_workspace_file(p)?),
                    _ => return Err("give exactly one of `content` (the file's text) or `path` (relative to the working directory)".to_owned()),
                };
                config::analyze(&k.limits, &input, &content).map_err(|e| e.to_string())
            },
            render::config_markdown,
        )
    }
}
