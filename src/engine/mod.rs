//! Engines: pure functions from the knowledge and a caller's input to a report. An engine reads
//! no files (scan reads through the [`scan::SourceTree`] a front end passes in), clock,
//! environment or network, and knows nothing of MCP or the command line.
//!
//! The engines form a one-way graph:
//!
//! ```text
//! model                      shared input types (usage profile, project context, plan, prices,
//!   │                        input errors, number formatting); depends on no engine
//!   ├── cost                 UsageProfile  -> CostReport
//!   ├── config               Wrangler text -> ProjectConfig
//!   ├── shard                ShardRequest  -> ShardPlan (priced through model::Pricer)
//!   ├── price_diff           two price tables -> PriceDiff
//!   ├── import               Cloudflare's analytics and billing JSON -> ImportedUsage
//!   ├── scan                 a project's code and D1 migrations -> ProjectScan (files through
//!   │                        a SourceTree, priced through model::Pricer)
//!   ▼
//! recommend                  the composer: the only engine that calls other engines
//! ```
//!
//! Leaf engines (`cost`, `config`, `shard`, `price_diff`, `import`, `scan`) use only [`model`] and `crate::knowledge`, never each
//! other; `tests/architecture.rs` fails when one does. Front ends (`mcp`, `cli`, `render`) call
//! engines; engines never call front ends.

pub mod config;
pub mod cost;
pub mod import;
pub mod model;
pub mod price_diff;
pub mod recommend;
pub mod scan;
pub mod shard;
