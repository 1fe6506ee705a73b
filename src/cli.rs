//! The command line: `cf-scale serve | resources | read | review | recommend | cost | shard |
//! check | usage-template`. Each command reads its input, calls the
//! library, and renders; nothing here computes.

use std::io::Write;
use std::process::ExitCode;

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::{self, config, cost, recommend, shard};
use crate::pricing::PriceFile;
use crate::{chart, knowledge, render, resources};

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
    /// Run the MCP server: on stdin/stdout (what MCP clients start), or with --http on Streamable
    /// HTTP at /mcp. Logs go to stderr; set RUST_LOG=debug for more.
    ///
    /// --http binds loopback addresses only, unless CF_SCALE_TOKEN is set: then every request needs
    /// `Authorization: Bearer $CF_SCALE_TOKEN`. CF_SCALE_ALLOWED_HOSTS (comma-separated) adds host
    /// names accepted in the Host header behind a load balancer.
    Serve {
        /// Serve Streamable HTTP on this address, e.g. 127.0.0.1:8787.
        #[arg(long, value_name = "ADDR")]
        http: Option<std::net::SocketAddr>,
    },
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
    /// Review a project: growth stage and checklist, ranked recommendations with evidence and
    /// cost impact, headroom against every limit it touches, the monthly bill, and the shard
    /// plans it calls for.
    ///
    /// With no arguments it reviews the built-in example project (examples/project.toml: a SaaS
    /// API at 2M requests/day). `--context` takes your own (the `recommend_scaling` input, JSON
    /// or TOML, `-` for stdin); `--usage` adds or replaces its monthly usage profile.
    Review {
        /// The project context (the recommend_scaling input).
        #[arg(long, value_name = "FILE")]
        context: Option<PathBuf>,
        /// A usage profile (the estimate_cost input) for the bill and cost impacts.
        #[arg(long, value_name = "FILE")]
        usage: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Recommendations for a project context (the `recommend_scaling` tool).
    Recommend {
        /// The project context, JSON or TOML; `-` reads stdin.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
    },
    /// Lint the Wrangler configuration (the `analyze_config` tool), for CI and pre-deploy hooks.
    ///
    /// Exit codes: 0 no findings at or above --fail-on, 1 findings at or above it, 2 the config
    /// is missing, unreadable or invalid (with the parser's line and column).
    Check {
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
    },
    /// Print a usage profile skeleton (TOML) for every product the Wrangler config binds, each
    /// number marked "to fill in"; price it with `cf-scale cost`.
    UsageTemplate {
        /// The Wrangler configuration.
        path: PathBuf,
        /// The environment to resolve.
        #[arg(long)]
        env: Option<String>,
    },
    /// Price a usage profile: the exact monthly cost, itemised (the `estimate_cost` tool).
    ///
    /// The profile is JSON or TOML with the fields of the tool's input, e.g.
    /// `{"workers": {"requests": 100000000, "cpu_ms_per_request": 7}, "kv": {"reads": 5e7}}`;
    /// counts are per month unless `"period": "day"`. `cf-scale read scale://data/pricing` shows
    /// the prices used.
    Cost {
        /// The usage profile (JSON or TOML); `-` reads standard input.
        file: PathBuf,
        /// A second profile to compare with (an alternative design); adds per-line differences.
        #[arg(long, value_name = "FILE")]
        compare: Option<PathBuf>,
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
    },
    /// Plan sharding or partitioning (the `shard_plan` tool): the arithmetic, the code, the cost.
    ///
    /// Give the strategy and its fields as flags, e.g.
    /// `cf-scale shard kv_key --key views:home --peak-writes-per-second 20 --reads-per-second 50`,
    /// `cf-scale shard d1_time --table events --current-gb 2 --growth-gb-per-month 0.5
    /// --retention-months 6 --start-month 2026-11`, or the whole request as JSON/TOML with
    /// `--input plan.json`. Strategies: kv_key, d1_time, d1_tenant, durable_object, queue.
    Shard {
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
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    /// Any finding fails.
    Low,
    /// Medium and above.
    Medium,
    /// High and critical (the default).
    High,
    /// Critical only.
    Critical,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PlanArg {
    /// Workers Paid.
    Paid,
    /// Workers Free.
    Free,
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
    if let Command::Check {
        path,
        env,
        fail_on,
        stale_before,
        plan,
        format,
    } = cli.command
    {
        return check(path, env, fail_on, stale_before, plan, format);
    }
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
        Command::Serve { http } => serve(http),
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
        Command::Cost {
            file,
            compare,
            curve,
            format,
            chart: chart_path,
            pricing,
        } => {
            let mut profile = read_profile(&file)?;
            if let Some(other) = compare {
                profile.compare_to = Some(Box::new(read_profile(&other)?));
            }
            if !curve.is_empty() {
                profile.curve = curve;
            }
            let k = knowledge::knowledge()?;
            let price_file = pricing.as_deref().map(PriceFile::load).transpose()?;
            let table = price_file
                .as_ref()
                .map_or_else(|| cost::PriceTable::builtin(k), |f| f.table(k));
            let report = cost::estimate(&table, &k.limits, &profile)
                .map_err(|e| format!("{}: {e}", source_name(&file)))?;
            if let Some(path) = chart_path {
                let svg = chart::cost_curve_svg(&report)?;
                std::fs::write(&path, svg).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            let text = match format {
                ReportFormat::Text => render::cost_text(&report),
                ReportFormat::Markdown => render::cost_markdown(&report),
                ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
            };
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
        Command::Check { .. } => unreachable!("handled in run"),
        Command::UsageTemplate { path, env } => {
            let text = read_text(&path)?;
            let k = knowledge::knowledge()?;
            let input = config::AnalyzeInput {
                env,
                ..Default::default()
            };
            let c = config::analyze(&k.limits, &input, &text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            std::io::stdout()
                .lock()
                .write_all(config::usage_template(&c).as_bytes())?;
            Ok(())
        }
        Command::Review {
            context,
            usage,
            format,
        } => {
            let (name, mut ctx) = match context {
                Some(path) => (
                    source_name(&path),
                    parse_file::<recommend::ProjectContext>(&path)?,
                ),
                None => (
                    "examples/project.toml".to_owned(),
                    engine::from_toml_str(EXAMPLE_PROJECT)
                        .map_err(|e| format!("examples/project.toml: {e}"))?,
                ),
            };
            if let Some(path) = usage {
                ctx.usage = Some(read_profile(&path)?);
            }
            if ctx.today.is_none() {
                ctx.today = Some(today_utc());
            }
            let k = knowledge::knowledge()?;
            let prices = cost::PriceTable::builtin(k);
            let report =
                recommend::recommend(k, &prices, &ctx).map_err(|e| format!("{name}: {e}"))?;
            let text = match format {
                ReportFormat::Json => {
                    let bill = ctx
                        .usage
                        .as_ref()
                        .map(|u| cost::estimate(&prices, &k.limits, u))
                        .transpose()?;
                    serde_json::to_string_pretty(
                        &serde_json::json!({"review": report, "cost": bill}),
                    )? + "\n"
                }
                ReportFormat::Text | ReportFormat::Markdown => {
                    let mut text = format!(
                        "cf-scale review of {name}\n\n{}",
                        render::recommend_markdown(&report)
                    );
                    if let Some(u) = &ctx.usage {
                        let bill = cost::estimate(&prices, &k.limits, u)
                            .map_err(|e| format!("{name}: usage: {e}"))?;
                        text.push_str("\n## Monthly cost\n\n");
                        text.push_str(&match format {
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
        Command::Recommend { file, format } => {
            let name = source_name(&file);
            let ctx: recommend::ProjectContext = parse_file(&file)?;
            let k = knowledge::knowledge()?;
            let report = recommend::recommend(k, &cost::PriceTable::builtin(k), &ctx)
                .map_err(|e| format!("{name}: {e}"))?;
            let text = match format {
                ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
                _ => render::recommend_markdown(&report),
            };
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
        Command::Shard {
            strategy,
            input,
            mut format,
            fields,
        } => {
            let (name, request): (String, shard::ShardRequest) = match (strategy, input) {
                (_, Some(path)) => {
                    let name = source_name(&path);
                    let text = read_text(&path)?;
                    let json = is_json(&path, &text);
                    let parsed = if json { engine::from_json_str(&text) } else { engine::from_toml_str(&text) };
                    (name.clone(), parsed.map_err(|e| format!("{name}: {e}"))?)
                }
                (Some(strategy), None) => {
                    // Options given after the fields land among them: take --format back out.
                    let mut fields = fields;
                    if let Some(at) = fields.iter().position(|f| f == "--format") {
                        let value = fields.get(at + 1).ok_or("--format needs a value")?;
                        format = ReportFormat::from_str(value, true).map_err(|e| format!("--format: {e}"))?;
                        fields.drain(at..at + 2);
                    }
                    let value = shard_request(&strategy, &fields)?;
                    ("shard".to_owned(), engine::from_json(value).map_err(|e| format!("{strategy}: {e}"))?)
                }
                (None, None) => return Err("give a strategy (kv_key, d1_time, d1_tenant, durable_object, queue) or --input <file>".into()),
            };
            let k = knowledge::knowledge()?;
            let ctx = shard::Context {
                limits: &k.limits,
                prices: cost::PriceTable::builtin(k),
            };
            let plan = shard::plan(&ctx, &request).map_err(|e| format!("{name}: {e}"))?;
            let text = match format {
                ReportFormat::Json => serde_json::to_string_pretty(&plan)? + "\n",
                ReportFormat::Text | ReportFormat::Markdown => render::shard_markdown(&plan),
            };
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

/// `cf-scale check`: its own exit codes (0 clean, 1 findings, 2 no usable config).
fn check(
    path: Option<PathBuf>,
    env: Option<String>,
    fail_on: FailOn,
    stale_before: Option<String>,
    plan: Option<PlanArg>,
    format: ReportFormat,
) -> ExitCode {
    let path = match path {
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
        Some("toml") => Some(config::ConfigFormat::Toml),
        Some("json") => Some(config::ConfigFormat::Json),
        Some("jsonc") => Some(config::ConfigFormat::Jsonc),
        _ => None,
    };
    let plan = plan.map(|p| match p {
        PlanArg::Paid => engine::Plan::Paid,
        PlanArg::Free => engine::Plan::Free,
    });
    let input = config::AnalyzeInput {
        env,
        stale_before,
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
    let text = match format {
        ReportFormat::Json => serde_json::to_string_pretty(&c).unwrap_or_default() + "\n",
        _ => render::config_markdown(&c),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let threshold = match fail_on {
        FailOn::Low => crate::knowledge::Severity::Low,
        FailOn::Medium => crate::knowledge::Severity::Medium,
        FailOn::High => crate::knowledge::Severity::High,
        FailOn::Critical => crate::knowledge::Severity::Critical,
    };
    if c.lints.iter().any(|l| l.severity <= threshold) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The example project `cf-scale review` reviews without arguments.
const EXAMPLE_PROJECT: &str = include_str!("../examples/project.toml");

/// Today's UTC date, `YYYY-MM-DD`: the front end reads the clock so the engines need not.
fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = engine::shard::civil_from_days((secs / 86_400) as i64);
    format!("{y}-{m:02}-{d:02}")
}

/// Reads a JSON or TOML file (or stdin for `-`) into an engine input type.
fn parse_file<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
    let name = source_name(path);
    let text = read_text(path)?;
    let parsed = if is_json(path, &text) {
        engine::from_json_str(&text)
    } else {
        engine::from_toml_str(&text)
    };
    Ok(parsed.map_err(|e| format!("{name}: {e}"))?)
}

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

/// Builds a shard request from `--field value` pairs: numbers become numbers, comma-separated
/// values lists, anything else a string. The engine's deserializer checks the names.
fn shard_request(strategy: &str, fields: &[String]) -> Result<serde_json::Value, Error> {
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

/// How an input file is named in messages: its path, or `stdin` for `-`.
fn source_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a usage profile from a JSON or TOML file, or from standard input for `-`. The format
/// follows the extension; without one, text starting with `{` is JSON.
fn read_profile(path: &Path) -> Result<cost::UsageProfile, Error> {
    let name = source_name(path);
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?
    };
    let json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("toml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let parsed = if json {
        engine::from_json_str(&text)
    } else {
        engine::from_toml_str(&text)
    };
    Ok(parsed.map_err(|e| format!("{name}: {e}"))?)
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

fn serve(http: Option<std::net::SocketAddr>) -> Result<(), Error> {
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
    match http {
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
