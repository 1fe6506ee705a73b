//! `cf-scale usage import`: Cloudflare's analytics and billing JSON to a usage profile (the
//! `import_usage` tool), written as TOML or JSON that `cf-scale cost` and `cf-scale review
//! --usage` read.

use std::io::Write;
use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use super::{Error, PlanArg, read_text, source_name};
use crate::engine::import::{ImportInput, MAX_IMPORT_BYTES};
use crate::engine::model::PriceTable;
use crate::engine::recommend;
use crate::{knowledge, render};

/// Work with real usage: `cf-scale usage import FILE…`.
#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    Import(ImportArgs),
}

/// Turn GraphQL Analytics responses and billable-usage rows into a usage profile.
///
/// Each FILE is a response as the API returned it (run the queries of
/// `cf-scale read scale://queries/usage.graphql`); the kind is recognised from its content.
/// The result (window, profile with provenance, observations, per-resource headroom, wasteful
/// D1 queries, warnings) goes to standard output; `cf-scale cost FILE` and
/// `cf-scale review --usage FILE` read it. The summary and warnings also go to stderr.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// GraphQL Analytics or billable-usage responses (JSON); `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Billable-usage responses (also recognised among FILE).
    #[arg(long, value_name = "FILE")]
    billable: Vec<PathBuf>,
    /// Day of month the billing cycle starts (1-31).
    #[arg(long, value_name = "DAY")]
    anchor: Option<u8>,
    /// First day observed, YYYY-MM-DD (default: the data's earliest date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    start: Option<String>,
    /// Last day observed, YYYY-MM-DD, inclusive (default: the data's latest date).
    #[arg(long, value_name = "YYYY-MM-DD")]
    end: Option<String>,
    /// The Workers plan (default paid).
    #[arg(long, value_enum)]
    plan: Option<PlanArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutFormat::Toml)]
    format: OutFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutFormat {
    /// TOML, for people to read and edit.
    Toml,
    /// JSON (the tool's structuredContent).
    Json,
    /// The markdown summary the tool returns to models.
    Markdown,
}

pub(super) fn run(command: UsageCommand) -> Result<(), Error> {
    match command {
        UsageCommand::Import(args) => import(args),
    }
}

fn import(args: ImportArgs) -> Result<(), Error> {
    let mut files = Vec::new();
    let mut bytes = 0usize;
    for path in args.files.iter().chain(&args.billable) {
        let name = source_name(path);
        let text = read_text(path)?;
        bytes += text.len();
        if bytes > MAX_IMPORT_BYTES {
            return Err(format!("{name}: the files exceed 8 MiB in all; query fewer days").into());
        }
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{name}: not JSON: {e}"))?;
        files.push((name, value));
    }
    let input = ImportInput {
        start: args.start,
        end: args.end,
        billing_cycle_anchor: args.anchor,
        plan: args.plan.map(Into::into),
        ..ImportInput::default()
    };
    let k = knowledge::knowledge()?;
    let imported = recommend::import_usage(k, &PriceTable::builtin(k), &input, &files)?;
    let text = match args.format {
        OutFormat::Toml => format!(
            "# cf-scale usage import: price with `cf-scale cost FILE`, review with `cf-scale review --usage FILE`.\n{}",
            toml::to_string(&imported)?
        ),
        OutFormat::Json => serde_json::to_string_pretty(&imported)? + "\n",
        OutFormat::Markdown => render::import_markdown(&imported),
    };
    if !matches!(args.format, OutFormat::Markdown) {
        eprintln!("{}", imported.summary);
        for w in &imported.warnings {
            eprintln!("warning: {w}");
        }
    }
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
