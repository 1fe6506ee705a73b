//! Cost levers and runaway loops (`data/levers.toml`): what cuts each line of the bill, and what
//! an hour of a plausible loop would add. Both are priced by the cost engine on a changed
//! profile, so every saving and every exposure is the difference of two bills.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::signals::{Eval, usage_field};
use super::{EvidenceLevel, all_hold};
use crate::engine::cost::{self, CostReport};
use crate::engine::model::{InputError, Plan, PriceTable, UsagePeriod, UsageProfile, from_json};
use crate::knowledge::{CostChange, Knowledge, SignalValue};

/// One way to cut the bill, priced by the cost engine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CostLever {
    /// Stable id in `scale://data/levers`.
    pub id: String,
    /// What to do.
    pub title: String,
    /// The bill line it cuts (`product.metric`; the costliest, when it cuts several).
    pub line: String,
    /// The cost now of the lines it cuts, per month.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub line_usd: Decimal,
    /// That line's share of the bill, 0 to 1.
    pub share_of_bill: f64,
    /// The bill now minus the bill with the lever, per month.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub saving_usd_per_month: Decimal,
    /// What the saving assumes.
    pub assumption: String,
    /// What it costs in effort, consistency or latency.
    pub tradeoffs: String,
    /// `measured` when the change reads the caller's numbers, `assumed` when it rests on a
    /// stated factor.
    pub evidence_level: EvidenceLevel,
    /// The pattern with the code: a `scale://patterns/{id}` URI.
    pub pattern: String,
}

/// What a plausible loop would cost at the project's scale.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RunawayRisk {
    /// Stable id in `scale://data/levers`.
    pub id: String,
    /// The product it bills.
    pub product: String,
    /// The loop.
    pub title: String,
    /// What one hour of it adds to the month's bill.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub usd_per_hour: Decimal,
    /// What a day of it adds.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub usd_per_day: Decimal,
    /// The rate assumed, with the signal it comes from.
    pub assumption: String,
    /// What bounds it, most effective first. Cloudflare has no hard spending cap: budget alerts
    /// and usage notifications warn, they do not stop.
    pub guards: Vec<String>,
    /// The pattern with the guard's code: a `scale://patterns/{id}` URI.
    pub pattern: String,
}

/// A signal a lever or a runaway needs that nobody gave, and what it would price.
pub(super) type Needed = (String, String);

/// The runaway loops priced, the rates that would price the rest, and notes on loops too large
/// to price.
pub(super) type RunawayReport = (Vec<RunawayRisk>, Vec<Needed>, Vec<String>);

/// The profile's JSON as the cost engine prices it: without `compare_to` and `curve`, and with
/// Durable Object active seconds turned into GB-s, so changes touch one duration field.
fn priced_json(prices: &PriceTable, usage: &UsageProfile) -> Result<Value, InputError> {
    let mut v = serde_json::to_value(usage).map_err(|e| InputError::new("usage", e.to_string()))?;
    if let Some(fields) = v.as_object_mut() {
        fields.remove("compare_to");
        fields.remove("curve");
    }
    let active = usage.durable_objects.active_seconds;
    if active > 0.0 {
        let gb = prices
            .rule("durable_objects.billed_memory_gb")?
            .to_f64()
            .unwrap_or(0.128);
        set(
            &mut v,
            "durable_objects.duration_gb_s",
            usage.durable_objects.duration_gb_s + active * gb,
        );
        set(&mut v, "durable_objects.active_seconds", 0.0);
    }
    Ok(v)
}

fn get(v: &Value, path: &str) -> f64 {
    usage_field(v, path).and_then(Value::as_f64).unwrap_or(0.0)
}

/// Sets a number at a dotted path, creating the objects on the way.
fn set(v: &mut Value, path: &str, x: f64) {
    let mut node = v;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(serde_json::Map::new());
        }
        let map = node.as_object_mut().expect("made an object above");
        if parts.peek().is_none() {
            map.insert(part.to_owned(), Value::from(x));
            return;
        }
        node = map
            .entry(part)
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
}

/// The profile with `changes` made, or `Err(signal)` naming the first signal a change needs
/// that nobody gave. Every value read is the profile's before any change.
pub(super) fn changed(
    prices: &PriceTable,
    usage: &UsageProfile,
    changes: &[CostChange],
    eval: &Eval,
) -> Result<Result<UsageProfile, String>, InputError> {
    let before = priced_json(prices, usage)?;
    let mut after = before.clone();
    for c in changes {
        let mut times = c.times.unwrap_or(1.0);
        if let Some(signal) = &c.times_signal {
            match eval.signal(signal) {
                Some(SignalValue::Number(v)) => times *= v,
                _ => return Ok(Err(signal.clone())),
            }
        }
        let old = get(&before, &c.field);
        let new = if let Some(v) = c.set {
            v
        } else if let Some(from) = &c.set_from {
            get(&before, from) * times
        } else if let Some(from) = &c.add_from {
            (get(&after, &c.field) + get(&before, from) * times).max(0.0)
        } else if let Some(signal) = &c.remove_signal {
            match eval.signal(signal) {
                Some(SignalValue::Number(f)) => old * (1.0 - f.clamp(0.0, 1.0)),
                _ => return Ok(Err(signal.clone())),
            }
        } else {
            old * c.factor
        };
        set(&mut after, &c.field, new);
        if let Some(to) = &c.to {
            let moved = (old - new).max(0.0);
            let now = get(&after, to);
            set(&mut after, to, now + moved);
        }
    }
    Ok(Ok(from_json(after)?))
}

/// The rate signal of a runaway loop's first addition.
fn add_rate(r: &crate::knowledge::Runaway) -> String {
    r.adds.first().map(|a| a.rate.clone()).unwrap_or_default()
}

/// The billed cost of a line of the bill (`product.metric`; `platform.subscription` is the
/// subscription), when it has one.
fn line_cost(bill: &CostReport, line: &str) -> Option<Decimal> {
    if line == "platform.subscription" {
        return Some(bill.subscription_usd).filter(|d| !d.is_zero());
    }
    let (product, metric) = line.split_once('.')?;
    bill.products
        .iter()
        .filter(|p| p.product == product)
        .flat_map(|p| &p.lines)
        .filter(|l| l.metric == metric && l.billed)
        .map(|l| l.cost_usd)
        .reduce(|a, b| a + b)
        .filter(|d| *d > Decimal::ZERO)
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Every lever that applies to the bill, with its saving, largest first; and the signals that
/// would price the ones that cannot be priced yet.
pub(super) fn cost_levers(
    k: &Knowledge,
    prices: &PriceTable,
    eval: &Eval,
    usage: &UsageProfile,
    bill: &CostReport,
) -> Result<(Vec<CostLever>, Vec<Needed>), InputError> {
    let mut out = Vec::new();
    let mut needed = Vec::new();
    for lever in &k.levers {
        let lines: Vec<(&str, Decimal)> = lever
            .lines
            .iter()
            .filter_map(|l| line_cost(bill, l).map(|c| (l.as_str(), c)))
            .collect();
        if lines.is_empty() {
            continue;
        }
        let mut unknown = Vec::new();
        if all_hold(eval, &lever.when, &mut unknown) != Some(true) {
            continue;
        }
        let alternative = match lever.plan.as_deref() {
            Some("free") if usage.plan == Plan::Paid => {
                let mut free = usage.clone();
                free.plan = Plan::Free;
                free
            }
            Some(_) => continue,
            None => match changed(prices, usage, &lever.change, eval) {
                Ok(Ok(p)) => p,
                Err(_) => continue,
                Ok(Err(signal)) => {
                    let usd: Decimal = lines.iter().map(|(_, c)| *c).sum();
                    needed.push((
                        signal,
                        format!(
                            "prices lever `{}` on {} ({}/month)",
                            lever.id,
                            lines[0].0,
                            crate::engine::model::Dollars(cents(usd))
                        ),
                    ));
                    continue;
                }
            },
        };
        // A change the cost engine cannot price (a count pushed past its bound) is not offered.
        let Ok(report) = cost::estimate(prices, &k.limits, &alternative) else {
            continue;
        };
        // Free only saves when the usage fits its limits: past one, requests fail.
        if let Some(f) = &report.free_plan
            && (!f.exceeded.is_empty() || !f.needs_paid.is_empty())
        {
            continue;
        }
        let saving = bill.total_usd - report.total_usd;
        if saving < Decimal::new(1, 2) {
            continue;
        }
        let line_usd: Decimal = lines.iter().map(|(_, c)| *c).sum();
        let share = if bill.total_usd.is_zero() {
            0.0
        } else {
            (line_usd / bill.total_usd).to_f64().unwrap_or(0.0)
        };
        let measured = lever.change.iter().any(|c| c.signals().next().is_some());
        out.push(CostLever {
            id: lever.id.clone(),
            title: lever.title.clone(),
            line: lines
                .iter()
                .max_by_key(|(_, c)| *c)
                .map(|(l, _)| (*l).to_owned())
                .unwrap_or_default(),
            line_usd: cents(line_usd),
            share_of_bill: (share * 1000.0).round() / 1000.0,
            saving_usd_per_month: cents(saving),
            assumption: lever.assumption.clone(),
            tradeoffs: lever.tradeoffs.clone(),
            evidence_level: if measured {
                EvidenceLevel::Measured
            } else {
                EvidenceLevel::Assumed
            },
            pattern: format!("scale://patterns/{}", lever.pattern),
        });
    }
    out.sort_by_key(|l| std::cmp::Reverse(l.saving_usd_per_month));
    Ok((out, needed))
}

/// What an hour and a day of each plausible loop would add to the bill, for the products in
/// use, largest first; the rates that would price the rest; and notes on loops too large to
/// price.
pub(super) fn runaway(
    k: &Knowledge,
    prices: &PriceTable,
    eval: &Eval,
    base: &UsageProfile,
) -> Result<RunawayReport, InputError> {
    let base_total = cost::estimate(prices, &k.limits, base)?.total_usd;
    let start = priced_json(prices, base)?;
    // An hour of the loop, in the profile's own period: per-day counts are multiplied by 30.
    let per_period = match base.period {
        UsagePeriod::Month => 1.0,
        UsagePeriod::Day => 1.0 / 30.0,
    };
    let mut out = Vec::new();
    let mut needed = Vec::new();
    let mut notes = Vec::new();
    'loops: for r in &k.runaway {
        let in_use = r.product == "workers"
            || matches!(
                eval.signal(&format!("uses_{}", r.product)),
                Some(SignalValue::Bool(true))
            );
        if !in_use {
            continue;
        }
        let mut rates = Vec::new();
        for add in &r.adds {
            match eval.signal(&add.rate) {
                Some(SignalValue::Number(v)) => rates.push(v),
                _ => {
                    needed.push((
                        add.rate.clone(),
                        format!("prices the runaway loop `{}`", r.id),
                    ));
                    continue 'loops;
                }
            }
        }
        let cost_of = |hours: f64| -> Result<Decimal, InputError> {
            let mut v = start.clone();
            for (add, rate) in r.adds.iter().zip(&rates) {
                let extra = add.per_second * rate * 3_600.0 * hours * per_period;
                let now = get(&v, &add.field);
                set(&mut v, &add.field, now + extra);
            }
            let profile: UsageProfile = from_json(v)?;
            Ok(cost::estimate(prices, &k.limits, &profile)?.total_usd - base_total)
        };
        // A loop so large the cost engine refuses the month (past 1e15 of a unit) is reported
        // as beyond pricing rather than failing the review.
        let (Ok(hour), Ok(day)) = (cost_of(1.0), cost_of(24.0)) else {
            notes.push(format!(
                "The runaway loop `{}` at {} is past what the cost engine prices (1e15 of a unit a month): treat it as unbounded.",
                r.id,
                add_rate(r)
            ));
            continue;
        };
        if day < Decimal::new(1, 2) {
            continue;
        }
        let mut rate_text: Vec<String> = r
            .adds
            .iter()
            .zip(&rates)
            .map(|(a, v)| {
                format!(
                    "{} = {}",
                    a.rate,
                    crate::engine::model::grouped(
                        Decimal::try_from(*v).unwrap_or_default().round_dp(3)
                    )
                )
            })
            .collect();
        rate_text.dedup();
        out.push(RunawayRisk {
            id: r.id.clone(),
            product: r.product.clone(),
            title: r.title.clone(),
            usd_per_hour: cents(hour),
            usd_per_day: cents(day),
            assumption: format!("{} At {}.", r.assumption, rate_text.join(", ")),
            guards: r.guards.clone(),
            pattern: format!("scale://patterns/{}", r.pattern),
        });
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.usd_per_day));
    Ok((out, needed, notes))
}
