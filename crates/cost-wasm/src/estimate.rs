//! What `estimate` takes and returns: a pipeline over a text on several models, priced
//! before running it, with every figure of `cost_core::estimate` (money as [`Money`]).

use cost_core::{TextInput, TokenRatios};
use serde::{Deserialize, Serialize};
use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use crate::error;
use crate::pipeline::PipelineSpec;
use crate::shapes::{serde_name, JsonObject, Money};
use crate::{today, with_catalog, MAX_MODEL_NAME};

thread_local! {
    /// The bundled token ratios: how estimates count families without a public tokenizer.
    static RATIOS: TokenRatios = TokenRatios::bundled();
}

/// What a pipeline over a text would cost on each compared model, before running it: low,
/// expected and high, by phase, component and section, with the tokens and calls, the rank,
/// the savings of caching and batch, warnings and recommendations. The text is a profile
/// (`tokenizer.profile(text)`), chapters counted by hand, or plain unit counts.
///
/// Throws `LlmcostError`: `invalid_argument` for a value of the wrong shape (path from
/// `input`), `invalid_request` for an invalid pipeline, text or option, `unknown_model` or
/// `ambiguous_model` (paths relative to the input: `pipeline.phases[0].output.fixed.low`,
/// `units.units`, `models[1]`).
#[wasm_bindgen]
pub fn estimate(input: Ts<EstimateInput>) -> Result<Ts<Estimate>, JsValue> {
    let input = error::read_object("input", &input)?;
    let text = match (input.profile, input.chapters, input.units) {
        (Some(profile), None, None) => TextInput::Profile(Box::new(
            serde_json::from_value(profile.0)
                .map_err(|e| error::argument("input.profile", &e.to_string()))?,
        )),
        (None, Some(chapters), None) => TextInput::Chapters(
            chapters
                .into_iter()
                .map(|c| cost_core::ChapterTokens {
                    title: c.title,
                    sentences: c.sentences,
                    paragraphs: c.paragraphs,
                })
                .collect(),
        ),
        (None, None, Some(units)) => TextInput::Units(cost_core::PlainUnits {
            units: units.units,
            tokens_per_unit: units.tokens_per_unit,
            chapters: units.chapters,
        }),
        _ => {
            return Err(error::argument(
                "input",
                "give the text as exactly one of `profile`, `chapters` or `units`",
            ))
        }
    };
    let pipeline = match input.pipeline {
        PipelineSpec::Pipeline(pipeline) => pipeline.to_core(),
        PipelineSpec::Preset(id) => match cost_core::preset(&id) {
            Some(preset) => preset.pipeline,
            None => {
                let ids: Vec<String> = cost_core::presets().into_iter().map(|p| p.id).collect();
                return Err(error::js_error(
                    "invalid_request",
                    Some("pipeline"),
                    &format!(
                        "pipeline: unknown preset `{id}` (expected a pipeline object or one of {})",
                        ids.join(", ")
                    ),
                ));
            }
        },
    };
    // FIXME(issue 6): as in `price`, a name no catalog could hold is refused before lookup.
    let names = input
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("models[{i}]"), m));
    let pinned = pipeline.phases.iter().enumerate().filter_map(|(i, p)| {
        p.model
            .as_ref()
            .map(|m| (format!("pipeline.phases[{i}].model"), m))
    });
    if let Some((path, _)) = names.chain(pinned).find(|(_, m)| m.len() > MAX_MODEL_NAME) {
        return Err(error::js_error(
            "invalid_request",
            Some(&path),
            &format!("{path}: a model name is at most {MAX_MODEL_NAME} bytes"),
        ));
    }
    let given = input.options.unwrap_or_default();
    let at = match &given.at {
        Some(text) => text.parse().map_err(|e: String| {
            error::js_error(
                "invalid_request",
                Some("options.at"),
                &format!("options.at: {e}"),
            )
        })?,
        None => today(),
    };
    let mut options = cost_core::EstimateOptions::new(at);
    options.batch = given.batch.unwrap_or(options.batch);
    options.cache = given.cache.map_or(options.cache, |c| c.to_core());
    options.cache_hit_per_mille = given
        .cache_hit_per_mille
        .unwrap_or(options.cache_hit_per_mille);
    options.calls_per_minute = given.calls_per_minute.unwrap_or(options.calls_per_minute);
    let estimate = RATIOS
        .with(|ratios| {
            with_catalog(|catalog| {
                cost_core::estimate(catalog, ratios, &text, &pipeline, &input.models, &options)
            })
        })
        .map_err(|e| {
            // The core names fields of its own arguments; say where they are in `input`.
            let path = e.path().map(|p| match p.strip_prefix("text.") {
                Some(rest) => rest.to_string(),
                None if p.starts_with("phases") => format!("pipeline.{p}"),
                None => p.to_string(),
            });
            match path {
                Some(path) => error::core(e.at(path)),
                None => error::core(e),
            }
        })?;
    error::write(&Estimate::of(&estimate))
}

/// What `estimate` takes: a pipeline, the text as exactly one of `profile`, `chapters` or
/// `units`, the models to compare, and options.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
#[tsify(type = "{
    /** A pipeline, or a preset's id (`\"one-prompt-per-sentence\"`; see `presets()`). */
    pipeline: Pipeline | string;
    /** The models to compare: any names `models()` knows. At least one. */
    models: string[];
    /** Batch, caching, the day; the defaults when left out. */
    options?: EstimateOptions;
} & (
    | { /** A text counted by `tokenizer.profile(text)` (it must have `o200k_base` counts). */ profile: TextProfile; chapters?: never; units?: never }
    | { /** Chapters counted by hand: each sentence's tokens, used as given for every model. */ chapters: ChapterTokens[]; profile?: never; units?: never }
    | { /** Plain unit counts and sizes, when there is no text yet. */ units: PlainUnits; profile?: never; chapters?: never }
)")]
pub struct EstimateInput {
    /// The pipeline, or a preset's id.
    pub pipeline: PipelineSpec,
    /// A counted text, read by the core's own decoder (see [`crate::profile`]).
    #[serde(default)]
    pub profile: Option<JsonObject>,
    /// Chapters counted by hand.
    #[serde(default)]
    pub chapters: Option<Vec<ChapterTokens>>,
    /// Plain unit counts.
    #[serde(default)]
    pub units: Option<PlainUnits>,
    /// The models to compare.
    pub models: Vec<String>,
    /// How to estimate.
    #[serde(default)]
    pub options: Option<EstimateOptions>,
}

/// One chapter counted by hand.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ChapterTokens {
    /// Its title, for people.
    #[serde(default)]
    #[tsify(optional)]
    pub title: Option<String>,
    /// Each sentence's tokens, in order.
    pub sentences: Vec<u64>,
    /// Each paragraph's tokens, in order, for paragraph phases.
    #[serde(default)]
    #[tsify(optional)]
    pub paragraphs: Option<Vec<u64>>,
}

/// `units` units of `tokens_per_unit` tokens each, spread evenly over `chapters` chapters:
/// what to give when there is no text yet. Every sentence, paragraph or chunk phase sees
/// these units.
#[derive(Debug, Clone, Copy, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PlainUnits {
    /// How many units (calls per phase). At most 10,000,000.
    pub units: u64,
    /// Each unit's tokens.
    pub tokens_per_unit: u64,
    /// How many chapters the units are spread over (default 1).
    #[serde(default = "one")]
    pub chapters: u64,
}

fn one() -> u64 {
    1
}

/// How prompts are cached.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CachePlan {
    /// No caching at all.
    None,
    /// Each provider's usual caching (the default): Anthropic's 5-minute cache of the
    /// system prompt, automatic prefix caching elsewhere.
    ProviderDefault,
    /// Explicit caches with a 5-minute lifetime (automatic caching elsewhere).
    #[serde(rename = "5m")]
    FiveMinutes,
    /// Explicit caches with a 1-hour lifetime (automatic caching elsewhere).
    #[serde(rename = "1h")]
    OneHour,
    /// An explicit context cache stored for `storage_hours` (Gemini), on models with a
    /// storage price; the provider default elsewhere, with a warning.
    Explicit {
        /// Whole hours the cache is kept (and billed).
        storage_hours: u64,
    },
}

impl CachePlan {
    pub(crate) fn to_core(self) -> cost_core::CachePlan {
        match self {
            CachePlan::None => cost_core::CachePlan::None,
            CachePlan::ProviderDefault => cost_core::CachePlan::ProviderDefault,
            CachePlan::FiveMinutes => cost_core::CachePlan::FiveMinutes,
            CachePlan::OneHour => cost_core::CachePlan::OneHour,
            CachePlan::Explicit { storage_hours } => {
                cost_core::CachePlan::Explicit { storage_hours }
            }
        }
    }

    fn of(plan: cost_core::CachePlan) -> CachePlan {
        match plan {
            cost_core::CachePlan::None => CachePlan::None,
            cost_core::CachePlan::ProviderDefault => CachePlan::ProviderDefault,
            cost_core::CachePlan::FiveMinutes => CachePlan::FiveMinutes,
            cost_core::CachePlan::OneHour => CachePlan::OneHour,
            cost_core::CachePlan::Explicit { storage_hours } => {
                CachePlan::Explicit { storage_hours }
            }
        }
    }
}

/// How to estimate; every field has a default.
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct EstimateOptions {
    /// The day the pipeline would run, `YYYY-MM-DD` (UTC): picks the prices in force.
    /// Today when left out.
    #[serde(default)]
    #[tsify(optional)]
    pub at: Option<String>,
    /// Send every call through the provider's batch API (default false).
    #[serde(default)]
    #[tsify(optional)]
    pub batch: Option<bool>,
    /// How prompts are cached (default `"provider_default"`).
    #[serde(default)]
    #[tsify(optional)]
    pub cache: Option<CachePlan>,
    /// The share of cache reads that hit, in parts per thousand, 0 to 1,000 (default 1,000).
    #[serde(default)]
    #[tsify(optional)]
    pub cache_hit_per_mille: Option<u64>,
    /// How fast calls are sent, in calls per minute (`60`, `"0.1"`; at most three decimals;
    /// default 60): tells whether calls are spaced beyond a cache's lifetime.
    #[serde(default)]
    #[tsify(optional, type = "number | string")]
    pub calls_per_minute: Option<cost_core::CallRate>,
}

/// The options an estimate was made with, defaults filled in.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EstimateSettings {
    /// The day priced, `YYYY-MM-DD`.
    pub at: String,
    /// Whether every call went through the batch API.
    pub batch: bool,
    /// How prompts were cached.
    pub cache: CachePlan,
    /// The share of cache reads that hit, in parts per thousand.
    pub cache_hit_per_mille: u64,
    /// Calls per minute, as decimal text (`"60"`, `"0.1"`).
    pub calls_per_minute: String,
}

/// A part of the text that costs are attributed to.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EstimateSection {
    /// What it is.
    #[tsify(type = "EstimateSectionKind")]
    pub kind: String,
    /// The chapter number (1 for the first chapter), for chapters.
    pub number: Option<u64>,
    /// Its title, when known.
    pub title: Option<String>,
}

/// A cost as low, expected and high.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct CostRange {
    /// With every phase's low output and reasoning.
    pub low: Money,
    /// With the expected sizes.
    pub expected: Money,
    /// With every phase's high output and reasoning.
    pub high: Money,
}

impl CostRange {
    fn of(c: &cost_core::CostRange) -> CostRange {
        CostRange {
            low: Money::of(c.low),
            expected: Money::of(c.expected),
            high: Money::of(c.high),
        }
    }
}

/// Expected cost by component; the components add up to the expected total exactly.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ComponentCosts {
    /// Uncached input.
    pub input: Money,
    /// Cache writes with a 5-minute lifetime.
    pub cache_write_5m: Money,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h: Money,
    /// Cache reads.
    pub cache_read: Money,
    /// Output, reasoning included.
    pub output: Money,
    /// Explicit context-cache storage.
    pub cache_storage: Money,
}

impl ComponentCosts {
    fn of(c: &cost_core::ComponentCosts) -> ComponentCosts {
        ComponentCosts {
            input: Money::of(c.input),
            cache_write_5m: Money::of(c.cache_write_5m),
            cache_write_1h: Money::of(c.cache_write_1h),
            cache_read: Money::of(c.cache_read),
            output: Money::of(c.output),
            cache_storage: Money::of(c.cache_storage),
        }
    }
}

/// Expected tokens and calls. Token counts are exact below 2^53.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct TokenTotals {
    /// Calls, retries included.
    pub calls: f64,
    /// Every prompt token: uncached, cache writes and cache reads.
    pub input_tokens: f64,
    /// Prompt tokens neither written to nor read from a cache.
    pub uncached_input_tokens: f64,
    /// Prompt tokens written to a 5-minute cache.
    pub cache_write_5m_tokens: f64,
    /// Prompt tokens written to a 1-hour cache.
    pub cache_write_1h_tokens: f64,
    /// Prompt tokens read from a cache.
    pub cache_read_tokens: f64,
    /// Output tokens, reasoning included.
    pub output_tokens: f64,
    /// Reasoning tokens (a part of the output).
    pub reasoning_tokens: f64,
    /// Explicit context-cache storage, in token-hours.
    pub cache_storage_token_hours: f64,
}

impl TokenTotals {
    fn of(t: &cost_core::TokenTotals) -> TokenTotals {
        TokenTotals {
            calls: t.calls as f64,
            input_tokens: t.input_tokens as f64,
            uncached_input_tokens: t.uncached_input_tokens as f64,
            cache_write_5m_tokens: t.cache_write_5m_tokens as f64,
            cache_write_1h_tokens: t.cache_write_1h_tokens as f64,
            cache_read_tokens: t.cache_read_tokens as f64,
            output_tokens: t.output_tokens as f64,
            reasoning_tokens: t.reasoning_tokens as f64,
            cache_storage_token_hours: t.cache_storage_token_hours as f64,
        }
    }
}

/// How a text's tokens were counted for a model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct TokenCount {
    /// The model's tokenizer.
    #[tsify(type = "TokenizerFamily")]
    pub tokenizer: String,
    /// Exact, approximate, or as given.
    #[tsify(type = "TokenCountKind")]
    pub kind: String,
    /// How, for people: `exact o200k_base count`, `o200k_base × 1.12 (...)`.
    pub method: String,
}

impl TokenCount {
    fn of(t: &cost_core::TokenCount) -> TokenCount {
        TokenCount {
            tokenizer: serde_name(&t.tokenizer),
            kind: serde_name(&t.kind),
            method: t.method.clone(),
        }
    }
}

/// How a phase's prompts were cached on its model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct CacheApplied {
    /// What kind of caching.
    #[tsify(type = "CacheKind")]
    pub kind: String,
    /// What was cached and why, for people.
    pub description: String,
}

/// One phase on one model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct PhaseCost {
    /// The phase's name.
    pub phase: String,
    /// The model it ran on (its own when the phase names one).
    pub model: String,
    /// How many units it makes calls for.
    pub units: f64,
    /// Its cost; `expected` is the sum of `components` and of `by_section`.
    pub cost: CostRange,
    /// Expected cost by component.
    pub components: ComponentCosts,
    /// Expected cost per section, in the order of the estimate's `sections`.
    pub by_section: Vec<Money>,
    /// Expected tokens and calls.
    pub tokens: TokenTotals,
    /// How its prompts were cached.
    pub caching: CacheApplied,
    /// How its text's tokens were counted.
    pub token_count: TokenCount,
}

/// What caching and batch save.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Savings {
    /// The expected cost without any caching minus the expected cost (negative when caching
    /// as planned costs more); zero when the plan is no caching.
    pub caching_usd: Money,
    /// The expected cost without batch minus the expected cost; zero without batch.
    pub batch_usd: Money,
}

/// The prices one model was estimated with.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct PricesUsed {
    /// The model's id.
    pub model: String,
    /// The first day of the price set used; absent for the model's original prices.
    pub prices_from: Option<String>,
    /// When those prices were last checked against their source.
    pub prices_checked: Option<String>,
    /// Where the prices come from (a URL).
    pub source: String,
    /// Whether batch prices applied.
    pub batch: bool,
}

/// Something about an estimate worth knowing, naming what it concerns.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EstimateWarning {
    /// What kind, to match on.
    #[tsify(type = "EstimateWarningKind")]
    pub kind: String,
    /// The model it concerns.
    pub model: String,
    /// The phase it concerns, if one.
    pub phase: Option<String>,
    /// The units affected, for people: `chapters 3, 7 and 12`.
    pub units: Option<String>,
    /// How many units are affected (0 when it is not about units).
    pub affected: f64,
    /// What it costs on top, expected (for a long-context tier: the tier's cost minus the
    /// same tokens at base rates).
    pub extra_usd: Option<Money>,
    /// What happened, for people.
    pub message: String,
}

/// A change that makes the estimate cheaper, and by how much.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EstimateRecommendation {
    /// What kind, to match on.
    #[tsify(type = "EstimateRecommendationKind")]
    pub kind: String,
    /// The phase it concerns, if one.
    pub phase: Option<String>,
    /// The other model it suggests, if any.
    pub model: Option<String>,
    /// What it saves on the expected cost. Always positive.
    pub saves_usd: Money,
    /// What to do, for people.
    pub message: String,
}

/// The estimate on one compared model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ModelEstimate {
    /// The model's id.
    pub model: String,
    /// Its provider's id.
    pub provider: String,
    /// Its display name.
    pub name: String,
    /// 1 for the cheapest expected cost among the compared models.
    pub rank: u32,
    /// The expected cost divided by the cheapest one, two decimals (`"2.35"`); absent when
    /// the cheapest costs nothing and this does not.
    pub times_cheapest: Option<String>,
    /// The whole pipeline's cost: the sum of the phases.
    pub cost: CostRange,
    /// Expected cost by component.
    pub components: ComponentCosts,
    /// Expected cost per section, in the order of the estimate's `sections`.
    pub by_section: Vec<Money>,
    /// Expected tokens and calls.
    pub tokens: TokenTotals,
    /// Each phase, in pipeline order.
    pub phases: Vec<PhaseCost>,
    /// What caching and batch save.
    pub savings: Savings,
    /// The prices used: this model's, then any model a phase names.
    pub prices: Vec<PricesUsed>,
    /// How the text's tokens were counted, per tokenizer used.
    pub token_counts: Vec<TokenCount>,
    /// What to know about this estimate.
    pub warnings: Vec<EstimateWarning>,
    /// What would make it cheaper, most saving first.
    pub recommendations: Vec<EstimateRecommendation>,
}

/// What `estimate` returns: the pipeline over the text on each compared model.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Estimate {
    /// The pipeline's name.
    pub pipeline: String,
    /// The options it was made with.
    pub options: EstimateSettings,
    /// The parts of the text costs are attributed to: the front matter (when there is
    /// one), each chapter, and the conversation (when a phase is one).
    pub sections: Vec<EstimateSection>,
    /// One per compared model, in the order asked.
    pub models: Vec<ModelEstimate>,
}

impl Estimate {
    pub(crate) fn of(e: &cost_core::Estimate) -> Estimate {
        let o = &e.options;
        Estimate {
            pipeline: e.pipeline.clone(),
            options: EstimateSettings {
                at: o.at.to_string(),
                batch: o.batch,
                cache: CachePlan::of(o.cache),
                cache_hit_per_mille: o.cache_hit_per_mille,
                calls_per_minute: o.calls_per_minute.to_string(),
            },
            sections: e
                .sections
                .iter()
                .map(|s| EstimateSection {
                    kind: serde_name(&s.kind),
                    number: s.number,
                    title: s.title.clone(),
                })
                .collect(),
            models: e.models.iter().map(ModelEstimate::of).collect(),
        }
    }
}

impl ModelEstimate {
    fn of(m: &cost_core::ModelEstimate) -> ModelEstimate {
        ModelEstimate {
            model: m.model.clone(),
            provider: m.provider.clone(),
            name: m.name.clone(),
            rank: m.rank,
            times_cheapest: m.times_cheapest.clone(),
            cost: CostRange::of(&m.cost),
            components: ComponentCosts::of(&m.components),
            by_section: m.by_section.iter().map(|&u| Money::of(u)).collect(),
            tokens: TokenTotals::of(&m.tokens),
            phases: m
                .phases
                .iter()
                .map(|p| PhaseCost {
                    phase: p.phase.clone(),
                    model: p.model.clone(),
                    units: p.units as f64,
                    cost: CostRange::of(&p.cost),
                    components: ComponentCosts::of(&p.components),
                    by_section: p.by_section.iter().map(|&u| Money::of(u)).collect(),
                    tokens: TokenTotals::of(&p.tokens),
                    caching: CacheApplied {
                        kind: serde_name(&p.caching.kind),
                        description: p.caching.description.clone(),
                    },
                    token_count: TokenCount::of(&p.token_count),
                })
                .collect(),
            savings: Savings {
                caching_usd: Money::of(m.savings.caching_usd),
                batch_usd: Money::of(m.savings.batch_usd),
            },
            prices: m
                .prices
                .iter()
                .map(|p| PricesUsed {
                    model: p.model.clone(),
                    prices_from: p.prices_from.map(|d| d.to_string()),
                    prices_checked: p.prices_checked.map(|d| d.to_string()),
                    source: p.source.clone(),
                    batch: p.batch,
                })
                .collect(),
            token_counts: m.token_counts.iter().map(TokenCount::of).collect(),
            warnings: m
                .warnings
                .iter()
                .map(|w| EstimateWarning {
                    kind: serde_name(&w.kind),
                    model: w.model.clone(),
                    phase: w.phase.clone(),
                    units: w.units.clone(),
                    affected: w.affected as f64,
                    extra_usd: w.extra_usd.map(Money::of),
                    message: w.message.clone(),
                })
                .collect(),
            recommendations: m
                .recommendations
                .iter()
                .map(|r| EstimateRecommendation {
                    kind: serde_name(&r.kind),
                    phase: r.phase.clone(),
                    model: r.model.clone(),
                    saves_usd: Money::of(r.saves_usd),
                    message: r.message.clone(),
                })
                .collect(),
        }
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const ESTIMATE_NAMES: &str = r#"
/** The kinds of `EstimateSection`. */
export type EstimateSectionKind = "front_matter" | "chapter" | "conversation";
/** How a text's tokens were counted for a model. */
export type TokenCountKind = "exact" | "approximate" | "given";
/** How a phase's prompts were cached. */
export type CacheKind = "none" | "explicit5m" | "explicit1h" | "automatic" | "stored";
/** What kind of warning an `EstimateWarning` is. */
export type EstimateWarningKind = "long_context_tier" | "context_window_exceeded" | "output_above_maximum" | "cache_prefix_below_minimum" | "cache_minimum_unknown" | "cache_spaced_beyond_ttl" | "storage_unavailable" | "no_cache_price" | "batch_unavailable" | "price_fallback" | "before_first_price" | "approximate_token_count";
/** What kind of advice an `EstimateRecommendation` is. */
export type EstimateRecommendationKind = "use_batch" | "cache_system_prompt" | "one_hour_cache" | "disable_caching" | "cheaper_model" | "split_chunks";
/** What kind of warning a `TextWarning` is. */
export type TextWarningKind = "invalid_encoding" | "guessed_encoding" | "incomplete_gutenberg" | "skipped_item";
"#;
