//! Target `pipeline`: `Pipeline::from_json` and `Pipeline::from_toml`, then an `estimate`
//! with the pipeline over a small book's profile (or plain units) on a few models.
//!
//! Modes: 0 reads the rest as JSON, 1 as TOML; any other draws a [`Pipeline`] directly
//! (sizes biased to the limits) and the estimate's text, models and options.
//!
//! Invariants: a pipeline that decodes (or validates) writes JSON and TOML that decode to
//! the same pipeline; an estimate's costs are never negative, low ≤ expected ≤ high, and
//! every breakdown adds up exactly: components, sections and phases to the model's total.

use std::sync::OnceLock;

use cost_core::{
    Book, CachePlan, CallRate, Context, Estimate, EstimateOptions, NamedCounter, Output, Phase,
    Pipeline, PlainUnits, ProfileBuilder, ProfileOptions, ReadOptions, Spread, TextInput,
    TextProfile, TokenRatios, Unit, Usd, MAX_CALLS_PER_UNIT, MAX_SIZE, MAX_TURNS,
};

use super::gen::Gen;

/// A small book: front matter, three chapters, a few paragraphs and sentences.
const BOOK: &str = "A Tale of Fuzzing\n\nBy Nobody. A preface of two sentences.\n\n\
CHAPTER I.\n\nIt was a truth. Mr. Darcy agreed! \"Did he?\" she asked.\n\nA second paragraph.\n\n\
CHAPTER II.\n\nShort.\n\nCHAPTER III.\n\nThe end came, slowly and then all at once.\n";

fn profile() -> &'static TextProfile {
    static PROFILE: OnceLock<TextProfile> = OnceLock::new();
    PROFILE.get_or_init(|| {
        let book = Book::read(BOOK.as_bytes(), &ReadOptions::default()).expect("the book reads");
        let counters = vec![NamedCounter::new("o200k_base", super::o200k())];
        ProfileBuilder::new(book, counters, ProfileOptions::default())
            .expect("valid options")
            .finish()
            .profile
    })
}

fn ratios() -> &'static TokenRatios {
    static RATIOS: OnceLock<TokenRatios> = OnceLock::new();
    RATIOS.get_or_init(TokenRatios::bundled)
}

pub fn check(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let mut g = Gen::new(&[]);
    let pipeline = match mode % 4 {
        0 => Pipeline::from_json(&String::from_utf8_lossy(rest)),
        1 => Pipeline::from_toml(&String::from_utf8_lossy(rest)),
        _ => {
            g = Gen::new(rest);
            let pipeline = pipeline(&mut g);
            pipeline.validate().map(|()| pipeline)
        }
    };
    let Ok(pipeline) = pipeline else {
        return;
    };
    assert_eq!(
        Pipeline::from_json(&pipeline.to_json()).as_ref(),
        Ok(&pipeline),
        "the JSON form does not read back"
    );
    assert_eq!(
        Pipeline::from_toml(&pipeline.to_toml()).as_ref(),
        Ok(&pipeline),
        "the TOML form does not read back"
    );
    let text = match g.below(4) {
        0 => TextInput::Units(PlainUnits {
            units: g.in_range(0, 2_000),
            tokens_per_unit: g.in_range(0, 5_000),
            chapters: g.in_range(0, 5),
        }),
        _ => TextInput::Profile(Box::new(profile().clone())),
    };
    let models: Vec<String> = (0..g.in_range(1, 3))
        .map(|_| g.name(super::MODELS))
        .collect();
    let options = EstimateOptions {
        at: super::today(),
        batch: g.below(4) == 0,
        cache: match g.below(6) {
            0 => CachePlan::None,
            1 => CachePlan::FiveMinutes,
            2 => CachePlan::OneHour,
            3 => CachePlan::Explicit {
                storage_hours: g.in_range(0, 2_000_000),
            },
            _ => CachePlan::ProviderDefault,
        },
        cache_hit_per_mille: if g.below(4) == 0 {
            g.in_range(0, 1_001)
        } else {
            1000
        },
        calls_per_minute: CallRate::from_milli_per_minute(g.in_range(0, 1_000_000)),
    };
    if let Ok(estimate) = cost_core::estimate(
        super::bundled(),
        ratios(),
        &text,
        &pipeline,
        &models,
        &options,
    ) {
        check_estimate(&estimate, models.len());
    }
}

/// A pipeline of one to three phases, every field drawn.
fn pipeline(g: &mut Gen) -> Pipeline {
    let phases = (0..g.in_range(1, 3))
        .map(|i| {
            let unit = match g.below(6) {
                0 => Unit::Sentence,
                1 => Unit::Paragraph,
                2 => Unit::Chapter,
                3 => {
                    let tokens = size(g);
                    Unit::Chunk {
                        tokens,
                        overlap: g.in_range(0, tokens),
                    }
                }
                4 => Unit::WholeText,
                _ => {
                    let any = g.in_range(0, 200);
                    Unit::Turns {
                        count: g.pick(&[1, 2, 20, MAX_TURNS, MAX_TURNS + 1, any]),
                    }
                }
            };
            let context = match g.below(4) {
                0 => Context::Previous { units: size(g) },
                1 => Context::RunningSummary { tokens: size(g) },
                2 => Context::History,
                _ => Context::None,
            };
            let output = if g.bool() {
                Output::Fixed(spread(g))
            } else {
                Output::RatioPerMille(spread(g))
            };
            Phase {
                name: if g.below(8) == 0 {
                    g.text(4)
                } else {
                    format!("phase-{i}")
                },
                unit,
                model: (g.below(4) == 0).then(|| g.name(super::MODELS)),
                system_prompt_tokens: size(g),
                template_tokens: size(g),
                context,
                output,
                reasoning_tokens: if g.bool() {
                    Spread::default()
                } else {
                    spread(g)
                },
                calls_per_unit: g.pick(&[1, 2, 3, MAX_CALLS_PER_UNIT, 0, MAX_CALLS_PER_UNIT + 1]),
                retry_per_mille: {
                    let any = g.in_range(0, 1000);
                    g.pick(&[0, 20, 1000, 1001, any])
                },
            }
        })
        .collect();
    Pipeline {
        name: g.text(8),
        description: g.text(8),
        phases,
    }
}

/// A size in tokens: mostly small, sometimes at or over the limit.
fn size(g: &mut Gen) -> u64 {
    match g.below(10) {
        0 => MAX_SIZE,
        1 => MAX_SIZE + 1,
        2 => g.in_range(0, MAX_SIZE),
        3 => 0,
        _ => g.in_range(1, 5_000),
    }
}

fn spread(g: &mut Gen) -> Spread {
    let mut values = [size(g), size(g), size(g)];
    if g.below(8) != 0 {
        values.sort_unstable();
    }
    Spread {
        low: values[0],
        expected: values[1],
        high: values[2],
    }
}

fn check_estimate(estimate: &Estimate, models: usize) {
    assert_eq!(
        estimate.models.len(),
        models,
        "one estimate per model asked"
    );
    let sections = estimate.sections.len();
    for model in &estimate.models {
        let name = &model.model;
        let cost = model.cost;
        assert!(cost.low >= Usd::ZERO, "{name}: a negative cost");
        assert!(
            cost.low <= cost.expected && cost.expected <= cost.high,
            "{name}: not low <= expected <= high: {cost:?}"
        );
        assert_eq!(
            model.components.total(),
            cost.expected,
            "{name}: components"
        );
        assert_eq!(model.by_section.len(), sections, "{name}: sections");
        assert_eq!(sum(&model.by_section), cost.expected, "{name}: by section");
        let phases = |f: fn(&cost_core::CostRange) -> Usd| -> Usd {
            sum(&model.phases.iter().map(|p| f(&p.cost)).collect::<Vec<_>>())
        };
        assert_eq!(phases(|c| c.low), cost.low, "{name}: phases' low");
        assert_eq!(
            phases(|c| c.expected),
            cost.expected,
            "{name}: phases' expected"
        );
        assert_eq!(phases(|c| c.high), cost.high, "{name}: phases' high");
        for phase in &model.phases {
            let c = phase.cost;
            let what = format!("{name}, phase {}", phase.phase);
            assert!(c.low >= Usd::ZERO, "{what}: a negative cost");
            assert!(c.low <= c.expected && c.expected <= c.high, "{what}: {c:?}");
            assert_eq!(phase.components.total(), c.expected, "{what}: components");
            assert_eq!(phase.by_section.len(), sections, "{what}: sections");
            assert_eq!(sum(&phase.by_section), c.expected, "{what}: by section");
        }
        assert!(
            model.rank >= 1 && model.rank as usize <= models,
            "{name}: rank"
        );
    }
}

fn sum(amounts: &[Usd]) -> Usd {
    amounts.iter().fold(Usd::ZERO, |total, &amount| {
        total.checked_add(amount).expect("no overflow")
    })
}
