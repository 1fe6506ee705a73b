//! The command line: `cf-scale serve | resources | read | review | recommend | cost | shard |
//! check | usage-template | pricing diff`. One module per command holds its flags, its reading and its
//! rendering; each calls the library, and nothing here computes.

mod check;
mod cost;
mod pricing;
mod resources;
mod review;
mod scan;
mod serve;
mod shard;
mod usage;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::model::{
    Observations, Plan, UsageProfile, from_json, from_json_str, from_toml_str, imported,
};

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
    Serve(serve::ServeArgs),
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
    Review(review::ReviewArgs),
    Recommend(review::RecommendArgs),
    Check(check::CheckArgs),
    Scan(scan::ScanArgs),
    UsageTemplate(check::UsageTemplateArgs),
    Cost(cost::CostArgs),
    Shard(shard::ShardArgs),
    /// Work with price tables: `cf-scale pricing diff [OLD] NEW`.
    #[command(subcommand)]
    Pricing(pricing::PricingCommand),
    /// Work with real usage: `cf-scale usage import FILE…` turns Cloudflare's analytics and
    /// billing JSON into a usage profile.
    #[command(subcommand)]
    Usage(usage::UsageCommand),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// An aligned table for people.
    Text,
    /// The full report as JSON (the tool's structuredContent).
    Json,
    /// The compact markdown summary the tool returns to models.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlanArg {
    /// Workers Paid.
    Paid,
    /// Workers Free.
    Free,
}

impl From<PlanArg> for Plan {
    fn from(p: PlanArg) -> Self {
        match p {
            PlanArg::Paid => Plan::Paid,
            PlanArg::Free => Plan::Free,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns for people.
    Text,
    /// JSON for programs.
    Json,
}

/// Parses the command line and runs the command. Exit codes: 0 success, 1 failure (the message
/// is on stderr), 2 bad usage; `check` has its own (see its help).
pub fn run() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Check(args) => return check::check(args),
        Command::Scan(args) => return scan::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Resources { format } => resources::list(format),
        Command::Read { uri } => resources::read(&uri),
        Command::Review(args) => review::review(args),
        Command::Recommend(args) => review::recommend(args),
        Command::UsageTemplate(args) => check::usage_template(args),
        Command::Cost(args) => cost::run(args),
        Command::Shard(args) => shard::run(args),
        Command::Pricing(command) => pricing::run(command),
        Command::Usage(command) => usage::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cf-scale: {e}");
            ExitCode::FAILURE
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Reads a JSON or TOML file (or stdin for `-`) into an engine input type.
fn parse_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let name = source_name(path);
    let text = read_text(path)?;
    let parsed = if is_json(path, &text) {
        from_json_str(&text)
    } else {
        from_toml_str(&text)
    };
    Ok(parsed.map_err(|e| format!("{name}: {e}"))?)
}

/// A file's text, or standard input for `-`.
fn read_text(path: &Path) -> Result<String, Error> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        Ok(text)
    } else {
        Ok(std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?)
    }
}

/// JSON by extension, else by a leading `{`.
fn is_json(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    }
}

/// How an input file is named in messages: its path, or `stdin` for `-`.
fn source_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a usage profile from a JSON or TOML file, or from standard input for `-`. The format
/// follows the extension; without one, text starting with `{` is JSON. A file written by
/// `cf-scale usage import` gives its profile and its observations.
fn read_usage(path: &Path) -> Result<(UsageProfile, Option<Observations>), Error> {
    let name = source_name(path);
    let text = read_text(path)?;
    let json = is_json(path, &text);
    let value: Option<serde_json::Value> = if json {
        serde_json::from_str(&text).ok()
    } else {
        toml::from_str(&text).ok()
    };
    if let Some(serde_json::Value::Object(o)) = &value
        && imported::is_imported(o)
    {
        let profile =
            from_json(o["profile"].clone()).map_err(|e| format!("{name}: profile.{e}"))?;
        let observations = o
            .get("observations")
            .map(|v| from_json(v.clone()))
            .transpose()
            .map_err(|e| format!("{name}: observations.{e}"))?;
        return Ok((profile, observations));
    }
    let parsed = if json {
        from_json_str(&text)
    } else {
        from_toml_str(&text)
    };
    Ok((parsed.map_err(|e| format!("{name}: {e}"))?, None))
}

/// [`read_usage`] without the observations.
fn read_profile(path: &Path) -> Result<UsageProfile, Error> {
    Ok(read_usage(path)?.0)
}
