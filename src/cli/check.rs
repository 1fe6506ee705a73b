//! `cf-scale check` (lint the Wrangler config, the `analyze_config` tool, with CI exit codes)
//! and `cf-scale usage-template` (a usage profile skeleton for what the config binds).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{Error, PlanArg, ReportFormat, read_text};
use crate::engine::config;
use crate::engine::model::ConfigFormat;
use crate::knowledge::{self, Severity};
use crate::render;

/// Lint the Wrangler configuration (the `analyze_config` tool), for CI and pre-deploy hooks.
///
/// Exit codes: 0 no findings at or above --fail-on, 1 findings at or above it, 2 the config
/// is missing, unreadable or invalid (with the parser's line and column).
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// wrangler.jsonc, wrangler.json or wrangler.toml; found in the current directory when
    /// absent.
    path: Option<PathBuf>,
    /// The environment to resolve (`env.<name>`).
    #[arg(long)]
    env: Option<String>,
    /// Lowest severity that fails the check.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Report a compatibility_date older than this (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    stale_before: Option<String>,
    /// Check plan-specific limits for this plan.
    #[arg(long, value_enum)]
    plan: Option<PlanArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// Print a usage profile skeleton (TOML) for every product the Wrangler config binds, each
/// number marked "to fill in"; price it with `cf-scale cost`.
#[derive(Debug, clap::Args)]
pub struct UsageTemplateArgs {
    /// The Wrangler configuration.
    path: PathBuf,
    /// The environment to resolve.
    #[arg(long)]
    env: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum FailOn {
    /// Any finding fails.
    Low,
    /// Medium and above.
    Medium,
    /// High and critical (the default).
    High,
    /// Critical only.
    Critical,
}

impl FailOn {
    /// The lowest severity that fails.
    pub(super) fn severity(self) -> Severity {
        match self {
            Self::Low => Severity::Low,
            Self::Medium => Severity::Medium,
            Self::High => Severity::High,
            Self::Critical => Severity::Critical,
        }
    }
}

/// `cf-scale check`: its own exit codes (0 clean, 1 findings, 2 no usable config).
pub(super) fn check(args: CheckArgs) -> ExitCode {
    let path = match args.path {
        Some(p) => p,
        None => match ["wrangler.jsonc", "wrangler.json", "wrangler.toml"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        {
            Some(p) => p,
            None => {
                eprintln!(
                    "cf-scale: no wrangler.jsonc, wrangler.json or wrangler.toml in the current directory"
                );
                return ExitCode::from(2);
            }
        },
    };
    let format_of = match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => Some(ConfigFormat::Toml),
        Some("json") => Some(ConfigFormat::Json),
        Some("jsonc") => Some(ConfigFormat::Jsonc),
        _ => None,
    };
    let plan = args.plan.map(crate::engine::model::Plan::from);
    let input = config::AnalyzeInput {
        env: args.env,
        stale_before: args.stale_before,
        plan,
        format: format_of,
        ..Default::default()
    };
    let analysed = read_text(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let k = knowledge::knowledge().map_err(|e| e.to_string())?;
            config::analyze(&k.limits, &input, &text).map_err(|e| e.to_string())
        });
    let c = match analysed {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cf-scale: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        ReportFormat::Json => serde_json::to_string_pretty(&c).unwrap_or_default() + "\n",
        _ => render::config_markdown(&c),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let threshold = args.fail_on.severity();
    if c.lints.iter().any(|l| l.severity <= threshold) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

pub(super) fn usage_template(args: UsageTemplateArgs) -> Result<(), Error> {
    let text = read_text(&args.path)?;
    let k = knowledge::knowledge()?;
    let input = config::AnalyzeInput {
        env: args.env,
        ..Default::default()
    };
    let c = config::analyze(&k.limits, &input, &text)
        .map_err(|e| format!("{}: {e}", args.path.display()))?;
    std::io::stdout()
        .lock()
        .write_all(config::usage_template(&c).as_bytes())?;
    Ok(())
}
