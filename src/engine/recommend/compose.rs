//! Where engines meet: the composer's entry points that combine the leaf engines. Front ends
//! call these (and [`super::recommend`]) rather than wiring engines together themselves.

use rust_decimal::Decimal;

use crate::engine::model::{InputError, PriceTable, Pricer, ProjectContext, UsageProfile};
use crate::engine::{config, cost, import, scan, shard};
use crate::knowledge::Knowledge;

/// The cost engine as a [`Pricer`], for engines that price what they plan.
#[derive(Debug, Clone, Copy)]
pub struct CostEngine<'a> {
    k: &'a Knowledge,
    prices: PriceTable<'a>,
    month: Option<&'a str>,
}

impl<'a> CostEngine<'a> {
    /// Prices with `prices` against the limits of `k`, at the newest prices.
    pub fn new(k: &'a Knowledge, prices: &PriceTable<'a>) -> Self {
        Self {
            k,
            prices: *prices,
            month: None,
        }
    }

    /// Prices profiles that name no month in billing month `month` (YYYY-MM).
    pub fn in_month(self, month: Option<&'a str>) -> Self {
        Self { month, ..self }
    }
}

impl Pricer for CostEngine<'_> {
    fn total(&self, profile: &UsageProfile) -> Result<Decimal, InputError> {
        match (self.month, &profile.month) {
            (Some(m), None) => {
                let mut dated = profile.clone();
                dated.month = Some(m.to_owned());
                Ok(cost::estimate(&self.prices, &self.k.limits, &dated)?.total_usd)
            }
            _ => Ok(cost::estimate(&self.prices, &self.k.limits, profile)?.total_usd),
        }
    }
}

/// `estimate_cost`: the cost engine's report, plus a warning for each product the profile's
/// Wrangler config (`config`) binds but the profile leaves unpriced.
pub fn estimate_cost(
    k: &Knowledge,
    prices: &PriceTable,
    profile: &UsageProfile,
) -> Result<cost::CostReport, InputError> {
    let mut report = cost::estimate(prices, &k.limits, profile)?;
    if let Some(source) = &profile.config {
        let input = config::AnalyzeInput {
            format: source.format,
            ..Default::default()
        };
        let config = config::analyze(&k.limits, &input, &source.content)
            .map_err(|e| InputError::new(format!("config.{}", e.path), e.message))?;
        for service in &config.services {
            let key = serde_json::to_value(service)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if key != "workers" && !report.products.iter().any(|p| p.product == key) {
                report.warnings.push(format!(
                    "{key} is bound in the Wrangler config but this profile has no {key} usage: its cost is not counted."
                ));
            }
        }
        report.summarize();
    }
    Ok(report)
}

/// `import_usage`: the import engine's result with the bill of its profile, priced by the cost
/// engine in the profile's month. `files` are documents the front end read, named by path.
pub fn import_usage(
    k: &Knowledge,
    prices: &PriceTable,
    input: &import::ImportInput,
    files: &[(String, serde_json::Value)],
) -> Result<import::ImportedUsage, InputError> {
    let mut out = import::import(&k.limits, input, files)?;
    // A profile the cost engine refuses (a count past 1e15 after scaling) has no bill, not $0.
    match cost::estimate(prices, &k.limits, &out.profile) {
        Ok(bill) => out.monthly_cost_usd = Some(bill.total_usd),
        Err(e) => out.warnings.push(format!(
            "the imported profile could not be priced (profile.{}: {}): no bill is given",
            e.path, e.message
        )),
    }
    out.summarize();
    Ok(out)
}

/// `shard_plan`: the shard engine, with the cost engine pricing each plan in billing month
/// `month` (YYYY-MM; the newest prices when `None`).
pub fn shard_plan(
    k: &Knowledge,
    prices: &PriceTable,
    request: &shard::ShardRequest,
    month: Option<&str>,
) -> Result<shard::ShardPlan, InputError> {
    let pricer = CostEngine::new(k, prices).in_month(month);
    let ctx = shard::Context {
        limits: &k.limits,
        prices: *prices,
        pricer: &pricer,
    };
    shard::plan(&ctx, request)
}

/// The context with what its Wrangler config (`ctx.config`) shows filled in, keeping what the
/// caller gave: the services bound, whether every queue consumer has a dead-letter queue,
/// whether Smart Placement is on, and the configured `limits.cpu_ms`.
pub fn with_config(k: &Knowledge, ctx: &ProjectContext) -> Result<ProjectContext, InputError> {
    let mut filled = ctx.clone();
    let Some(source) = &ctx.config else {
        return Ok(filled);
    };
    let input = config::AnalyzeInput {
        plan: ctx.plan,
        format: source.format,
        ..Default::default()
    };
    let c = config::analyze(&k.limits, &input, &source.content)
        .map_err(|e| InputError::new(format!("config.{}", e.path), e.message))?;
    if filled.services.is_none() {
        filled.services = Some(c.services.clone());
    }
    let o = &mut filled.observations;
    if o.queue_has_dlq.is_none() && !c.bindings.queue_consumers.is_empty() {
        o.queue_has_dlq = Some(
            c.bindings
                .queue_consumers
                .iter()
                .all(|q| q.dead_letter_queue.is_some()),
        );
    }
    if o.smart_placement.is_none() {
        o.smart_placement = Some(c.placement.as_deref() == Some("smart"));
    }
    if o.run_worker_first.is_none() && c.assets.is_some() {
        o.run_worker_first = Some(c.run_worker_first);
    }
    if o.cpu_limit_ms.is_none() {
        o.cpu_limit_ms = c.cpu_ms;
    }
    Ok(filled)
}

/// The Wrangler config files `analyze_project` looks for, in Wrangler's order of preference.
pub const CONFIG_FILES: [&str; 3] = ["wrangler.jsonc", "wrangler.json", "wrangler.toml"];

/// `analyze_project`: reads the project's Wrangler config (for the bindings, `main` and the D1
/// migrations directories), then scans its code and migrations, pricing index savings in
/// `month`.
pub fn analyze_project(
    k: &Knowledge,
    prices: &PriceTable,
    input: &scan::ScanInput,
    tree: &dyn scan::SourceTree,
    month: Option<&str>,
) -> Result<scan::ProjectScan, InputError> {
    let mut found = None;
    for name in CONFIG_FILES {
        match tree.read(name, config::MAX_CONFIG_BYTES) {
            Ok(Some(text)) => {
                found = Some((name, text));
                break;
            }
            Ok(None) => {}
            Err(e) => return Err(InputError::new("path", format!("`{name}` {e}"))),
        }
    }
    let mut bindings = scan::Bindings::default();
    let mut warnings = Vec::new();
    if let Some((name, text)) = &found {
        let analyzed = config::analyze(
            &k.limits,
            &config::AnalyzeInput {
                env: input.env.clone(),
                plan: input.plan,
                ..Default::default()
            },
            text,
        )
        .map_err(|e| {
            let at = if e.path.is_empty() || e.path == "content" {
                String::new()
            } else {
                format!(" at {}", e.path)
            };
            InputError::new(
                if e.path == "env" { "env" } else { "path" },
                format!("`{name}`{at}: {}", e.message),
            )
        })?;
        bindings = bindings_of(&analyzed);
        bindings.config = Some((*name).to_owned());
    } else {
        warnings.push(format!(
            "no Wrangler config ({}): bindings unknown, so D1, KV, R2, queue and Durable Object calls are not recognised; only fetch() in loops is checked",
            CONFIG_FILES.join(", ")
        ));
    }
    let pricer = CostEngine::new(k, prices).in_month(month);
    let mut report = scan::scan(input, &bindings, tree, &pricer)?;
    if found.is_none() && report.files.code == 0 {
        return Err(InputError::new(
            "path",
            format!(
                "no Wrangler config ({}) and no JavaScript or TypeScript under src/: not a Workers project",
                CONFIG_FILES.join(", ")
            ),
        ));
    }
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    Ok(report)
}

/// What the code can reach, from `analyze_config`'s report.
fn bindings_of(c: &config::ProjectConfig) -> scan::Bindings {
    let names = |list: &[config::Binding]| list.iter().map(|b| b.name.clone()).collect();
    let b = &c.bindings;
    scan::Bindings {
        config: None,
        main: c.main.clone(),
        d1: b
            .d1_databases
            .iter()
            .zip(&c.d1_migrations_dirs)
            .map(|(d, dir)| (d.name.clone(), dir.clone()))
            .collect(),
        kv: names(&b.kv_namespaces),
        r2: names(&b.r2_buckets),
        producers: b
            .queue_producers
            .iter()
            .map(|p| (p.name.clone(), p.target.clone()))
            .collect(),
        consumed: b.queue_consumers.iter().map(|q| q.queue.clone()).collect(),
        durable_objects: b
            .durable_objects
            .iter()
            .map(|d| (d.name.clone(), d.class_name.clone()))
            .collect(),
        services: names(&b.services),
    }
}
