//! Pre-run estimates: what a [`Pipeline`] over a text costs on each compared model, with
//! caching, batch, long-context tiers, warnings and recommendations.
//!
//! [`estimate`] takes the text ([`TextInput`]: a counted [`TextProfile`], chapters counted by
//! hand, or plain unit counts and sizes), the pipeline, the model names and
//! [`EstimateOptions`], and returns an [`Estimate`]: per model the cost as low / expected /
//! high, by phase, by component and by section (front matter, chapters), with the tokens and
//! calls, the rank and how many times the cheapest it costs, the savings of caching and batch,
//! the prices and token-count method used, warnings naming the units they concern, and
//! recommendations that each say what they save.
//!
//! # Exactness
//!
//! Money is exact: every amount is a whole number of femto-dollars. Calls are aggregated per
//! phase, section and long-context tier into token counts ("buckets"); the expected ratios
//! (output as a ratio of the text, retries, the cache hit ratio) are applied to a bucket's
//! token counts, rounded up to whole tokens; each bucket is then priced exactly. Because a
//! tier's prices are linear, a bucket costs exactly what its calls cost one by one. A phase
//! costs the sum of its buckets, so its per-section costs add up to it exactly, and the total
//! is the sum of the phases (and of the components).
//!
//! A single call over the whole text is split across sections in proportion to their tokens
//! (an exact largest-remainder split of each token count); a chunk belongs to the section
//! its first new sentence is in.
//!
//! # Caching, per provider
//!
//! The cacheable prefix is the phase's system prompt, or, for a [`Context::History`] phase,
//! each call's whole prompt (the next call starts with it). A prefix shorter than the model's
//! `cache_min_tokens` is never cached (and a warning says so).
//!
//! - **Explicit** (Anthropic): the first call writes the prefix (1.25× input for 5 minutes,
//!   2× for an hour, the catalog's prices), later calls read it (0.1×). Calls spaced beyond
//!   the lifetime (from [`EstimateOptions::calls_per_minute`]) each write it again. A cache
//!   miss (the hit ratio) is a write.
//! - **Automatic** (OpenAI, Gemini implicit caching, DeepSeek, Mistral, xAI, Groq): no write
//!   charge; the first call is uncached, later calls within 5 minutes read the prefix; a miss
//!   is uncached input. Models whose automatic cache bills writes (a `cache_write_5m_mtok`
//!   price: GPT-5.6 and GPT-6) write where another would send uncached input.
//! - **Stored** ([`CachePlan::Explicit`] on a model with a storage price, Gemini): the prefix is
//!   written once at the input price, every call reads it, and it is stored for the given
//!   hours at `cache_storage_mtok_hour`. Hits are guaranteed, so the hit ratio does not apply.
//! - A model with no cache-read price, or a provider with `caching = "none"`, is not cached.
//!
//! Retries are sent right after the failed call, so their cacheable prefix is read.
//!
//! # Token counts
//!
//! A profile's counts are exact `o200k_base`: exact for `o200k_base` models (and
//! `cl100k_base` ones when the profile has those counts); other families are estimated per
//! unit through the [`TokenRatios`] table, rounded up, and the estimate says so. Counts given
//! by hand ([`TextInput::Chapters`], [`TextInput::Units`]) are used as they are for every
//! model. The pipeline's own sizes (system prompt, template, outputs) are in the model's tokens.

mod advice;
mod cache;
mod run;
mod text;

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::{Catalog, Model, TokenizerFamily};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::Usd;
use crate::pipeline::{Context, Pipeline};
use crate::text::TextProfile;
use crate::tokens::TokenRatios;

/// The text an estimate is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TextInput {
    /// A counted book ([`ProfileBuilder`](crate::ProfileBuilder)); must have `o200k_base`
    /// counts. (Boxed: a profile is large and the other forms small.)
    Profile(Box<TextProfile>),
    /// Chapters counted by hand: each chapter's sentences' tokens (and paragraphs', for
    /// paragraph phases). Used as they are for every model.
    Chapters(Vec<ChapterTokens>),
    /// `units` units of `tokens_per_unit` tokens each, spread evenly over `chapters`
    /// chapters. Every sentence, paragraph or chunk phase sees these units; used as they are
    /// for every model.
    Units(PlainUnits),
}

/// One chapter counted by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChapterTokens {
    /// Its title, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Each sentence's tokens, in order. The chapter's tokens are their sum.
    pub sentences: Vec<u64>,
    /// Each paragraph's tokens, in order, for paragraph phases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraphs: Option<Vec<u64>>,
}

/// Plain unit counts and sizes: what to give when there is no book yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainUnits {
    /// How many units (sentences, paragraphs: whatever the phases make calls for). At most
    /// 10,000,000.
    pub units: u64,
    /// Each unit's tokens.
    pub tokens_per_unit: u64,
    /// How many chapters the units are spread over (the first chapters get one more unit
    /// when they do not divide evenly). At least 1.
    #[serde(default = "one")]
    pub chapters: u64,
}

fn one() -> u64 {
    1
}

/// How prompts are cached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum CachePlan {
    /// No caching at all.
    None,
    /// Each provider's usual caching: Anthropic's 5-minute cache of the system prompt,
    /// automatic prefix caching elsewhere.
    #[default]
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

/// A request rate, in thousandths of a call per minute: decides whether calls are spaced
/// beyond a cache's lifetime. Written as a number or decimal string of calls per minute
/// (`60`, `"0.1"`), at most three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallRate {
    milli_per_minute: u64,
}

impl CallRate {
    /// `calls` calls per minute.
    pub fn per_minute(calls: u64) -> CallRate {
        CallRate {
            milli_per_minute: calls.saturating_mul(1000).max(1),
        }
    }

    /// `milli` thousandths of a call per minute (at least 1).
    pub fn from_milli_per_minute(milli: u64) -> CallRate {
        CallRate {
            milli_per_minute: milli.max(1),
        }
    }

    /// Thousandths of a call per minute.
    pub fn milli_per_minute(self) -> u64 {
        self.milli_per_minute
    }

    /// Whether consecutive calls are more than `seconds` apart.
    pub fn spaced_beyond(self, seconds: u64) -> bool {
        // interval = 60,000 / milli seconds; beyond iff 60,000 > seconds × milli.
        60_000u128 > u128::from(seconds) * u128::from(self.milli_per_minute)
    }
}

impl Default for CallRate {
    /// 60 calls per minute.
    fn default() -> CallRate {
        CallRate::per_minute(60)
    }
}

impl fmt::Display for CallRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.milli_per_minute / 1000;
        let frac = self.milli_per_minute % 1000;
        if frac == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{frac:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Serialize for CallRate {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for CallRate {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<CallRate, D::Error> {
        struct RateVisitor;
        impl Visitor<'_> for RateVisitor {
            type Value = CallRate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("calls per minute: a positive number with at most three decimals")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<CallRate, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<CallRate, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<CallRate, E> {
                let text = crate::money::float_text(v).map_err(E::custom)?;
                self.visit_str(&text)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<CallRate, E> {
                parse_rate(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(RateVisitor)
    }
}

fn parse_rate(text: &str) -> std::result::Result<CallRate, String> {
    let bad = || {
        format!("`{text}` is not a positive number of calls per minute with at most three decimals")
    };
    let (int, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 3
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let int: u64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let frac: u64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    let milli = int
        .checked_mul(1000)
        .and_then(|m| m.checked_add(frac))
        .ok_or_else(bad)?;
    if milli == 0 || milli > 1_000_000_000_000 {
        return Err(bad());
    }
    Ok(CallRate {
        milli_per_minute: milli,
    })
}

/// How to estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateOptions {
    /// The day the pipeline would run: picks the prices in force.
    pub at: Date,
    /// Send every call through the provider's batch API.
    #[serde(default)]
    pub batch: bool,
    /// How prompts are cached.
    #[serde(default)]
    pub cache: CachePlan,
    /// The share of cache reads that hit, in parts per thousand (default 1,000: every read
    /// within the cache's lifetime hits). A miss is a write (explicit caches) or uncached
    /// input (automatic ones).
    #[serde(default = "all_hit")]
    pub cache_hit_per_mille: u64,
    /// How fast calls are sent (default 60 per minute), to tell whether they are spaced
    /// beyond a cache's lifetime.
    #[serde(default)]
    pub calls_per_minute: CallRate,
}

fn all_hit() -> u64 {
    1000
}

impl EstimateOptions {
    /// The defaults on day `at`: no batch, provider-default caching, every read a hit, 60
    /// calls a minute.
    pub fn new(at: Date) -> EstimateOptions {
        EstimateOptions {
            at,
            batch: false,
            cache: CachePlan::ProviderDefault,
            cache_hit_per_mille: 1000,
            calls_per_minute: CallRate::default(),
        }
    }
}

/// A part of the text that costs are attributed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateSection {
    /// What it is.
    pub kind: EstimateSectionKind,
    /// The chapter number (1 for the first chapter), for chapters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    /// Its title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The kinds of [`EstimateSection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EstimateSectionKind {
    /// What comes before the first chapter.
    FrontMatter,
    /// A chapter.
    Chapter,
    /// The calls of conversation phases, which send no text of the book.
    Conversation,
}

/// A cost as low, expected and high.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRange {
    /// With every phase's low output and reasoning.
    pub low: Usd,
    /// With the expected sizes.
    pub expected: Usd,
    /// With every phase's high output and reasoning.
    pub high: Usd,
}

/// Cost by component. The components add up to the total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentCosts {
    /// Uncached input.
    pub input: Usd,
    /// Cache writes with a 5-minute lifetime.
    pub cache_write_5m: Usd,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h: Usd,
    /// Cache reads.
    pub cache_read: Usd,
    /// Output, reasoning included.
    pub output: Usd,
    /// Explicit context-cache storage.
    pub cache_storage: Usd,
}

impl ComponentCosts {
    /// The sum of the components.
    pub fn total(&self) -> Usd {
        self.input
            + self.cache_write_5m
            + self.cache_write_1h
            + self.cache_read
            + self.output
            + self.cache_storage
    }

    /// Both cache writes.
    pub fn cache_write(&self) -> Usd {
        self.cache_write_5m + self.cache_write_1h
    }

    fn add(&mut self, other: &ComponentCosts) {
        self.input += other.input;
        self.cache_write_5m += other.cache_write_5m;
        self.cache_write_1h += other.cache_write_1h;
        self.cache_read += other.cache_read;
        self.output += other.output;
        self.cache_storage += other.cache_storage;
    }
}

/// Tokens and calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTotals {
    /// Calls, retries included.
    pub calls: u64,
    /// Every prompt token: uncached, cache writes and cache reads.
    pub input_tokens: u64,
    /// Prompt tokens neither written to nor read from a cache.
    pub uncached_input_tokens: u64,
    /// Prompt tokens written to a 5-minute cache.
    pub cache_write_5m_tokens: u64,
    /// Prompt tokens written to a 1-hour cache.
    pub cache_write_1h_tokens: u64,
    /// Prompt tokens read from a cache.
    pub cache_read_tokens: u64,
    /// Output tokens, reasoning included.
    pub output_tokens: u64,
    /// Reasoning tokens (a part of the output).
    pub reasoning_tokens: u64,
    /// Explicit context-cache storage, in token-hours.
    pub cache_storage_token_hours: u64,
}

impl TokenTotals {
    fn add(&mut self, o: &TokenTotals) {
        let add = |a: &mut u64, b: u64| *a = a.saturating_add(b);
        add(&mut self.calls, o.calls);
        add(&mut self.input_tokens, o.input_tokens);
        add(&mut self.uncached_input_tokens, o.uncached_input_tokens);
        add(&mut self.cache_write_5m_tokens, o.cache_write_5m_tokens);
        add(&mut self.cache_write_1h_tokens, o.cache_write_1h_tokens);
        add(&mut self.cache_read_tokens, o.cache_read_tokens);
        add(&mut self.output_tokens, o.output_tokens);
        add(&mut self.reasoning_tokens, o.reasoning_tokens);
        add(
            &mut self.cache_storage_token_hours,
            o.cache_storage_token_hours,
        );
    }
}

/// How a text's tokens were counted for a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCount {
    /// The model's tokenizer.
    pub tokenizer: TokenizerFamily,
    /// Exact, approximate, or as given.
    pub kind: TokenCountKind,
    /// How, for people: `exact o200k_base count`, `o200k_base × 1.12 (claude: ...)`.
    pub method: String,
}

/// The kinds of [`TokenCount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenCountKind {
    /// Counted with the model's own tokenizer.
    Exact,
    /// Estimated from another tokenizer's exact count.
    Approximate,
    /// The token sizes given with the text, used as they are.
    Given,
}

/// How a phase's prompts were cached on its model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheApplied {
    /// What kind of caching.
    pub kind: CacheKind,
    /// What was cached and why, for people.
    pub description: String,
}

/// The kinds of [`CacheApplied`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CacheKind {
    /// Nothing cached.
    None,
    /// An explicit cache with a 5-minute lifetime (Anthropic).
    Explicit5m,
    /// An explicit cache with a 1-hour lifetime (Anthropic).
    Explicit1h,
    /// The provider's automatic prefix cache.
    Automatic,
    /// An explicit context cache with paid storage (Gemini).
    Stored,
}

/// One phase on one model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseCost {
    /// The phase's name.
    pub phase: String,
    /// The model it runs on (its own when the phase names one).
    pub model: String,
    /// How many units it makes calls for.
    pub units: u64,
    /// Its cost. `expected` is the sum of `components` and of `by_section`.
    pub cost: CostRange,
    /// Expected cost by component.
    pub components: ComponentCosts,
    /// Expected cost per section, in the order of [`Estimate::sections`].
    pub by_section: Vec<Usd>,
    /// Expected tokens and calls.
    pub tokens: TokenTotals,
    /// How its prompts were cached.
    pub caching: CacheApplied,
    /// How its text's tokens were counted.
    pub token_count: TokenCount,
}

/// What caching and batch save on an estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Savings {
    /// The expected cost without any caching minus the expected cost (negative when
    /// caching as planned costs more); zero when the plan is no caching.
    pub caching_usd: Usd,
    /// The expected cost without batch minus the expected cost; zero without batch.
    pub batch_usd: Usd,
}

/// The prices one model was estimated with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricesUsed {
    /// The model's id.
    pub model: String,
    /// The first day of the price set used; `None` for the model's original prices.
    pub prices_from: Option<Date>,
    /// When those prices were last checked against their source.
    pub prices_checked: Option<Date>,
    /// Where the prices come from.
    pub source: String,
    /// Whether batch prices applied.
    pub batch: bool,
}

/// What kind of warning an [`EstimateWarning`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EstimateWarningKind {
    /// Some calls' prompts are above a long-context threshold: every token of them costs more.
    LongContextTier,
    /// Some calls need more tokens than the model's context window.
    ContextWindowExceeded,
    /// Some calls expect more output than the model's maximum.
    OutputAboveMaximum,
    /// A prefix is below the model's minimum cacheable length: it is not cached.
    CachePrefixBelowMinimum,
    /// The catalog does not give the model's minimum cacheable prefix; caching was assumed.
    CacheMinimumUnknown,
    /// Calls are spaced beyond the cache's lifetime: every call writes it again.
    CacheSpacedBeyondTtl,
    /// Explicit caching with storage was asked for, but the model has no storage price.
    StorageUnavailable,
    /// The model has no cache-read price: estimated uncached.
    NoCachePrice,
    /// Batch was asked for, but the model has no batch price: standard rates.
    BatchUnavailable,
    /// A price the catalog lacks was replaced by the documented fallback.
    PriceFallback,
    /// The date is before the model's first known price.
    BeforeFirstPrice,
    /// The text's token counts for this model are estimates, not its own tokenizer's.
    ApproximateTokenCount,
}

/// Something about an estimate the user should know, naming what it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateWarning {
    /// What kind, to match on.
    pub kind: EstimateWarningKind,
    /// The model it concerns.
    pub model: String,
    /// The phase it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The units affected, for people: `chapters 3, 7 and 12`, `chunk 4`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<String>,
    /// How many units are affected (0 when the warning is not about units).
    pub affected: u64,
    /// What it costs on top (for a long-context tier: the tier's cost minus the same tokens
    /// at base rates, expected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_usd: Option<Usd>,
    /// What happened, for people.
    pub message: String,
}

/// What kind of advice a [`EstimateRecommendation`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EstimateRecommendationKind {
    /// Send the calls through the batch API.
    UseBatch,
    /// Cache the system prompt (provider-default caching).
    CacheSystemPrompt,
    /// Use a 1-hour cache: calls are more than 5 minutes apart.
    OneHourCache,
    /// Do not cache: calls are spaced beyond the cache's lifetime, so caching only adds
    /// write charges.
    DisableCaching,
    /// Run a phase on a cheaper compared model that fits its context.
    CheaperModel,
    /// Cut smaller chunks to stay under a long-context tier.
    SplitChunks,
}

/// A change that makes this estimate cheaper, and by how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateRecommendation {
    /// What kind, to match on.
    pub kind: EstimateRecommendationKind,
    /// The phase it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The other model it suggests, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// What it saves on the expected cost. Always positive.
    pub saves_usd: Usd,
    /// What to do, for people.
    pub message: String,
}

/// The estimate on one compared model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEstimate {
    /// The model's id.
    pub model: String,
    /// Its provider's id.
    pub provider: String,
    /// Its display name.
    pub name: String,
    /// 1 for the cheapest expected cost among the compared models.
    pub rank: u32,
    /// The expected cost divided by the cheapest one, to two decimals (`"2.35"`), computed
    /// exactly and rounded half up; `None` when the cheapest costs nothing and this does not.
    pub times_cheapest: Option<String>,
    /// The whole pipeline's cost: the sum of the phases.
    pub cost: CostRange,
    /// Expected cost by component.
    pub components: ComponentCosts,
    /// Expected cost per section, in the order of [`Estimate::sections`].
    pub by_section: Vec<Usd>,
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

/// An estimate of a pipeline over a text on several models.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    /// The pipeline's name.
    pub pipeline: String,
    /// The options it was made with.
    pub options: EstimateOptions,
    /// The parts of the text costs are attributed to: the front matter (when there is
    /// one), each chapter, and the conversation (when a phase is one).
    pub sections: Vec<EstimateSection>,
    /// One per compared model, in the order asked.
    pub models: Vec<ModelEstimate>,
}

/// Estimates `pipeline` over `text` on each of `models` (any names [`Catalog::find`]
/// accepts), with `ratios` for the token counts of families without a public tokenizer.
///
/// # Errors
///
/// [`ErrorKind::InvalidRequest`] for an invalid pipeline ([`Pipeline::validate`]), no models,
/// a text without the units a phase needs (no paragraph counts, zero units), a profile without
/// `o200k_base` counts, out-of-range options, or more than 10^15 tokens in one bucket;
/// [`ErrorKind::UnknownModel`] or [`ErrorKind::AmbiguousModel`] at `models[i]` or
/// `phases[i].model`. Nothing panics.
///
/// # Example
///
/// ```
/// use cost_core::{
///     estimate, preset, CachePlan, Catalog, EstimateOptions, PlainUnits, TextInput, TokenRatios,
/// };
///
/// // 600 sentences of about 50 tokens, one image prompt each (550 input, 100 output tokens).
/// let text = TextInput::Units(PlainUnits { units: 600, tokens_per_unit: 50, chapters: 12 });
/// let pipeline = preset("one-prompt-per-sentence").unwrap().pipeline;
/// let options = EstimateOptions {
///     cache: CachePlan::None,
///     ..EstimateOptions::new("2026-11-23".parse().unwrap())
/// };
/// let catalog = Catalog::bundled();
/// let e = estimate(&catalog, &TokenRatios::bundled(), &text, &pipeline, &["claude-3-5-haiku"], &options)
///     .unwrap();
/// let haiku = &e.models[0];
/// assert_eq!(haiku.cost.expected.to_decimal_string(), "0.504");
/// assert_eq!(haiku.cost.low.to_decimal_string(), "0.456");
/// assert_eq!(haiku.by_section.len(), 12);
/// ```
pub fn estimate<S: AsRef<str>>(
    catalog: &Catalog,
    ratios: &TokenRatios,
    text: &TextInput,
    pipeline: &Pipeline,
    models: &[S],
    options: &EstimateOptions,
) -> Result<Estimate> {
    pipeline.validate()?;
    check_options(options)?;
    if models.is_empty() {
        return Err(invalid("name at least one model to estimate").at("models"));
    }
    let compared: Vec<&Model> = models
        .iter()
        .enumerate()
        .map(|(i, name)| {
            catalog
                .find(name.as_ref())
                .map_err(|e| e.at(format!("models[{i}]")))
        })
        .collect::<Result<_>>()?;
    let pinned: Vec<Option<&Model>> = pipeline
        .phases
        .iter()
        .enumerate()
        .map(|(i, p)| match &p.model {
            Some(name) => catalog
                .find(name)
                .map(Some)
                .map_err(|e| e.at(format!("phases[{i}].model"))),
            None => Ok(None),
        })
        .collect::<Result<_>>()?;

    let conversation = pipeline
        .phases
        .iter()
        .any(|p| matches!(p.unit, crate::pipeline::Unit::Turns { .. }));
    let text = text::Text::new(text, conversation)?;
    // The units of every (phase, tokenizer) pair, counted once for all models.
    let mut seqs: HashMap<(usize, TokenizerFamily), text::UnitSeq> = HashMap::new();
    for (i, phase) in pipeline.phases.iter().enumerate() {
        let families = match pinned[i] {
            Some(m) => vec![m.tokenizer],
            None => compared.iter().map(|m| m.tokenizer).collect(),
        };
        for family in families {
            if let std::collections::hash_map::Entry::Vacant(slot) = seqs.entry((i, family)) {
                let seq = text
                    .units(phase, family, ratios)
                    .map_err(|e| prefix_phase(e, i, &phase.name))?;
                slot.insert(seq);
            }
        }
    }

    let mut runner = run::Runner::new(catalog, pipeline, &seqs, &text, options);
    let mut results = Vec::with_capacity(compared.len());
    for model in &compared {
        let phase_models: Vec<&Model> = pinned.iter().map(|p| p.unwrap_or(model)).collect();
        results.push(runner.model(model, &phase_models)?);
    }
    let mut estimates = advice::finish(results, pipeline, options);
    advice::rank(&mut estimates);
    Ok(Estimate {
        pipeline: pipeline.name.clone(),
        options: *options,
        sections: text.sections.clone(),
        models: estimates,
    })
}

impl Catalog {
    /// [`estimate`] on this catalog.
    ///
    /// # Errors
    ///
    /// As [`estimate`].
    pub fn estimate<S: AsRef<str>>(
        &self,
        ratios: &TokenRatios,
        text: &TextInput,
        pipeline: &Pipeline,
        models: &[S],
        options: &EstimateOptions,
    ) -> Result<Estimate> {
        estimate(self, ratios, text, pipeline, models, options)
    }
}

fn check_options(options: &EstimateOptions) -> Result<()> {
    if options.cache_hit_per_mille > 1000 {
        return Err(invalid(format!(
            "expected parts per thousand from 0 to 1000, got {}",
            options.cache_hit_per_mille
        ))
        .at("options.cache_hit_per_mille"));
    }
    if let CachePlan::Explicit { storage_hours } = options.cache {
        if storage_hours == 0 || storage_hours > 1_000_000 {
            return Err(invalid(format!(
                "expected from 1 to 1000000 hours of storage, got {storage_hours}"
            ))
            .at("options.cache.explicit.storage_hours"));
        }
    }
    Ok(())
}

fn prefix_phase(error: Error, index: usize, name: &str) -> Error {
    let path = match error.path() {
        Some(p) => p.to_string(),
        None => format!("phases[{index}].unit"),
    };
    Error::new(error.kind(), format!("phase `{name}`: {}", error.message())).at(path)
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidRequest, message)
}

/// Whether a phase's prompts grow with its history.
fn is_history(context: Context) -> bool {
    matches!(context, Context::History)
}
