//! `cost-wasm`: cost-core for JavaScript, through wasm-bindgen: the `llmcost` npm package.
//!
//! A thin facade with no logic of its own: every figure comes from `cost-core`, so a price
//! in JS is exactly the price the CLI and the web app give. The main entry is [`price`]
//! (`price({model, usage, batch?, at?})` in JS), beside [`models`], [`parse_usage`],
//! [`load_prices`] / [`reset_prices`], [`report`] and [`budget`]; with the `estimate`
//! feature, also `estimate` / `presets` (a pipeline over a text, before running it) and
//! `Tokenizer` (`count` and `profile`), loaded whole or, with `TokenizerLoader`, as it
//! downloads.
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
//! # Design: two modules from one crate
//!
//! Most users only price requests, and every byte of the module is downloaded before the
//! first price. So the crate is built twice: without the `estimate` feature it is the
//! package's main module (`llmcost`: the pricing API, the bundled catalog and the price-file
//! importers); with it, the whole API (`llmcost/estimate`: the same functions plus the
//! tokenizer, the book reader and the estimate engine). Both price from one catalog state:
//! `loadPrices` through either applies to both ([`prices`]).
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
#[cfg(feature = "estimate")]
mod estimate;
#[cfg(feature = "estimate")]
mod pipeline;
mod prices;
#[cfg(feature = "estimate")]
mod profile;
mod shapes;
#[cfg(feature = "estimate")]
mod tokenizer;

use std::cell::RefCell;

use cost_core::{Catalog, Date, MergePolicy, PriceOptions, Request, Usd};
use tsify::Ts;
use wasm_bindgen::prelude::*;

#[cfg(feature = "estimate")]
pub use estimate::{
    estimate, CacheApplied, CachePlan, ChapterTokens, ComponentCosts, CostRange, Estimate,
    EstimateInput, EstimateOptions, EstimateRecommendation, EstimateSection, EstimateSettings,
    EstimateWarning, ModelEstimate, PhaseCost, PlainUnits, PricesUsed, Savings, TokenCount,
    TokenTotals,
};
#[cfg(feature = "estimate")]
pub use pipeline::{
    presets, Phase, PhaseContext, PhaseOutput, PhaseUnit, Pipeline, Preset, Presets, Spread,
};
#[cfg(feature = "estimate")]
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
#[cfg(feature = "estimate")]
pub use tokenizer::{Tokenizer, TokenizerLoader};

thread_local! {
    /// The catalog every call prices from: the bundled one plus what `loadPrices` added.
    static CATALOG: RefCell<Option<Catalog>> = const { RefCell::new(None) };
}

/// Runs `f` on the current catalog, decoding the bundled one on first use, and rebuilding it
/// when the package's other module loaded or reset prices since (see [`prices`]).
pub(crate) fn with_catalog<T>(f: impl FnOnce(&mut Catalog) -> T) -> T {
    let missed = prices::missed();
    CATALOG.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some(files) = missed {
            let mut catalog = Catalog::bundled();
            for text in &files {
                // Each file loaded without error in a module of this same version (the
                // ledger's key names it), so it loads again.
                let _ = catalog.load_prices(text, MergePolicy::Replace);
            }
            *slot = Some(catalog);
        }
        f(slot.get_or_insert_with(Catalog::bundled))
    })
}

/// Today (UTC) from the JS clock: the day of a request that gives none.
pub(crate) fn today() -> Date {
    Date::from_unix_seconds((js_sys::Date::now() / 1000.0) as i64)
}

/// A string argument, or an exception naming it.
pub(crate) fn string_arg(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        error::argument(
            name,
            &format!("expected a string, got {}", error::kind_of(value)),
        )
    })
}

/// `text` in lower case, by JS's `toLowerCase`: Rust's `to_lowercase` would bring its Unicode
/// tables into the module.
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// The longest model name `price` looks up.
pub(crate) const MAX_MODEL_NAME: usize = 256;

/// The catalog's models, optionally only those whose id, name, provider or an alias
/// contains `query` (case-insensitive).
#[wasm_bindgen]
pub fn models(
    #[wasm_bindgen(unchecked_optional_param_type = "string")] query: JsValue,
) -> Result<Ts<Models>, JsValue> {
    let query = if query.is_undefined() || query.is_null() {
        None
    } else {
        Some(lowercase(&string_arg("query", &query)?))
    };
    let models = with_catalog(|catalog| {
        catalog
            .models()
            .iter()
            .filter(|m| {
                query.as_deref().is_none_or(|q| {
                    lowercase(&m.qualified_id()).contains(q)
                        || lowercase(&m.name).contains(q)
                        || m.aliases.iter().any(|a| lowercase(a).contains(q))
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
    // Built by hand, not decoded: a second decoder (of the core's options) costs module size.
    let invalid = |path: String, problem: String| {
        error::js_error(
            "invalid_request",
            Some(&path),
            &format!("{path}: {problem}"),
        )
    };
    let mut options = cost_core::ReportOptions::default();
    for (i, key) in input.by.unwrap_or_default().iter().enumerate() {
        options
            .by
            .push(key.parse().map_err(|e| invalid(format!("by[{i}]"), e))?);
    }
    if let Some(filter) = input.filter {
        let day = |name: &str, text: Option<String>| match text {
            Some(text) => text
                .parse::<Date>()
                .map(Some)
                .map_err(|e| invalid(format!("where.{name}"), e)),
            None => Ok(None),
        };
        options.filter.since = day("since", filter.since)?;
        options.filter.until = day("until", filter.until)?;
        options.filter.model = filter.model;
        options.filter.provider = filter.provider;
        options.filter.tags = filter.tags.unwrap_or_default();
    }
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
    let usd = |name: &str, text: &str| {
        text.parse::<Usd>()
            .map_err(|e| error::argument(&format!("input.budget.{name}"), &e))
    };
    let mut limits =
        cost_core::Budget::monthly(usd("monthly_limit_usd", &input.budget.monthly_limit_usd)?);
    if let Some(daily) = &input.budget.daily_limit_usd {
        limits.daily_limit_usd = Some(usd("daily_limit_usd", daily)?);
    }
    if let Some(percents) = input.budget.alert_percents {
        limits.alert_percents = percents;
    }
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

/// Adds a price file to the catalog (a genai-prices v2 feed, a LiteLLM table, or llmcost's
/// own format as JSON, with custom models and overrides): all of it, or nothing when it
/// fails. TOML is refused with a message saying so (the `llmcost` command reads it).
/// An imported model replaces a model of the same name. The file applies to both of the
/// package's modules (`llmcost` and `llmcost/estimate`) when an app imports both.
#[wasm_bindgen(js_name = loadPrices)]
pub fn load_prices(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
) -> Result<Ts<ImportReport>, JsValue> {
    let text = string_arg("text", &text)?;
    let report = with_catalog(|catalog| catalog.load_prices(&text, MergePolicy::Replace))
        .map_err(error::core)?;
    prices::loaded(&text);
    error::write(&ImportReport::of(&report))
}

/// Goes back to the bundled catalog, dropping every price file loaded (in both of the
/// package's modules).
#[wasm_bindgen(js_name = resetPrices)]
pub fn reset_prices() {
    CATALOG.with(|cell| *cell.borrow_mut() = None);
    prices::reset();
}
