//! The command line: `cf-scale serve | resources | read`. Each command reads its input, calls the
//! library, and renders; nothing here computes.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::resources;

/// Scaling and cost engineering for Cloudflare's developer platform.
///
/// cf-scale serves the *scale* skill (decision matrix, growth checklist, prices and limits with
/// their sources, patterns with code) to MCP clients, and prints the same knowledge here.
#[derive(Debug, Parser)]
#[command(name = "cf-scale", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the MCP server on stdin/stdout (what MCP clients start). Logs go to stderr; set
    /// RUST_LOG=debug for more.
    Serve,
    /// List every resource the server offers: URI, size and title.
    Resources {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print one resource, e.g. `cf-scale read skill://scale/SKILL.md`,
    /// `cf-scale read scale://data/limits` or `cf-scale read scale://patterns/kv-key-sharding`.
    Read {
        /// The resource URI (see `cf-scale resources`).
        uri: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns for people.
    Text,
    /// JSON for programs.
    Json,
}

/// Parses the command line and runs the command. Exit codes: 0 success, 1 failure (the message
/// is on stderr), 2 bad usage.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cf-scale: {e}");
            ExitCode::FAILURE
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn execute(command: Command) -> Result<(), Error> {
    match command {
        Command::Serve => serve(),
        Command::Resources { format } => {
            let list = resources::list()?;
            let mut out = std::io::stdout().lock();
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?,
                Format::Text => {
                    let width = list.iter().map(|e| e.uri.len()).max().unwrap_or(0);
                    for e in &list {
                        writeln!(out, "{:<width$}  {:>7}  {}", e.uri, e.size, e.title)?;
                    }
                    writeln!(
                        out,
                        "\ntemplate: {}  (ids: {})",
                        resources::PATTERN_TEMPLATE,
                        resources::complete_pattern_id("")?.join(", ")
                    )?;
                }
            }
            Ok(())
        }
        Command::Read { uri } => {
            let contents = resources::read(&uri)?;
            let mut out = std::io::stdout().lock();
            out.write_all(contents.text.as_bytes())?;
            if !contents.text.ends_with('\n') {
                out.write_all(b"\n")?;
            }
            Ok(())
        }
    }
}

fn serve() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(crate::mcp::serve_stdio())
}
