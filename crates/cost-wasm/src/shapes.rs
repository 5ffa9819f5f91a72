//! The JS objects of the package: cost-wasm's own shapes, converted by hand from the core's.
//!
//! Renaming a field in `cost-core` therefore cannot silently change what an npm user sees:
//! these structs are the package's public contract, and `tsify` writes them into the
//! `.d.ts`. Field names are snake_case, as in llmcost's JSON lines and the providers' own
//! usage objects, so a `Usage` from `parseUsage` can be passed back as `usage` unchanged.
//! Money is a [`Money`]: an exact decimal string, with a number beside it for display only.

use std::collections::BTreeMap;

use cost_core::{Usd, UsdPerMtok};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tsify::Tsify;

/// An amount of US dollars.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Money {
    /// Exact decimal text (`"0.00084"`): compare and add these, never `approx`.
    pub usd: String,
    /// The same amount as a number, for display and charts only (it may be rounded).
    pub approx: f64,
}

impl Money {
    pub(crate) fn of(usd: Usd) -> Money {
        let text = usd.to_decimal_string();
        // serde_json's float reader (exact, as `float_roundtrip` makes it) is in the module
        // anyway; `str::parse::<f64>` would add core's own, tables and all.
        let approx = serde_json::from_str(&text).unwrap_or(f64::NAN);
        Money { usd: text, approx }
    }
}

/// A price in US dollars per million tokens, as exact decimal text (`"0.8"`).
fn per_mtok(price: UsdPerMtok) -> String {
    price.to_decimal_string()
}

/// The name serde gives a core enum value (`batch_unavailable`, `openai-chat`).
pub(crate) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::from("unknown"),
    }
}

/// How a provider reports usage.
///
/// Read through the core's parser, so the names the CLI takes (`openai`, any case) work
/// from plain JS too; TypeScript sees only the canonical names.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum UsageFormat {
    /// llmcost's own shape: `input_tokens` is the whole prompt, cache included.
    Normalized,
    /// Anthropic Messages (`input_tokens` excludes the cache).
    Anthropic,
    /// OpenAI Chat Completions (`prompt_tokens`, `completion_tokens`).
    OpenaiChat,
    /// OpenAI Responses (`input_tokens`, `output_tokens` with details).
    OpenaiResponses,
    /// Google Gemini (`usageMetadata`).
    Gemini,
    /// OpenRouter (the Chat shape plus `cost`).
    Openrouter,
}

impl UsageFormat {
    pub(crate) fn to_core(self) -> cost_core::UsageFormat {
        match self {
            UsageFormat::Normalized => cost_core::UsageFormat::Normalized,
            UsageFormat::Anthropic => cost_core::UsageFormat::Anthropic,
            UsageFormat::OpenaiChat => cost_core::UsageFormat::OpenaiChat,
            UsageFormat::OpenaiResponses => cost_core::UsageFormat::OpenaiResponses,
            UsageFormat::Gemini => cost_core::UsageFormat::Gemini,
            UsageFormat::Openrouter => cost_core::UsageFormat::Openrouter,
        }
    }

    pub(crate) fn of(format: cost_core::UsageFormat) -> UsageFormat {
        match format {
            cost_core::UsageFormat::Normalized => UsageFormat::Normalized,
            cost_core::UsageFormat::Anthropic => UsageFormat::Anthropic,
            cost_core::UsageFormat::OpenaiChat => UsageFormat::OpenaiChat,
            cost_core::UsageFormat::OpenaiResponses => UsageFormat::OpenaiResponses,
            cost_core::UsageFormat::Gemini => UsageFormat::Gemini,
            cost_core::UsageFormat::Openrouter => UsageFormat::Openrouter,
        }
    }
}

impl<'de> Deserialize<'de> for UsageFormat {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse::<cost_core::UsageFormat>()
            .map(UsageFormat::of)
            .map_err(|e| serde::de::Error::custom(e.message()))
    }
}

/// A JSON object as JS has it: a provider's usage object or a whole response body.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(transparent)]
#[tsify(type = "Record<string, unknown>")]
pub struct JsonObject(pub Value);

/// Normalized usage: what a request used, in whole tokens.
#[derive(Debug, Clone, Serialize, Deserialize, Tsify)]
pub struct Usage {
    /// The whole prompt, cache reads and writes included.
    pub input_tokens: u64,
    /// Prompt tokens read from the cache (part of `input_tokens`).
    pub cache_read_tokens: u64,
    /// Prompt tokens written to a 5-minute cache (part of `input_tokens`).
    pub cache_write_5m_tokens: u64,
    /// Prompt tokens written to a 1-hour cache (part of `input_tokens`).
    pub cache_write_1h_tokens: u64,
    /// The whole output, reasoning included.
    pub output_tokens: u64,
    /// Reasoning tokens (part of `output_tokens`).
    pub reasoning_tokens: u64,
    /// Tokens × hours of explicit context-cache storage.
    pub cache_storage_token_hours: u64,
}

impl Usage {
    pub(crate) fn of(usage: &cost_core::Usage) -> Usage {
        Usage {
            input_tokens: usage.input_tokens,
            cache_read_tokens: usage.cache_read_tokens,
            cache_write_5m_tokens: usage.cache_write_5m_tokens,
            cache_write_1h_tokens: usage.cache_write_1h_tokens,
            output_tokens: usage.output_tokens,
            reasoning_tokens: usage.reasoning_tokens,
            cache_storage_token_hours: usage.cache_storage_token_hours,
        }
    }
}

/// What `parseUsage` read.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ParsedUsage {
    /// The normalized usage.
    pub usage: Usage,
    /// The shape it was read as (given or detected).
    pub format: UsageFormat,
    /// The model the response names, if it was a whole response.
    pub model: Option<String>,
    /// The cost the provider itself reported (OpenRouter's `usage.cost`), if any.
    pub reported_cost: Option<Money>,
}

/// One request to price.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct PriceRequest {
    /// Any name the catalog accepts (id, alias, dated snapshot, `provider/model`); may be
    /// left out when `response` names the model.
    #[serde(default)]
    #[tsify(optional)]
    pub model: Option<String>,
    /// The usage object in any provider's shape, or a normalized [`Usage`].
    #[serde(default)]
    #[tsify(optional)]
    pub usage: Option<JsonObject>,
    /// The shape of `usage` (or of `response`'s usage); detected when left out.
    #[serde(default)]
    #[tsify(optional)]
    pub usage_format: Option<UsageFormat>,
    /// A whole API response body, instead of `usage`.
    #[serde(default)]
    #[tsify(optional)]
    pub response: Option<JsonObject>,
    /// Priced through the provider's batch API (default false).
    #[serde(default)]
    #[tsify(optional)]
    pub batch: Option<bool>,
    /// The request day, `YYYY-MM-DD` (UTC); today when left out.
    #[serde(default)]
    #[tsify(optional)]
    pub at: Option<String>,
    /// Free-form labels kept on the result.
    #[serde(default)]
    #[tsify(optional, type = "Record<string, string>")]
    pub tags: Option<BTreeMap<String, String>>,
}

impl PriceRequest {
    /// The request line the core decodes, so its checks and messages are the CLI's.
    pub(crate) fn to_value(&self) -> Value {
        let mut object = serde_json::Map::new();
        if let Some(model) = &self.model {
            object.insert("model".into(), Value::String(model.clone()));
        }
        if let Some(usage) = &self.usage {
            object.insert("usage".into(), usage.0.clone());
        }
        if let Some(format) = self.usage_format {
            object.insert(
                "usage_format".into(),
                Value::String(format.to_core().as_str().into()),
            );
        }
        if let Some(response) = &self.response {
            object.insert("response".into(), response.0.clone());
        }
        if let Some(batch) = self.batch {
            object.insert("batch".into(), Value::Bool(batch));
        }
        if let Some(at) = &self.at {
            object.insert("at".into(), Value::String(at.clone()));
        }
        if let Some(tags) = &self.tags {
            // Inserted one by one: collecting into a map sorts, and each sort is more code.
            let mut object_tags = serde_json::Map::new();
            for (k, v) in tags {
                object_tags.insert(k.clone(), Value::String(v.clone()));
            }
            object.insert("tags".into(), Value::Object(object_tags));
        }
        Value::Object(object)
    }
}

/// One priced component: tokens × price.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ComponentCost {
    /// Tokens (token-hours for `cache_storage`) priced.
    pub tokens: u64,
    /// The price applied, US dollars per million tokens, exact decimal text.
    pub usd_per_mtok: String,
    /// What they cost.
    pub cost: Money,
}

impl ComponentCost {
    fn of(component: &cost_core::Component) -> ComponentCost {
        ComponentCost {
            tokens: component.tokens,
            usd_per_mtok: per_mtok(component.usd_per_mtok),
            cost: Money::of(component.usd),
        }
    }
}

/// The cost of each component of a request; they add up to the total exactly.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Components {
    /// Uncached input.
    pub input: ComponentCost,
    /// Cache writes with a 5-minute lifetime.
    pub cache_write_5m: ComponentCost,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h: ComponentCost,
    /// Cache reads.
    pub cache_read: ComponentCost,
    /// Output, reasoning included.
    pub output: ComponentCost,
    /// Explicit context-cache storage.
    pub cache_storage: ComponentCost,
}

impl Components {
    fn of(c: &cost_core::Components) -> Components {
        Components {
            input: ComponentCost::of(&c.input),
            cache_write_5m: ComponentCost::of(&c.cache_write_5m),
            cache_write_1h: ComponentCost::of(&c.cache_write_1h),
            cache_read: ComponentCost::of(&c.cache_read),
            output: ComponentCost::of(&c.output),
            cache_storage: ComponentCost::of(&c.cache_storage),
        }
    }
}

/// The long-context tier a request was priced at.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct AppliedTier {
    /// The tier's threshold in prompt tokens.
    pub above_tokens: u64,
    /// Whether a prompt of exactly `above_tokens` is in the tier.
    pub inclusive: bool,
    /// The prompt that crossed it (uncached input + cache reads + cache writes).
    pub prompt_tokens: u64,
}

/// Something worth knowing about a cost that did not stop it being computed.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Warning {
    /// What kind, to match on.
    #[tsify(type = "WarningKind")]
    pub kind: String,
    /// What happened, for people.
    pub message: String,
}

impl Warning {
    fn of(warning: &cost_core::Warning) -> Warning {
        Warning {
            kind: serde_name(&warning.kind),
            message: warning.message.clone(),
        }
    }
}

/// The exact cost of one request and how it was reached.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(hashmap_as_object)]
pub struct Cost {
    /// The model's canonical id.
    pub model: String,
    /// Its provider's id.
    pub provider: String,
    /// The total: the components added up.
    pub total: Money,
    /// Each component.
    pub components: Components,
    /// The long-context tier applied, if any.
    pub tier: Option<AppliedTier>,
    /// Whether batch prices applied (false when the model has none).
    pub batch: bool,
    /// The day priced, `YYYY-MM-DD`.
    pub at: String,
    /// The first day of the price set applied; absent for a model's original prices.
    pub prices_from: Option<String>,
    /// The day the catalog last checked these prices.
    pub prices_checked: Option<String>,
    /// Where the prices come from (a URL).
    pub source: String,
    /// The normalized usage priced.
    pub usage: Usage,
    /// The shape the usage was read as.
    pub usage_format: UsageFormat,
    /// The request's tags.
    #[tsify(type = "Record<string, string>")]
    pub tags: BTreeMap<String, String>,
    /// Fallbacks, tiers crossed, limits exceeded.
    pub warnings: Vec<Warning>,
}

impl Cost {
    pub(crate) fn of(cost: &cost_core::Cost, request: &cost_core::Request) -> Cost {
        Cost {
            model: cost.model.clone(),
            provider: cost.provider.clone(),
            total: Money::of(cost.total_usd),
            components: Components::of(&cost.components),
            tier: cost.tier.map(|t| AppliedTier {
                above_tokens: t.above_tokens,
                inclusive: t.inclusive,
                prompt_tokens: t.prompt_tokens,
            }),
            batch: cost.batch,
            at: cost.at.to_string(),
            prices_from: cost.prices_from.map(|d| d.to_string()),
            prices_checked: cost.prices_checked.map(|d| d.to_string()),
            source: cost.source.clone(),
            usage: Usage::of(&request.usage),
            usage_format: UsageFormat::of(request.usage_format),
            tags: request.tags.clone(),
            warnings: cost.warnings.iter().map(Warning::of).collect(),
        }
    }
}

/// Prices per component, US dollars per million tokens as exact decimal text; absent when
/// the provider publishes none.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Prices {
    /// Uncached input.
    pub input_usd_per_mtok: String,
    /// Output, reasoning included.
    pub output_usd_per_mtok: String,
    /// Cache reads.
    pub cache_read_usd_per_mtok: Option<String>,
    /// Cache writes, 5-minute lifetime.
    pub cache_write_5m_usd_per_mtok: Option<String>,
    /// Cache writes, 1-hour lifetime.
    pub cache_write_1h_usd_per_mtok: Option<String>,
    /// Context-cache storage, per million tokens per hour.
    pub cache_storage_usd_per_mtok_hour: Option<String>,
}

impl Prices {
    fn of(p: &cost_core::Prices) -> Prices {
        Prices {
            input_usd_per_mtok: per_mtok(p.input_usd_per_mtok),
            output_usd_per_mtok: per_mtok(p.output_usd_per_mtok),
            cache_read_usd_per_mtok: p.cache_read_usd_per_mtok.map(per_mtok),
            cache_write_5m_usd_per_mtok: p.cache_write_5m_usd_per_mtok.map(per_mtok),
            cache_write_1h_usd_per_mtok: p.cache_write_1h_usd_per_mtok.map(per_mtok),
            cache_storage_usd_per_mtok_hour: p.cache_storage_usd_per_mtok_hour.map(per_mtok),
        }
    }
}

/// A long-context tier: a prompt above the threshold pays these prices for every token.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Tier {
    /// The threshold, in prompt tokens.
    pub above_tokens: u64,
    /// The prices of the whole request above it.
    pub prices: Prices,
}

/// Base prices and the tiers above them.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Rates {
    /// Prices of a prompt at or below every threshold.
    pub base: Prices,
    /// Sorted by `above_tokens`, ascending.
    pub tiers: Vec<Tier>,
}

impl Rates {
    fn of(r: &cost_core::Rates) -> Rates {
        Rates {
            base: Prices::of(&r.base),
            tiers: r
                .tiers
                .iter()
                .map(|t| Tier {
                    above_tokens: t.above_tokens,
                    prices: Prices::of(&t.prices),
                })
                .collect(),
        }
    }
}

/// The prices in force from a day on.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct PriceSet {
    /// First day (`YYYY-MM-DD`); absent: since the model appeared.
    pub from: Option<String>,
    /// Ordinary requests.
    pub standard: Rates,
    /// Batch requests, when the provider offers batch for this model.
    pub batch: Option<Rates>,
}

/// A model of the catalog, with its price history.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Model {
    /// The provider id.
    pub provider: String,
    /// The id as the provider's API spells it.
    pub id: String,
    /// `provider/id`, never ambiguous.
    pub qualified_id: String,
    /// Display name.
    pub name: String,
    /// Other names: dated snapshots, `-latest` forms, short names.
    pub aliases: Vec<String>,
    /// Context window in tokens, when known.
    pub context_window: Option<u64>,
    /// Maximum output tokens per request, when known.
    pub max_output_tokens: Option<u64>,
    /// The shortest prefix the provider caches, in tokens, when known.
    pub cache_min_tokens: Option<u64>,
    /// Which tokenizer counts this model's tokens.
    #[tsify(type = "TokenizerFamily")]
    pub tokenizer: String,
    /// Price history, oldest first.
    pub prices: Vec<PriceSet>,
    /// The day the prices were last checked.
    pub prices_checked: Option<String>,
    /// Where the prices come from (a URL).
    pub source: String,
    /// Caveats.
    pub notes: String,
    /// Where this entry came from.
    #[tsify(type = "Origin")]
    pub origin: String,
    /// Whether the user overrode any of its prices.
    pub overridden: bool,
    /// Whether the provider retired or deprecated it.
    pub deprecated: bool,
}

impl Model {
    pub(crate) fn of(m: &cost_core::Model) -> Model {
        Model {
            provider: m.provider.clone(),
            id: m.id.clone(),
            qualified_id: m.qualified_id(),
            name: m.name.clone(),
            aliases: m.aliases.clone(),
            context_window: m.context_window,
            max_output_tokens: m.max_output_tokens,
            cache_min_tokens: m.cache_min_tokens,
            tokenizer: serde_name(&m.tokenizer),
            prices: m
                .prices
                .iter()
                .map(|set| PriceSet {
                    from: set.from.map(|d| d.to_string()),
                    standard: Rates::of(&set.standard),
                    batch: set.batch.as_ref().map(Rates::of),
                })
                .collect(),
            prices_checked: m.prices_checked.map(|d| d.to_string()),
            source: m.source.clone(),
            notes: m.notes.clone(),
            origin: serde_name(&m.origin),
            overridden: m.overridden,
            deprecated: m.deprecated,
        }
    }
}

/// The models of the catalog.
#[derive(Debug, Clone, Serialize, Tsify)]
#[serde(transparent)]
pub struct Models(pub Vec<Model>);

/// What `loadPrices` read and changed.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ImportReport {
    /// The format the file was read as.
    #[tsify(type = "PriceFileFormat")]
    pub format: String,
    /// Models read from the file.
    pub models: usize,
    /// Entries left out, one line each: `name: reason`.
    pub skipped: Vec<String>,
    /// Everything else worth knowing.
    pub notes: Vec<String>,
    /// Models added to the catalog.
    pub added: usize,
    /// Models replaced by the imported entry.
    pub replaced: usize,
    /// Price overrides applied (llmcost files only).
    pub overrides: usize,
}

impl ImportReport {
    pub(crate) fn of(r: &cost_core::ImportReport) -> ImportReport {
        ImportReport {
            format: serde_name(&r.format),
            models: r.models,
            skipped: r.skipped.clone(),
            notes: r.notes.clone(),
            added: r.merge.added,
            replaced: r.merge.replaced,
            overrides: r.overrides,
        }
    }
}

#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const NAMED_STRINGS: &str = r#"
/** What kind of warning a `Warning` is. */
export type WarningKind = "batch_unavailable" | "price_fallback" | "long_context_tier" | "context_window_exceeded" | "output_above_maximum" | "before_first_price" | "snapshot_not_listed";
/** The tokenizer a model uses. */
export type TokenizerFamily = "o200k_base" | "cl100k_base" | "claude" | "claude-2026" | "gemini" | "llama3" | "deepseek" | "mistral" | "grok" | "other";
/** Where a model's prices came from. */
export type Origin = "bundled" | "genai-prices" | "litellm" | "user";
/** Where spending stands against a budget. */
export type BudgetState = "under" | "warning" | "over";
/** The formats `loadPrices` reads. */
export type PriceFileFormat = "llmcost" | "genai-prices-feed" | "litellm";
"#;

/// What `budget` takes: the month's requests, the limits, and the day to judge them on.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// Every request of the period (others are counted as outside the month), each priced
    /// on its own `at` day.
    pub requests: Vec<PriceRequest>,
    /// The limits and alert thresholds.
    pub budget: BudgetLimits,
    /// The UTC day the status is as of, `YYYY-MM-DD`.
    pub today: String,
    /// An estimate's expected cost (decimal dollars): what running it today would do.
    #[serde(default)]
    #[tsify(optional)]
    pub estimate_usd: Option<String>,
}

/// Spending limits, in decimal dollars.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct BudgetLimits {
    /// The monthly limit (`"50"`).
    pub monthly_limit_usd: String,
    /// A daily limit, if any.
    #[serde(default)]
    #[tsify(optional)]
    pub daily_limit_usd: Option<String>,
    /// Alert thresholds in whole percent of each limit (default `[80, 100]`).
    #[serde(default)]
    #[tsify(optional)]
    pub alert_percents: Option<Vec<u32>>,
}

/// An alert that has been set off.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Alert {
    /// The limit it is about.
    #[tsify(type = "\"monthly\" | \"daily\"")]
    pub scope: String,
    /// The threshold, in percent of the limit.
    pub percent: u32,
    /// The limit.
    pub limit_usd: Money,
    /// `percent` of the limit.
    pub threshold_usd: Money,
    /// The spend that set it off (month to date, or today's).
    pub spent_usd: Money,
    /// The first day the spend reached the threshold.
    pub crossed_on: String,
}

impl Alert {
    fn of(a: &cost_core::Alert) -> Alert {
        Alert {
            scope: serde_name(&a.scope),
            percent: a.percent,
            limit_usd: Money::of(a.limit_usd),
            threshold_usd: Money::of(a.threshold_usd),
            spent_usd: Money::of(a.spent_usd),
            crossed_on: a.crossed_on.to_string(),
        }
    }
}

/// Spending against a budget as of a day.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct BudgetStatus {
    /// The day judged.
    pub today: String,
    /// Its month, `YYYY-MM`.
    pub month: String,
    /// Spend from the 1st to today, inclusive.
    pub month_to_date_usd: Money,
    /// Today's spend.
    pub today_usd: Money,
    /// The monthly limit less the month to date (negative when over).
    pub remaining_usd: Money,
    /// Month to date in percent of the monthly limit, two places (`"42.84"`).
    pub percent_of_monthly_limit: String,
    /// Days of the month up to today, today included.
    pub days_elapsed: u32,
    /// Days in the month.
    pub days_in_month: u32,
    /// Month to date × days in month ÷ days elapsed.
    pub projected_month_usd: Money,
    /// The projection in percent of the monthly limit, two places.
    pub projected_percent_of_monthly_limit: String,
    /// Alerts set off, monthly first.
    pub alerts: Vec<Alert>,
    /// Days of the month over the daily limit.
    pub days_over_daily_limit: Vec<String>,
    /// Where spending stands.
    #[tsify(type = "BudgetState")]
    pub state: String,
    /// Requests counted in the month up to today.
    pub records_counted: u64,
    /// Requests in another month.
    pub records_outside_month: u64,
    /// Requests later in the month than today.
    pub records_after_today: u64,
}

impl BudgetStatus {
    pub(crate) fn of(s: &cost_core::BudgetStatus) -> BudgetStatus {
        BudgetStatus {
            today: s.today.to_string(),
            month: s.month.clone(),
            month_to_date_usd: Money::of(s.month_to_date_usd),
            today_usd: Money::of(s.today_usd),
            remaining_usd: Money::of(s.remaining_usd),
            percent_of_monthly_limit: s.percent_of_monthly_limit.clone(),
            days_elapsed: s.days_elapsed,
            days_in_month: s.days_in_month,
            projected_month_usd: Money::of(s.projected_month_usd),
            projected_percent_of_monthly_limit: s.projected_percent_of_monthly_limit.clone(),
            alerts: s.alerts.iter().map(Alert::of).collect(),
            days_over_daily_limit: s
                .days_over_daily_limit
                .iter()
                .map(|d| d.to_string())
                .collect(),
            state: s.state.as_str().to_string(),
            records_counted: s.records_counted,
            records_outside_month: s.records_outside_month,
            records_after_today: s.records_after_today,
        }
    }
}

/// What running an estimate today would do to the budget.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EstimateImpact {
    /// The estimate's expected cost.
    pub expected_usd: Money,
    /// Month to date after it.
    pub month_after_usd: Money,
    /// That in percent of the monthly limit, two places.
    pub percent_of_monthly_limit_after: String,
    /// The monthly limit less the month after it.
    pub remaining_after_usd: Money,
    /// Today's spend after it.
    pub today_after_usd: Money,
    /// Alerts it would newly set off.
    pub new_alerts: Vec<Alert>,
    /// Where spending would stand.
    #[tsify(type = "BudgetState")]
    pub state_after: String,
}

impl EstimateImpact {
    pub(crate) fn of(i: &cost_core::EstimateImpact) -> EstimateImpact {
        EstimateImpact {
            expected_usd: Money::of(i.expected_usd),
            month_after_usd: Money::of(i.month_after_usd),
            percent_of_monthly_limit_after: i.percent_of_monthly_limit_after.clone(),
            remaining_after_usd: Money::of(i.remaining_after_usd),
            today_after_usd: Money::of(i.today_after_usd),
            new_alerts: i.new_alerts.iter().map(Alert::of).collect(),
            state_after: i.state_after.as_str().to_string(),
        }
    }
}

/// What `budget` returns.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct BudgetReport {
    /// Where spending stands today.
    pub status: BudgetStatus,
    /// What the estimate would do, when `estimate_usd` was given.
    pub impact: Option<EstimateImpact>,
}

/// What `report` takes: requests to price, what to group them by, which to count.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The requests, each priced on its own `at` day (today when it has none).
    pub requests: Vec<PriceRequest>,
    /// Group keys in column order: `model`, `provider`, `day`, `week`, `month`, `batch`, a
    /// tag name (`phase`), or `tag:NAME`. Empty or left out: one group.
    #[serde(default)]
    #[tsify(optional)]
    pub by: Option<Vec<String>>,
    /// Which requests count; the default keeps every one.
    #[serde(default, rename = "where")]
    #[tsify(optional)]
    pub filter: Option<ReportFilter>,
}

/// Conditions a request must meet to count; every one given must hold.
#[derive(Debug, Clone, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ReportFilter {
    /// The first day counted (inclusive), `YYYY-MM-DD`.
    #[serde(default)]
    #[tsify(optional)]
    pub since: Option<String>,
    /// The last day counted (inclusive).
    #[serde(default)]
    #[tsify(optional)]
    pub until: Option<String>,
    /// Only this model (its canonical id).
    #[serde(default)]
    #[tsify(optional)]
    pub model: Option<String>,
    /// Only this provider (its id).
    #[serde(default)]
    #[tsify(optional)]
    pub provider: Option<String>,
    /// Tags the request must carry, each with exactly this value.
    #[serde(default)]
    #[tsify(optional, type = "Record<string, string>")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// What a group of requests used and cost. Token sums are exact below 2^53.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Spend {
    /// Requests (API calls).
    pub calls: u64,
    /// Of those, calls priced at batch prices.
    pub batch_calls: u64,
    /// Every prompt token.
    pub input_tokens: f64,
    /// Prompt tokens neither read from nor written to a cache.
    pub uncached_input_tokens: f64,
    /// Prompt tokens read from a cache.
    pub cache_read_tokens: f64,
    /// Prompt tokens written to a 5-minute cache.
    pub cache_write_5m_tokens: f64,
    /// Prompt tokens written to a 1-hour cache.
    pub cache_write_1h_tokens: f64,
    /// Every output token, reasoning included.
    pub output_tokens: f64,
    /// Reasoning tokens.
    pub reasoning_tokens: f64,
    /// Context-cache storage, in token-hours.
    pub cache_storage_token_hours: f64,
    /// Uncached input.
    pub input_usd: Money,
    /// Cache writes, 5-minute lifetime.
    pub cache_write_5m_usd: Money,
    /// Cache writes, 1-hour lifetime.
    pub cache_write_1h_usd: Money,
    /// Cache reads.
    pub cache_read_usd: Money,
    /// Output.
    pub output_usd: Money,
    /// Context-cache storage.
    pub cache_storage_usd: Money,
    /// The whole cost.
    pub cost_usd: Money,
}

impl Spend {
    fn of(s: &cost_core::Spend) -> Spend {
        Spend {
            calls: s.calls,
            batch_calls: s.batch_calls,
            input_tokens: s.input_tokens as f64,
            uncached_input_tokens: s.uncached_input_tokens as f64,
            cache_read_tokens: s.cache_read_tokens as f64,
            cache_write_5m_tokens: s.cache_write_5m_tokens as f64,
            cache_write_1h_tokens: s.cache_write_1h_tokens as f64,
            output_tokens: s.output_tokens as f64,
            reasoning_tokens: s.reasoning_tokens as f64,
            cache_storage_token_hours: s.cache_storage_token_hours as f64,
            input_usd: Money::of(s.input_usd),
            cache_write_5m_usd: Money::of(s.cache_write_5m_usd),
            cache_write_1h_usd: Money::of(s.cache_write_1h_usd),
            cache_read_usd: Money::of(s.cache_read_usd),
            output_usd: Money::of(s.output_usd),
            cache_storage_usd: Money::of(s.cache_storage_usd),
            cost_usd: Money::of(s.cost_usd),
        }
    }
}

/// One group of a report.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ReportGroup {
    /// The group's value for each key of `by`; `null` for a missing tag.
    #[tsify(type = "Record<string, string | null>")]
    pub key: BTreeMap<String, Option<String>>,
    /// What the group used and cost.
    pub spend: Spend,
}

/// Spend grouped by keys, most expensive first, with the total.
#[derive(Debug, Clone, Serialize, Tsify)]
#[tsify(hashmap_as_object, missing_as_null)]
pub struct Report {
    /// The group keys, in column order.
    pub by: Vec<String>,
    /// Sorted by cost, descending; equal costs by key.
    pub groups: Vec<ReportGroup>,
    /// Every group added up.
    pub total: Spend,
    /// Requests given.
    pub records_seen: u64,
    /// Requests the filter left out.
    pub records_filtered_out: u64,
}

impl Report {
    pub(crate) fn of(r: &cost_core::Report) -> Report {
        let by: Vec<String> = r.by.iter().map(ToString::to_string).collect();
        Report {
            groups: r
                .groups
                .iter()
                .map(|g| {
                    let mut key = BTreeMap::new();
                    for (name, value) in by.iter().zip(&g.key) {
                        key.insert(name.clone(), value.clone());
                    }
                    ReportGroup {
                        key,
                        spend: Spend::of(&g.spend),
                    }
                })
                .collect(),
            by,
            total: Spend::of(&r.total),
            records_seen: r.records_seen,
            records_filtered_out: r.records_filtered_out,
        }
    }
}
