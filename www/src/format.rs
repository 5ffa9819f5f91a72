//! How numbers read on the page: money, token counts, dates, sizes.

use cost_core::{group_digits, Date, Usd, UsdPerMtok};

/// Money as people read it: `$0.504`, `$1,234.56`, and small amounts with three significant
/// digits so that a real cost never shows as `$0.00` (`$0.000084`).
pub fn usd(amount: Usd) -> String {
    amount.display()
}

/// A price per million tokens: `$0.80 / Mtok`; `-` when there is none.
pub fn per_mtok(price: Option<UsdPerMtok>) -> String {
    match price {
        Some(p) => {
            let text = p.to_decimal_string();
            // Whole cents at least: "$3" reads as "$3.00".
            let text = match text.split_once('.') {
                Some((_, frac)) if frac.len() == 1 => format!("{text}0"),
                Some(_) => text,
                None => format!("{text}.00"),
            };
            format!("${text}")
        }
        None => "–".to_string(),
    }
}

/// A count with thousands separators: `174,392`.
pub fn count(n: u64) -> String {
    group_digits(n)
}

/// Bytes in KB or MB, decimal (`750 KB`, `1.6 MB`), as file managers show them.
pub fn bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{}.{} MB", n / 1_000_000, (n % 1_000_000) / 100_000)
    } else if n >= 1_000 {
        format!("{} KB", group_digits(n.div_ceil(1_000)))
    } else {
        format!("{n} bytes")
    }
}

/// A date as ISO text (`2026-11-23`), or `unknown`.
pub fn date(d: Option<Date>) -> String {
    d.map_or_else(|| "unknown".to_string(), |d| d.to_string())
}

/// A ratio of two amounts as "× 2.4" (one decimal), computed in integers.
pub fn times(amount: Usd, cheapest: Usd) -> String {
    if cheapest.femto() <= 0 {
        return "–".to_string();
    }
    let tenths = (amount.femto() * 10 + cheapest.femto() / 2) / cheapest.femto();
    format!("× {}.{}", tenths / 10, tenths % 10)
}

/// A percentage with one decimal of `part` in `whole`, in integers (`"80.0 %"`).
pub fn percent(part: Usd, whole: Usd) -> String {
    if whole.femto() <= 0 {
        return "–".to_string();
    }
    let tenths = (part.femto() * 1000 + whole.femto() / 2) / whole.femto();
    format!("{}.{} %", tenths / 10, (tenths % 10).abs())
}

/// Parses money typed by a person: `50`, `$1,234.56`, `0.5`. At most 9 decimal places.
///
/// # Errors
///
/// A message for the user when the text is not a non-negative amount.
pub fn parse_usd(text: &str) -> Result<Usd, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',' && *c != '_' && !c.is_whitespace())
        .collect();
    if cleaned.is_empty() {
        return Err("enter an amount in US dollars, such as 50 or 12.50".into());
    }
    let (int, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let valid = !int.is_empty() || !frac.is_empty();
    if !valid
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 9
        || int.len() > 12
    {
        return Err(format!(
            "“{}” is not an amount in US dollars (such as 50 or 12.50)",
            text.trim()
        ));
    }
    let int: i128 = if int.is_empty() {
        0
    } else {
        int.parse().unwrap_or(0)
    };
    let mut femto = int * 1_000_000_000_000_000;
    let mut scale = 100_000_000_000_000i128;
    for digit in frac.bytes() {
        femto += i128::from(digit - b'0') * scale;
        scale /= 10;
    }
    Ok(Usd::from_femto(femto))
}
