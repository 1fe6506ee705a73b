//! cf-scale: scaling and cost engineering for Cloudflare's developer platform.
//!
//! One crate, three front doors over the same knowledge:
//! - [`knowledge`]: the `skills/scale/` folder embedded in the binary, with a typed view of its
//!   prices, limits, decision matrix, checklist, anti-patterns and pattern sections;
//! - [`resources`]: the catalog of URIs that the MCP server and the CLI both serve;
//! - [`mcp`]: the stdio MCP server (`cf-scale serve`);
//! - [`cli`]: the command line.

pub mod chart;
pub mod cli;
pub mod clock;
pub mod engine;
pub mod knowledge;
pub mod mcp;
pub mod pricing;
pub mod render;
pub mod resources;
pub mod tooldocs;
pub mod workspace;
