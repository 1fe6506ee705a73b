//! `cf-scale scan [DIR]`: the `analyze_project` tool on a project directory, with CI exit codes
//! like `check`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::check::FailOn;
use super::{PlanArg, ReportFormat, read_text};
use crate::engine::{recommend, scan};
use crate::knowledge;
use crate::render;
use crate::workspace::DirTree;

/// Read the project's code and D1 migrations: every D1 statement's query plan with a checked
/// index for each scan or sort, and the loops that run up bills (alarm re-arms, a consumer
/// feeding its own queue, kv.list() on the request path, subrequests in loops, R2 bodies read
/// whole, WebSockets without hibernation).
///
/// Reads the Wrangler config in DIR, the migrations of each D1 binding (`migrations_dir`, else
/// migrations/), and the code from `main` and what it imports (else src/**): at most 500 code
/// files, 1 MiB each, 16 MiB in all.
///
/// Exit codes: 0 no findings at or above --fail-on, 1 findings at or above it, 2 the project
/// cannot be read (no directory, an invalid config).
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The project directory (default: the current directory).
    dir: Option<PathBuf>,
    /// The Wrangler environment to resolve (`env.<name>`).
    #[arg(long)]
    env: Option<String>,
    /// Lowest severity that fails the scan.
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    fail_on: FailOn,
    /// Rows in a table, e.g. `--rows users=2000000` (repeat per table).
    #[arg(long = "rows", value_name = "TABLE=N")]
    rows: Vec<String>,
    /// Calls per month of a statement by its id, e.g. `--calls src/db.ts:42=3000000`.
    #[arg(long = "calls", value_name = "ID=N")]
    calls: Vec<String>,
    /// An import result (`cf-scale usage import --format json`): D1's per-query statistics
    /// give call rates and rows returned.
    #[arg(long, value_name = "FILE")]
    usage: Option<PathBuf>,
    /// Price on this plan.
    #[arg(long, value_enum)]
    plan: Option<PlanArg>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

fn pairs(flag: &str, list: &[String]) -> Result<BTreeMap<String, f64>, String> {
    list.iter()
        .map(|p| {
            let (k, v) = p
                .rsplit_once('=')
                .ok_or_else(|| format!("--{flag} {p}: expected NAME=NUMBER"))?;
            let n: f64 = v
                .replace(['_', ','], "")
                .parse()
                .map_err(|_| format!("--{flag} {p}: `{v}` is not a number"))?;
            Ok((k.to_owned(), n))
        })
        .collect()
}

/// The scan's input from the flags.
pub(super) fn input_of(
    env: Option<String>,
    rows: &[String],
    calls: &[String],
    usage: Option<&PathBuf>,
    plan: Option<PlanArg>,
) -> Result<scan::ScanInput, String> {
    let usage = match usage {
        Some(p) => {
            let text = read_text(p).map_err(|e| e.to_string())?;
            Some(
                serde_json::from_str::<scan::ImportedQueries>(&text)
                    .map_err(|e| format!("{}: not an import result: {e}", p.display()))?,
            )
        }
        None => None,
    };
    Ok(scan::ScanInput {
        path: None,
        env,
        table_rows: pairs("rows", rows)?,
        calls_per_month: pairs("calls", calls)?,
        usage,
        plan: plan.map(Into::into),
    })
}

/// Scans `dir` as the CLI does.
pub(super) fn scan_dir(
    dir: &std::path::Path,
    input: &scan::ScanInput,
) -> Result<scan::ProjectScan, String> {
    let tree = DirTree::open(dir)?;
    let k = knowledge::knowledge().map_err(|e| e.to_string())?;
    let prices = crate::engine::model::PriceTable::builtin(k);
    let month = crate::clock::month_utc();
    recommend::analyze_project(k, &prices, input, &tree, Some(&month)).map_err(|e| e.to_string())
}

pub(super) fn run(args: ScanArgs) -> ExitCode {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let report = input_of(
        args.env,
        &args.rows,
        &args.calls,
        args.usage.as_ref(),
        args.plan,
    )
    .and_then(|input| scan_dir(&dir, &input));
    let r = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cf-scale: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let text = match args.format {
        ReportFormat::Json => serde_json::to_string_pretty(&r).unwrap_or_default() + "\n",
        _ => render::scan_markdown(&r),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let threshold = args.fail_on.severity();
    if r.findings.iter().any(|f| f.severity <= threshold) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
