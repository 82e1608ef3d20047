//! Derive stage, data blocks: fixed-point amounts and their Norwegian print
//! form (`1 234 567,50`, `−12`): thousands parted by a no-break space, a
//! decimal comma and the minus sign U+2212.
//!
//! Amounts are kept as whole numbers of the printed unit's smallest step
//! (`12,5` at one decimal is 125), so that the rows printed add up to the
//! total printed: nothing is rounded after summing.

/// The most decimals a table may print.
pub const MAX_DECIMALS: u8 = 3;

/// The largest amount, in printed steps (a billion units at three decimals):
/// far above any budget, and far below where a sum of every amount a data
/// file can hold (it is at most 4 MiB) could overflow.
pub const MAX_STEPS: i64 = 1_000_000_000_000;

/// What an empty cell prints: never 0.
pub const EMPTY: &str = "–";

/// An amount or score as written in a data file: a number, or `~` for none.
///
/// Its own type so that a wrong value is worded for people ("expected a
/// number, or `~` for an empty cell") rather than with a Rust type name.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Written(pub Option<f64>);

impl<'de> serde::Deserialize<'de> for Written {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WrittenVisitor)
    }
}

struct WrittenVisitor;

impl serde::de::Visitor<'_> for WrittenVisitor {
    type Value = Written;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, or `~` for an empty cell")
    }

    fn visit_f64<E>(self, v: f64) -> Result<Written, E> {
        Ok(Written(Some(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Written, E> {
        Ok(Written(Some(v as f64)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Written, E> {
        Ok(Written(Some(v as f64)))
    }

    fn visit_unit<E>(self) -> Result<Written, E> {
        Ok(Written(None))
    }

    fn visit_none<E>(self) -> Result<Written, E> {
        Ok(Written(None))
    }
}

/// A whole number as written in a data file (decimals, grades), worded as
/// such when it is not one. Values beyond `u8` saturate, and are refused by
/// the range checks that follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Whole(pub u8);

impl<'de> serde::Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WholeVisitor)
    }
}

struct WholeVisitor;

impl serde::de::Visitor<'_> for WholeVisitor {
    type Value = Whole;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a whole number")
    }

    fn visit_u64<E>(self, v: u64) -> Result<Whole, E> {
        Ok(Whole(u8::try_from(v).unwrap_or(u8::MAX)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Whole, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
        }
    }
}

/// The no-break space between groups of thousands.
const THOUSANDS: char = '\u{A0}';

/// The minus sign.
const MINUS: char = '\u{2212}';

/// `value` rounded to `decimals` and counted in steps of the last decimal;
/// `None` when it is not finite or too large.
pub fn to_steps(value: f64, decimals: u8) -> Option<i64> {
    let scaled = (value * 10f64.powi(i32::from(decimals))).round();
    // The bound is exactly representable, so the cast below cannot saturate.
    (scaled.is_finite() && scaled.abs() <= MAX_STEPS as f64).then_some(scaled as i64)
}

/// `steps` of `decimals` printed the Norwegian way.
pub fn format_steps(steps: i64, decimals: u8) -> String {
    let digits = steps.unsigned_abs().to_string();
    let decimals = usize::from(decimals);
    let digits = format!("{digits:0>width$}", width = decimals + 1);
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let mut out = String::new();
    if steps < 0 {
        out.push(MINUS);
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(THOUSANDS);
        }
        out.push(c);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// An optional amount as printed: [`EMPTY`] when there is none.
pub fn format_cell(steps: Option<i64>, decimals: u8) -> String {
    steps.map_or_else(|| EMPTY.to_owned(), |s| format_steps(s, decimals))
}

/// A computed value (a mean) rounded to `decimals` and printed.
pub fn format_value(value: f64, decimals: u8) -> String {
    format_steps(to_steps(value, decimals).unwrap_or(0), decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_norwegian_numbers() {
        let cases: &[(i64, u8, &str)] = &[
            (0, 0, "0"),
            (7, 0, "7"),
            (999, 0, "999"),
            (1000, 0, "1\u{A0}000"),
            (1234567, 0, "1\u{A0}234\u{A0}567"),
            (-1234, 0, "\u{2212}1\u{A0}234"),
            (5, 2, "0,05"),
            (-5, 2, "\u{2212}0,05"),
            (123456789, 2, "1\u{A0}234\u{A0}567,89"),
            (120, 1, "12,0"),
            (100000, 3, "100,000"),
        ];
        for &(steps, decimals, want) in cases {
            assert_eq!(format_steps(steps, decimals), want, "{steps} at {decimals}");
        }
    }

    #[test]
    fn rounds_to_steps() {
        assert_eq!(to_steps(12.346, 2), Some(1235));
        assert_eq!(to_steps(0.1 + 0.2, 1), Some(3));
        assert_eq!(to_steps(-2.5, 0), Some(-3));
        assert_eq!(to_steps(1234567.85, 2), Some(123456785));
        assert_eq!(to_steps(f64::NAN, 0), None);
        assert_eq!(to_steps(1e13, 0), None);
        assert_eq!(to_steps(1e12, 0), Some(MAX_STEPS));
    }

    #[test]
    fn empty_cells_print_a_dash() {
        assert_eq!(format_cell(None, 2), "–");
        assert_eq!(format_cell(Some(0), 0), "0");
    }
}
