//! `cf-scale serve`: the MCP server on stdio, or Streamable HTTP with `--http`.

use std::io::Write;

use super::Error;

/// Run the MCP server: on stdin/stdout (what MCP clients start), or with --http on Streamable
/// HTTP at /mcp. Logs go to stderr; set RUST_LOG=debug for more.
///
/// --http binds loopback addresses only, unless CF_SCALE_TOKEN is set: then every request needs
/// `Authorization: Bearer $CF_SCALE_TOKEN`. CF_SCALE_ALLOWED_HOSTS (comma-separated) adds host
/// names accepted in the Host header behind a load balancer.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Serve Streamable HTTP on this address, e.g. 127.0.0.1:8787.
    #[arg(long, value_name = "ADDR")]
    http: Option<std::net::SocketAddr>,
}

/// Stderr for logs that never fails: a client that closes the server's stderr must not turn log
/// lines into errors (tracing reports a failed write by printing to stderr, which then panics).
struct LogSink;

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

pub(super) fn run(args: ServeArgs) -> Result<(), Error> {
    use tracing_subscriber::{filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};
    // RUST_LOG as a level (`debug`) or per target (`warn,rmcp=debug`); warnings by default.
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::WARN));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(|| LogSink)
                .with_ansi(false),
        )
        .with(filter)
        .init();
    match args.http {
        // One client on stdio: a single thread starts fastest.
        None => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(crate::mcp::serve_stdio()),
        // Many clients over HTTP: use every core.
        Some(addr) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let options = crate::mcp::http::HttpOptions {
                token: std::env::var("CF_SCALE_TOKEN")
                    .ok()
                    .filter(|t| !t.is_empty()),
                allowed_hosts: std::env::var("CF_SCALE_ALLOWED_HOSTS")
                    .map(|v| {
                        v.split(',')
                            .map(|h| h.trim().to_owned())
                            .filter(|h| !h.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            Ok(runtime.block_on(crate::mcp::http::serve_http(addr, options))?)
        }
    }
}
