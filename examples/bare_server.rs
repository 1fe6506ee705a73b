//! The yardstick for `scripts/bench.sh`: the smallest useful rmcp server, with two trivial tools
//! and nothing else, served on stdio the way rmcp's own examples do. cf-scale carries a knowledge
//! base, four engines and a strict JSON-RPC filter; the benchmark shows what that costs next to
//! this.
//!
//! Run: `cargo run --release --example bare_server` (speaks MCP on stdin/stdout).

use rmcp::{
    ServerHandler, ServiceExt,
    handler::server::{router::tool::ToolRouter, wrapper::Parameters},
    model::{ServerCapabilities, ServerConfig},
    tool, tool_handler, tool_router,
};
use serde::Deserialize;

/// Two numbers to add.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Sum {
    /// The first number.
    a: f64,
    /// The second number.
    b: f64,
}

/// Text to send back.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
struct Echo {
    /// Any text.
    text: String,
}

#[derive(Debug, Clone)]
struct Bare {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Bare {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Adds two numbers.
    #[tool(description = "Adds two numbers.")]
    fn add(&self, Parameters(Sum { a, b }): Parameters<Sum>) -> String {
        (a + b).to_string()
    }

    /// Returns its input.
    #[tool(description = "Returns the text it is given.")]
    fn echo(&self, Parameters(Echo { text }): Parameters<Echo>) -> String {
        text
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Bare {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let service = Bare::new().serve(rmcp::transport::stdio()).await?;
            service.waiting().await?;
            Ok(())
        })
}
