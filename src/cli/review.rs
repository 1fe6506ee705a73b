//! `cf-scale review` and `cf-scale recommend`: the `recommend_scaling` tool on a project context
//! (the built-in example project by default), with the bill.

use std::io::Write;
use std::path::PathBuf;

use super::{Error, ReportFormat, parse_file, read_usage, source_name};
use crate::engine::model::{PriceTable, ProjectContext, from_toml_str};
use crate::engine::recommend;
use crate::{knowledge, render};

/// The example project `cf-scale review` reviews without arguments.
const EXAMPLE_PROJECT: &str = include_str!("../../examples/project.toml");

/// Review a project: growth stage and checklist, ranked recommendations with evidence and
/// cost impact, headroom against every limit it touches, the monthly bill, and the shard
/// plans it calls for.
///
/// With no arguments it reviews the built-in example project (examples/project.toml: a SaaS
/// API at 2M requests/day). `--context` takes your own (the `recommend_scaling` input, JSON
/// or TOML, `-` for stdin); `--usage` adds or replaces its monthly usage profile. With a
/// project directory it also reads the Wrangler config there and scans the code and
/// migrations (`cf-scale scan`): the findings join the recommendations.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// A project directory to scan with its Wrangler config (see `cf-scale scan`).
    dir: Option<PathBuf>,
    /// The Wrangler environment to resolve in DIR.
    #[arg(long)]
    env: Option<String>,
    /// The project context (the recommend_scaling input).
    #[arg(long, value_name = "FILE")]
    context: Option<PathBuf>,
    /// A usage profile (the estimate_cost input) for the bill and cost impacts.
    #[arg(long, value_name = "FILE")]
    usage: Option<PathBuf>,
    /// The billing month to price the usage in, YYYY-MM (default: the profile's, else this month).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// Recommendations for a project context (the `recommend_scaling` tool).
#[derive(Debug, clap::Args)]
pub struct RecommendArgs {
    /// The project context, JSON or TOML; `-` reads stdin.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

pub(super) fn review(args: ReviewArgs) -> Result<(), Error> {
    let (name, mut ctx) = match (args.context, &args.dir) {
        (Some(path), _) => (source_name(&path), parse_file::<ProjectContext>(&path)?),
        (None, Some(dir)) => (dir.display().to_string(), ProjectContext::default()),
        (None, None) => (
            "examples/project.toml".to_owned(),
            from_toml_str(EXAMPLE_PROJECT).map_err(|e| format!("examples/project.toml: {e}"))?,
        ),
    };
    if let Some(path) = args.usage {
        let (profile, observed) = read_usage(&path)?;
        ctx.usage = Some(profile);
        if let Some(observed) = observed {
            ctx.observations = fill(ctx.observations, observed)?;
        }
    }
    let mut scanned = None;
    if let Some(dir) = &args.dir {
        let input = super::scan::input_of(args.env.clone(), &[], &[], None, None)?;
        let report =
            super::scan::scan_dir(dir, &input).map_err(|e| format!("{}: {e}", dir.display()))?;
        if ctx.config.is_none()
            && let Some(file) = &report.files.config
        {
            ctx.config = Some(crate::engine::model::ConfigSource {
                content: std::fs::read_to_string(dir.join(file))?,
                format: None,
            });
        }
        scanned = Some(report.clone());
        ctx.project = Some(crate::engine::model::ProjectSource::Scan(report.into()));
    }
    if ctx.today.is_none() {
        ctx.today = Some(crate::clock::today_utc());
    }
    if let (Some(u), Some(m)) = (ctx.usage.as_mut(), args.month) {
        u.month = Some(m);
    }
    let k = knowledge::knowledge()?;
    let prices = PriceTable::builtin(k);
    if let (Some(u), Some(today)) = (ctx.usage.as_mut(), ctx.today.as_deref())
        && u.month.is_none()
    {
        u.month = today.get(..7).map(str::to_owned);
    }
    let report = recommend::recommend(k, &prices, &ctx).map_err(|e| format!("{name}: {e}"))?;
    let text = match args.format {
        ReportFormat::Json => {
            let bill = ctx
                .usage
                .as_ref()
                .map(|u| recommend::estimate_cost(k, &prices, u))
                .transpose()?;
            serde_json::to_string_pretty(
                &serde_json::json!({"review": report, "cost": bill, "scan": scanned}),
            )? + "\n"
        }
        ReportFormat::Text | ReportFormat::Markdown => {
            let mut text = format!(
                "cf-scale review of {name}\n\n{}",
                render::recommend_markdown(&report)
            );
            if let Some(scan) = &scanned {
                text.push_str("\n## Code scan\n\n");
                text.push_str(&render::scan_markdown(scan));
            }
            if let Some(u) = &ctx.usage {
                let bill = recommend::estimate_cost(k, &prices, u)
                    .map_err(|e| format!("{name}: usage: {e}"))?;
                text.push_str("\n## Monthly cost\n\n");
                text.push_str(&match args.format {
                    ReportFormat::Text => render::cost_text(&bill),
                    _ => render::cost_markdown(&bill),
                });
            }
            text
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Observations `given` keeps, with the ones it leaves out taken from `observed`.
fn fill(
    given: crate::engine::model::Observations,
    observed: crate::engine::model::Observations,
) -> Result<crate::engine::model::Observations, Error> {
    let mut merged = serde_json::to_value(&given)?;
    if let (Some(m), serde_json::Value::Object(o)) =
        (merged.as_object_mut(), serde_json::to_value(observed)?)
    {
        for (k, v) in o {
            if m.get(&k).is_none_or(serde_json::Value::is_null) {
                m.insert(k, v);
            }
        }
    }
    Ok(crate::engine::model::from_json(merged)?)
}

pub(super) fn recommend(args: RecommendArgs) -> Result<(), Error> {
    let name = source_name(&args.file);
    let mut ctx: ProjectContext = parse_file(&args.file)?;
    if ctx.today.is_none() {
        ctx.today = Some(crate::clock::today_utc());
    }
    let k = knowledge::knowledge()?;
    let report = recommend::recommend(k, &PriceTable::builtin(k), &ctx)
        .map_err(|e| format!("{name}: {e}"))?;
    let text = match args.format {
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        _ => render::recommend_markdown(&report),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}
