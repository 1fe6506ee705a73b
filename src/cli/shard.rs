//! `cf-scale shard`: plan sharding or partitioning (the `shard_plan` tool), from flags or a file.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{Error, ReportFormat, is_json, read_text, source_name};
use crate::engine::model::{PriceTable, from_json, from_json_str, from_toml_str};
use crate::engine::{recommend, shard};
use crate::{knowledge, render};

/// Plan sharding or partitioning (the `shard_plan` tool): the arithmetic, the code, the cost.
///
/// Give the strategy and its fields as flags, e.g.
/// `cf-scale shard kv_key --key views:home --peak-writes-per-second 20 --reads-per-second 50`,
/// `cf-scale shard d1_time --table events --current-gb 2 --growth-gb-per-month 0.5
/// --retention-months 6 --start-month 2026-11`, or the whole request as JSON/TOML with
/// `--input plan.json`. Strategies: kv_key, d1_time, d1_tenant, durable_object, queue.
#[derive(Debug, clap::Args)]
pub struct ShardArgs {
    /// kv_key | d1_time | d1_tenant | durable_object | queue (omit with --input).
    strategy: Option<String>,
    /// The whole request (with `strategy`) as a JSON or TOML file; `-` reads stdin.
    #[arg(long, value_name = "FILE", conflicts_with = "strategy")]
    input: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// The strategy's fields as `--field-name value` pairs (a comma-separated value is a list).
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "--FIELD VALUE"
    )]
    fields: Vec<String>,
}

pub(super) fn run(args: ShardArgs) -> Result<(), Error> {
    let mut format = args.format;
    let (name, request): (String, shard::ShardRequest) = match (args.strategy, args.input) {
        (_, Some(path)) => {
            let name = source_name(&path);
            let text = read_text(&path)?;
            let parsed = if is_json(&path, &text) {
                from_json_str(&text)
            } else {
                from_toml_str(&text)
            };
            (name.clone(), parsed.map_err(|e| format!("{name}: {e}"))?)
        }
        (Some(strategy), None) => {
            // Options given after the fields land among them: take --format back out.
            let mut fields = args.fields;
            if let Some(at) = fields.iter().position(|f| f == "--format") {
                let value = fields.get(at + 1).ok_or("--format needs a value")?;
                format =
                    ReportFormat::from_str(value, true).map_err(|e| format!("--format: {e}"))?;
                fields.drain(at..at + 2);
            }
            let value = request_from_flags(&strategy, &fields)?;
            (
                "shard".to_owned(),
                from_json(value).map_err(|e| format!("{strategy}: {e}"))?,
            )
        }
        (None, None) => return Err(
            "give a strategy (kv_key, d1_time, d1_tenant, durable_object, queue) or --input <file>"
                .into(),
        ),
    };
    let k = knowledge::knowledge()?;
    let month = crate::clock::month_utc();
    let plan = recommend::shard_plan(k, &PriceTable::builtin(k), &request, Some(&month))
        .map_err(|e| format!("{name}: {e}"))?;
    let text = match format {
        ReportFormat::Json => serde_json::to_string_pretty(&plan)? + "\n",
        ReportFormat::Text | ReportFormat::Markdown => render::shard_markdown(&plan),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(())
}

/// Builds a shard request from `--field value` pairs: numbers become numbers, comma-separated
/// values lists, anything else a string. The engine's deserializer checks the names.
fn request_from_flags(strategy: &str, fields: &[String]) -> Result<serde_json::Value, Error> {
    let mut object = serde_json::Map::new();
    object.insert("strategy".into(), strategy.into());
    let mut it = fields.iter();
    while let Some(flag) = it.next() {
        let Some(name) = flag.strip_prefix("--") else {
            return Err(format!("expected a --field-name before {flag:?}").into());
        };
        let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
        let scalar = |v: &str| {
            if let Ok(n) = v.parse::<u64>() {
                serde_json::Value::from(n)
            } else if let Ok(x) = v.parse::<f64>() {
                serde_json::Value::from(x)
            } else {
                serde_json::Value::from(v)
            }
        };
        let value = if value.contains(',') {
            serde_json::Value::Array(value.split(',').map(|v| scalar(v.trim())).collect())
        } else {
            scalar(value)
        };
        object.insert(name.replace('-', "_"), value);
    }
    Ok(serde_json::Value::Object(object))
}
