//! Budgets over usage logs: the cases of `tests/fixtures/budgets.json` through one `check`
//! (limits, alerts and the day each was crossed, projections, month boundaries, estimates,
//! bad limits), and the laws of budgets as property tests.
//!
//! Money is compared as exact decimal strings, never as floats.

use std::collections::BTreeMap;

use cost_core::{
    read_log, Budget, BudgetState, BudgetStatus, BudgetTracker, Component, Components, Date,
    LimitScope, PricedRecord, Usage, Usd, UsdPerMtok,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const CASES: &str = include_str!("../../../tests/fixtures/budgets.json");
const USAGE_LOG: &str = include_str!("../../../tests/fixtures/usage-log.jsonl");

fn log_text(input: &Value) -> String {
    match (input.get("log"), input.get("lines")) {
        (Some(Value::String(file)), None) => {
            assert_eq!(file, "usage-log.jsonl", "the only shared log");
            USAGE_LOG.to_string()
        }
        (None, Some(Value::Array(lines))) => lines
            .iter()
            .map(|l| l.as_str().expect("lines are strings"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("input needs `log` or `lines`, got {other:?}"),
    }
}

/// Runs one case: `{"status": ..., "impact": ...}` or `{"error": ...}`.
fn run(input: &Value) -> Value {
    let (records, errors) = read_log(&log_text(input));
    assert!(errors.is_empty(), "{errors:?}");
    let budget: Budget = serde_json::from_value(input["budget"].clone()).expect("budget");
    let today: Date = input["today"].as_str().unwrap().parse().unwrap();
    let error = |e: cost_core::Error| json!({"error": {"kind": e.kind().as_str(), "path": e.path(), "message": e.to_string()}});
    let status = match BudgetStatus::of(budget, today, &records) {
        Ok(status) => status,
        Err(e) => return error(e),
    };
    let mut out = json!({"status": serde_json::to_value(&status).unwrap()});
    if let Some(estimate) = input.get("estimate_usd") {
        let estimate: Usd = estimate.as_str().unwrap().parse().unwrap();
        match status.with_estimate(estimate) {
            Ok(impact) => out["impact"] = serde_json::to_value(&impact).unwrap(),
            Err(e) => return error(e),
        }
    }
    out
}

/// Every field `expected` gives must be in `actual` with the same value; arrays must have
/// the same length, element by element.
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let Some(found) = a.get(key) else {
                    panic!("{path}.{key}: missing in {actual}");
                };
                assert_subset(value, found, &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: {actual:#}");
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                assert_subset(e, a, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn check(case: &Value) {
    let name = case["name"].as_str().expect("name");
    for field in ["source", "working", "input", "expected"] {
        assert!(case.get(field).is_some(), "{name}: no `{field}`");
    }
    let actual = run(&case["input"]);
    let expected = &case["expected"];
    if let Some(error) = expected.get("error") {
        let Some(got) = actual.get("error") else {
            panic!("{name}: expected an error, got {actual:#}");
        };
        assert_eq!(got["kind"], error["kind"], "{name}");
        assert_eq!(got["path"], error["path"], "{name}");
        let contains = error["contains"].as_str().unwrap();
        let message = got["message"].as_str().unwrap();
        assert!(
            message.contains(contains),
            "{name}: `{message}` lacks `{contains}`"
        );
        return;
    }
    assert!(actual.get("error").is_none(), "{name}: {}", actual["error"]);
    assert_subset(expected, &actual, name);
}

#[test]
fn budget_fixtures() {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("budgets.json parses");
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case["name"].as_str().unwrap()),
            "duplicate name"
        );
        check(case);
    }
}

#[test]
fn default_budget_alerts_at_80_and_100_percent() {
    let budget: Budget = serde_json::from_value(json!({"monthly_limit_usd": "50"})).unwrap();
    assert_eq!(budget, Budget::monthly("50".parse().unwrap()));
    assert_eq!(budget.alert_percents, vec![80, 100]);
    assert_eq!(budget.daily_limit_usd, None);
}

#[test]
fn budget_states_order_from_under_to_over() {
    assert!(BudgetState::Under < BudgetState::Warning);
    assert!(BudgetState::Warning < BudgetState::Over);
    assert_eq!(
        [
            BudgetState::Under.as_str(),
            BudgetState::Warning.as_str(),
            BudgetState::Over.as_str()
        ],
        ["under", "warning", "over"]
    );
}

// ------------------------------------------------------------------------------------------
// Property tests

fn record(day: i32, femto: i128) -> PricedRecord {
    // One input component carries the cost: `femto` femto-dollars as tokens at 1 nano/MTok.
    let tokens = u64::try_from(femto).unwrap();
    let price = UsdPerMtok::from_nano(1);
    let zero = Component {
        tokens: 0,
        usd_per_mtok: price,
        usd: Usd::ZERO,
    };
    let input = Component {
        tokens,
        usd_per_mtok: price,
        usd: Usd::for_tokens(tokens, price),
    };
    let start = Date::from_ymd(2026, 11, 20).unwrap().days_since_epoch();
    PricedRecord {
        model: "m".into(),
        provider: "p".into(),
        cost_usd: input.usd,
        components: Components {
            input,
            cache_write_5m: zero,
            cache_write_1h: zero,
            cache_read: zero,
            output: zero,
            cache_storage: zero,
        },
        tier: None,
        batch: false,
        at: Date::from_unix_seconds(i64::from(start + day) * 86_400),
        prices_from: None,
        usage: Usage {
            input_tokens: tokens,
            ..Usage::default()
        },
        tags: BTreeMap::new(),
        warnings: Vec::new(),
    }
}

fn log() -> impl Strategy<Value = Vec<PricedRecord>> {
    // Up to $0.5 a record, 2026-11-20 to 2027-01-08: across two month ends.
    prop::collection::vec(
        (0..50i32, 0..500_000_000_000_000i128).prop_map(|(d, f)| record(d, f)),
        0..80,
    )
}

/// Issue 7 (fuzz target `report`): an absurd expected cost overflowed `i128` working out its
/// percentage of the limit. It is refused now, and the largest one accepted still works.
#[test]
fn an_expected_cost_beyond_any_estimate_is_refused_not_overflowed() {
    let today = Date::from_ymd(2026, 11, 15).unwrap();
    let budget = Budget::monthly("5".parse().unwrap());
    let status = BudgetStatus::of(budget, today, &[]).unwrap();
    let largest: Usd = "10000000000000000".parse().unwrap();
    let impact = status.with_estimate(largest).unwrap();
    assert_eq!(
        impact.percent_of_monthly_limit_after,
        "200000000000000000.00"
    );
    let absurd: Usd = "170141183460469231731".parse().unwrap();
    let error = status.with_estimate(absurd).unwrap_err();
    assert_eq!(error.path(), Some("expected_usd"), "{error}");
}

/// Issue 7 (fuzz target `report`): one priced record at the largest price a price can have
/// ($9,223,372,036.854775807 per million tokens, 10^15 tokens in and out) adds up, so it
/// reads; its percentage of the limit overflowed `i128` on the way to text.
#[test]
fn a_record_at_the_largest_price_does_not_overflow_the_percentages() {
    let line = r#"{"model": "m", "provider": "p", "cost_usd": "18446744073709551614", "components": {"input": {"tokens": 1000000000000000, "usd_per_mtok": "9223372036.854775807", "usd": "9223372036854775807"}, "cache_write_5m": {"tokens": 0, "usd_per_mtok": "0", "usd": "0"}, "cache_write_1h": {"tokens": 0, "usd_per_mtok": "0", "usd": "0"}, "cache_read": {"tokens": 0, "usd_per_mtok": "0", "usd": "0"}, "output": {"tokens": 1000000000000000, "usd_per_mtok": "9223372036.854775807", "usd": "9223372036854775807"}, "cache_storage": {"tokens": 0, "usd_per_mtok": "0", "usd": "0"}}, "tier": null, "batch": false, "at": "2026-11-20", "prices_from": null, "usage": {"input_tokens": 1000000000000000, "output_tokens": 1000000000000000}, "tags": {}, "warnings": []}"#;
    let (records, errors) = read_log(line);
    assert!(errors.is_empty(), "{errors:?}");
    let today = Date::from_ymd(2026, 11, 20).unwrap();
    let budget = Budget::monthly("5".parse().unwrap());
    let status = BudgetStatus::of(budget, today, &records).unwrap();
    assert_eq!(
        status.month_to_date_usd.to_decimal_string(),
        "18446744073709551614"
    );
    assert_eq!(status.percent_of_monthly_limit, "368934881474191032280.00");
    assert_eq!(status.state, BudgetState::Over);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Month to date is the spend of the records in today's month up to today, whatever the
    /// order; every record is counted once, in the month, outside it or after today.
    #[test]
    fn month_to_date_is_the_month_so_far(mut log in log(), today in 0..50i32, shuffle in any::<u64>()) {
        let start = Date::from_ymd(2026, 11, 20).unwrap().days_since_epoch();
        let today = Date::from_unix_seconds(i64::from(start + today) * 86_400);
        let (y, m, _) = today.ymd();
        let first = Date::from_ymd(y, m, 1).unwrap();
        let expected: Usd = log.iter().filter(|r| first <= r.at && r.at <= today).map(|r| r.cost_usd).sum();
        let status = BudgetStatus::of(Budget::monthly("10".parse().unwrap()), today, &log).unwrap();
        prop_assert_eq!(status.month_to_date_usd, expected);
        prop_assert_eq!(
            status.records_counted + status.records_outside_month + status.records_after_today,
            log.len() as u64
        );
        // Order does not matter.
        let len = log.len().max(1);
        log.rotate_left((shuffle as usize) % len);
        log.reverse();
        let again = BudgetStatus::of(Budget::monthly("10".parse().unwrap()), today, &log).unwrap();
        prop_assert_eq!(again, status);
    }

    /// Alerts at higher thresholds are crossed no earlier; the projection is never below the
    /// spend so far; an estimate only adds alerts, and a zero estimate adds none.
    #[test]
    fn alerts_and_projection_are_monotone(
        log in log(),
        today in 0..50i32,
        limit_cents in 1..2_000i128,
        estimate_femto in 0..2_000_000_000_000_000i128,
    ) {
        let start = Date::from_ymd(2026, 11, 20).unwrap().days_since_epoch();
        let today = Date::from_unix_seconds(i64::from(start + today) * 86_400);
        let budget = Budget {
            monthly_limit_usd: Usd::from_femto(limit_cents * 10_000_000_000_000),
            daily_limit_usd: None,
            alert_percents: vec![100, 25, 50, 80],
        };
        let mut tracker = BudgetTracker::new(budget, today).unwrap();
        for record in &log {
            tracker.add(record);
        }
        let status = tracker.status();
        prop_assert!(status.projected_month_usd >= status.month_to_date_usd);
        let monthly: Vec<_> = status.alerts.iter().filter(|a| a.scope == LimitScope::Monthly).collect();
        for pair in monthly.windows(2) {
            prop_assert!(pair[0].percent < pair[1].percent);
            prop_assert!(pair[0].crossed_on <= pair[1].crossed_on);
        }
        let none = status.with_estimate(Usd::ZERO).unwrap();
        prop_assert!(none.new_alerts.is_empty());
        prop_assert_eq!(none.state_after, status.state);
        let impact = status.with_estimate(Usd::from_femto(estimate_femto)).unwrap();
        prop_assert!(impact.state_after >= status.state);
        prop_assert_eq!(impact.new_alerts.len() + monthly.len(),
            [25u32, 50, 80, 100].iter().filter(|&&p| impact.month_after_usd.femto() * 100 >= budget_limit(&status) * i128::from(p)).count());
    }
}

fn budget_limit(status: &BudgetStatus) -> i128 {
    status.budget.monthly_limit_usd.femto()
}
