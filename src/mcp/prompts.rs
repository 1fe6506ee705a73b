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
}
