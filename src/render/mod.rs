//! Reports as text: compact markdown for models (tool results) and `--format markdown`, and
//! aligned plain text for people on a terminal. Nothing here computes: it only lays out what
//! an engine returned.

pub mod view;

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::engine::cost::{CostLine, CostReport};
use crate::engine::model::{Dollars, Grouped};

/// The cost report as compact markdown: the total first, one line per product, then the
/// comparison, the curve, warnings and assumptions.
pub fn cost_markdown(r: &CostReport) -> String {
    let mut s = String::with_capacity(1024);
    let _ = writeln!(s, "{}\n", r.summary);
    let _ = writeln!(
        s,
        "**{}/month** on {} (prices as of {}, {} table)",
        Dollars(r.total_usd),
        r.plan.name(),
        r.price_table.as_of,
        r.price_table.source
    );
    if !r.subscription_usd.is_zero() {
        let _ = writeln!(s, "- subscription: {}", Dollars(r.subscription_usd));
    }
    for p in &r.products {
        let _ = write!(s, "- {}: {} (", p.product, Dollars(p.subtotal_usd));
        for (i, l) in p.lines.iter().enumerate() {
            if i > 0 {
                s.push_str("; ");
            }
            line_brief(&mut s, l);
        }
        s.push_str(")\n");
    }
    cost_details(r, &mut s);
    s
}

/// What follows the itemised lines in both layouts: Free-plan verdict, comparison, curve,
/// warnings and assumptions.
fn cost_details(r: &CostReport, s: &mut String) {
    if let Some(f) = &r.free_plan {
        if f.exceeded.is_empty() && f.needs_paid.is_empty() {
            let _ = writeln!(
                s,
                "\nWithin the Free plan's limits. On Workers Paid: {}.",
                Dollars(f.paid_equivalent_usd)
            );
        } else {
            let _ = writeln!(
                s,
                "\n**Exceeds Workers Free** (Paid would cost {}):",
                Dollars(f.paid_equivalent_usd)
            );
            for e in &f.exceeded {
                let _ = writeln!(
                    s,
                    "- {}.{}: {} vs {} {}",
                    e.product,
                    e.metric,
                    Grouped(e.usage),
                    Grouped(e.limit),
                    period(e.period)
                );
            }
            for n in &f.needs_paid {
                let _ = writeln!(s, "- {n}: needs Workers Paid");
            }
        }
    }
    if let Some(d) = &r.delta {
        let _ = writeln!(
            s,
            "\nCompared profile: {}/month ({} vs this one)",
            Dollars(d.compared_total_usd),
            signed(d.difference_usd)
        );
        for l in &d.lines {
            let _ = writeln!(
                s,
                "- {}.{}: {}",
                l.product,
                l.metric,
                signed(l.difference_usd)
            );
        }
    }
    if !r.curve.is_empty() {
        let points: Vec<String> = r
            .curve
            .iter()
            .map(|p| format!("×{} {}", p.multiplier, Dollars(p.total_usd)))
            .collect();
        let _ = writeln!(s, "\nCurve: {}", points.join(" · "));
        for b in &r.break_points {
            let _ = writeln!(s, "- ×{}: {}", b.multiplier, b.detail);
        }
    }
    if !r.warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in &r.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    if !r.assumptions.is_empty() {
        s.push_str("\nAssumptions:\n");
        for a in &r.assumptions {
            let _ = writeln!(s, "- {a}");
        }
    }
}

/// The cost report as an aligned table for a terminal.
pub fn cost_text(r: &CostReport) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "product.metric".into(),
        "quantity".into(),
        "included".into(),
        "billable".into(),
        "unit".into(),
        "cost".into(),
    ]];
    for p in &r.products {
        for l in &p.lines {
            let cost = if l.billed {
                Dollars(l.cost_usd).to_string()
            } else {
                format!("({}, not billed yet)", Dollars(l.cost_usd))
            };
            rows.push([
                format!("{}.{}", p.product, l.metric),
                Grouped(l.quantity.round_dp(3)).to_string(),
                Grouped(l.included.round_dp(3)).to_string(),
                Grouped(l.billable.round_dp(3)).to_string(),
                l.unit.clone(),
                cost,
            ]);
        }
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut s = format!(
        "Monthly cost on {}: {}  (prices as of {}, {} table)\n\n",
        r.plan.name(),
        Dollars(r.total_usd),
        r.price_table.as_of,
        r.price_table.source
    );
    for row in &rows {
        let _ = writeln!(
            s,
            "{:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:<w4$}  {:>w5$}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
            w5 = widths[5]
        );
    }
    let total_width: usize = widths.iter().sum::<usize>() + 10;
    if !r.subscription_usd.is_zero() {
        let _ = writeln!(
            s,
            "{:<w$}{:>10}",
            "subscription",
            Dollars(r.subscription_usd),
            w = total_width - 10
        );
    }
    let _ = writeln!(
        s,
        "{:<w$}{:>10}",
        "TOTAL",
        Dollars(r.total_usd),
        w = total_width - 10
    );
    cost_details(r, &mut s);
    s
}

fn line_brief(out: &mut String, l: &CostLine) {
    let _ = write!(out, "{} {}", l.metric, Dollars(l.cost_usd));
    let (amount, what) = if l.billable.is_zero() {
        (l.quantity, " included")
    } else {
        (l.billable, " billable")
    };
    let lead = if l.billable.is_zero() { ", " } else { " for " };
    let _ = write!(out, "{lead}{} ", Grouped(amount.round_dp(3)));
    for (i, word) in l.unit.split('_').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push_str(what);
    if !l.billed {
        out.push_str(", not billed yet");
    }
}

fn signed(d: Decimal) -> String {
    if d.is_sign_positive() && !d.is_zero() {
        format!("+{}", Dollars(d))
    } else {
        Dollars(d).to_string()
    }
}

fn period(p: crate::knowledge::Period) -> &'static str {
    match p {
        crate::knowledge::Period::Day => "per day",
        crate::knowledge::Period::Month => "per month",
        crate::knowledge::Period::Total => "in total",
    }
}

/// A shard plan as markdown: summary, capacity steps, cost, alternatives, warnings, migration,
/// then the code blocks.
pub fn shard_markdown(p: &crate::engine::shard::ShardPlan) -> String {
    let mut s = String::with_capacity(4096);
    let _ = writeln!(
        s,
        "**shard_plan `{}`**: {}\n\nCapacity:",
        p.strategy, p.summary
    );
    for (n, st) in p.capacity.iter().enumerate() {
        let limit = st
            .limit
            .as_ref()
            .map(|l| format!(" [`{}`, {} as of {}]", l.id, l.source, l.as_of))
            .unwrap_or_default();
        let value = Grouped(Decimal::try_from(st.value).unwrap_or_default().round_dp(3));
        let _ = writeln!(s, "{}. {} = **{value}** {}{limit}", n + 1, st.what, st.unit);
    }
    if let Some(c) = &p.cost {
        let _ = writeln!(
            s,
            "\nCost: {}/month with the plan vs {} without ({}); {}.",
            Dollars(c.plan_usd),
            Dollars(c.baseline_usd),
            signed(c.extra_usd),
            c.basis
        );
    }
    if !p.alternatives.is_empty() {
        s.push_str("\nAlternatives:\n");
        for a in &p.alternatives {
            let usd = a
                .monthly_usd
                .map(|u| format!(" ({}/month)", Dollars(u)))
                .unwrap_or_default();
            let pattern = a
                .pattern
                .as_deref()
                .map(|u| format!(" See {u}."))
                .unwrap_or_default();
            let _ = writeln!(s, "- {}{usd}: {}{pattern}", a.design, a.why);
        }
    }
    if !p.warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in &p.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    s.push_str("\nMigration:\n");
    for (n, m) in p.migration.iter().enumerate() {
        let _ = writeln!(s, "{}. {m}", n + 1);
    }
    for (lang, code) in [
        ("ts", &p.code.typescript),
        ("sql", &p.code.sql),
        ("jsonc", &p.code.wrangler),
    ] {
        if let Some(code) = code {
            let _ = write!(s, "\n```{lang}\n{code}```\n");
        }
    }
    if !p.assumptions.is_empty() {
        s.push_str("\nAssumptions:\n");
        for a in &p.assumptions {
            let _ = writeln!(s, "- {a}");
        }
    }
    s
}

/// Recommendations as compact markdown: stage, ranked recommendations, headroom, anti-patterns,
/// open checklist items and what is missing.
pub fn recommend_markdown(r: &crate::engine::recommend::Recommendations) -> String {
    use crate::engine::recommend::ItemStatus;
    let mut s = String::with_capacity(4096);
    let _ = writeln!(s, "{}\n", r.summary);
    let _ = writeln!(
        s,
        "**Stage: {}** · {} recommendation{}{}",
        r.stage.title,
        r.recommendations.len(),
        if r.recommendations.len() == 1 {
            ""
        } else {
            "s"
        },
        r.monthly_cost_usd
            .map(|c| format!(" · bill {}/month", Dollars(c)))
            .unwrap_or_default()
    );
    for (n, rec) in r.recommendations.iter().enumerate() {
        let sev = format!("{:?}", rec.severity).to_ascii_lowercase();
        let cost = rec
            .cost_impact_usd_per_month
            .map(|c| format!(" Cost impact: {}/month.", signed(c)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "\n{}. **[{sev}] {}** (`{}`, {})\n   Evidence: {}.{cost}\n   Do: {}\n   Code: {}.{}",
            n + 1,
            rec.title,
            rec.id,
            rec.bottleneck,
            rec.evidence,
            rec.actions.join("; "),
            rec.pattern,
            if rec.tradeoffs.is_empty() {
                String::new()
            } else {
                format!(" Trade-off: {}", rec.tradeoffs)
            }
        );
        if let Some(p) = &rec.shard_plan {
            let _ = writeln!(s, "   Plan (`shard_plan` {}): {}", p.strategy, p.summary);
        }
    }
    if !r.cost_levers.is_empty() {
        s.push_str("\n## Cost levers (each priced by the cost engine on the changed usage)\n");
        for l in &r.cost_levers {
            let _ = writeln!(
                s,
                "\n- **{}** (`{}`): saves {}/month of {} ({}/month, {:.0}% of the bill). Assumes: {} Trade-off: {} Code: {}",
                l.title,
                l.id,
                Dollars(l.saving_usd_per_month),
                l.line,
                Dollars(l.line_usd),
                l.share_of_bill * 100.0,
                l.assumption,
                l.tradeoffs,
                l.pattern
            );
        }
    }
    if !r.runaway.is_empty() {
        s.push_str("\n## Runaway risk (no hard spending cap exists: alerts warn, guards stop)\n");
        for x in &r.runaway {
            let _ = writeln!(
                s,
                "\n- **{}** (`{}`): {}/hour, {}/day. {} Guards: {} Code: {}",
                x.title,
                x.id,
                Dollars(x.usd_per_hour),
                Dollars(x.usd_per_day),
                x.assumption,
                x.guards.join(" "),
                x.pattern
            );
        }
    }
    if !r.headroom.is_empty() {
        s.push_str("\n| limit | current | max | used | months to hit |\n|---|---|---|---|---|\n");
        for h in &r.headroom {
            let num =
                |v: f64| Grouped(Decimal::try_from(v).unwrap_or_default().round_dp(2)).to_string();
            let months = h.months_until_hit.map_or("—".to_owned(), num);
            let _ = writeln!(
                s,
                "| {} | {} | {} {} | {}% | {months} |",
                h.limit,
                num(h.current),
                num(h.max),
                h.unit,
                num(h.utilisation * 100.0)
            );
        }
    }
    if !r.anti_patterns.is_empty() {
        s.push_str("\nAnti-patterns seen:\n");
        for a in &r.anti_patterns {
            let _ = writeln!(s, "- {} (`{}`): {}", a.title, a.id, a.instead);
        }
    }
    let todo: Vec<_> = r
        .stage
        .checklist
        .iter()
        .filter(|c| c.status == ItemStatus::Todo)
        .collect();
    let unknown = r
        .stage
        .checklist
        .iter()
        .filter(|c| c.status == ItemStatus::Unknown)
        .count();
    let done = r
        .stage
        .checklist
        .iter()
        .filter(|c| c.status == ItemStatus::Done)
        .count();
    let _ = writeln!(
        s,
        "\nChecklist up to this stage: {done} done, {} to do, {unknown} unknown.",
        todo.len()
    );
    for c in todo {
        let _ = writeln!(s, "- todo ({}): {}", c.stage, c.text);
    }
    if !r.missing.is_empty() {
        s.push_str("\nWould sharpen this:\n");
        for m in &r.missing {
            let _ = writeln!(s, "- `{}`: {}", m.field, m.why);
        }
    }
    s
}

/// A Wrangler config analysis as markdown: what is bound, then the lints.
pub fn config_markdown(c: &crate::engine::config::ProjectConfig) -> String {
    let b = &c.bindings;
    let mut s = format!(
        "{}\n\n**{}**{} ({:?}): {} lint{}\n",
        c.summary,
        c.name.as_deref().unwrap_or("Worker"),
        c.env
            .as_deref()
            .map(|e| format!(" env `{e}`"))
            .unwrap_or_default(),
        c.format,
        c.lints.len(),
        if c.lints.len() == 1 { "" } else { "s" }
    );
    let counts = [
        ("KV", b.kv_namespaces.len()),
        ("D1", b.d1_databases.len()),
        ("R2", b.r2_buckets.len()),
        ("Durable Objects", b.durable_objects.len()),
        ("queue producers", b.queue_producers.len()),
        ("queue consumers", b.queue_consumers.len()),
        ("Workflows", b.workflows.len()),
        ("Hyperdrive", b.hyperdrive.len()),
        ("Analytics Engine", b.analytics_engine_datasets.len()),
        ("Vectorize", b.vectorize.len()),
        ("services", b.services.len()),
    ];
    let bound: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    let _ = writeln!(
        s,
        "Bindings: {}. Placement: {}. Observability: {}. Crons: {}.",
        if bound.is_empty() {
            "none".to_owned()
        } else {
            bound.join(", ")
        },
        c.placement.as_deref().unwrap_or("default"),
        match c.observability {
            Some(true) => "on",
            Some(false) => "off",
            None => "not configured",
        },
        c.crons.len()
    );
    for l in &c.lints {
        let _ = writeln!(
            s,
            "- [{:?}] `{}` at `{}`: {} (serves {}; {})",
            l.severity, l.id, l.path, l.message, l.serves, l.source
        );
    }
    s
}

/// The markdown of an import: the summary, the sources, the resources nearest a limit, the
/// costliest D1 queries and the warnings.
pub fn import_markdown(u: &crate::engine::import::ImportedUsage) -> String {
    let g = |v: f64| Grouped(Decimal::try_from(v).unwrap_or_default().round_dp(3)).to_string();
    let mut s = format!("{}\n", u.summary);
    if let Some(p) = &u.profile.provenance {
        let list = |l: &[String]| {
            if l.is_empty() {
                "none".to_owned()
            } else {
                l.join(", ")
            }
        };
        let _ = write!(
            s,
            "\n**Sources** ({}): billing rows: {}; analytics estimates: {}; missing: {}.\n",
            p.window,
            list(&p.billing),
            list(&p.analytics_estimate),
            list(&p.missing)
        );
    }
    let near: Vec<_> = u
        .resources
        .iter()
        .filter_map(|r| r.headroom.first().map(|h| (r, h)))
        .take(6)
        .collect();
    if !near.is_empty() {
        s.push_str("\n| resource | limit | current | max | used |\n|---|---|---:|---:|---:|\n");
        for (r, h) in near {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} {} | {:.0}% |",
                r.id,
                h.limit,
                g(h.current),
                g(h.max),
                h.unit,
                h.utilisation * 100.0
            );
        }
    }
    for q in u.queries.iter().take(3) {
        let _ = writeln!(
            s,
            "\n- D1 `{}`: {} rows read per row returned, {:.0}% of rows read, {} calls/month",
            q.query,
            q.rows_read_per_row_returned,
            q.share_of_rows_read * 100.0,
            g(q.calls_per_month)
        );
    }
    for w in u.warnings.iter().take(8) {
        let _ = writeln!(s, "\n> {w}");
    }
    s
}

/// The markdown of `analyze_project` (and `cf-scale scan`): the summary, then each finding with
/// its place and fix, the statements SQLite could not be told, and the warnings.
pub fn scan_markdown(r: &crate::engine::scan::ProjectScan) -> String {
    let mut s = format!("{}\n", r.summary);
    if !r.findings.is_empty() {
        s.push_str("\n| severity | finding | at | fix |\n|---|---|---|---|\n");
        for f in &r.findings {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                f.severity.word(),
                f.id,
                f.at,
                f.fix.replace('|', "\\|")
            );
        }
        s.push('\n');
        for f in &r.findings {
            let _ = writeln!(
                s,
                "- **{}** at {}: {} ({})",
                f.id, f.at, f.message, f.pattern
            );
        }
    }
    if let Some(sv) = &r.index_saving {
        let _ = writeln!(
            s,
            "\nIndex saving: rows read {} → {} a month, {} index rows written added; D1 {} → {}.",
            Grouped(decimal_of(sv.rows_read_before)),
            Grouped(decimal_of(sv.rows_read_after)),
            Grouped(decimal_of(sv.rows_written_added)),
            Dollars(sv.usd_before),
            Dollars(sv.usd_after)
        );
    }
    if !r.unresolved.is_empty() {
        s.push_str("\nNot planned (built at run time, or not tied to a D1 binding):\n");
        for u in &r.unresolved {
            let _ = writeln!(s, "- {}: {}", u.at, u.reason);
        }
    }
    if !r.warnings.is_empty() {
        s.push_str("\nWarnings:\n");
        for w in &r.warnings {
            let _ = writeln!(s, "- {w}");
        }
    }
    s
}

fn decimal_of(n: f64) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_f64_retain(n.round()).unwrap_or_default()
}
