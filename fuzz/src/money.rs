//! Target `money`: prices, amounts and dates from text, and back.
//!
//! Modes: 0 reads the rest as the text of a price, an amount and a date; any other draws
//! decimal text, JSON numbers, raw femto-dollar amounts and Unix times.
//!
//! Invariants: a price or amount that decodes re-encodes to text that decodes to the same
//! value (as text, and through serde as a string); a price is never negative; the amount
//! of tokens at a price is never negative; a date prints and parses back to itself; the
//! display forms of any amount never panic.

use cost_core::{group_digits, Date, Usd, UsdPerMtok, MAX_TOKENS};
use serde_json::Value;

use super::gen::Gen;

pub fn check(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    if mode % 4 == 0 {
        let text = String::from_utf8_lossy(rest);
        check_text(&text);
        return;
    }
    let mut g = Gen::new(rest);
    while !g.is_empty() {
        match g.below(6) {
            0 => check_text(&g.decimal_text()),
            1 => check_text(&g.date_text()),
            2 => {
                // Prices and amounts as JSON numbers, as price files and logs write them.
                let number = g.price();
                let text = serde_json::to_string(&number).expect("a value serializes");
                if let Ok(price) = serde_json::from_str::<UsdPerMtok>(&text) {
                    check_price(price);
                }
                if let Ok(amount) = serde_json::from_str::<Usd>(&text) {
                    check_amount(amount);
                }
            }
            // Up to ±2^127: any amount a sum of costs can reach.
            3 => check_amount(Usd::from_femto(i128::from(g.i64()) * i128::from(g.u64()))),
            4 => check_date(Date::from_unix_seconds(g.i64())),
            _ => {
                let tokens = g.count().min(MAX_TOKENS);
                let price = UsdPerMtok::from_nano(g.i64().max(0));
                let cost = Usd::for_tokens(tokens, price);
                assert!(
                    cost >= Usd::ZERO,
                    "{tokens} tokens at {price:?} cost {cost:?}"
                );
                check_amount(cost);
                let _ = group_digits(tokens);
            }
        }
    }
}

/// Reads `text` as each kind of value.
fn check_text(text: &str) {
    if let Ok(price) = text.parse::<UsdPerMtok>() {
        check_price(price);
    }
    if let Ok(price) = UsdPerMtok::from_usd_per_token(text) {
        check_price(price);
    }
    if let Ok(amount) = text.parse::<Usd>() {
        check_amount(amount);
    }
    if let Ok(date) = text.parse::<Date>() {
        check_date(date);
    }
    // Through serde, as JSON text (a number, or anything else).
    if let Ok(price) = serde_json::from_str::<UsdPerMtok>(text) {
        check_price(price);
    }
    if let Ok(amount) = serde_json::from_str::<Usd>(text) {
        check_amount(amount);
    }
}

pub(crate) fn check_price(price: UsdPerMtok) {
    assert!(price.nano() >= 0, "a negative price {price:?}");
    let text = price.to_decimal_string();
    assert_eq!(
        text.parse::<UsdPerMtok>(),
        Ok(price),
        "{text} does not read back"
    );
    let json = serde_json::to_value(price).expect("a price serializes");
    assert_eq!(json, Value::String(text.clone()));
    assert_eq!(
        serde_json::from_value::<UsdPerMtok>(json).ok(),
        Some(price),
        "{text} does not read back through serde"
    );
    // The per-token form LiteLLM writes: a millionth of the price.
    let per_token = Usd::from_femto(i128::from(price.nano())).to_decimal_string();
    assert_eq!(
        UsdPerMtok::from_usd_per_token(&per_token),
        Ok(price),
        "{per_token} per token"
    );
}

pub(crate) fn check_amount(amount: Usd) {
    let text = amount.to_decimal_string();
    assert_eq!(text.parse::<Usd>(), Ok(amount), "{text} does not read back");
    let json = serde_json::to_string(&amount).expect("an amount serializes");
    assert_eq!(
        serde_json::from_str::<Usd>(&json).ok(),
        Some(amount),
        "{json} does not read back through serde"
    );
    let _ = amount.display();
    let _ = amount.round_to_nano();
    for places in [0, 2, 6, 15, 20] {
        let fixed = amount.to_fixed(places);
        let read: Usd = fixed.parse().expect("a fixed-point text reads back");
        // Rounding moves an amount by at most half a unit of the last place.
        let unit = 10i128.pow(15 - places.min(15));
        let moved = read.femto().abs_diff(amount.femto());
        assert!(moved * 2 <= unit as u128, "{fixed} is too far from {text}");
    }
}

fn check_date(date: Date) {
    let text = date.to_string();
    let (year, month, day) = date.ymd();
    if (1..=9999).contains(&year) {
        assert_eq!(text.parse::<Date>(), Ok(date), "{text} does not read back");
        assert_eq!(Date::from_ymd(year, month, day), Some(date));
        let noon = i64::from(date.days_since_epoch()) * 86_400 + 43_200;
        assert_eq!(Date::from_unix_seconds(noon), date);
    }
}
