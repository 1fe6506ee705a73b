//! The price table an estimate uses, and the one way an engine may ask for a bill.

use rust_decimal::Decimal;

use super::{InputError, UsageProfile};
use crate::knowledge::{BillingRule, Knowledge, Price};

/// The prices an estimate uses: the built-in table, or a replacement loaded by a front end.
#[derive(Debug, Clone, Copy)]
pub struct PriceTable<'a> {
    /// Price rows.
    pub prices: &'a [Price],
    /// Billing rules (conversion factors).
    pub rules: &'a [BillingRule],
    /// Where the table came from: `built-in` or a file name.
    pub source: &'a str,
}

impl<'a> PriceTable<'a> {
    /// The built-in table of the embedded knowledge.
    pub fn builtin(k: &'a Knowledge) -> Self {
        Self {
            prices: &k.pricing,
            rules: &k.billing_rules,
            source: "built-in",
        }
    }

    /// The price row `id`, or an error naming the table that lacks it.
    pub fn price(&self, id: &str) -> Result<&'a Price, InputError> {
        self.prices.iter().find(|p| p.id == id).ok_or_else(|| {
            InputError::new(
                "price_table",
                format!("{} has no price row `{id}`", self.source),
            )
        })
    }

    /// The positive value of billing rule `id`.
    pub fn rule(&self, id: &str) -> Result<Decimal, InputError> {
        let rule = self.rules.iter().find(|r| r.id == id);
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

/// Prices a usage profile. Engines that size a design and want its bill take one of these
/// instead of calling the cost engine: the composer passes the cost engine in, so the engines
/// stay independent of each other.
pub trait Pricer {
    /// The monthly total of `profile` (subscription included, rounded to cents).
    fn total(&self, profile: &UsageProfile) -> Result<Decimal, InputError>;
}
