//! Exact money: [`Usd`] amounts and [`UsdPerMtok`] prices, integers underneath.
//!
//! # Numeric policy
//!
//! Prices are stored as whole nano-dollars per million tokens (`$0.80/Mtok` is
//! `800_000_000`). A token count times such a price is a whole number of
//! femto-dollars (10^-15 USD), so every token-priced cost is an exact integer
//! and summing per-call costs gives exactly the cost of the summed usage.
//! Amounts are `i128` femto-dollars: 10^15 tokens at $10,000/Mtok is 10^31,
//! far inside `i128`'s 1.7 × 10^38.
//!
//! Nothing here is ever a float. Prices read from JSON or TOML numbers are
//! converted through their shortest decimal text (`0.8`, not
//! `0.8000000000000000444`), so a price written as `0.8` is exactly 0.8.
//! Prices finer than a nano-dollar per million tokens are rejected, not rounded.
//!
//! There is no division anywhere in cost arithmetic (context-cache storage is
//! counted in whole token-hours for the same reason). Display rounding (to cents, or to enough digits to not show `$0.00`) is the
//! caller's choice: [`Usd::to_decimal_string`] is exact.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Femto-dollars in one dollar.
const FEMTO_PER_USD: i128 = 1_000_000_000_000_000;

/// An exact amount of US dollars, in femto-dollars (10^-15 USD).
///
/// Serializes as a decimal string with no trailing zeros (`"0.00084"`).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Usd(i128);

impl Usd {
    /// Zero dollars.
    pub const ZERO: Usd = Usd(0);

    /// The amount in femto-dollars (10^-15 USD).
    pub fn from_femto(femto: i128) -> Usd {
        Usd(femto)
    }

    /// The amount in femto-dollars (10^-15 USD).
    pub fn femto(self) -> i128 {
        self.0
    }

    /// The cost of `tokens` at `price`, exactly.
    pub fn for_tokens(tokens: u64, price: UsdPerMtok) -> Usd {
        // nano-USD/Mtok × tokens = 10^-9 × 10^-6 USD = femto-USD.
        Usd(i128::from(tokens) * i128::from(price.0))
    }

    /// The amount rounded half-up to whole nano-dollars, as `i128`.
    pub fn round_to_nano(self) -> i128 {
        div_round_half_away(self.0, 1_000_000)
    }

    /// The exact decimal text, without trailing zeros: `"0.00084"`, `"12"`, `"-0.5"`.
    pub fn to_decimal_string(self) -> String {
        decimal_string(self.0, 15)
    }

    /// The amount rounded half away from zero to `places` decimal places (at most 15),
    /// as text with exactly that many places: `Usd(0.504).to_fixed(2) == "0.50"`.
    pub fn to_fixed(self, places: u32) -> String {
        let places = places.min(15);
        let divisor = 10i128.pow(15 - places);
        let rounded = div_round_half_away(self.0, divisor);
        let text = decimal_string(rounded, places);
        // `decimal_string` trims zeros; put them back to the requested width.
        match text.split_once('.') {
            Some((_, frac)) => format!("{text}{}", "0".repeat(places as usize - frac.len())),
            None if places > 0 => format!("{text}.{}", "0".repeat(places as usize)),
            None => text,
        }
    }

    /// A human rendering: `$1,234.56`, `$0.504`, `$0.000084`.
    ///
    /// Amounts of a dollar or more show cents; smaller amounts show three
    /// significant digits, so a tiny cost never reads as `$0.00`.
    pub fn display(self) -> String {
        let negative = self.0 < 0;
        let abs = Usd(self.0.abs());
        let body = if abs.0 == 0 {
            "0.00".to_string()
        } else if abs.0 >= FEMTO_PER_USD {
            let fixed = abs.to_fixed(2);
            let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, "00"));
            format!("{}.{frac}", group_thousands(int))
        } else {
            // Places needed for three significant digits, at least two.
            let digits = abs.0.to_string().len() as u32; // digits of femto value
            let places = 18u32.saturating_sub(digits).clamp(2, 15);
            let text = abs.to_fixed(places);
            trim_after(text, 2)
        };
        if negative {
            format!("-${body}")
        } else {
            format!("${body}")
        }
    }

    /// Adds, or `None` on overflow.
    pub fn checked_add(self, other: Usd) -> Option<Usd> {
        self.0.checked_add(other.0).map(Usd)
    }
}

fn trim_after(text: String, min_places: usize) -> String {
    let Some((int, frac)) = text.split_once('.') else {
        return text;
    };
    let trimmed = frac.trim_end_matches('0');
    let frac = if trimmed.len() < min_places {
        &frac[..min_places]
    } else {
        trimmed
    };
    format!("{int}.{frac}")
}

/// A whole number with thousands separators, for people: `1234567` is `"1,234,567"`.
pub fn group_digits(n: u64) -> String {
    group_thousands(&n.to_string())
}

fn group_thousands(int: &str) -> String {
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn div_round_half_away(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.abs() * 2 >= divisor {
        quotient + value.signum()
    } else {
        quotient
    }
}

/// Formats `value / 10^scale` exactly, trimming trailing zeros.
fn decimal_string(value: i128, scale: u32) -> String {
    let negative = value < 0;
    let digits = value.unsigned_abs().to_string();
    let scale = scale as usize;
    let (int, frac) = if digits.len() > scale {
        digits.split_at(digits.len() - scale)
    } else {
        ("0", digits.as_str())
    };
    let frac = format!("{}{}", "0".repeat(scale - frac.len()), frac);
    let frac = frac.trim_end_matches('0');
    let sign = if negative { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Parses a plain decimal (`"12"`, `"0.08"`, `"1.25e-7"`) into `value × 10^scale` exactly.
///
/// Fails when the text is not a number or has more precision than `scale` allows.
fn parse_scaled(text: &str, scale: u32) -> Result<i128, String> {
    // Allocation-free: usage logs parse millions of amounts.
    let trimmed = text.trim();
    let bad = || format!("`{trimmed}` is not a decimal number");
    let (mantissa, exponent) = match trimmed.find(['e', 'E']) {
        Some(at) => {
            let exp: i32 = trimmed[at + 1..].parse().map_err(|_| bad())?;
            (&trimmed[..at], exp)
        }
        None => (trimmed, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    // value = digits(int ++ frac) × 10^shift, where shift is what scaling leaves over.
    let shift = i64::from(exponent) - frac.len() as i64 + i64::from(scale);
    let total_digits = int.len() + frac.len();
    // Digits past `keep` are divided away by a negative shift: they must all be zero.
    let keep = if shift < 0 {
        total_digits.saturating_sub(shift.unsigned_abs() as usize)
    } else {
        total_digits
    };
    let too_big = || format!("`{trimmed}` is too large");
    let mut value: i128 = 0;
    for (n, b) in int.bytes().chain(frac.bytes()).enumerate() {
        let digit = i128::from(b - b'0');
        if n < keep {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or_else(too_big)?;
        } else if digit != 0 {
            return Err(format!(
                "`{trimmed}` has more precision than {scale} decimal places"
            ));
        }
    }
    if shift > 0 {
        let factor = 10i128.checked_pow(shift as u32).ok_or_else(too_big)?;
        value = value.checked_mul(factor).ok_or_else(too_big)?;
    }
    Ok(if negative { -value } else { value })
}

impl FromStr for Usd {
    type Err = String;

    /// Parses a decimal amount of dollars, exact to the femto-dollar.
    fn from_str(text: &str) -> Result<Usd, String> {
        parse_scaled(text, 15).map(Usd)
    }
}

impl fmt::Debug for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.to_decimal_string())
    }
}

impl fmt::Display for Usd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl Add for Usd {
    type Output = Usd;
    fn add(self, other: Usd) -> Usd {
        Usd(self.0 + other.0)
    }
}

impl AddAssign for Usd {
    fn add_assign(&mut self, other: Usd) {
        self.0 += other.0;
    }
}

impl Sub for Usd {
    type Output = Usd;
    fn sub(self, other: Usd) -> Usd {
        Usd(self.0 - other.0)
    }
}

impl Sum for Usd {
    fn sum<I: Iterator<Item = Usd>>(iter: I) -> Usd {
        iter.fold(Usd::ZERO, Add::add)
    }
}

impl Serialize for Usd {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_decimal_string())
    }
}

impl<'de> Deserialize<'de> for Usd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Usd, D::Error> {
        let text = DecimalText::deserialize(deserializer)?;
        text.0.parse().map_err(serde::de::Error::custom)
    }
}

/// A price in US dollars per million tokens, exact to the nano-dollar.
///
/// Deserializes from a decimal string or a number (read through its shortest
/// decimal text); serializes as a decimal string.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UsdPerMtok(i64);

impl UsdPerMtok {
    /// Free.
    pub const ZERO: UsdPerMtok = UsdPerMtok(0);

    /// A price from whole nano-dollars per million tokens.
    pub fn from_nano(nano: i64) -> UsdPerMtok {
        UsdPerMtok(nano)
    }

    /// The price in nano-dollars per million tokens.
    pub fn nano(self) -> i64 {
        self.0
    }

    /// A price from a dollars-per-token decimal, as LiteLLM writes it (`"8e-07"`).
    ///
    /// # Errors
    ///
    /// When the text is not a non-negative decimal or is finer than 10^-15 USD per token.
    pub fn from_usd_per_token(text: &str) -> Result<UsdPerMtok, String> {
        // USD/token × 10^6 = USD/Mtok; × 10^9 = nano-USD/Mtok: scale 15.
        let nano = parse_scaled(text, 15)?;
        Self::checked(nano, text)
    }

    fn checked(nano: i128, text: &str) -> Result<UsdPerMtok, String> {
        if nano < 0 {
            return Err(format!("price `{text}` is negative"));
        }
        i64::try_from(nano)
            .map(UsdPerMtok)
            .map_err(|_| format!("price `{text}` is too large"))
    }

    /// The exact decimal text in dollars per million tokens: `"0.8"`.
    pub fn to_decimal_string(self) -> String {
        decimal_string(i128::from(self.0), 9)
    }
}

impl FromStr for UsdPerMtok {
    type Err = String;

    /// Parses dollars per million tokens (`"0.80"`), exact to the nano-dollar.
    fn from_str(text: &str) -> Result<UsdPerMtok, String> {
        let nano = parse_scaled(text, 9)?;
        Self::checked(nano, text)
    }
}

impl fmt::Debug for UsdPerMtok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}/Mtok", self.to_decimal_string())
    }
}

impl fmt::Display for UsdPerMtok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_decimal_string())
    }
}

impl Serialize for UsdPerMtok {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_decimal_string())
    }
}

impl<'de> Deserialize<'de> for UsdPerMtok {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UsdPerMtok, D::Error> {
        let text = DecimalText::deserialize(deserializer)?;
        text.0.parse().map_err(serde::de::Error::custom)
    }
}

/// A number or string read as decimal text, never through float arithmetic.
///
/// Floats are rendered with Rust's shortest round-trip formatting, which never
/// uses an exponent and gives back the digits the file had (`0.8` → `"0.8"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecimalText(pub(crate) String);

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DecimalText, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DecimalText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<DecimalText, E> {
                float_text(v).map(DecimalText).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The shortest decimal text of a finite float.
pub(crate) fn float_text(v: f64) -> Result<String, String> {
    if v.is_finite() {
        Ok(format!("{v}"))
    } else {
        Err(format!("{v} is not a finite number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(text: &str) -> Usd {
        text.parse().unwrap()
    }

    #[test]
    fn prices_parse_exactly_from_decimal_text() {
        assert_eq!("0.8".parse::<UsdPerMtok>().unwrap().nano(), 800_000_000);
        assert_eq!("0.0625".parse::<UsdPerMtok>().unwrap().nano(), 62_500_000);
        assert_eq!("15".parse::<UsdPerMtok>().unwrap().nano(), 15_000_000_000);
        assert_eq!("1.25e-1".parse::<UsdPerMtok>().unwrap().nano(), 125_000_000);
        assert!("0.0000000001".parse::<UsdPerMtok>().is_err());
        assert!("-1".parse::<UsdPerMtok>().is_err());
        assert!("abc".parse::<UsdPerMtok>().is_err());
        assert!("".parse::<UsdPerMtok>().is_err());
        assert!("1e40".parse::<UsdPerMtok>().is_err());
    }

    #[test]
    fn per_token_prices_convert_exactly() {
        let p = UsdPerMtok::from_usd_per_token("8e-07").unwrap();
        assert_eq!(p.to_decimal_string(), "0.8");
        let p = UsdPerMtok::from_usd_per_token(&float_text(3.75e-6).unwrap()).unwrap();
        assert_eq!(p.to_decimal_string(), "3.75");
    }

    #[test]
    fn haiku_call_costs_the_published_figure() {
        // 550 input tokens at $0.80/Mtok + 100 output at $4/Mtok = $0.00084.
        let cost = Usd::for_tokens(550, "0.8".parse().unwrap())
            + Usd::for_tokens(100, "4".parse().unwrap());
        assert_eq!(cost.to_decimal_string(), "0.00084");
        assert_eq!(cost, usd("0.00084"));
    }

    #[test]
    fn fixed_and_display_rounding() {
        assert_eq!(usd("0.504").to_fixed(2), "0.50");
        assert_eq!(usd("0.505").to_fixed(2), "0.51");
        assert_eq!(usd("12").to_fixed(2), "12.00");
        assert_eq!(usd("1234.567").display(), "$1,234.57");
        assert_eq!(usd("0.504").display(), "$0.504");
        assert_eq!(usd("0.00084").display(), "$0.00084");
        assert_eq!(usd("0.0000123456").display(), "$0.0000123");
        assert_eq!(usd("0").display(), "$0.00");
        assert_eq!(usd("0.5").display(), "$0.50");
        assert_eq!(usd("-2.5").display(), "-$2.50");
        assert_eq!(usd("1000000").display(), "$1,000,000.00");
    }

    #[test]
    fn decimal_strings_round_trip() {
        for text in ["0", "1", "0.00084", "123456.000000000000001", "-0.5"] {
            assert_eq!(usd(text).to_decimal_string(), text);
        }
        let json = serde_json::to_string(&usd("0.252")).unwrap();
        assert_eq!(json, "\"0.252\"");
        let back: Usd = serde_json::from_str(&json).unwrap();
        assert_eq!(back, usd("0.252"));
    }

    #[test]
    fn largest_plausible_cost_does_not_overflow() {
        let price: UsdPerMtok = "100000".parse().unwrap();
        let cost = Usd::for_tokens(1_000_000_000_000_000, price);
        // 10^15 tokens = 10^9 Mtok, at $100,000 each.
        assert_eq!(cost.to_decimal_string(), "100000000000000");
    }
}
