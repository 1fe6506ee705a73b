//! `estimate_cost`: the exact monthly cost of a usage profile, itemised per product and metric.
//!
//! Pure: it takes a price table, the platform limits and a [`UsageProfile`], and returns a
//! [`CostReport`]. Money is exact decimal throughout; only the presented totals (subtotals,
//! totals, curve points) are rounded to cents.

mod meter;

use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::Serialize;

use meter::{Derived, Logs, Meter, Rules};

use crate::engine::model::{
    Dollars, InputError, PRODUCT_ORDER, Plan, PriceTable, Provenance, UsagePeriod, UsageProfile,
    grouped as group, usd,
};
use crate::knowledge::{Limit, LimitValue, Period, Price, Rounding};

/// Most points a `curve` may have.
pub const MAX_CURVE_POINTS: usize = 200;
/// Largest traffic multiplier a `curve` may use.
pub const MAX_MULTIPLIER: f64 = 1e6;

/// The metering rules of a price table on `day` (the billing month's first day; `None` for the
/// newest rows): whether Workers Logs bill per event or as Observability GB is read from which
/// row is in force.
fn rules_on(table: &PriceTable, day: Option<&str>) -> Result<Rules, InputError> {
    let logs = if table.price_on("workers_logs.events", day).is_ok() {
        Logs::PerEvent
    } else {
        Logs::AsGb {
            bytes_per_event: table.rule("observability.workers_event_kb")?
                * table.rule("observability.bytes_per_kb")?,
            retention_days: table.rule("observability.default_retention_days")?,
        }
    };
    Ok(Rules {
        days_per_month: table.rule("billing.days_per_month")?,
        do_billed_memory_gb: table.rule("durable_objects.billed_memory_gb")?,
        do_websocket_messages_per_request: table
            .rule("durable_objects.websocket_messages_per_request")?,
        queues_chunk_kb: table.rule("queues.operation_chunk_kb")?,
        queues_operations_per_message: table.rule("queues.operations_per_message")?,
        logs,
    })
}

/// The first day of a profile's billing month, the day its prices are looked up on.
fn first_day(profile: &UsageProfile) -> Option<String> {
    profile.month.as_ref().map(|m| format!("{m}-01"))
}

/// The price table an estimate used.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PriceTableInfo {
    /// Date of the newest price row (YYYY-MM-DD); each row's own date is in `scale://data/pricing`.
    pub as_of: String,
    /// Currency of every amount: `USD`.
    pub currency: String,
    /// `built-in`, or the file given with `--pricing` / `CF_SCALE_PRICING`.
    pub source: String,
}

/// The monthly cost of a usage profile, itemised.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CostReport {
    /// The answer in a few sentences: the total, the largest products and lines with their share,
    /// what compare_to, curve or the Free plan change, and the warnings.
    pub summary: String,
    /// The plan priced: `paid` or `free`.
    pub plan: Plan,
    /// The billing month priced (YYYY-MM); absent when none was given and the newest prices
    /// were used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// Which price table was used and how current it is.
    pub price_table: PriceTableInfo,
    /// The Workers Paid subscription ($5.00), 0 on Free.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub subscription_usd: Decimal,
    /// One entry per product with usage, in input order.
    pub products: Vec<ProductCost>,
    /// Everything billed this month, subscription included, rounded to cents.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub total_usd: Decimal,
    /// On the Free plan: which daily limits the usage exceeds and what Paid would cost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_plan: Option<FreePlanReport>,
    /// With `compare_to`: the difference between this profile and the compared one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<CostDelta>,
    /// With `curve`: the total at each traffic multiplier, in ascending order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub curve: Vec<CurvePoint>,
    /// With `curve`: where an allowance runs out, a Free limit is first exceeded, or the
    /// dominant product changes, in ascending multiplier order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub break_points: Vec<BreakPoint>,
    /// For an imported profile: which meters were measured (billing rows or analytics
    /// estimates) and which are missing, so not in the total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Things to act on or to know before trusting the number.
    pub warnings: Vec<String>,
    /// How the input was interpreted.
    pub assumptions: Vec<String>,
}

/// The cost of one product.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProductCost {
    /// The input key of the product, e.g. `durable_objects`.
    pub product: String,
    /// Billed cost of the product's lines, rounded to cents.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub subtotal_usd: Decimal,
    /// One line per metric with usage.
    pub lines: Vec<CostLine>,
}

/// One billed metric.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CostLine {
    /// The metric, e.g. `reads` or `infrequent_access.class_a`.
    pub metric: String,
    /// Monthly quantity in `unit`.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub quantity: Decimal,
    /// Included in the plan, in `unit` per month (a Free daily allowance is shown × 30).
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub included: Decimal,
    /// Quantity charged for: beyond `included` (0 on Free, except R2).
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub billable: Decimal,
    /// What is counted, e.g. `requests`, `gb_months`.
    pub unit: String,
    /// Price in USD of `per` units beyond the allowance, e.g. 0.3 (per 1,000,000 requests).
    #[serde(serialize_with = "usd::serialize")]
    #[schemars(with = "f64")]
    pub usd_per_unit: Decimal,
    /// How many units `usd_per_unit` buys, e.g. 1,000,000.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub per: Decimal,
    /// Cost of the line, to 6 decimals (sums use the exact value).
    #[serde(serialize_with = "usd::serialize")]
    #[schemars(with = "f64")]
    pub cost_usd: Decimal,
    /// `exact` (pro rata) or `up` (billable rounded up to the next billing unit, as R2 does).
    pub rounding: Rounding,
    /// False when the product is priced but Cloudflare does not bill it yet (the line is then
    /// left out of subtotal and total).
    pub billed: bool,
    /// The price row used (`scale://data/pricing`).
    pub price_id: String,
    /// When that row is in force, e.g. `from 2026-12-01` or `always`.
    pub in_force: String,
}

/// The Free plan's verdict on a profile.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FreePlanReport {
    /// Each Free allowance the usage exceeds (usage spread evenly over 30 days).
    pub exceeded: Vec<FreeLimitExceeded>,
    /// Metrics the Free plan does not offer at all (`product.metric`).
    pub needs_paid: Vec<String>,
    /// What the same usage costs on Workers Paid, subscription included.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub paid_equivalent_usd: Decimal,
}

/// One Free allowance the usage exceeds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FreeLimitExceeded {
    /// Product input key.
    pub product: String,
    /// Metric.
    pub metric: String,
    /// Usage per `period` (daily usage is the monthly count / 30).
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub usage: Decimal,
    /// The Free allowance per `period`.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub limit: Decimal,
    /// `day`, `month` or `total`.
    pub period: Period,
    /// What stops working.
    pub what_fails: String,
}

/// How a compared profile differs from this one (compared minus this).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CostDelta {
    /// Total of this profile.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub baseline_total_usd: Decimal,
    /// Total of `compare_to`.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub compared_total_usd: Decimal,
    /// `compared_total_usd - baseline_total_usd`: negative means the compared design is cheaper.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub difference_usd: Decimal,
    /// Lines whose cost differs, in product order.
    pub lines: Vec<LineDelta>,
}

/// One line's difference.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LineDelta {
    /// Product input key.
    pub product: String,
    /// Metric.
    pub metric: String,
    /// Cost in this profile.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub baseline_usd: Decimal,
    /// Cost in `compare_to`.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub compared_usd: Decimal,
    /// `compared_usd - baseline_usd`.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub difference_usd: Decimal,
}

/// The cost at one traffic multiplier.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CurvePoint {
    /// The traffic multiplier.
    pub multiplier: f64,
    /// Total at that traffic, rounded to cents.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub total_usd: Decimal,
    /// The product with the largest subtotal (none when nothing is billed beyond the
    /// subscription).
    pub dominant_product: Option<String>,
}

/// What changes at a break point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// An included monthly allowance runs out: the metric starts to cost money.
    AllowanceExhausted,
    /// A Free-plan allowance is first exceeded: requests start failing.
    FreeLimitExceeded,
    /// Another product becomes the largest line of the bill.
    DominantProductChanged,
}

/// A point on the curve where the bill changes shape.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct BreakPoint {
    /// The traffic multiplier where it happens (exact for allowances; for a dominant-product
    /// change, the first curve point showing the new product).
    pub multiplier: f64,
    /// What happens.
    pub kind: BreakKind,
    /// Product input key.
    pub product: String,
    /// Metric, when the break concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// One sentence for people.
    pub detail: String,
}

impl CostReport {
    /// Writes `summary` from the report: call again after adding warnings.
    pub fn summarize(&mut self) {
        use std::fmt::Write;
        let mut s = String::with_capacity(320);
        let _ = write!(
            s,
            "{}/month on {} (prices as of {}).",
            Dollars(self.total_usd),
            self.plan.name(),
            self.price_table.as_of
        );
        let share = |usd: Decimal| {
            if self.total_usd.is_zero() {
                Decimal::ZERO
            } else {
                (usd / self.total_usd * Decimal::ONE_HUNDRED).round()
            }
        };
        let mut ranked: Vec<&ProductCost> = self
            .products
            .iter()
            .filter(|p| !p.subtotal_usd.is_zero())
            .collect();
        ranked.sort_by_key(|p| std::cmp::Reverse(p.subtotal_usd));
        if !ranked.is_empty() {
            s.push_str(" Largest:");
            for (i, p) in ranked.iter().take(3).enumerate() {
                let sep = if i == 0 { " " } else { ", " };
                let _ = write!(
                    s,
                    "{sep}{} {} ({}%)",
                    p.product,
                    Dollars(p.subtotal_usd),
                    share(p.subtotal_usd)
                );
            }
            s.push('.');
            let line = self
                .products
                .iter()
                .flat_map(|p| p.lines.iter().map(move |l| (p, l)))
                .filter(|(_, l)| l.billed)
                .max_by(|a, b| a.1.cost_usd.cmp(&b.1.cost_usd));
            // The top line, unless it is all of the largest product's cost.
            let whole = |p: &ProductCost, l: &CostLine| cents(l.cost_usd) == p.subtotal_usd;
            if let Some((p, l)) = line.filter(|(p, l)| {
                cents(l.cost_usd) > Decimal::ZERO && !(std::ptr::eq(*p, ranked[0]) && whole(p, l))
            }) {
                let _ = write!(
                    s,
                    " Top line: {}.{} {} ({}%).",
                    p.product,
                    l.metric,
                    Dollars(l.cost_usd),
                    share(l.cost_usd)
                );
            }
        } else if self.plan == Plan::Paid {
            s.push_str(" Only the subscription: all usage is within the included allowances.");
        }
        if let Some(f) = &self.free_plan {
            if f.exceeded.is_empty() && f.needs_paid.is_empty() {
                let _ = write!(
                    s,
                    " Within the Free plan's limits; on Workers Paid {}.",
                    Dollars(f.paid_equivalent_usd)
                );
            } else {
                let _ = write!(
                    s,
                    " Over Workers Free: {} limit(s) exceeded, {} metric(s) need Paid; on Workers Paid {}.",
                    f.exceeded.len(),
                    f.needs_paid.len(),
                    Dollars(f.paid_equivalent_usd)
                );
            }
        }
        if let Some(d) = &self.delta {
            let sign = if d.difference_usd.is_sign_negative() {
                ""
            } else {
                "+"
            };
            let _ = write!(
                s,
                " compare_to: {} ({sign}{}).",
                Dollars(d.compared_total_usd),
                Dollars(d.difference_usd)
            );
        }
        if let (Some(first), Some(last)) = (self.curve.first(), self.curve.last()) {
            let _ = write!(
                s,
                " Curve: ×{} {} to ×{} {}, {} break point(s).",
                first.multiplier,
                Dollars(first.total_usd),
                last.multiplier,
                Dollars(last.total_usd),
                self.break_points.len()
            );
        }
        if let Some(p) = &self.provenance {
            let _ = write!(
                s,
                " Imported {}: {} meter(s) from billing rows, {} analytics estimate(s)",
                p.window,
                p.billing.len(),
                p.analytics_estimate.len()
            );
            if p.missing.is_empty() {
                s.push('.');
            } else {
                let _ = write!(s, "; missing, not in the total: {}.", p.missing.join(", "));
            }
        }
        if !self.warnings.is_empty() {
            let _ = write!(s, " {} warning(s).", self.warnings.len());
        }
        self.summary = s;
    }
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn dec(m: f64) -> Decimal {
    Decimal::try_from(m).unwrap_or(Decimal::ONE)
}

/// Prices a usage profile: the report, with `delta` when `compare_to` is given and `curve` /
/// `break_points` when `curve` is.
pub fn estimate(
    table: &PriceTable,
    limits: &[Limit],
    profile: &UsageProfile,
) -> Result<CostReport, InputError> {
    profile.validate()?;
    let day = first_day(profile);
    let rules = rules_on(table, day.as_deref())?;
    let (mut report, derived) = price(table, &rules, profile, profile.plan, Decimal::ONE, true)?;
    notes(table, limits, profile, &rules, &derived, &mut report)?;

    if let Some(other) = &profile.compare_to {
        let in_context =
            |e: InputError| InputError::new(format!("compare_to.{}", e.path), e.message);
        // A compared design without a month of its own is priced in this profile's month.
        let inherited;
        let other = if other.month.is_none() && profile.month.is_some() {
            let mut o = other.as_ref().clone();
            o.month.clone_from(&profile.month);
            inherited = o;
            &inherited
        } else {
            other.as_ref()
        };
        let other_day = first_day(other);
        let other_rules = rules_on(table, other_day.as_deref()).map_err(in_context)?;
        let (compared, _) = price(table, &other_rules, other, other.plan, Decimal::ONE, true)
            .map_err(in_context)?;
        let changed = month_changes(table, &report, &compared);
        report.assumptions.extend(changed);
        report.delta = Some(delta(&report, &compared));
    }
    if !profile.curve.is_empty() {
        curve(table, &rules, profile, &mut report)?;
    }
    report.summarize();
    Ok(report)
}

/// The row of `meter` in force on `day`; `Ok(None)` (with a warning) when the table has rows of
/// that id for other periods only, so the line is not counted this month.
fn row_for<'a>(
    table: &PriceTable<'a>,
    meter: &Meter,
    day: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Option<&'a Price>, InputError> {
    match table.price_on(meter.price_id, day) {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.path == "month" => {
            let periods: Vec<String> = table
                .prices
                .iter()
                .filter(|p| p.id == meter.price_id)
                .map(crate::engine::model::period)
                .collect();
            let w = format!(
                "{}.{} has no price in force in {} (its prices apply {}): it is not counted.",
                meter.product,
                meter.metric,
                day.and_then(|d| d.get(..7)).unwrap_or("the month"),
                periods.join(", ")
            );
            if !warnings.contains(&w) {
                warnings.push(w);
            }
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The plain report of one profile at one traffic multiplier, and what its metering derived.
fn price(
    table: &PriceTable,
    rules: &Rules,
    profile: &UsageProfile,
    plan: Plan,
    multiplier: Decimal,
    scale_storage: bool,
) -> Result<(CostReport, Derived), InputError> {
    let (meters, derived) = profile.meter_derived(rules, multiplier, scale_storage)?;
    let day = first_day(profile);
    let day = day.as_deref();
    let subscription_usd = match plan {
        Plan::Paid => table
            .price_on("platform.subscription", day)?
            .usd
            .unwrap_or_default(),
        Plan::Free => Decimal::ZERO,
    };
    let mut products: Vec<ProductCost> = Vec::new();
    let mut exact_total = subscription_usd;
    let mut exceeded = Vec::new();
    let mut needs_paid = Vec::new();
    let mut warnings: Vec<String> = Vec::new();
    for meter in &meters {
        let Some(p) = row_for(table, meter, day, &mut warnings)? else {
            continue;
        };
        if let Some(w) = p.warning.as_ref().filter(|w| !warnings.contains(w)) {
            warnings.push(w.clone());
        }
        let line = line(p, meter, plan, rules.days_per_month);
        if line.billed {
            exact_total += line.cost_usd;
        }
        if plan == Plan::Free {
            free_check(
                p,
                meter,
                rules.days_per_month,
                &mut exceeded,
                &mut needs_paid,
            );
        }
        match products.last_mut() {
            Some(last) if last.product == meter.product => last.lines.push(line),
            _ => products.push(ProductCost {
                product: meter.product.to_owned(),
                subtotal_usd: Decimal::ZERO,
                lines: vec![line],
            }),
        }
    }
    for p in &mut products {
        p.subtotal_usd = cents(
            p.lines
                .iter()
                .filter(|l| l.billed)
                .map(|l| l.cost_usd)
                .sum(),
        );
    }
    let free_plan = (plan == Plan::Free).then_some(FreePlanReport {
        exceeded,
        needs_paid,
        paid_equivalent_usd: Decimal::ZERO,
    });
    let report = CostReport {
        summary: String::new(),
        plan,
        month: profile.month.clone(),
        price_table: PriceTableInfo {
            as_of: table.as_of(),
            currency: "USD".to_owned(),
            source: table.source.to_owned(),
        },
        subscription_usd,
        products,
        total_usd: cents(exact_total),
        free_plan,
        delta: None,
        curve: Vec::new(),
        break_points: Vec::new(),
        provenance: profile.provenance.clone(),
        warnings,
        assumptions: Vec::new(),
    };
    Ok((report, derived))
}

/// The allowance of a price row on a plan, per month, and whether the plan bills past it.
fn allowance(p: &Price, plan: Plan, days_per_month: Decimal) -> (Option<Decimal>, bool) {
    let monthly = |inc: Option<Decimal>, period: Option<Period>| {
        inc.map(|i| match period {
            Some(Period::Day) => i * days_per_month,
            _ => i,
        })
    };
    match plan {
        Plan::Paid => (
            monthly(p.paid_included, p.paid_period).or(Some(Decimal::ZERO)),
            true,
        ),
        Plan::Free => (monthly(p.free_included, p.free_period), p.billed_on_free),
    }
}

/// The money of one line, before any presentation.
struct Amounts {
    included: Decimal,
    billable: Decimal,
    usd: Decimal,
    per: Decimal,
    cost: Decimal,
}

fn amounts(p: &Price, quantity: Decimal, plan: Plan, days_per_month: Decimal) -> Amounts {
    if plan == Plan::Free && p.free_unmetered {
        // Comes with the Free plan: neither billed nor limited.
        return Amounts {
            included: quantity,
            billable: Decimal::ZERO,
            usd: Decimal::ZERO,
            per: Decimal::ONE,
            cost: Decimal::ZERO,
        };
    }
    let (included, bills) = allowance(p, plan, days_per_month);
    let included = included.unwrap_or(Decimal::ZERO);
    let per = p.per.filter(|per| *per > 0).map(Decimal::from);
    let (usd, per) = match (p.usd, per) {
        (Some(usd), Some(per)) => (usd, per),
        // Priced at nothing on Paid (Hyperdrive): all of it is included.
        _ if plan == Plan::Paid => {
            return Amounts {
                included: quantity,
                billable: Decimal::ZERO,
                usd: Decimal::ZERO,
                per: Decimal::ONE,
                cost: Decimal::ZERO,
            };
        }
        _ => (Decimal::ZERO, Decimal::ONE),
    };
    if !bills || usd.is_zero() {
        return Amounts {
            included,
            billable: Decimal::ZERO,
            usd,
            per,
            cost: Decimal::ZERO,
        };
    }
    let counted = match p.rounding {
        Rounding::NearestTotal => {
            quantity.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        }
        Rounding::Exact | Rounding::Up => quantity,
    };
    let billable = (counted - included).max(Decimal::ZERO);
    let units = billable / per;
    let units = match p.rounding {
        Rounding::Exact | Rounding::NearestTotal => units,
        Rounding::Up => units.ceil(),
    };
    Amounts {
        included,
        billable,
        usd,
        per,
        cost: units * usd,
    }
}

fn line(p: &Price, meter: &Meter, plan: Plan, days_per_month: Decimal) -> CostLine {
    let a = amounts(p, meter.quantity, plan, days_per_month);
    CostLine {
        metric: meter.metric.to_owned(),
        quantity: meter.quantity.normalize(),
        included: a.included.normalize(),
        billable: a.billable.normalize(),
        unit: p.unit.clone(),
        usd_per_unit: a.usd.normalize(),
        per: a.per.normalize(),
        cost_usd: a.cost.normalize(),
        rounding: p.rounding,
        billed: p.billed,
        price_id: p.id.clone(),
        in_force: crate::engine::model::period(p),
    }
}

fn free_check(
    p: &Price,
    meter: &Meter,
    days_per_month: Decimal,
    exceeded: &mut Vec<FreeLimitExceeded>,
    needs_paid: &mut Vec<String>,
) {
    if p.free_unmetered {
        return;
    }
    let id = format!("{}.{}", meter.product, meter.metric);
    let (Some(limit), Some(period)) = (p.free_included, p.free_period) else {
        // CPU has no Free allowance but a per-invocation cap, checked in `notes`.
        if meter.price_id != "workers.cpu_ms" {
            needs_paid.push(id);
        }
        return;
    };
    if p.billed_on_free {
        return;
    }
    let usage = match period {
        Period::Day => meter.quantity / days_per_month,
        Period::Month | Period::Total => meter.quantity,
    };
    if usage > limit {
        let per = match period {
            Period::Day => "per day (resets at 00:00 UTC)",
            Period::Month => "per month",
            Period::Total => "in total",
        };
        exceeded.push(FreeLimitExceeded {
            product: meter.product.to_owned(),
            metric: meter.metric.to_owned(),
            usage: usage.round_dp(2).normalize(),
            limit,
            period,
            what_fails: match &p.on_free_limit {
                Some(what) => format!("past {} {per}, {what}", group(limit)),
                None => format!(
                    "{} past {} {per} fail on Workers Free",
                    p.unit.replace('_', " "),
                    group(limit)
                ),
            },
        });
    }
}

/// Warnings and assumptions that depend on the profile as a whole.
fn notes(
    table: &PriceTable,
    limits: &[Limit],
    profile: &UsageProfile,
    rules: &Rules,
    derived: &Derived,
    report: &mut CostReport,
) -> Result<(), InputError> {
    let day = first_day(profile);
    let changes = changes_within(table, report, profile.month.as_deref());
    let pro_rata = pro_rata_total(report);
    let (w, a) = (&mut report.warnings, &mut report.assumptions);
    a.push(format!(
        "Prices: {} table, newest row as of {}, in USD; each row's source is in scale://data/pricing.",
        table.source, report.price_table.as_of
    ));
    match &profile.month {
        Some(m) => a.push(format!(
            "Priced for {m} at the rows in force on {}.",
            day.as_deref().unwrap_or_default()
        )),
        None => {
            a.push("month not given: priced at the newest rows (those still in force).".to_owned())
        }
    }
    a.extend(changes);
    if let Some((gb, bytes, retention)) = derived.logs_gb {
        a.push(format!(
            "Workers Logs bill as Cloudflare Observability from 2026-12-01: {} events at {} bytes each = {} GB ingested, kept {} days = {} GB-months stored (the 7-day default retention keeps 7/30 of a month's ingest).",
            group(dec_f(profile.workers_logs.events * profile.workers_logs.head_sampling_rate.unwrap_or(1.0))),
            group(bytes),
            group(gb.round_dp(3)),
            group(retention),
            group((gb * retention / rules.days_per_month).round_dp(3))
        ));
    }
    if let Some(retention) = derived.stored_from_ingest {
        a.push(format!(
            "observability.gb_month_stored not given: derived from observability.gb_ingested kept {} days.",
            group(retention)
        ));
    }
    if profile
        .workers_logs
        .head_sampling_rate
        .is_some_and(|r| r < 1.0)
    {
        a.push(format!(
            "Head sampling keeps {} of the Workers Logs events given.",
            profile.workers_logs.head_sampling_rate.unwrap_or(1.0)
        ));
    }
    if let Some(pro_rata) = pro_rata {
        a.push(format!(
            "Durable Objects compute is rounded up to the next billing unit past the allowance, as its pricing page does; pro rata this bill would be {} (Cloudflare's docs disagree: cloudflare-docs issue #32590).",
            Dollars(pro_rata)
        ));
    }
    if profile.period == UsagePeriod::Day {
        a.push(format!(
            "Counts were given per day and multiplied by {} (30-day months, as Cloudflare prices); storage was not.",
            rules.days_per_month
        ));
    }
    let wk = &profile.workers;
    if wk.requests > 0.0 && wk.cpu_ms_per_request == 0.0 {
        w.push("workers.cpu_ms_per_request was not given, so CPU is priced at 0: give the average CPU ms per request for a real estimate.".to_owned());
    }
    if wk.static_asset_requests > 0.0 {
        a.push(format!(
            "{} static asset requests are free and not billed.",
            group(dec(wk.static_asset_requests))
        ));
    }
    if wk.cache_hits > 0.0 {
        a.push("Workers Caching hits are billed as requests and use no CPU.".to_owned());
    }
    let cpu_limit = |id: &str, plan: Plan| {
        limits
            .iter()
            .find(|l| l.id == id)
            .and_then(|l| match plan {
                Plan::Free => l.free,
                Plan::Paid => l.paid,
            })
            .and_then(LimitValue::number)
    };
    if wk.requests > 0.0 {
        let max = cpu_limit("workers.cpu_ms_per_request_max", profile.plan);
        let default = cpu_limit("workers.cpu_ms_per_request_default", profile.plan);
        if let Some(max) = max.filter(|m| wk.cpu_ms_per_request > *m) {
            w.push(format!(
                "{} ms of CPU per request is over the {} plan's cap of {max} ms: such invocations fail (error 1102).",
                wk.cpu_ms_per_request,
                profile.plan.name()
            ));
        } else if let Some(default) = default.filter(|d| wk.cpu_ms_per_request > *d) {
            w.push(format!(
                "{} ms of CPU per request is over the default cap of {default} ms per HTTP invocation: raise limits.cpu_ms in the Wrangler config (cron and queue consumers have their own caps).",
                wk.cpu_ms_per_request
            ));
        }
    }
    let o = &profile.durable_objects;
    if o.websocket_messages > 0.0 {
        a.push(format!(
            "Incoming WebSocket messages are billed as Durable Object requests at {}:1.",
            rules.do_websocket_messages_per_request
        ));
    }
    if o.active_seconds > 0.0 {
        a.push(format!(
            "Durable Object duration is billed at {} GB per active object, whatever memory it uses.",
            rules.do_billed_memory_gb
        ));
    }
    if profile.workers_ai.neurons > 0.0 {
        a.push("Workers AI: the 10,000 free Neurons are a daily allowance, pooled here as 30 days' worth; uneven days cost more.".to_owned());
    }
    let wfp = &profile.workers_for_platforms;
    if (wfp.requests > 0.0 || wfp.scripts > 0.0) && profile.plan == Plan::Paid {
        a.push("Workers for Platforms: its $25 plan and allowances are added to the Workers Paid subscription (Cloudflare's page does not say whether both are needed; its example bill shows only the $25).".to_owned());
    }
    let c = &profile.containers;
    if c.memory_gib_s > 0.0 || c.vcpu_s > 0.0 || c.disk_gb_s > 0.0 {
        a.push("Containers: the Worker requests and the Durable Object (one per container instance) that front each container bill on their own lines: include them in workers and durable_objects.".to_owned());
    }
    let q = &profile.queues;
    if q.operations == 0.0 && (q.messages > 0.0 || q.retries > 0.0) {
        let size = if q.message_kb == 0.0 {
            format!(
                "message_kb not given: each message assumed to fit one {} KB chunk",
                rules.queues_chunk_kb
            )
        } else {
            format!("{} KB per message", q.message_kb)
        };
        a.push(format!(
            "Queue operations derived as {} per delivered message plus one read per retry, per {} KB chunk ({size}).",
            rules.queues_operations_per_message, rules.queues_chunk_kb
        ));
    }
    if profile.workflows.steps > 0.0 || profile.workflows.storage_gb > 0.0 {
        a.push("Workflow requests and CPU bill as Workers requests and CPU: include them in `workers`.".to_owned());
    }
    for product in &report.products {
        for l in product.lines.iter().filter(|l| !l.billed) {
            w.push(format!(
                "{}.{} is priced at ${} but Cloudflare does not bill it yet: left out of the total.",
                product.product,
                l.metric,
                cents(l.cost_usd)
            ));
        }
        for l in product
            .lines
            .iter()
            .filter(|l| l.rounding == Rounding::Up && !l.billable.is_zero())
        {
            a.push(format!(
                "{}.{}: the billable excess is rounded up to the next {} {}, as the {} pricing page bills.",
                product.product,
                l.metric,
                group(l.per),
                l.unit.replace('_', " "),
                product_name(&product.product)
            ));
        }
        for l in product
            .lines
            .iter()
            .filter(|l| l.rounding == Rounding::NearestTotal && !l.billable.is_zero())
        {
            a.push(format!(
                "{}.{}: the month's total is rounded to the nearest whole {} before the allowance, as the {} pricing page bills.",
                product.product,
                l.metric,
                l.unit.trim_end_matches('s').replace('_', " "),
                product_name(&product.product)
            ));
        }
    }
    if report.products.iter().any(|p| p.product == "hyperdrive") && profile.plan == Plan::Paid {
        a.push("Hyperdrive queries are unlimited on Workers Paid.".to_owned());
    }

    if profile.plan == Plan::Free {
        let (paid, _) = price(table, rules, profile, Plan::Paid, Decimal::ONE, true)?;
        if let Some(free) = report.free_plan.as_mut() {
            free.paid_equivalent_usd = paid.total_usd;
            for e in &free.exceeded {
                report.warnings.push(format!(
                    "{}.{}: {} {} vs the Free allowance of {}: {}.",
                    e.product,
                    e.metric,
                    group(e.usage),
                    period_word(e.period),
                    group(e.limit),
                    e.what_fails
                ));
            }
            for id in &free.needs_paid {
                report.warnings.push(format!(
                    "{id} is not available on Workers Free: it needs Workers Paid."
                ));
            }
            if !free.exceeded.is_empty() || !free.needs_paid.is_empty() {
                report.warnings.push(format!(
                    "On Workers Paid the same usage would cost ${} a month.",
                    paid.total_usd
                ));
            }
        }
        if report.products.iter().any(|p| p.product == "r2") {
            report
                .assumptions
                .push("R2 is billed past its free tier whatever the Workers plan.".to_owned());
        }
    }
    Ok(())
}

/// A product's name as its pricing page calls it.
fn product_name(key: &str) -> &str {
    match key {
        "r2" => "R2",
        "durable_objects" => "Durable Objects",
        "browser_run" => "Browser Run",
        "d1" => "D1",
        "kv" => "Workers KV",
        other => other,
    }
}

fn dec_f(v: f64) -> Decimal {
    Decimal::try_from(v).unwrap_or_default().round_dp(3)
}

/// The total with every rounded-up Durable Objects compute line billed pro rata instead, when it
/// differs from the report's.
fn pro_rata_total(r: &CostReport) -> Option<Decimal> {
    let mut total = r.subscription_usd;
    let mut differs = false;
    for p in &r.products {
        for l in p.lines.iter().filter(|l| l.billed) {
            let cost = if p.product == "durable_objects" && l.rounding == Rounding::Up {
                let exact = l.billable / l.per * l.usd_per_unit;
                differs |= cents(exact) != cents(l.cost_usd);
                exact
            } else {
                l.cost_usd
            };
            total += cost;
        }
    }
    differs.then(|| cents(total))
}

/// A row of a priced line that ends within the month priced, or a row of the same id that
/// starts within it: the month is priced at the rate on its first day, and the report says so.
fn changes_within(table: &PriceTable, r: &CostReport, month: Option<&str>) -> Vec<String> {
    let Some(month) = month else {
        return Vec::new();
    };
    let first = format!("{month}-01");
    let mut out = Vec::new();
    for l in r.products.iter().flat_map(|p| &p.lines) {
        for row in table.prices.iter().filter(|p| p.id == l.price_id) {
            if let Some(from) = row.effective_from.as_deref()
                && from > first.as_str()
                && from.starts_with(month)
            {
                out.push(format!(
                    "{}: its price changes on {from}, within {month}; the whole month is priced at the rate in force on {first}.",
                    l.price_id
                ));
            }
        }
    }
    out
}

/// Price rows that differ between the months of a report and its compared profile.
fn month_changes(table: &PriceTable, base: &CostReport, other: &CostReport) -> Vec<String> {
    let (Some(a), Some(b)) = (&base.month, &other.month) else {
        return Vec::new();
    };
    if a == b {
        return Vec::new();
    }
    let mut ids: Vec<&str> = base
        .products
        .iter()
        .chain(&other.products)
        .flat_map(|p| &p.lines)
        .map(|l| l.price_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut changed = Vec::new();
    for id in ids {
        let at = |m: &str| {
            table
                .price_on(id, Some(&format!("{m}-01")))
                .ok()
                .map(|p| (&p.effective_from, &p.effective_until, p.usd))
        };
        if at(a) != at(b) {
            changed.push(id);
        }
    }
    // Also the products billed in one month and not priced at all in the other.
    if changed.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "This profile is priced for {a} and compare_to for {b}; these prices differ between the two months: {}.",
        changed.join(", ")
    )]
}

fn period_word(p: Period) -> &'static str {
    match p {
        Period::Day => "per day",
        Period::Month => "per month",
        Period::Total => "in total",
    }
}

fn delta(base: &CostReport, other: &CostReport) -> CostDelta {
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in [base, other] {
        for p in &r.products {
            for l in &p.lines {
                if !keys.contains(&(p.product.as_str(), l.metric.as_str())) {
                    keys.push((p.product.as_str(), l.metric.as_str()));
                }
            }
        }
    }
    keys.sort_by_key(|(product, _)| PRODUCT_ORDER.iter().position(|p| p == product));
    let cost = |r: &CostReport, product: &str, metric: &str| {
        r.products
            .iter()
            .filter(|p| p.product == product)
            .flat_map(|p| &p.lines)
            .find(|l| l.metric == metric && l.billed)
            .map_or(Decimal::ZERO, |l| l.cost_usd)
    };
    let lines = keys
        .into_iter()
        .map(|(product, metric)| {
            let (b, c) = (cost(base, product, metric), cost(other, product, metric));
            LineDelta {
                product: product.to_owned(),
                metric: metric.to_owned(),
                baseline_usd: b,
                compared_usd: c,
                difference_usd: (c - b).normalize(),
            }
        })
        .filter(|l| !l.difference_usd.is_zero())
        .collect();
    CostDelta {
        baseline_total_usd: base.total_usd,
        compared_total_usd: other.total_usd,
        difference_usd: other.total_usd - base.total_usd,
        lines,
    }
}

/// The total at one multiplier and the product with the largest (rounded) subtotal, without
/// building a report: the curve's hot path.
fn point(
    table: &PriceTable,
    rules: &Rules,
    profile: &UsageProfile,
    multiplier: Decimal,
) -> Result<(Decimal, Option<&'static str>), InputError> {
    let meters = profile.meter_with(rules, multiplier, profile.curve_scales_storage)?;
    let day = first_day(profile);
    let day = day.as_deref();
    let mut total = match profile.plan {
        Plan::Paid => table
            .price_on("platform.subscription", day)?
            .usd
            .unwrap_or_default(),
        Plan::Free => Decimal::ZERO,
    };
    let mut best: Option<(&'static str, Decimal)> = None;
    let mut current: Option<(&'static str, Decimal)> = None;
    let mut settle = |c: Option<(&'static str, Decimal)>| {
        if let Some((product, sum)) = c {
            let sum = cents(sum);
            if sum > Decimal::ZERO && best.is_none_or(|(_, b)| sum > b) {
                best = Some((product, sum));
            }
        }
    };
    for meter in &meters {
        let Some(p) = row_for(table, meter, day, &mut Vec::new())? else {
            continue;
        };
        let cost = if p.billed {
            amounts(p, meter.quantity, profile.plan, rules.days_per_month).cost
        } else {
            Decimal::ZERO
        };
        total += cost;
        match current.as_mut() {
            Some((product, sum)) if *product == meter.product => *sum += cost,
            _ => {
                settle(current.take());
                current = Some((meter.product, cost));
            }
        }
    }
    settle(current);
    Ok((cents(total), best.map(|(p, _)| p)))
}

fn curve(
    table: &PriceTable,
    rules: &Rules,
    profile: &UsageProfile,
    report: &mut CostReport,
) -> Result<(), InputError> {
    let mut multipliers = profile.curve.clone();
    multipliers.sort_by(f64::total_cmp);
    multipliers.dedup();
    let scale = profile.curve_scales_storage;
    report.curve.reserve(multipliers.len());
    for &m in &multipliers {
        let (total_usd, dominant) = point(table, rules, profile, dec(m))
            .map_err(|e| InputError::new("curve", format!("at ×{m}: {}", e.message)))?;
        report.curve.push(CurvePoint {
            multiplier: m,
            total_usd,
            dominant_product: dominant.map(str::to_owned),
        });
    }
    let (lo, hi) = (multipliers[0], multipliers[multipliers.len() - 1]);

    // Allowances (and Free limits) run out where multiplier × quantity = allowance: exact.
    let base = profile.meter_with(rules, Decimal::ONE, scale)?;
    let day = first_day(profile);
    for meter in base.iter().filter(|m| scale || !m.storage) {
        let Some(p) = row_for(table, meter, day.as_deref(), &mut Vec::new())? else {
            continue;
        };
        let (allowance, bills) = allowance(p, profile.plan, rules.days_per_month);
        let Some(allowance) = allowance.filter(|a| *a > Decimal::ZERO) else {
            continue;
        };
        let kind = match profile.plan {
            Plan::Paid if bills && p.usd.is_some() => BreakKind::AllowanceExhausted,
            Plan::Free if p.billed_on_free => BreakKind::AllowanceExhausted,
            Plan::Free => BreakKind::FreeLimitExceeded,
            Plan::Paid => continue,
        };
        let at = (allowance / meter.quantity).round_dp(4);
        let at_f = f64::try_from(at).unwrap_or(f64::MAX);
        if at_f < lo || at_f > hi {
            continue;
        }
        let detail = match kind {
            BreakKind::FreeLimitExceeded => format!(
                "{}.{} passes the Free allowance ({} {} a month) at ×{at}: past it, requests fail.",
                meter.product,
                meter.metric,
                group(allowance),
                p.unit.replace('_', " ")
            ),
            _ => format!(
                "{}.{} uses up its {} included {} a month at ×{at} and costs money beyond it.",
                meter.product,
                meter.metric,
                group(allowance),
                p.unit.replace('_', " ")
            ),
        };
        report.break_points.push(BreakPoint {
            multiplier: at_f,
            kind,
            product: meter.product.to_owned(),
            metric: Some(meter.metric.to_owned()),
            detail,
        });
    }
    for pair in report.curve.windows(2) {
        if let (Some(a), Some(b)) = (&pair[0].dominant_product, &pair[1].dominant_product)
            && a != b
        {
            report.break_points.push(BreakPoint {
                multiplier: pair[1].multiplier,
                kind: BreakKind::DominantProductChanged,
                product: b.clone(),
                metric: None,
                detail: format!(
                    "{b} overtakes {a} as the largest cost between ×{} and ×{}.",
                    pair[0].multiplier, pair[1].multiplier
                ),
            });
        }
    }
    report
        .break_points
        .sort_by(|a, b| a.multiplier.total_cmp(&b.multiplier));
    Ok(())
}

#[cfg(test)]
mod tests;
