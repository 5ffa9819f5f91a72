//! The hand-worked pricing fixtures (`tests/fixtures/pricing.json`), run against the bundled catalog.
//!
//! Every expected amount in the fixture was worked out by hand from the provider's published
//! price (its `source` and `working` say how), never from this crate, so a disagreement means
//! either the catalog, a pricing rule or the fixture is wrong. All cases go through one
//! [`check`]; the test reports every failing case at once. Money is compared as exact [`Usd`]
//! values: no floats.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use cost_core::{
    parse_response, parse_usage, Catalog, Cost, Date, Error, ErrorKind, PriceOptions, Usage,
    UsageFormat, Usd,
};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

const FIXTURE: &str = include_str!("../../../tests/fixtures/pricing.json");

/// The file must keep at least this many cases.
const MIN_CASES: usize = 45;

/// One fixture case: a request, and what it costs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The provider's pricing page and the figures used.
    source: String,
    /// The arithmetic, by hand.
    working: String,
    input: Input,
    expected: Expected,
}

/// What is priced.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    /// Any name the catalog accepts; taken from `response` when absent.
    #[serde(default)]
    model: Option<String>,
    /// Normalized [`Usage`], or a provider's usage object when `usage_format` is given.
    #[serde(default)]
    usage: Option<Value>,
    /// The shape of `usage` (or of `response`'s usage when given).
    #[serde(default)]
    usage_format: Option<UsageFormat>,
    /// A whole API response body.
    #[serde(default)]
    response: Option<Value>,
    #[serde(default)]
    batch: bool,
    at: Date,
    /// Identical calls: the expected amounts are for all of them together.
    #[serde(default = "one_call")]
    calls: u64,
}

fn one_call() -> u64 {
    1
}

/// The expected outcome: an error kind, or a cost. Optional fields are asserted only when present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    /// `ErrorKind` in snake_case (`unknown_model`, `invalid_usage`, ...).
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    total_usd: Option<Usd>,
    /// Only the components asserted, by their `Components::named` name.
    #[serde(default)]
    components: BTreeMap<String, Usd>,
    /// `null` asserts no tier; absent asserts nothing.
    #[serde(default, deserialize_with = "present")]
    tier_above: Option<Option<u64>>,
    #[serde(default)]
    batch: Option<bool>,
    /// `null` asserts the model's original prices; absent asserts nothing.
    #[serde(default, deserialize_with = "present")]
    prices_from: Option<Option<Date>>,
    /// Warning kinds, as a set; always asserted (absent means none).
    #[serde(default)]
    warnings: Vec<String>,
    /// The normalized usage a provider shape must parse to.
    #[serde(default)]
    usage: Option<Usage>,
    /// The usage format a response must be detected as.
    #[serde(default)]
    format: Option<UsageFormat>,
    /// The cost the provider itself reported in the response (OpenRouter's `usage.cost`).
    #[serde(default)]
    reported_cost_usd: Option<Usd>,
}

/// Tells a field written as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

fn cases() -> Vec<Case> {
    serde_json::from_str(FIXTURE).unwrap_or_else(|e| panic!("tests/fixtures/pricing.json: {e}"))
}

#[test]
fn fixture_file_is_complete() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "pricing.json has {} cases; it must keep at least {MIN_CASES}",
        cases.len()
    );
    let mut names = BTreeSet::new();
    let mut problems = Vec::new();
    for case in &cases {
        if !names.insert(case.name.as_str()) {
            problems.push(format!("{}: duplicate name", case.name));
        }
        if case.source.trim().is_empty() {
            problems.push(format!("{}: empty source", case.name));
        }
        if case.working.trim().is_empty() {
            problems.push(format!("{}: empty working", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_pricing_case_matches_its_hand_worked_cost() {
    let cases = cases();
    let mut failing = 0;
    let mut report = Vec::new();
    for case in &cases {
        let problems = check(case);
        if !problems.is_empty() {
            failing += 1;
            report.extend(problems.iter().map(|p| format!("{}: {p}", case.name)));
        }
    }
    assert!(
        failing == 0,
        "{failing} of {} pricing cases failed:\n{}",
        cases.len(),
        report.join("\n")
    );
}

/// Everything `input` resolves to before pricing.
struct Request {
    model: String,
    usage: Usage,
    format: Option<UsageFormat>,
    /// Decimal text, as the response parser keeps it.
    reported_cost_usd: Option<String>,
}

/// Why a case produced no cost.
enum Failed {
    /// The core refused it (what error cases expect).
    Core(Error),
    /// The fixture itself is malformed.
    Fixture(String),
}

impl From<Error> for Failed {
    fn from(error: Error) -> Failed {
        Failed::Core(error)
    }
}

/// The bundled catalog, decoded once for all cases.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::bundled)
}

/// Prices one case and returns what disagrees with its expectation (empty when it passes).
fn check(case: &Case) -> Vec<String> {
    let catalog = catalog();
    let expected = &case.expected;
    let outcome = request(&case.input).and_then(|request| {
        let options = PriceOptions {
            at: case.input.at,
            batch: case.input.batch,
        };
        let one = catalog.price(&request.model, &request.usage, options)?;
        let summed = summed_usage(&request.usage, case.input.calls)?;
        let all = catalog.price(&request.model, &summed, options)?;
        Ok((request, one, all))
    });
    let (request, one, all) = match (outcome, &expected.error) {
        (Err(Failed::Fixture(problem)), _) => return vec![format!("malformed case: {problem}")],
        (Err(Failed::Core(error)), Some(kind)) => {
            let got = error_kind_name(error.kind());
            return if &got == kind {
                Vec::new()
            } else {
                vec![format!("expected error {kind}, got {got}: {error}")]
            };
        }
        (Err(Failed::Core(error)), None) => {
            return vec![format!(
                "unexpected error {}: {error}",
                error_kind_name(error.kind())
            )]
        }
        (Ok((_, one, _)), Some(kind)) => {
            return vec![format!(
                "expected error {kind}, got a cost of {}",
                one.total_usd.to_decimal_string()
            )]
        }
        (Ok(priced), None) => priced,
    };

    let mut problems = Vec::new();
    let calls = case.input.calls;
    match expected.total_usd {
        Some(total) => {
            let got = (one.total_usd, all.total_usd);
            compare_amount(&mut problems, "total_usd", total, got, calls);
        }
        None => problems.push("malformed case: expected has neither error nor total_usd".into()),
    }
    for (name, &usd) in &expected.components {
        match (component(&one, name), component(&all, name)) {
            (Some(one), Some(all)) => {
                let what = format!("components.{name}");
                compare_amount(&mut problems, &what, usd, (one, all), calls);
            }
            _ => problems.push(format!("malformed case: no component called {name}")),
        }
    }
    if let Some(tier_above) = expected.tier_above {
        let got = one.tier.map(|tier| tier.above_tokens);
        if got != tier_above {
            problems.push(format!("tier_above: expected {tier_above:?}, got {got:?}"));
        }
    }
    if let Some(batch) = expected.batch {
        if one.batch != batch {
            problems.push(format!("batch: expected {batch}, got {}", one.batch));
        }
    }
    if let Some(prices_from) = expected.prices_from {
        if one.prices_from != prices_from {
            problems.push(format!(
                "prices_from: expected {prices_from:?}, got {:?}",
                one.prices_from
            ));
        }
    }
    let expected_warnings: BTreeSet<&str> = expected.warnings.iter().map(String::as_str).collect();
    let got_warnings: BTreeSet<String> = one
        .warnings
        .iter()
        .map(|w| warning_kind_name(&w.kind))
        .collect();
    let got_warnings: BTreeSet<&str> = got_warnings.iter().map(String::as_str).collect();
    if got_warnings != expected_warnings {
        let messages: Vec<&str> = one.warnings.iter().map(|w| w.message.as_str()).collect();
        problems.push(format!(
            "warnings: expected {expected_warnings:?}, got {got_warnings:?} ({})",
            messages.join("; ")
        ));
    }
    if let Some(usage) = &expected.usage {
        if &request.usage != usage {
            problems.push(format!(
                "usage: expected {usage:?}, parsed {:?}",
                request.usage
            ));
        }
    }
    if let Some(format) = &expected.format {
        if request.format.as_ref() != Some(format) {
            problems.push(format!(
                "format: expected {format:?}, detected {:?}",
                request.format
            ));
        }
    }
    if let Some(reported) = expected.reported_cost_usd {
        let got = request.reported_cost_usd.as_deref();
        if got.map(str::parse::<Usd>) != Some(Ok(reported)) {
            problems.push(format!(
                "reported_cost_usd: expected {}, got {got:?}",
                reported.to_decimal_string()
            ));
        }
    }
    problems
}

/// Checks an amount both ways: `calls ×` the cost of one call, and the cost of the summed
/// usage of all calls (`got` is `(one call, summed usage)`). Pricing is linear, so both
/// must equal `expected` exactly.
fn compare_amount(
    problems: &mut Vec<String>,
    what: &str,
    expected: Usd,
    got: (Usd, Usd),
    calls: u64,
) {
    let (one, all) = got;
    let times = Usd::from_femto(one.femto() * i128::from(calls));
    if times != expected {
        let per_call = if calls == 1 {
            String::new()
        } else {
            format!(" ({calls} × {})", one.to_decimal_string())
        };
        problems.push(format!(
            "{what}: expected {}, got {}{per_call}",
            expected.to_decimal_string(),
            times.to_decimal_string()
        ));
    }
    if calls != 1 && all != expected {
        problems.push(format!(
            "{what} of the summed usage: expected {}, got {} (not linear in calls)",
            expected.to_decimal_string(),
            all.to_decimal_string()
        ));
    }
}

/// The model and normalized usage of a case's input.
fn request(input: &Input) -> Result<Request, Failed> {
    if input.calls == 0 {
        return Err(Failed::Fixture("calls must be at least 1".into()));
    }
    match (&input.response, &input.usage) {
        (Some(body), None) => {
            let parsed = parse_response(body, input.usage_format)?;
            let model = input
                .model
                .clone()
                .or(parsed.model)
                .ok_or_else(|| Failed::Fixture("no model in input or response".into()))?;
            Ok(Request {
                model,
                usage: parsed.usage,
                format: Some(parsed.format),
                reported_cost_usd: parsed.reported_cost_usd,
            })
        }
        (None, Some(usage)) => {
            let model = input
                .model
                .clone()
                .ok_or_else(|| Failed::Fixture("input.model is required with usage".into()))?;
            let (usage, format) = match input.usage_format {
                Some(format) => {
                    let (usage, format) = parse_usage(usage, Some(format))?;
                    (usage, Some(format))
                }
                None => {
                    let usage = Usage::deserialize(usage)
                        .map_err(|e| Failed::Fixture(format!("input.usage: {e}")))?;
                    (usage, None)
                }
            };
            Ok(Request {
                model,
                usage,
                format,
                reported_cost_usd: None,
            })
        }
        _ => Err(Failed::Fixture(
            "input needs exactly one of usage and response".into(),
        )),
    }
}

/// `usage` added to itself `calls` times.
fn summed_usage(usage: &Usage, calls: u64) -> Result<Usage, Failed> {
    let mut sum = *usage;
    for _ in 1..calls {
        sum = sum
            .checked_add(usage)
            .ok_or_else(|| Failed::Fixture(format!("{calls} calls pass the token limit")))?;
    }
    Ok(sum)
}

fn component(cost: &Cost, name: &str) -> Option<Usd> {
    cost.components
        .named()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| c.usd)
}

/// A warning kind as the fixture spells it: its serialized (snake_case) name.
fn warning_kind_name<T: serde::Serialize>(kind: &T) -> String {
    match serde_json::to_value(kind) {
        Ok(Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

/// `ErrorKind::UnknownModel` → `unknown_model`.
fn error_kind_name(kind: ErrorKind) -> String {
    let mut name = String::new();
    for c in format!("{kind:?}").chars() {
        if c.is_ascii_uppercase() {
            if !name.is_empty() {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    name
}
