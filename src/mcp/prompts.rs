//! The server's prompts: short briefs that tell a model what context to gather and which
//! resources and tools answer the question.

use rmcp::{
    handler::server::wrapper::Parameters,
    model::{PromptMessage, Role},
    prompt, prompt_router,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::CfScale;

/// Arguments of `scaling_review`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ScalingReviewArgs {
    /// What the application does and which Cloudflare products it uses, in a sentence or two.
    pub app: String,
    /// Traffic today and expected, e.g. "200K requests/day, peaks of 50 req/s, doubling yearly".
    #[serde(default)]
    pub traffic: Option<String>,
}

/// Arguments of `cost_review`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CostReviewArgs {
    /// The Cloudflare products in use, e.g. "Workers, KV, D1, R2".
    pub services: String,
    /// Traffic and volumes, e.g. "3M requests/day, 40 GB in R2, 2 KV writes per request".
    #[serde(default)]
    pub traffic: Option<String>,
}

/// Arguments of `usage_review`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UsageReviewArgs {
    /// The Cloudflare account id (the `accountTag` of the queries).
    #[serde(default)]
    pub account: Option<String>,
    /// The days to read, e.g. "2026-11-01 to 2026-11-30"; default the last 30 days.
    #[serde(default)]
    pub window: Option<String>,
}

fn or_unknown(s: &Option<String>) -> &str {
    s.as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("not given yet")
}

#[prompt_router(vis = "pub(super)")]
impl CfScale {
    /// Review an application on Cloudflare's developer platform for what breaks first as traffic grows.
    #[prompt(
        name = "scaling_review",
        description = "Review a Cloudflare Workers application for what will break first as traffic grows, and what to do about it."
    )]
    async fn scaling_review(
        &self,
        Parameters(a): Parameters<ScalingReviewArgs>,
    ) -> Vec<PromptMessage> {
        let text = format!(
            "Review this Cloudflare application for scaling.\n\
             App: {app}\nTraffic: {traffic}\n\n\
             1. Read skill://scale/SKILL.md (decision matrix and growth checklist).\n\
             2. Gather what is missing: requests/day and peak req/s, monthly growth, the services \
             and bindings (read wrangler.toml / wrangler.jsonc), D1 size and growth, hottest KV key \
             write rate, queue backlog, Worker CPU and memory. Ask for numbers you cannot find; \
             do not invent them.\n\
             3. Call recommend_scaling with those numbers (leave out what is unknown) and ask for the \
             `missing` items that matter.\n\
             4. Answer with the first thing that breaks, the evidence (the number vs the limit), and \
             the fix, linking the pattern (scale://patterns/<id>). Quote limits only from \
             scale://data/limits, with their as_of date.",
            app = a.app.trim(),
            traffic = or_unknown(&a.traffic),
        );
        vec![PromptMessage::new_text(Role::User, text)]
    }

    /// Estimate and reduce the monthly bill of an application on Cloudflare's developer platform.
    #[prompt(
        name = "cost_review",
        description = "Estimate the monthly Cloudflare bill of a usage profile and find the biggest savings."
    )]
    async fn cost_review(&self, Parameters(a): Parameters<CostReviewArgs>) -> Vec<PromptMessage> {
        let text = format!(
            "Review the monthly Cloudflare cost of this application.\n\
             Services: {services}\nTraffic and volumes: {traffic}\n\n\
             1. Turn the traffic into monthly counts per product: Worker requests and CPU ms, KV \
             reads/writes, D1 rows read/written and GB stored, R2 GB and class A/B operations, \
             Durable Object requests and duration, queue messages. State every assumption.\n\
             2. Call estimate_cost with that profile (add compare_to for an alternative design and \
             curve for growth); read its warnings before answering. Prices, with their sources: \
             scale://data/pricing.\n\
             3. Name the two or three lines that dominate the bill and the pattern that cuts each \
             (see the cost section of skill://scale/SKILL.md and scale://patterns/<id>).",
            services = a.services.trim(),
            traffic = or_unknown(&a.traffic),
        );
        vec![PromptMessage::new_text(Role::User, text)]
    }

    /// Review real usage: fetch Cloudflare's analytics and billing data, import it, review it.
    #[prompt(
        name = "usage_review",
        description = "Fetch the account's real usage from Cloudflare's GraphQL Analytics and billable-usage APIs, import it with import_usage, and review scale and cost on those numbers."
    )]
    async fn usage_review(&self, Parameters(a): Parameters<UsageReviewArgs>) -> Vec<PromptMessage> {
        let text = format!(
            "Review this Cloudflare account on its real usage.\n\
             Account: {account}\nWindow: {window}\n\n\
             1. Read scale://queries/usage.graphql. Run each of its operations on its own \
             (operationName) with variables accountTag, start and end (YYYY-MM-DD, at most 31 days), \
             through Cloudflare's API MCP server or with curl: `curl -s \
             https://api.cloudflare.com/client/v4/graphql -H \"Authorization: Bearer $CLOUDFLARE_API_TOKEN\" \
             -d @query.json > workers.json` (a token with Account Analytics Read). Keep dataset names \
             as they are: no aliases.\n\
             2. If the token also has Billing Read, fetch billable usage for the same days: \
             GET /accounts/{{account}}/billable/usage?from=START&to=END (v2), else /billable-usage (v1).\n\
             3. Call import_usage with the responses as returned (save them to files and pass `paths`, \
             which costs no tokens, or pass them as `documents`), the same start and end, and the \
             billing_cycle_anchor if known. Read its warnings: a refused dataset or a partial response \
             means a number is missing, and missing is not zero.\n\
             4. Call recommend_scaling with the whole import_usage result as `usage` (its observations \
             fill the context) and the Wrangler config text as `config`.\n\
             5. Answer with the bill and its largest lines, the resources closest to a limit, the D1 \
             queries that read far more rows than they return, and the first fixes. Say which numbers \
             are billing-grade, which are analytics estimates and which are missing. cf-scale holds \
             no credentials and opens no connection: you run the queries.",
            account = or_unknown(&a.account),
            window = a
                .window
                .as_deref()
                .filter(|w| !w.trim().is_empty())
                .unwrap_or("the last 30 days"),
        );
        vec![PromptMessage::new_text(Role::User, text)]
    }
}
