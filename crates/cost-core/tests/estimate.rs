//! Pre-run estimates: the hand-worked fixtures (`tests/fixtures/estimates.json`) through one
//! [`check`], the laws every estimate keeps (property tests), presets, and bad input.
//!
//! Expected amounts in the fixture were worked out by hand from the catalog's published
//! prices (each case's `working` shows the arithmetic), never from this crate. Money is
//! compared as exact [`Usd`] values.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use cost_core::{
    estimate, presets, CachePlan, CallRate, Catalog, ChapterTokens, Context, Date, Estimate,
    EstimateOptions, ModelEstimate, Output, Phase, Pipeline, PlainUnits, Spread, TextInput,
    TokenRatios, Unit, Usd,
};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::Value;

const FIXTURE: &str = include_str!("../../../tests/fixtures/estimates.json");

/// The file must keep at least this many cases.
const MIN_CASES: usize = 20;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::bundled)
}

fn ratios() -> &'static TokenRatios {
    static RATIOS: OnceLock<TokenRatios> = OnceLock::new();
    RATIOS.get_or_init(TokenRatios::bundled)
}

fn today() -> Date {
    "2026-11-23".parse().unwrap()
}

/// One fixture case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    source: String,
    working: String,
    input: Input,
    expected: Expected,
}

/// What is estimated. `text`, `pipeline` and `options` are decoded by the crate, so bad
/// input reaches it as users would send it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    text: Value,
    #[serde(default)]
    pipeline: Option<Value>,
    #[serde(default)]
    preset: Option<String>,
    models: Vec<String>,
    options: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    error: Option<ExpectedError>,
    /// How many sections the estimate attributes costs to.
    #[serde(default)]
    sections: Option<usize>,
    /// One per compared model, in order.
    #[serde(default)]
    models: Vec<ExpectedModel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedError {
    /// `ErrorKind` in snake_case.
    kind: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    contains: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedCost {
    #[serde(default)]
    low: Option<Usd>,
    expected: Usd,
    #[serde(default)]
    high: Option<Usd>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedModel {
    /// The model's canonical id.
    model: String,
    cost: ExpectedCost,
    /// Only the components asserted.
    #[serde(default)]
    components: BTreeMap<String, Usd>,
    #[serde(default)]
    by_section: Option<Vec<Usd>>,
    /// Only the token counts asserted.
    #[serde(default)]
    tokens: BTreeMap<String, u64>,
    #[serde(default)]
    phases: Vec<ExpectedPhase>,
    /// Warning kinds, as a set; always asserted (absent means none).
    #[serde(default)]
    warnings: Vec<String>,
    /// Warning kind → the units it names.
    #[serde(default)]
    warning_units: BTreeMap<String, String>,
    /// Warning kind → its extra cost.
    #[serde(default)]
    warning_extra: BTreeMap<String, Usd>,
    /// Recommendation kinds and savings, in order; absent asserts nothing.
    #[serde(default)]
    recommendations: Option<Vec<ExpectedRecommendation>>,
    #[serde(default)]
    savings: Option<BTreeMap<String, Usd>>,
    #[serde(default)]
    rank: Option<u32>,
    #[serde(default)]
    times_cheapest: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedPhase {
    phase: String,
    /// The model the phase ran on.
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    cost: Option<ExpectedCost>,
    #[serde(default)]
    components: BTreeMap<String, Usd>,
    #[serde(default)]
    by_section: Option<Vec<Usd>>,
    #[serde(default)]
    tokens: BTreeMap<String, u64>,
    /// The cache kind applied, in snake_case.
    #[serde(default)]
    caching: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRecommendation {
    kind: String,
    saves_usd: Usd,
}

fn cases() -> Vec<Case> {
    serde_json::from_str(FIXTURE).unwrap_or_else(|e| panic!("tests/fixtures/estimates.json: {e}"))
}

#[test]
fn fixture_file_is_complete() {
    let cases = cases();
    assert!(
        cases.len() >= MIN_CASES,
        "estimates.json has {} cases; it must keep at least {MIN_CASES}",
        cases.len()
    );
    let mut names = BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case.name.as_str()),
            "{}: duplicate name",
            case.name
        );
        assert!(
            !case.source.trim().is_empty(),
            "{}: empty source",
            case.name
        );
        assert!(
            !case.working.trim().is_empty(),
            "{}: empty working",
            case.name
        );
    }
}

#[test]
fn every_estimate_case_matches_its_hand_worked_cost() {
    let cases = cases();
    let mut report = Vec::new();
    for case in &cases {
        report.extend(
            check(case)
                .into_iter()
                .map(|p| format!("{}: {p}", case.name)),
        );
    }
    assert!(
        report.is_empty(),
        "failing estimate cases:\n{}",
        report.join("\n")
    );
}

/// Runs one case; returns what disagrees with its expectation (empty when it passes).
fn check(case: &Case) -> Vec<String> {
    let outcome = run(&case.input);
    let expected = &case.expected;
    let estimate = match (outcome, &expected.error) {
        (Err(error), Some(want)) => {
            let mut problems = Vec::new();
            if error.kind().as_str() != want.kind {
                problems.push(format!(
                    "error kind {} (expected {}): {error}",
                    error.kind().as_str(),
                    want.kind
                ));
            }
            if let Some(path) = &want.path {
                if error.path() != Some(path.as_str()) {
                    problems.push(format!(
                        "error path {:?} (expected {path}): {error}",
                        error.path()
                    ));
                }
            }
            if let Some(text) = &want.contains {
                if !error.to_string().contains(text.as_str()) {
                    problems.push(format!("error `{error}` does not contain `{text}`"));
                }
            }
            return problems;
        }
        (Err(error), None) => return vec![format!("failed: {error}")],
        (Ok(_), Some(want)) => return vec![format!("succeeded; expected a {} error", want.kind)],
        (Ok(estimate), None) => estimate,
    };
    let mut problems = laws(&estimate);
    if let Some(n) = expected.sections {
        if estimate.sections.len() != n {
            problems.push(format!(
                "{} sections (expected {n})",
                estimate.sections.len()
            ));
        }
    }
    if expected.models.len() != estimate.models.len() {
        problems.push(format!(
            "{} models estimated, {} expected",
            estimate.models.len(),
            expected.models.len()
        ));
    }
    for (got, want) in estimate.models.iter().zip(&expected.models) {
        problems.extend(
            check_model(got, want)
                .into_iter()
                .map(|p| format!("{}: {p}", want.model)),
        );
    }
    problems
}

fn run(input: &Input) -> Result<Estimate, cost_core::Error> {
    let pipeline = match (&input.pipeline, &input.preset) {
        (Some(p), None) => Pipeline::from_json(&p.to_string())?,
        (None, Some(id)) => cost_core::preset(id).expect("a known preset").pipeline,
        _ => panic!("give exactly one of pipeline and preset"),
    };
    let text: TextInput = serde_json::from_value(input.text.clone()).expect("a well-formed text");
    let options: EstimateOptions =
        serde_json::from_value(input.options.clone()).expect("well-formed options");
    estimate(
        catalog(),
        ratios(),
        &text,
        &pipeline,
        &input.models,
        &options,
    )
}

fn check_model(got: &ModelEstimate, want: &ExpectedModel) -> Vec<String> {
    let mut problems = Vec::new();
    let mut eq = |what: &str, got: String, want: String| {
        if got != want {
            problems.push(format!("{what}: got {got}, expected {want}"));
        }
    };
    eq("model", got.model.clone(), want.model.clone());
    eq(
        "cost.expected",
        got.cost.expected.to_string(),
        want.cost.expected.to_string(),
    );
    if let Some(low) = want.cost.low {
        eq("cost.low", got.cost.low.to_string(), low.to_string());
    }
    if let Some(high) = want.cost.high {
        eq("cost.high", got.cost.high.to_string(), high.to_string());
    }
    let components = serde_json::to_value(got.components).unwrap();
    for (name, usd) in &want.components {
        eq(
            &format!("components.{name}"),
            components[name].as_str().unwrap_or("?").to_string(),
            usd.to_string(),
        );
    }
    if let Some(sections) = &want.by_section {
        eq(
            "by_section",
            format!("{:?}", got.by_section),
            format!("{sections:?}"),
        );
    }
    let tokens = serde_json::to_value(got.tokens).unwrap();
    for (name, n) in &want.tokens {
        eq(
            &format!("tokens.{name}"),
            tokens[name].to_string(),
            n.to_string(),
        );
    }
    for want_phase in &want.phases {
        let Some(phase) = got.phases.iter().find(|p| p.phase == want_phase.phase) else {
            eq("phase", "missing".into(), want_phase.phase.clone());
            continue;
        };
        let at = |f: &str| format!("phases[{}].{f}", want_phase.phase);
        if let Some(model) = &want_phase.model {
            eq(&at("model"), phase.model.clone(), model.clone());
        }
        if let Some(cost) = &want_phase.cost {
            eq(
                &at("cost.expected"),
                phase.cost.expected.to_string(),
                cost.expected.to_string(),
            );
            if let Some(low) = cost.low {
                eq(&at("cost.low"), phase.cost.low.to_string(), low.to_string());
            }
            if let Some(high) = cost.high {
                eq(
                    &at("cost.high"),
                    phase.cost.high.to_string(),
                    high.to_string(),
                );
            }
        }
        let components = serde_json::to_value(phase.components).unwrap();
        for (name, usd) in &want_phase.components {
            eq(
                &at(&format!("components.{name}")),
                components[name].as_str().unwrap_or("?").to_string(),
                usd.to_string(),
            );
        }
        if let Some(sections) = &want_phase.by_section {
            eq(
                &at("by_section"),
                format!("{:?}", phase.by_section),
                format!("{sections:?}"),
            );
        }
        let tokens = serde_json::to_value(phase.tokens).unwrap();
        for (name, n) in &want_phase.tokens {
            eq(
                &at(&format!("tokens.{name}")),
                tokens[name].to_string(),
                n.to_string(),
            );
        }
        if let Some(kind) = &want_phase.caching {
            let got_kind = serde_json::to_value(phase.caching.kind).unwrap();
            eq(
                &at("caching"),
                got_kind.as_str().unwrap_or("?").to_string(),
                kind.clone(),
            );
        }
    }
    let kinds: BTreeSet<String> = got
        .warnings
        .iter()
        .map(|w| {
            serde_json::to_value(w.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let want_kinds: BTreeSet<String> = want.warnings.iter().cloned().collect();
    let messages: Vec<&str> = got.warnings.iter().map(|w| w.message.as_str()).collect();
    eq(
        "warnings",
        format!("{kinds:?} {messages:?}"),
        format!("{want_kinds:?} {messages:?}"),
    );
    for (kind, units) in &want.warning_units {
        let found = got
            .warnings
            .iter()
            .find(|w| serde_json::to_value(w.kind).unwrap() == kind.as_str());
        eq(
            &format!("warning {kind} units"),
            format!("{:?}", found.and_then(|w| w.units.clone())),
            format!("{:?}", Some(units)),
        );
    }
    for (kind, extra) in &want.warning_extra {
        let found = got
            .warnings
            .iter()
            .find(|w| serde_json::to_value(w.kind).unwrap() == kind.as_str());
        eq(
            &format!("warning {kind} extra"),
            format!("{:?}", found.and_then(|w| w.extra_usd)),
            format!("{:?}", Some(extra)),
        );
    }
    if let Some(recs) = &want.recommendations {
        let got_recs: Vec<String> = got
            .recommendations
            .iter()
            .map(|r| {
                format!(
                    "{}={}",
                    serde_json::to_value(r.kind).unwrap().as_str().unwrap(),
                    r.saves_usd
                )
            })
            .collect();
        let want_recs: Vec<String> = recs
            .iter()
            .map(|r| format!("{}={}", r.kind, r.saves_usd))
            .collect();
        eq(
            "recommendations",
            format!("{got_recs:?}"),
            format!("{want_recs:?}"),
        );
    }
    if let Some(savings) = &want.savings {
        let got_savings = serde_json::to_value(got.savings).unwrap();
        for (name, usd) in savings {
            eq(
                &format!("savings.{name}"),
                got_savings[name].as_str().unwrap_or("?").to_string(),
                usd.to_string(),
            );
        }
    }
    if let Some(rank) = want.rank {
        eq("rank", got.rank.to_string(), rank.to_string());
    }
    if let Some(times) = &want.times_cheapest {
        eq(
            "times_cheapest",
            format!("{:?}", got.times_cheapest),
            format!("{:?}", Some(times)),
        );
    }
    problems
}

/// The laws every estimate keeps: low ≤ expected ≤ high, sections add up to their phase,
/// phases to the total, components to the total, tokens to the model's tokens.
fn laws(estimate: &Estimate) -> Vec<String> {
    let mut problems = Vec::new();
    for m in &estimate.models {
        let mut fail = |what: String| problems.push(format!("{}: {what}", m.model));
        if !(m.cost.low <= m.cost.expected && m.cost.expected <= m.cost.high) {
            fail(format!("cost not ordered: {:?}", m.cost));
        }
        let phases: Usd = m.phases.iter().map(|p| p.cost.expected).sum();
        if phases != m.cost.expected {
            fail(format!(
                "phases add up to {phases}, total {}",
                m.cost.expected
            ));
        }
        let lows: Usd = m.phases.iter().map(|p| p.cost.low).sum();
        let highs: Usd = m.phases.iter().map(|p| p.cost.high).sum();
        if lows != m.cost.low || highs != m.cost.high {
            fail("low/high phases do not add up".into());
        }
        if m.components.total() != m.cost.expected {
            fail(format!(
                "components add up to {}, total {}",
                m.components.total(),
                m.cost.expected
            ));
        }
        let sections: Usd = m.by_section.iter().copied().sum();
        if sections != m.cost.expected {
            fail(format!(
                "sections add up to {sections}, total {}",
                m.cost.expected
            ));
        }
        if m.by_section.len() != estimate.sections.len() {
            fail("by_section and sections differ in length".into());
        }
        for p in &m.phases {
            let sections: Usd = p.by_section.iter().copied().sum();
            if sections != p.cost.expected {
                fail(format!(
                    "phase {}: sections add up to {sections}, phase {}",
                    p.phase, p.cost.expected
                ));
            }
            if p.components.total() != p.cost.expected {
                fail(format!("phase {}: components differ", p.phase));
            }
            if !(p.cost.low <= p.cost.expected && p.cost.expected <= p.cost.high) {
                fail(format!("phase {}: cost not ordered: {:?}", p.phase, p.cost));
            }
            let t = p.tokens;
            if t.input_tokens
                != t.uncached_input_tokens
                    + t.cache_write_5m_tokens
                    + t.cache_write_1h_tokens
                    + t.cache_read_tokens
            {
                fail(format!("phase {}: input tokens do not add up", p.phase));
            }
            if t.reasoning_tokens > t.output_tokens {
                fail(format!("phase {}: reasoning above output", p.phase));
            }
        }
        for r in &m.recommendations {
            if r.saves_usd <= Usd::ZERO {
                fail(format!("recommendation {:?} saves nothing", r.kind));
            }
        }
    }
    problems
}

// ------------------------------------------------------------------------------------------
// Presets, serialization, bad input

#[test]
fn presets_estimate_on_plain_units() {
    let text = TextInput::Units(PlainUnits {
        units: 600,
        tokens_per_unit: 50,
        chapters: 12,
    });
    let options = EstimateOptions::new(today());
    for preset in presets() {
        let e = estimate(
            catalog(),
            ratios(),
            &text,
            &preset.pipeline,
            &["claude-haiku-4-5", "gpt-5-mini", "gemini-2.5-flash"],
            &options,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", preset.id));
        assert!(laws(&e).is_empty(), "{}: {:?}", preset.id, laws(&e));
        assert!(
            e.models.iter().all(|m| m.cost.expected > Usd::ZERO),
            "{}",
            preset.id
        );
    }
}

#[test]
fn an_estimate_serializes_with_decimal_strings() {
    let text = TextInput::Units(PlainUnits {
        units: 600,
        tokens_per_unit: 550,
        chapters: 1,
    });
    let pipeline = Pipeline::from_json(
        r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": 100}}]}"#,
    )
    .unwrap();
    let e = estimate(
        catalog(),
        ratios(),
        &text,
        &pipeline,
        &["claude-3-5-haiku"],
        &EstimateOptions::new(today()),
    )
    .unwrap();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["models"][0]["cost"]["expected"], "0.504");
    assert_eq!(json["options"]["cache"], "provider_default");
    assert_eq!(json["options"]["calls_per_minute"], "60");
    let back: Estimate = serde_json::from_value(json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn options_read_rates_and_cache_plans() {
    let o: EstimateOptions = serde_json::from_str(
        r#"{"at": "2026-11-23", "cache": {"explicit": {"storage_hours": 2}}, "calls_per_minute": 0.1}"#,
    )
    .unwrap();
    assert_eq!(o.cache, CachePlan::Explicit { storage_hours: 2 });
    assert_eq!(o.calls_per_minute, CallRate::from_milli_per_minute(100));
    assert!(o.calls_per_minute.spaced_beyond(300));
    assert!(!o.calls_per_minute.spaced_beyond(3600));
    let o: EstimateOptions =
        serde_json::from_str(r#"{"at": "2026-11-23", "cache": "1h", "calls_per_minute": "12"}"#)
            .unwrap();
    assert_eq!(o.cache, CachePlan::OneHour);
    assert!(!o.calls_per_minute.spaced_beyond(5));
    assert!(o.calls_per_minute.spaced_beyond(4));
    for bad in [r#""-1""#, "0", r#""0.0001""#, r#""abc""#] {
        let text = format!(r#"{{"at": "2026-11-23", "calls_per_minute": {bad}}}"#);
        assert!(
            serde_json::from_str::<EstimateOptions>(&text).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn bad_pipelines_name_the_field() {
    let cases = [
        (
            r#"{"name": "p", "phases": []}"#,
            "phases",
            "at least one phase",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "system_prompt_tokens": -5, "output": {"fixed": 1}}]}"#,
            "phases[0].system_prompt_tokens",
            "",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": {"low": 5, "expected": 4, "high": 6}}}]}"#,
            "phases[0].output.fixed.low",
            "above expected",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": -1}}]}"#,
            "phases[0].output.fixed",
            "non-negative",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": {"chunk": {"tokens": 100, "overlap": 100}}, "output": {"fixed": 1}}]}"#,
            "phases[0].unit.chunk.overlap",
            "below the chunk size",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "template_tokens": 2000000000, "output": {"fixed": 1}}]}"#,
            "phases[0].template_tokens",
            "more than",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "calls_per_unit": 0, "output": {"fixed": 1}}]}"#,
            "phases[0].calls_per_unit",
            "at least 1",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": 1}}, {"name": "a", "unit": "chapter", "output": {"fixed": 1}}]}"#,
            "phases[1].name",
            "two phases",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentences", "output": {"fixed": 1}}]}"#,
            "phases[0].unit",
            "",
        ),
        (
            r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": 1}, "colour": 1}]}"#,
            "phases[0]",
            "colour",
        ),
    ];
    for (json, path, contains) in cases {
        let error = Pipeline::from_json(json).unwrap_err();
        assert_eq!(error.kind(), cost_core::ErrorKind::InvalidRequest, "{json}");
        assert!(
            error.path().unwrap_or("").starts_with(path),
            "{error} (wanted path {path})"
        );
        assert!(
            error.to_string().contains(contains),
            "{error} (wanted `{contains}`)"
        );
    }
    let toml = "name = \"p\"\n[[phases]]\nname = \"a\"\nunit = \"sentence\"\noutput = { fixed = { low = 9, expected = 5, high = 10 } }\n";
    let error = Pipeline::from_toml(toml).unwrap_err();
    assert_eq!(error.path(), Some("phases[0].output.fixed.low"));
}

/// A profile's `o200k_base` counts are exact for `o200k_base` models and scaled per unit,
/// rounded up, through the ratio table for the others, which are flagged approximate.
#[test]
fn profile_counts_are_scaled_per_unit_for_other_tokenizers() {
    use cost_core::{
        Book, CountTokens, EstimateWarningKind, NamedCounter, ProfileBuilder, ProfileOptions,
        ReadOptions, TokenCountKind, TokenCounts, TokenizerFamily,
    };
    struct Words;
    impl CountTokens for Words {
        fn count(&self, text: &str) -> usize {
            text.split_whitespace().count()
        }
    }
    let bytes = b"Preface here.\n\nCHAPTER I.\n\nIt is a truth universally acknowledged. Mr. Darcy agreed!\n\nCHAPTER II.\n\nThe end came, slowly and then all at once.\n";
    let book = Book::read(bytes, &ReadOptions::default()).unwrap();
    let profile = ProfileBuilder::new(
        book,
        vec![NamedCounter::new("o200k_base", Words)],
        ProfileOptions::default(),
    )
    .unwrap()
    .finish()
    .profile;
    let sentences = profile.encodings[0].sentences.per_unit.clone();
    let text = TextInput::Profile(Box::new(profile));
    let pipeline = Pipeline::from_json(
        r#"{"name": "p", "phases": [{"name": "a", "unit": "sentence", "output": {"fixed": 1}}]}"#,
    )
    .unwrap();
    let e = estimate(
        catalog(),
        ratios(),
        &text,
        &pipeline,
        &["gpt-4o-mini", "claude-haiku-4-5"],
        &EstimateOptions::new(today()),
    )
    .unwrap();
    assert_eq!(e.sections.len(), 3, "front matter and two chapters");
    let (gpt, claude) = (&e.models[0], &e.models[1]);
    assert_eq!(gpt.phases[0].token_count.kind, TokenCountKind::Exact);
    assert_eq!(gpt.tokens.input_tokens, sentences.iter().sum::<u64>());
    assert!(gpt
        .warnings
        .iter()
        .all(|w| w.kind != EstimateWarningKind::ApproximateTokenCount));
    let scaled: u64 = sentences
        .iter()
        .map(|&t| {
            ratios()
                .estimate(
                    TokenizerFamily::Claude,
                    TokenCounts {
                        o200k_base: t,
                        cl100k_base: 0,
                    },
                )
                .tokens
        })
        .sum();
    assert_eq!(
        claude.phases[0].token_count.kind,
        TokenCountKind::Approximate
    );
    assert_eq!(claude.tokens.input_tokens, scaled);
    assert!(claude
        .warnings
        .iter()
        .any(|w| w.kind == EstimateWarningKind::ApproximateTokenCount));
    assert!(laws(&e).is_empty(), "{:?}", laws(&e));
}

// ------------------------------------------------------------------------------------------
// Property tests

/// Current models (not deprecated), and a few deprecated ones.
fn model_names() -> &'static Vec<String> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        catalog()
            .models()
            .iter()
            .map(|m| m.qualified_id())
            .collect()
    })
}

fn spread(max: u64) -> impl Strategy<Value = Spread> {
    (0..=max, 0..=max, 0..=max).prop_map(|(a, b, c)| {
        let mut v = [a, b, c];
        v.sort_unstable();
        Spread {
            low: v[0],
            expected: v[1],
            high: v[2],
        }
    })
}

fn unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        Just(Unit::Sentence),
        Just(Unit::Paragraph),
        Just(Unit::Chapter),
        (1u64..5_000, 0u64..100).prop_map(|(t, o)| Unit::Chunk {
            tokens: t + o,
            overlap: o
        }),
        Just(Unit::WholeText),
        (1u64..40).prop_map(|count| Unit::Turns { count }),
    ]
}

fn context() -> impl Strategy<Value = Context> {
    prop_oneof![
        Just(Context::None),
        (1u64..4).prop_map(|units| Context::Previous { units }),
        (0u64..3_000).prop_map(|tokens| Context::RunningSummary { tokens }),
        Just(Context::History),
    ]
}

fn phase() -> impl Strategy<Value = Phase> {
    (
        unit(),
        context(),
        0u64..6_000,
        0u64..400,
        prop_oneof![
            spread(800).prop_map(Output::Fixed),
            spread(2_000).prop_map(Output::RatioPerMille)
        ],
        spread(300),
        1u64..3,
        0u64..=1000,
        prop::option::of(0..model_names().len()),
    )
        .prop_map(
            |(unit, context, s, t, output, reasoning, calls, retry, model)| Phase {
                name: String::new(),
                unit,
                model: model.map(|i| model_names()[i].clone()),
                system_prompt_tokens: s,
                template_tokens: t,
                context,
                output,
                reasoning_tokens: reasoning,
                calls_per_unit: calls,
                retry_per_mille: retry,
            },
        )
}

fn pipeline() -> impl Strategy<Value = Pipeline> {
    prop::collection::vec(phase(), 1..4).prop_map(|phases| Pipeline {
        name: "random".into(),
        description: String::new(),
        phases: phases
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.name = format!("phase {i}");
                p
            })
            .collect(),
    })
}

/// A small book: chapters of sentences (paragraphs of two sentences each, roughly).
fn text() -> impl Strategy<Value = TextInput> {
    prop_oneof![
        prop::collection::vec(prop::collection::vec(1u64..120_000, 1..8), 1..5).prop_map(
            |chapters| {
                TextInput::Chapters(
                    chapters
                        .into_iter()
                        .map(|sentences| ChapterTokens {
                            title: None,
                            paragraphs: Some(sentences.chunks(2).map(|c| c.iter().sum()).collect()),
                            sentences,
                        })
                        .collect(),
                )
            }
        ),
        (1u64..3_000, 1u64..800, 1u64..30).prop_map(|(units, tokens_per_unit, chapters)| {
            TextInput::Units(PlainUnits {
                units,
                tokens_per_unit,
                chapters,
            })
        }),
    ]
}

fn options() -> impl Strategy<Value = EstimateOptions> {
    (
        any::<bool>(),
        prop_oneof![
            Just(CachePlan::None),
            Just(CachePlan::ProviderDefault),
            Just(CachePlan::FiveMinutes),
            Just(CachePlan::OneHour),
            (1u64..48).prop_map(|storage_hours| CachePlan::Explicit { storage_hours }),
        ],
        0u64..=1000,
        prop_oneof![Just(60_000u64), Just(100), Just(10), 1u64..1_000_000],
    )
        .prop_map(|(batch, cache, hit, milli)| EstimateOptions {
            at: today(),
            batch,
            cache,
            cache_hit_per_mille: hit,
            calls_per_minute: CallRate::from_milli_per_minute(milli),
        })
}

fn models() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(0..model_names().len(), 1..4)
        .prop_map(|ids| ids.into_iter().map(|i| model_names()[i].clone()).collect())
}

/// Whether every batch price of the model is at most the standard one (so batch can never
/// cost more).
fn batch_is_cheaper(name: &str) -> bool {
    let model = catalog().find(name).unwrap();
    let set = model.price_set_at(today());
    let Some(batch) = &set.batch else {
        return false;
    };
    let le = |b: Option<cost_core::UsdPerMtok>, s: Option<cost_core::UsdPerMtok>| match (b, s) {
        (Some(b), Some(s)) => b <= s,
        _ => true,
    };
    let prices_le = |b: &cost_core::Prices, s: &cost_core::Prices| {
        b.input_usd_per_mtok <= s.input_usd_per_mtok
            && b.output_usd_per_mtok <= s.output_usd_per_mtok
            && le(b.cache_read_usd_per_mtok, s.cache_read_usd_per_mtok)
            && le(b.cache_write_5m_usd_per_mtok, s.cache_write_5m_usd_per_mtok)
            && le(b.cache_write_1h_usd_per_mtok, s.cache_write_1h_usd_per_mtok)
            && le(
                b.cache_storage_usd_per_mtok_hour,
                s.cache_storage_usd_per_mtok_hour,
            )
    };
    prices_le(&batch.base, &set.standard.base)
        && batch
            .tiers
            .iter()
            .zip(&set.standard.tiers)
            .all(|(b, s)| prices_le(&b.prices, &s.prices))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any valid pipeline over any text on any models: never panics, and keeps the laws.
    #[test]
    fn estimates_keep_their_laws(p in pipeline(), t in text(), m in models(), o in options()) {
        match estimate(catalog(), ratios(), &t, &p, &m, &o) {
            Ok(e) => {
                let problems = laws(&e);
                prop_assert!(problems.is_empty(), "{:?}", problems);
            }
            // Only errors the inputs can cause: paragraphs missing is impossible here, so
            // the one allowed error is a bucket above 10^15 tokens.
            Err(error) => prop_assert!(error.to_string().contains("10^15"), "{}", error),
        }
    }

    /// Batch never raises a total on a model whose batch prices are all at most its
    /// standard ones (phases that name another model are left out).
    #[test]
    fn batch_never_costs_more_where_it_is_cheaper(p in pipeline(), t in text(), i in 0..model_names().len(), o in options()) {
        let name = &model_names()[i];
        prop_assume!(batch_is_cheaper(name));
        let mut p = p;
        for phase in &mut p.phases {
            phase.model = None;
        }
        let sync = EstimateOptions { batch: false, ..o };
        let batch = EstimateOptions { batch: true, ..o };
        let (Ok(a), Ok(b)) = (
            estimate(catalog(), ratios(), &t, &p, &[name], &sync),
            estimate(catalog(), ratios(), &t, &p, &[name], &batch),
        ) else {
            return Ok(());
        };
        let (a, b) = (&a.models[0], &b.models[0]);
        prop_assert!(b.cost.expected <= a.cost.expected, "{} batch {} > sync {}", name, b.cost.expected, a.cost.expected);
        prop_assert!(b.cost.low <= a.cost.low && b.cost.high <= a.cost.high);
    }
}
