//! The server's tools: thin wrappers that parse the arguments, call an engine, and return the
//! report as `structuredContent` plus a markdown summary for the model.

use rmcp::{
    handler::server::{
        common::{schema_for_input, schema_for_output},
        wrapper::Parameters,
    },
    model::{CallToolResult, ContentBlock, JsonObject},
    tool, tool_router,
};
use serde::Serialize;

use super::CfScale;
use crate::engine::{self, cost};
use crate::knowledge;
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

#[tool_router(vis = "pub(super)")]
impl CfScale {
    /// Exact monthly cost of a Cloudflare usage profile.
    #[tool(
        name = "estimate_cost",
        description = "Exact monthly cost (USD) of a Cloudflare developer-platform usage profile: Workers, Workers Logs, KV, D1, R2 (Standard and Infrequent Access), Durable Objects (compute, SQLite and key-value storage), Queues, Workflows, Analytics Engine, Hyperdrive, Vectorize, on Workers Paid or Free. Itemised per product and metric with included allowances, billable quantities and unit prices from a dated price table; on Free it lists the daily limits the usage exceeds and what Paid would cost. Optional: `compare_to` (a second profile, e.g. with a cache in front of D1) for per-line differences, and `curve` (traffic multipliers) for the cost at each scale and the break points where allowances run out or the dominant cost changes. Counts are per month unless period is \"day\"; storage is average GB. Use it for any 'what will this cost' or 'which design is cheaper' question instead of doing the arithmetic yourself.",
        input_schema = schema_for_input::<cost::UsageProfile>().unwrap_or_default(),
        output_schema = schema_for_output::<cost::CostReport>(),
        annotations(title = "Estimate monthly cost", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false)
    )]
    async fn estimate_cost(&self, Parameters(args): Parameters<JsonObject>) -> CallToolResult {
        let profile: cost::UsageProfile = match engine::from_json(serde_json::Value::Object(args)) {
            Ok(p) => p,
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
        let table = file.map_or_else(|| cost::PriceTable::builtin(k), |f| f.table(k));
        match cost::estimate(&table, &k.limits, &profile) {
            Ok(r) => report(&r, render::cost_markdown(&r)),
            Err(e) => failure(e),
        }
    }
}
