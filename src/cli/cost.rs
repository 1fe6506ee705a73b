//! `cf-scale cost`: price a usage profile (the `estimate_cost` tool), with an SVG chart of the
//! curve.

use std::io::Write;
use std::path::PathBuf;

use super::{Error, ReportFormat, read_profile, source_name};
use crate::engine::model::PriceTable;
use crate::engine::recommend;
use crate::pricing::PriceFile;
use crate::{chart, knowledge, render};

/// Price a usage profile: the exact monthly cost, itemised (the `estimate_cost` tool).
///
/// The profile is JSON or TOML with the fields of the tool's input, e.g.
/// `{"workers": {"requests": 100000000, "cpu_ms_per_request": 7}, "kv": {"reads": 5e7}}`;
/// counts are per month unless `"period": "day"`. `cf-scale read scale://data/pricing` shows
/// the prices used.
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    /// The usage profile (JSON or TOML); `-` reads standard input.
    file: PathBuf,
    /// A second profile to compare with (an alternative design); adds per-line differences.
    #[arg(long, value_name = "FILE")]
    compare: Option<PathBuf>,
    /// The billing month to price, YYYY-MM (default: the profile's `month`, else this month).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// Traffic multipliers for a cost curve, comma-separated, e.g. `0.1,1,10,100`.
    #[arg(long, value_delimiter = ',', value_name = "MULTIPLIERS")]
    curve: Vec<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Also write the cost curve as an SVG line chart to this file.
    #[arg(long, value_name = "SVG")]
    chart: Option<PathBuf>,
    /// A price table replacing the built-in one, in the format of
    /// skills/scale/data/pricing.toml (e.g. for contract prices).
    #[arg(long, value_name = "FILE")]
    pricing: Option<PathBuf>,
}

pub(super) fn run(args: CostArgs) -> Result<(), Error> {
    let mut profile = read_profile(&args.file)?;
    if let Some(other) = args.compare {
        profile.compare_to = Some(Box::new(read_profile(&other)?));
    }
    if !args.curve.is_empty() {
        profile.curve = args.curve;
    }
    if args.month.is_some() {
        profile.month = args.month;
    }
    if profile.month.is_none() {
        profile.month = Some(crate::clock::month_utc());
    }
    let k = knowledge::knowledge()?;
    let price_file = args.pricing.as_deref().map(PriceFile::load).transpose()?;
    let table = price_file
        .as_ref()
        .map_or_else(|| PriceTable::builtin(k), |f| f.table(k));
    let report = recommend::estimate_cost(k, &table, &profile)
        .map_err(|e| format!("{}: {e}", source_name(&args.file)))?;
    if let Some(path) = args.chart {
        let svg = chart::cost_curve_svg(&report)?;
        std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let text = match args.format {
        ReportFormat::Text => render::cost_text(&report),
        ReportFormat::Markdown => render::cost_markdown(&report),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
