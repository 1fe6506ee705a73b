//! The price table an estimate uses, and the one way an engine may ask for a bill.

use rust_decimal::Decimal;

use super::{InputError, UsageProfile};
use crate::knowledge::{BillingRule, Knowledge, Price};

/// The prices an estimate uses: the built-in table, or a replacement loaded by a front end.
/// Rows may share an id over disjoint periods (`effective_from` / `effective_until`); a price is
/// looked up for a day.
#[derive(Debug, Clone, Copy)]
pub struct PriceTable<'a> {
    /// Price rows.
    pub prices: &'a [Price],
    /// Billing rules (conversion factors).
    pub rules: &'a [BillingRule],
    /// Rules used when `rules` lacks one (the built-in rules, under a replacement table).
    pub base_rules: &'a [BillingRule],
    /// Where the table came from: `built-in` or a file name.
    pub source: &'a str,
}

impl<'a> PriceTable<'a> {
    /// The built-in table of the embedded knowledge.
    pub fn builtin(k: &'a Knowledge) -> Self {
        Self {
            prices: &k.pricing,
            rules: &k.billing_rules,
            base_rules: &k.billing_rules,
            source: "built-in",
        }
    }

    /// The row of `id` in force on `day` (YYYY-MM-DD), or with no day the newest row (the one
    /// with no `effective_until`). An error names the table and the dates it has.
    pub fn price_on(&self, id: &str, day: Option<&str>) -> Result<&'a Price, InputError> {
        let mut rows = self.prices.iter().filter(|p| p.id == id).peekable();
        if rows.peek().is_none() {
            return Err(InputError::new(
                "price_table",
                format!("{} has no price row `{id}`", self.source),
            ));
        }
        let found = match day {
            Some(day) => rows.clone().find(|p| p.in_force_on(day)),
            None => rows.clone().find(|p| p.effective_until.is_none()),
        };
        found.ok_or_else(|| {
            let periods: Vec<String> = rows.map(period).collect();
            InputError::new(
                "month",
                format!(
                    "{} has no `{id}` price in force on {}: its rows cover {}",
                    self.source,
                    day.unwrap_or("the latest date"),
                    periods.join(", ")
                ),
            )
        })
    }

    /// The newest row of `id` (see [`Self::price_on`]).
    pub fn price(&self, id: &str) -> Result<&'a Price, InputError> {
        self.price_on(id, None)
    }

    /// The positive value of billing rule `id`.
    pub fn rule(&self, id: &str) -> Result<Decimal, InputError> {
        let rule = self
            .rules
            .iter()
            .find(|r| r.id == id)
            .or_else(|| self.base_rules.iter().find(|r| r.id == id));
        let value = rule.map(|r| r.value).filter(|v| *v > Decimal::ZERO);
        value.ok_or_else(|| {
            InputError::new(
                "price_table",
                format!("{} has no positive billing rule `{id}`", self.source),
            )
        })
    }

    /// The newest `as_of` among the table's rows.
    pub fn as_of(&self) -> String {
        let newest = self.prices.iter().map(|p| p.as_of.as_str()).max();
        newest.unwrap_or_default().to_owned()
    }
}

/// `from 2026-12-01`, `until 2026-11-30`, `2026-01-01 to 2026-06-30` or `always`.
pub fn period(p: &Price) -> String {
    match (&p.effective_from, &p.effective_until) {
        (Some(f), Some(u)) => format!("{f} to {u}"),
        (Some(f), None) => format!("from {f}"),
        (None, Some(u)) => format!("until {u}"),
        (None, None) => "always".to_owned(),
    }
}

/// Prices a usage profile. Engines that size a design and want its bill take one of these
/// instead of calling the cost engine: the composer passes the cost engine in, so the engines
/// stay independent of each other.
pub trait Pricer {
    /// The monthly total of `profile` (subscription included, rounded to cents).
    fn total(&self, profile: &UsageProfile) -> Result<Decimal, InputError>;
}
