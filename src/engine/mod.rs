//! Engines: pure functions from the knowledge and a caller's input to a report. An engine reads
//! no files, clock, environment or network, and knows nothing of MCP or the command line.

pub mod config;
pub mod cost;
mod input;
pub mod recommend;
pub mod shard;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use input::{
    InputError, MAX_QUANTITY, check_quantity, from_json, from_json_str, from_toml_str,
};

/// The Workers plan of an account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    /// Workers Paid: a $5/month subscription with monthly allowances, usage past them billed.
    #[default]
    Paid,
    /// Workers Free: daily allowances; past them requests fail rather than bill.
    Free,
}

impl Plan {
    /// `Workers Paid` or `Workers Free`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Paid => "Workers Paid",
            Self::Free => "Workers Free",
        }
    }
}

/// A number with thousands separators: `1234567.5` → `1,234,567.5`.
pub fn grouped(d: Decimal) -> String {
    let s = d.normalize().to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Dollars rounded to cents with separators: `1234.5` → `$1,234.50`, `-3` → `-$3.00`.
pub fn dollars(d: Decimal) -> String {
    let c = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let sign = if c.is_sign_negative() && !c.is_zero() {
        "-"
    } else {
        ""
    };
    let abs = c.abs();
    let whole = grouped(abs.trunc());
    let cents = ((abs.fract() * Decimal::ONE_HUNDRED).round()).to_string();
    format!("{sign}${whole}.{cents:0>2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_formats() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(grouped(d("1234567.50")), "1,234,567.5");
        assert_eq!(grouped(d("-1000")), "-1,000");
        assert_eq!(grouped(d("999")), "999");
        assert_eq!(dollars(d("1234.5")), "$1,234.50");
        assert_eq!(dollars(d("-1555")), "-$1,555.00");
        assert_eq!(dollars(d("0.004")), "$0.00");
        assert_eq!(dollars(d("1.995")), "$2.00");
    }
}
