//! `cost-core`: what an LLM API request costs, exactly, from a dated and sourced price catalog.
//!
//! The main type is [`Catalog`]: the bundled models ([`Catalog::bundled`]), anything imported
//! on top (a genai-prices feed, a LiteLLM table, the user's own models and overrides), and
//! lookup by any name people type. [`Catalog::price`] turns a [`Usage`] into a [`Cost`]: an
//! exact breakdown by component, with the tier, price date and warnings that explain it.
//!
//! # Design: money is integers
//!
//! Prices are whole nano-dollars per million tokens and amounts whole femto-dollars
//! ([`Usd`], [`UsdPerMtok`]), so a token count times a price is exact, costs never depend
//! on the order they are summed in, and `f64` never touches money. See [`money`](Usd) for
//! the policy.
//!
//! # What this crate does not do
//!
//! No I/O (it takes text and bytes, never paths), no clock (callers pass the date), no
//! network, no wasm-bindgen or UI crates. The CLI, the WASM package and the web app do
//! those and depend on this crate, never the reverse.
//!
//! # Example
//!
//! ```
//! use cost_core::{Catalog, Date, PriceOptions, Usage};
//!
//! let catalog = Catalog::bundled();
//! let usage = Usage { input_tokens: 550, output_tokens: 100, ..Usage::default() };
//! let at: Date = "2026-11-23".parse().unwrap();
//! let cost = catalog.price("claude-3-5-haiku", &usage, PriceOptions { at, batch: false }).unwrap();
//! assert_eq!(cost.total_usd.to_decimal_string(), "0.00084");
//! ```
#![deny(missing_docs)]

mod budget;
mod catalog;
mod date;
mod de;
mod decode;
mod error;
mod estimate;
mod genai_prices;
mod import;
mod litellm;
mod money;
mod pipeline;
mod price;
mod record;
mod report;
mod request_line;
mod response;
mod tape;
mod text;
mod tokens;
mod usage;

pub use budget::{
    Alert, Budget, BudgetState, BudgetStatus, BudgetTracker, EstimateImpact, LimitScope,
};
pub use catalog::{
    CachingStyle, Catalog, MergePolicy, MergeReport, Model, Origin, PriceOverride, PriceSet,
    Prices, Provider, Rates, Tier, TokenizerFamily,
};
pub use date::Date;
pub use error::{Error, ErrorKind, Result};
pub use estimate::{
    estimate, CacheApplied, CacheKind, CachePlan, CallRate, ChapterTokens, ComponentCosts,
    CostRange, Estimate, EstimateOptions, EstimateRecommendation, EstimateRecommendationKind,
    EstimateSection, EstimateSectionKind, EstimateWarning, EstimateWarningKind, ModelEstimate,
    PhaseCost, PlainUnits, PricesUsed, Savings, TextInput, TokenCount, TokenCountKind, TokenTotals,
};
pub use import::{detect_price_file, ImportReport, PriceFileFormat};
pub use money::{group_digits, Usd, UsdPerMtok};
pub use pipeline::{
    preset, presets, Context, Output, Phase, Pipeline, Preset, Spread, Unit, MAX_CALLS_PER_UNIT,
    MAX_PHASES, MAX_RATIO_PER_MILLE, MAX_SIZE, MAX_TURNS,
};
pub use price::{
    cost_of, select_tier, AppliedTier, Component, Components, Cost, PriceOptions, Warning,
    WarningKind,
};
pub use record::{PricedRecord, Request, RequestPricer};
pub use report::{
    log_records, parse_log_line, read_log, EstimateComparison, EstimateRange, Filter, Group,
    GroupKey, LineError, LogReader, LogTotal, PhaseComparison, PhaseEstimate, RecommendOptions,
    Recommendation, RecommendationKind, Recommendations, Recommender, Report, ReportBuilder,
    ReportOptions, RunEstimate, Spend, Verdict, COMPARISON_CSV_COLUMNS, RECOMMENDATION_CSV_COLUMNS,
    REPORT_CSV_COLUMNS,
};
pub use response::{parse_response, parse_usage, ParsedResponse, UsageFormat};
pub use text::{
    chunk, profile_book, Book, BookFormat, Chapter, ChapterSummary, Chunk, ChunkOptions,
    ChunkTokens, CountTokens, EncodingProfile, Gutenberg, GutenbergPart, Limits, NamedCounter,
    ProfileBuilder, ProfileOptions, Profiled, Progress, ReadOptions, Section, Source,
    SourceEncoding, Span, TextProfile, TextWarning, TextWarningKind, TokenStats, UnitCounts,
    UnitTokens, Units,
};
pub use tokens::{
    Encoding, TokenCounts, TokenEstimate, TokenRatio, TokenRatios, Tokenizer, TokenizerLoader,
};
pub use usage::{Usage, MAX_TOKENS};
