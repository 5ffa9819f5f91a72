//! `cost-wasm`: cost-core for JavaScript, through wasm-bindgen: the `llmcost` npm package.
//!
//! A thin facade with no logic of its own: every figure comes from `cost-core`, so a price
//! in JS is exactly the price the CLI and the web app give. The main entry is [`price`]
//! (`price({model, usage, batch?, at?})` in JS), beside [`models`], [`parse_usage`],
//! [`load_prices`] / [`reset_prices`], [`report`], [`budget`], [`estimate`] / [`presets`]
//! (a pipeline over a text, before running it) and [`Tokenizer`] (`count` and `profile`).
//!
//! # Design: own shapes, checked at the boundary
//!
//! The JS objects are this crate's own structs ([`shapes`]), converted by hand from the
//! core's and typed with `tsify`, so the `.d.ts` has no `any` and a change in the core cannot
//! silently change the package. Arguments cross as `Ts<T>` (a plain JS handle) and are
//! decoded inside the function, so a wrong value from JS becomes an ordinary `Err`: an
//! exception named `LlmcostError` with a stable `kind`, thrown without leaking memory or
//! poisoning the module. Money is a decimal string with a number beside it for display.
//!
//! # Example (JavaScript)
//!
//! ```js
//! import init, { price } from "llmcost";
//! await init();
//! const cost = price({ model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" });
//! cost.total.usd; // "0.00084"
//! ```

mod error;
mod estimate;
mod pipeline;
mod profile;
mod shapes;

use std::cell::RefCell;

use cost_core::{Catalog, Date, MergePolicy, PriceOptions, Request, TextInput, TokenRatios};
use tsify::Ts;
use wasm_bindgen::prelude::*;

use crate::pipeline::PipelineSpec;

pub use estimate::{
    CacheApplied, CachePlan, ChapterTokens, ComponentCosts, CostRange, Estimate, EstimateInput,
    EstimateOptions, EstimateRecommendation, EstimateSection, EstimateSettings, EstimateWarning,
    ModelEstimate, PhaseCost, PlainUnits, PricesUsed, Savings, TokenCount, TokenTotals,
};
pub use pipeline::{
    Phase, PhaseContext, PhaseOutput, PhaseUnit, Pipeline, Preset, Presets, Spread,
};
pub use profile::{
    BookFormat, ChapterSummary, ChunkOptions, ChunkTokens, EncodingProfile, Gutenberg,
    GutenbergPart, ProfileOptions, SourceEncoding, TextProfile, TextSource, TextWarning,
    TokenStats, UnitCounts, UnitTokens,
};
pub use shapes::{
    Alert, AppliedTier, BudgetInput, BudgetLimits, BudgetReport, BudgetStatus, ComponentCost,
    Components, Cost, EstimateImpact, ImportReport, JsonObject, Model, Models, Money, ParsedUsage,
    PriceRequest, PriceSet, Prices, Rates, Report, ReportFilter, ReportGroup, ReportInput, Spend,
    Tier, Usage, UsageFormat, Warning,
};

thread_local! {
    /// The catalog every call prices from: the bundled one plus what `loadPrices` added.
    static CATALOG: RefCell<Option<Catalog>> = const { RefCell::new(None) };
    /// The bundled token ratios: how estimates count families without a public tokenizer.
    static RATIOS: TokenRatios = TokenRatios::bundled();
}

/// Runs `f` on the current catalog, decoding the bundled one on first use.
fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> T) -> T {
    CATALOG.with(|cell| {
        let mut slot = cell.borrow_mut();
        f(slot.get_or_insert_with(Catalog::bundled))
    })
}

/// Today (UTC) from the JS clock: the day of a request that gives none.
fn today() -> Date {
    Date::from_unix_seconds((js_sys::Date::now() / 1000.0) as i64)
}

/// A string argument, or an exception naming it.
fn string_arg(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        error::argument(
            name,
            &format!("expected a string, got {}", error::kind_of(value)),
        )
    })
}

/// The longest model name `price` looks up.
const MAX_MODEL_NAME: usize = 256;

/// The catalog's models, optionally only those whose id, name, provider or an alias
/// contains `query` (case-insensitive).
#[wasm_bindgen]
pub fn models(
    #[wasm_bindgen(unchecked_optional_param_type = "string")] query: JsValue,
) -> Result<Ts<Models>, JsValue> {
    let query = if query.is_undefined() || query.is_null() {
        None
    } else {
        Some(string_arg("query", &query)?.to_lowercase())
    };
    let models = with_catalog(|catalog| {
        catalog
            .models()
            .iter()
            .filter(|m| {
                query.as_deref().is_none_or(|q| {
                    m.qualified_id().to_lowercase().contains(q)
                        || m.name.to_lowercase().contains(q)
                        || m.aliases.iter().any(|a| a.to_lowercase().contains(q))
                })
            })
            .map(Model::of)
            .collect()
    });
    error::write(&Models(models))
}

/// The exact cost of one request: `{model, usage, usage_format?, batch?, at?, tags?}` or
/// `{model?, response, ...}` with a whole API response body.
///
/// Throws `LlmcostError` (`kind`: `unknown_model`, `ambiguous_model`, `invalid_usage`,
/// `invalid_request` or `invalid_argument`).
#[wasm_bindgen]
pub fn price(request: Ts<PriceRequest>) -> Result<Ts<Cost>, JsValue> {
    let request = error::read_object("request", &request)?;
    // FIXME(issue 6): the core's name suggestions take time quadratic in the name's length;
    // until they are bounded there, a name no catalog could hold is refused here.
    if request
        .model
        .as_ref()
        .is_some_and(|m| m.len() > MAX_MODEL_NAME)
    {
        return Err(error::js_error(
            "invalid_request",
            Some("model"),
            &format!("model: a model name is at most {MAX_MODEL_NAME} bytes"),
        ));
    }
    let request = Request::from_value(&request.to_value()).map_err(error::core)?;
    let options = PriceOptions {
        at: request.at.unwrap_or_else(today),
        batch: request.batch,
    };
    let cost = with_catalog(|catalog| catalog.price(&request.model, &request.usage, options))
        .map_err(error::core)?;
    error::write(&Cost::of(&cost, &request))
}

/// The normalized usage of a provider's usage object or of a whole response body, in the
/// given format or the one detected.
#[wasm_bindgen(js_name = parseUsage)]
pub fn parse_usage(
    body: Ts<JsonObject>,
    format: Option<Ts<UsageFormat>>,
) -> Result<Ts<ParsedUsage>, JsValue> {
    let body = error::read("body", &body)?.0;
    let format = match format {
        Some(format) if !format.js_value().is_undefined() && !format.js_value().is_null() => {
            Some(error::read("format", &format)?.to_core())
        }
        _ => None,
    };
    // A whole body keeps its usage under `usage` (`usageMetadata` for Gemini); any other
    // object is a bare usage object, so error paths read as the object was given.
    let is_body = body
        .as_object()
        .is_none_or(|o| o.contains_key("usage") || o.contains_key("usageMetadata"));
    let parsed = if is_body {
        cost_core::parse_response(&body, format)
    } else {
        cost_core::parse_usage(&body, format).map(|(usage, format)| cost_core::ParsedResponse {
            model: None,
            usage,
            format,
            reported_cost_usd: None,
        })
    }
    .map_err(error::core)?;
    let reported_cost = match parsed.reported_cost_usd.as_deref() {
        Some(text) => Some(Money::of(text.parse().map_err(|_| {
            error::js_error(
                "invalid_usage",
                Some("usage.cost"),
                &format!("usage.cost: not an amount of dollars: {text}"),
            )
        })?)),
        None => None,
    };
    error::write(&ParsedUsage {
        usage: Usage::of(&parsed.usage),
        format: UsageFormat::of(parsed.format),
        model: parsed.model,
        reported_cost,
    })
}

/// Prices every request (on its own `at` day, `today` when it has none), or throws for the
/// first that fails with its index in the path (`requests[3].usage.input_tokens`).
fn price_all(
    requests: &[PriceRequest],
    today: Date,
) -> Result<Vec<cost_core::PricedRecord>, JsValue> {
    with_catalog(|catalog| {
        let mut pricer = cost_core::RequestPricer::new(catalog, today);
        requests
            .iter()
            .enumerate()
            .map(|(i, request)| {
                Request::from_value(&request.to_value())
                    .and_then(|r| pricer.price_request(&r))
                    .map_err(|e| {
                        let path = match e.path() {
                            Some(p) => format!("requests[{i}].{p}"),
                            None => format!("requests[{i}]"),
                        };
                        let mut text = format!("{path}: {}", e.message());
                        if !e.suggestions().is_empty() {
                            text += &format!(" (did you mean {}?)", e.suggestions().join(", "));
                        }
                        error::js_error(e.kind().as_str(), Some(&path), &text)
                    })
            })
            .collect()
    })
}

/// Spend grouped by `by` (`["model", "phase"]`) over the requests `where` keeps, most
/// expensive group first, with the total: a dashboard's table.
#[wasm_bindgen]
pub fn report(input: Ts<ReportInput>) -> Result<Ts<Report>, JsValue> {
    let input = error::read_object("input", &input)?;
    let options = serde_json::json!({
        "by": input.by.unwrap_or_default(),
        "where": input.filter.map_or_else(
            || serde_json::json!({}),
            |f| serde_json::to_value(f).unwrap_or_default(),
        ),
    });
    let options: cost_core::ReportOptions =
        serde_path_to_error::deserialize(options).map_err(|e| {
            let path = e.path().to_string();
            error::js_error(
                "invalid_request",
                Some(&path),
                &format!("{path}: {}", e.inner()),
            )
        })?;
    let records = price_all(&input.requests, today())?;
    let report = cost_core::Report::build(options, &records).map_err(error::core)?;
    error::write(&Report::of(&report))
}

/// Spending against a budget: `requests` are priced (each on its own `at` day) and
/// counted as of `today`; with `estimate_usd`, what running that estimate today would do.
///
/// A request that cannot be priced throws, its index in the path (`requests[3].model`).
#[wasm_bindgen]
pub fn budget(input: Ts<BudgetInput>) -> Result<Ts<BudgetReport>, JsValue> {
    let input = error::read_object("input", &input)?;
    let today: Date = input.today.parse().map_err(|e: String| {
        error::js_error("invalid_request", Some("today"), &format!("today: {e}"))
    })?;
    let limits = serde_json::to_value(&input.budget)
        .and_then(serde_json::from_value::<cost_core::Budget>)
        .map_err(|e| error::argument("budget", &e.to_string()))?;
    let records = price_all(&input.requests, today)?;
    let status = cost_core::BudgetStatus::of(limits, today, &records).map_err(error::core)?;
    let impact = match &input.estimate_usd {
        Some(text) => {
            let usd = text.parse().map_err(|_| {
                error::argument("estimate_usd", &format!("not an amount of dollars: {text}"))
            })?;
            Some(status.with_estimate(usd).map_err(error::core)?)
        }
        None => None,
    };
    error::write(&BudgetReport {
        status: BudgetStatus::of(&status),
        impact: impact.as_ref().map(EstimateImpact::of),
    })
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

/// The pipelines to start from (`one-prompt-per-sentence`, `summarize-each-chapter`, ...):
/// pass an `id` as `estimate`'s `pipeline`, or change a copy of its `pipeline`.
#[wasm_bindgen]
pub fn presets() -> Result<Ts<Presets>, JsValue> {
    let presets = cost_core::presets();
    error::write(&Presets(presets.iter().map(Preset::of).collect()))
}

/// Adds a price file to the catalog (a genai-prices v2 feed, a LiteLLM table, or llmcost's
/// own format as JSON, with custom models and overrides): all of it, or nothing when it
/// fails. TOML is refused with a message saying so (the `llmcost` command reads it).
/// An imported model replaces a model of the same name.
#[wasm_bindgen(js_name = loadPrices)]
pub fn load_prices(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<Ts<ImportReport>, JsValue> {
    let text = string_arg("text", &text)?;
    let report = with_catalog(|catalog| catalog.load_prices(&text, MergePolicy::Replace))
        .map_err(error::core)?;
    error::write(&ImportReport::of(&report))
}

/// Goes back to the bundled catalog, dropping every price file loaded.
#[wasm_bindgen(js_name = resetPrices)]
pub fn reset_prices() {
    CATALOG.with(|cell| *cell.borrow_mut() = None);
}

/// One encoding's vocabulary, loaded from the asset bytes the page fetched
/// (`o200k_base.vocab` ships in the package beside the module). Call `free()` when done.
#[wasm_bindgen]
pub struct Tokenizer {
    inner: cost_core::Tokenizer,
}

#[wasm_bindgen]
impl Tokenizer {
    /// Loads `encoding` (`"o200k_base"` or `"cl100k_base"`) from its `.vocab` asset bytes.
    ///
    /// Throws when the name is unknown or the bytes are not that vocabulary.
    pub fn load(encoding: &str, bytes: &[u8]) -> Result<Tokenizer, JsValue> {
        let encoding = match encoding {
            "o200k_base" => cost_core::Encoding::O200kBase,
            "cl100k_base" => cost_core::Encoding::Cl100kBase,
            other => {
                return Err(error::argument(
                    "encoding",
                    &format!("unknown encoding `{other}` (expected o200k_base or cl100k_base)"),
                ))
            }
        };
        cost_core::Tokenizer::from_bytes(encoding, bytes)
            .map(|inner| Tokenizer { inner })
            .map_err(error::core)
    }

    /// The number of tokens in `text` (tiktoken's `encode_ordinary(text).length`).
    pub fn count(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<u32, JsValue> {
        let text = string_arg("text", &text)?;
        Ok(u32::try_from(self.inner.count(&text)).unwrap_or(u32::MAX))
    }

    /// The text's profile in this encoding: its format, sizes, chapters, and the tokens of
    /// every chapter, paragraph and sentence (and chunk, with `options.chunks`), with their
    /// statistics: what `estimate` takes as `profile`. `text` is a string, or the bytes of a
    /// `.txt`, `.md` or `.epub` file (UTF-8 or UTF-16; an EPUB is read from its zip).
    ///
    /// Throws `LlmcostError` (`kind`: `invalid_text` or `invalid_book` for bytes that are
    /// not a readable book, `invalid_request` for bad chunk options, `invalid_argument`).
    pub fn profile(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
        options: Option<Ts<ProfileOptions>>,
    ) -> Result<Ts<TextProfile>, JsValue> {
        let bytes = match text.as_string() {
            Some(text) => text.into_bytes(),
            None if text.is_instance_of::<js_sys::Uint8Array>() => {
                js_sys::Uint8Array::from(text).to_vec()
            }
            None => {
                return Err(error::argument(
                    "text",
                    &format!(
                        "expected a string or a Uint8Array, got {}",
                        error::kind_of(&text)
                    ),
                ))
            }
        };
        let options = match options {
            Some(o) if !o.js_value().is_undefined() && !o.js_value().is_null() => {
                error::read_object("options", &o)?
            }
            _ => ProfileOptions::default(),
        };
        let read = cost_core::ReadOptions {
            name: options.name,
            keep_gutenberg: options.keep_gutenberg.unwrap_or(false),
            ..cost_core::ReadOptions::default()
        };
        let book = cost_core::Book::read(&bytes, &read).map_err(error::core)?;
        drop(bytes);
        let counter = cost_core::NamedCounter::new(self.inner.encoding().as_str(), &self.inner);
        let chunks = options.chunks.map(ChunkOptions::to_core);
        let done =
            cost_core::profile_book(book, vec![counter], cost_core::ProfileOptions { chunks })
                .map_err(|e| match e.path() {
                    Some(_) => error::core(e),
                    None => error::core(e.at("options.chunks")),
                })?;
        error::write(&TextProfile::of(&done.profile))
    }
}
