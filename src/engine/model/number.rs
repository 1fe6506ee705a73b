//! Numbers and money as people and models read them: thousands separators, dollars to the cent.

use std::fmt::{self, Write};

use arrayvec::ArrayString;
use rust_decimal::Decimal;

/// A number with thousands separators, written straight into the output (no temporary
/// string): `1234567.5` → `1,234,567.5`.
#[derive(Debug, Clone, Copy)]
pub struct Grouped(pub Decimal);

/// Room for any Decimal with separators and a currency sign: 29 digits, 9 commas, sign, `$`,
/// point.
type NumberText = ArrayString<48>;

impl Grouped {
    fn write(self, out: &mut NumberText) -> fmt::Result {
        let mut text = NumberText::new();
        write!(text, "{}", self.0.normalize())?;
        let (int, frac) = text
            .split_once('.')
            .map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        out.write_str(sign)?;
        for (i, c) in digits.char_indices() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.write_char(',')?;
            }
            out.write_char(c)?;
        }
        if let Some(frac) = frac {
            out.write_char('.')?;
            out.write_str(frac)?;
        }
        Ok(())
    }
}

impl fmt::Display for Grouped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = NumberText::new();
        self.write(&mut out)?;
        f.pad(&out)
    }
}

/// Dollars rounded to cents with separators, written straight into the output: `1234.5` →
/// `$1,234.50`, `-3` → `-$3.00`.
#[derive(Debug, Clone, Copy)]
pub struct Dollars(pub Decimal);

impl fmt::Display for Dollars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self
            .0
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let mut out = NumberText::new();
        if c.is_sign_negative() && !c.is_zero() {
            out.write_char('-')?;
        }
        out.write_char('$')?;
        let abs = c.abs();
        Grouped(abs.trunc()).write(&mut out)?;
        let cents = (abs.fract() * Decimal::ONE_HUNDRED).round();
        write!(out, ".{cents:0>2}")?;
        f.pad(&out)
    }
}

/// [`Grouped`] as a string.
pub fn grouped(d: Decimal) -> String {
    Grouped(d).to_string()
}

/// [`Dollars`] as a string.
pub fn dollars(d: Decimal) -> String {
    Dollars(d).to_string()
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
        assert_eq!(dollars(d("3.05")), "$3.05");
        assert_eq!(dollars(d("-0.5")), "-$0.50");
        assert_eq!(dollars(d("1000000")), "$1,000,000.00");
        assert_eq!(
            grouped(d("-79228162514264337593543950335")),
            "-79,228,162,514,264,337,593,543,950,335"
        );
        assert_eq!(format!("[{}]", Grouped(d("12345.678"))), "[12,345.678]");
        assert_eq!(format!("[{:>8}]", Dollars(d("5"))), "[   $5.00]");
        assert_eq!(format!("[{:<7}]", Grouped(d("1000"))), "[1,000  ]");
    }
}

/// Serde for money that a model reads as written: a plain JSON number rounded to 6 decimals
/// (JavaScript, which prints the JSON a model receives in Claude Code, writes numbers under
/// 0.000001 in exponent notation). Totals are already whole cents.
pub mod usd {
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use serde::Serializer;

    /// Writes `d` rounded to 6 decimals as a JSON number.
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        let rounded =
            d.round_dp_with_strategy(6, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        s.serialize_f64(rounded.to_f64().unwrap_or(0.0))
    }

    /// [`serialize`] for an optional amount (`null` when absent).
    pub fn serialize_option<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => serialize(d, s),
            None => s.serialize_none(),
        }
    }
}
