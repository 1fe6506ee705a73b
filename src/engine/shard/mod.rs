//! `shard_plan`: sizes a sharding or partitioning design for the caller's numbers, shows the
//! arithmetic against the documented limits, writes the code, and prices the plan through the
//! [`Pricer`] the caller passes in (the composer passes the cost engine).
//!
//! Pure: every limit comes from `limits.toml` rows passed in, every price from the pricer.

mod d1_tenant;
mod d1_time;
mod durable_object;
mod kv_key;
mod queue;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use d1_tenant::{D1TenantInput, D1TenantPlan, DedicatedTenant};
pub(crate) use d1_time::civil_from_days;
pub use d1_time::{D1TimeInput, D1TimePlan, PartitionLayout, PartitionPeriod};
pub use durable_object::{DurableObjectInput, DurableObjectPlan};
pub use kv_key::{KvKeyInput, KvKeyPlan};
pub use queue::{QueueInput, QueuePlan};

use crate::engine::model::{InputError, PriceTable, Pricer, UsageProfile};
use crate::knowledge::{Limit, LimitValue};

/// What to plan: one object with `strategy` and that strategy's fields.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "strategy", rename_all = "snake_case")]
pub enum ShardRequest {
    /// A hot KV key (counter, rate limiter, leaderboard) written faster than KV allows per key.
    KvKey(KvKeyInput),
    /// Time-series rows in D1 that will outgrow one database: partition by week, month, quarter
    /// or year.
    D1Time(D1TimeInput),
    /// Multi-tenant data in D1: which tenants get their own database and how the rest are packed.
    D1Tenant(D1TenantInput),
    /// One Durable Object receiving more requests than a single object can serve.
    DurableObject(DurableObjectInput),
    /// A queue whose producers send more messages than one queue (or its consumers) can take.
    Queue(QueueInput),
}

/// A documented limit a step is measured against.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct LimitRef {
    /// The row id in `scale://data/limits`.
    pub id: String,
    /// The Workers Paid value used.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The Cloudflare docs page.
    pub source: String,
    /// The page's date.
    pub as_of: String,
}

/// One step of the capacity arithmetic.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Step {
    /// What is computed, with the formula.
    pub what: String,
    /// The result.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// The limit this step uses, when it uses one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<LimitRef>,
}

/// Generated code, only the parts that apply.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Code {
    /// TypeScript for Workers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typescript: Option<String>,
    /// SQL (SQLite, as D1 runs it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Wrangler configuration (wrangler.jsonc).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wrangler: Option<String>,
}

/// The monthly cost of the plan, from the cost engine.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct PlanCost {
    /// Monthly cost of the relevant usage without the plan (today's layout), subscription
    /// included.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub baseline_usd: Decimal,
    /// Monthly cost of the same usage with the plan.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub plan_usd: Decimal,
    /// `plan_usd - baseline_usd`: what the plan's extra operations cost.
    #[serde(with = "rust_decimal::serde::float")]
    #[schemars(with = "f64")]
    pub extra_usd: Decimal,
    /// What usage was priced.
    pub basis: String,
}

/// Another design worth considering.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Alternative {
    /// The design, e.g. "a Durable Object counter".
    pub design: String,
    /// Why (and when) it is the better choice.
    pub why: String,
    /// Its monthly cost for the same usage, when computable.
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::float_option",
        default
    )]
    #[schemars(with = "Option<f64>")]
    pub monthly_usd: Option<Decimal>,
    /// The pattern with its code: a `scale://patterns/{id}` URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

/// The strategy's own numbers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PlanDetails {
    /// `kv_key`.
    KvKey(KvKeyPlan),
    /// `d1_time`.
    D1Time(D1TimePlan),
    /// `d1_tenant`.
    D1Tenant(D1TenantPlan),
    /// `durable_object`.
    DurableObject(DurableObjectPlan),
    /// `queue`.
    Queue(QueuePlan),
}

/// A sharding or partitioning plan.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ShardPlan {
    /// The decision and its main numbers in a few sentences.
    pub summary: String,
    /// The strategy planned.
    pub strategy: String,
    /// The arithmetic, step by step, each step naming the limit it uses.
    pub capacity: Vec<Step>,
    /// The strategy's numbers.
    pub plan: PlanDetails,
    /// Generated code.
    pub code: Code,
    /// Ordered steps from today's layout to the plan.
    pub migration: Vec<String>,
    /// Monthly cost of the plan's extra operations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<PlanCost>,
    /// Designs that are cheaper or simpler in some cases, with why.
    pub alternatives: Vec<Alternative>,
    /// Things to act on.
    pub warnings: Vec<String>,
    /// How the input was read.
    pub assumptions: Vec<String>,
}

/// The knowledge a plan needs: limits, the price table's billing rules, and a way to price a
/// usage profile.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// Platform limits (`limits.toml`).
    pub limits: &'a [Limit],
    /// The price table (its billing rules give the month's length).
    pub prices: PriceTable<'a>,
    /// Prices the usage a plan implies.
    pub pricer: &'a dyn Pricer,
}

impl Context<'_> {
    /// A limit's Workers Paid value, with its citation.
    fn limit(&self, id: &str) -> Result<LimitRef, InputError> {
        let row = self.limits.iter().find(|l| l.id == id);
        let value = row.and_then(|l| l.paid).and_then(LimitValue::number);
        match (row, value) {
            (Some(l), Some(value)) => Ok(LimitRef {
                id: l.id.clone(),
                value,
                unit: l.unit.clone(),
                source: l.source.clone(),
                as_of: l.as_of.clone(),
            }),
            _ => Err(InputError::new(
                "limits",
                format!("the limits table has no numeric Paid value for `{id}`"),
            )),
        }
    }

    /// Seconds in a billing month (30 days, as Cloudflare prices).
    fn month_seconds(&self) -> Result<f64, InputError> {
        let days = self.prices.rule("billing.days_per_month")?;
        Ok(f64::try_from(days).unwrap_or(30.0) * 86_400.0)
    }

    /// Prices `plan` against `baseline`.
    fn cost(
        &self,
        baseline: UsageProfile,
        plan: UsageProfile,
        basis: String,
    ) -> Result<PlanCost, InputError> {
        let baseline_usd = self.total(&baseline)?;
        let plan_usd = self
            .total(&plan)
            .map_err(|e| InputError::new(format!("compare_to.{}", e.path), e.message))?;
        Ok(PlanCost {
            baseline_usd,
            plan_usd,
            extra_usd: plan_usd - baseline_usd,
            basis,
        })
    }

    /// The monthly total of one profile.
    fn total(&self, profile: &UsageProfile) -> Result<Decimal, InputError> {
        self.pricer.total(profile)
    }
}

/// Plans one request.
pub fn plan(ctx: &Context, request: &ShardRequest) -> Result<ShardPlan, InputError> {
    match request {
        ShardRequest::KvKey(i) => kv_key::plan(ctx, i),
        ShardRequest::D1Time(i) => d1_time::plan(ctx, i),
        ShardRequest::D1Tenant(i) => d1_tenant::plan(ctx, i),
        ShardRequest::DurableObject(i) => durable_object::plan(ctx, i),
        ShardRequest::Queue(i) => queue::plan(ctx, i),
    }
}

/// A rate or size that must be above 0 and at most `max`.
fn positive(path: &str, v: f64, max: f64) -> Result<f64, InputError> {
    if v.is_finite() && v > 0.0 && v <= max {
        Ok(v)
    } else {
        Err(InputError::new(
            path,
            format!("must be a number above 0 and at most {max:e} (got {v})"),
        ))
    }
}

/// A size or rate that may be 0, at most `max`.
fn non_negative(path: &str, v: f64, max: f64) -> Result<f64, InputError> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(InputError::new(
            path,
            format!("must be a number from 0 to {max:e} (got {v})"),
        ))
    }
}

/// A fraction in (0, 1].
fn fraction(path: &str, v: f64) -> Result<f64, InputError> {
    if v.is_finite() && v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(InputError::new(
            path,
            format!("must be a fraction above 0 and at most 1 (got {v})"),
        ))
    }
}

/// A name usable in code and config: letters, digits, `_` and `-`, starting with a letter.
fn identifier(path: &str, v: &str) -> Result<(), InputError> {
    let ok = v.len() <= 64
        && v.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(InputError::new(
            path,
            format!(
                "must start with a letter and use only letters, digits, `_` and `-`, at most 64 characters (got {v:?})"
            ),
        ))
    }
}

fn dec(v: f64) -> Decimal {
    Decimal::try_from(v).unwrap_or_default()
}

/// `12.0` → `12`, `0.5` → `0.5`, with separators.
fn num(v: f64) -> String {
    crate::engine::model::grouped(dec((v * 1000.0).round() / 1000.0))
}

fn step(what: impl Into<String>, value: f64, unit: &str, limit: Option<&LimitRef>) -> Step {
    Step {
        what: what.into(),
        value,
        unit: unit.to_owned(),
        limit: limit.cloned(),
    }
}

#[cfg(test)]
mod tests;
