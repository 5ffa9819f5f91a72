//! The cost of one request: which prices apply (date, batch, long-context tier), and the
//! exact breakdown by component.

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, Model, Prices, Rates};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::{Usd, UsdPerMtok};
use crate::usage::Usage;

/// How a request was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceOptions {
    /// The day of the request (UTC): picks the prices in force that day.
    pub at: Date,
    /// Whether it went through the provider's batch API.
    pub batch: bool,
}

/// One priced part of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    /// Tokens of this kind (token-hours for cache storage).
    pub tokens: u64,
    /// The unit price applied (per million token-hours for cache storage).
    pub usd_per_mtok: UsdPerMtok,
    /// `tokens × usd_per_mtok / 10^6`, exactly.
    pub usd: Usd,
}

impl Component {
    /// No tokens, at no price.
    pub(crate) const FREE: Component = Component {
        tokens: 0,
        usd_per_mtok: UsdPerMtok::ZERO,
        usd: Usd::ZERO,
    };

    fn new(tokens: u64, usd_per_mtok: UsdPerMtok) -> Component {
        Component {
            tokens,
            usd_per_mtok,
            usd: Usd::for_tokens(tokens, usd_per_mtok),
        }
    }
}

/// The parts of a request's cost. They add up to [`Cost::total_usd`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    /// Uncached input.
    pub input: Component,
    /// Cache writes with a 5-minute lifetime.
    pub cache_write_5m: Component,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h: Component,
    /// Cache reads.
    pub cache_read: Component,
    /// Output, reasoning included.
    pub output: Component,
    /// Explicit context-cache storage, in token-hours.
    pub cache_storage: Component,
}

impl Components {
    /// Every component free: what a record starts from before it is priced.
    pub(crate) const FREE: Components = Components {
        input: Component::FREE,
        cache_write_5m: Component::FREE,
        cache_write_1h: Component::FREE,
        cache_read: Component::FREE,
        output: Component::FREE,
        cache_storage: Component::FREE,
    };

    /// The components with their names, in display order.
    pub fn named(&self) -> [(&'static str, &Component); 6] {
        [
            ("input", &self.input),
            ("cache_write_5m", &self.cache_write_5m),
            ("cache_write_1h", &self.cache_write_1h),
            ("cache_read", &self.cache_read),
            ("output", &self.output),
            ("cache_storage", &self.cache_storage),
        ]
    }
}

/// The long-context tier a request was priced at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedTier {
    /// The tier's threshold: the prompt was above it, or at or above it when `inclusive`.
    pub above_tokens: u64,
    /// Whether the provider applies the tier at exactly the threshold (xAI: "≥ 200K").
    pub inclusive: bool,
    /// The request's prompt: uncached input + cache reads + cache writes.
    pub prompt_tokens: u64,
}

/// What kind of warning a [`Warning`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WarningKind {
    /// Batch was asked for, but the model has no batch price: priced at standard rates.
    BatchUnavailable,
    /// A price the catalog lacks was replaced by the documented fallback.
    PriceFallback,
    /// The prompt crossed a long-context threshold: every token is priced higher.
    LongContextTier,
    /// Prompt plus output exceed the model's context window.
    ContextWindowExceeded,
    /// The output exceeds the model's maximum output.
    OutputAboveMaximum,
    /// The request is dated before the first known price of the model.
    BeforeFirstPrice,
    /// The model was named by a dated snapshot the catalog does not list; priced as the model.
    SnapshotNotListed,
}

/// Something the user should know about a cost that does not stop it being computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// What kind, to match on.
    pub kind: WarningKind,
    /// What happened, for people.
    pub message: String,
}

/// The exact cost of one request, and how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    /// The model's canonical id.
    pub model: String,
    /// The provider's id.
    pub provider: String,
    /// The sum of the components.
    pub total_usd: Usd,
    /// The breakdown.
    pub components: Components,
    /// Reasoning tokens (already counted in the output component).
    pub reasoning_tokens: u64,
    /// The long-context tier applied, if any.
    pub tier: Option<AppliedTier>,
    /// Whether batch prices applied.
    pub batch: bool,
    /// The request day used to pick prices.
    pub at: Date,
    /// The first day of the price set applied; `None` for a model's original prices.
    pub prices_from: Option<Date>,
    /// When those prices were last checked against their source.
    pub prices_checked: Option<Date>,
    /// Where the prices come from.
    pub source: String,
    /// What the user should know: fallbacks, tiers, limits.
    pub warnings: Vec<Warning>,
}

impl Catalog {
    /// Prices `usage` on the model called `model` (any name [`Catalog::find`] accepts).
    ///
    /// # Errors
    ///
    /// An unknown or ambiguous model, or an invalid usage.
    pub fn price(&self, model: &str, usage: &Usage, options: PriceOptions) -> Result<Cost> {
        let asked = model;
        let (model, dropped) = self.find_with_dropped_suffix(asked)?;
        let inclusive = self
            .provider(&model.provider)
            .is_some_and(|p| p.tier_threshold_inclusive);
        let mut cost = cost_of(model, inclusive, usage, options)?;
        if let Some(suffix) = dropped {
            cost.warnings.push(Warning {
                kind: WarningKind::SnapshotNotListed,
                message: format!(
                    "the catalog does not list the snapshot `{asked}`; priced as {} (without `{suffix}`), which a dated snapshot may not cost",
                    model.id
                ),
            });
        }
        Ok(cost)
    }
}

/// Prices `usage` on `model`. `inclusive_tiers` is the provider's threshold rule.
///
/// # Errors
///
/// [`ErrorKind::InvalidUsage`] when the usage breaks an invariant of [`Usage`], and
/// [`ErrorKind::InvalidRequest`] for cache storage on a model without a storage price
/// (a missing price never counts as zero).
pub fn cost_of(
    model: &Model,
    inclusive_tiers: bool,
    usage: &Usage,
    options: PriceOptions,
) -> Result<Cost> {
    let Priced {
        total_usd,
        components,
        tier,
        batch,
        prices_from,
        warnings,
    } = price_usage(model, inclusive_tiers, usage, options)?;
    Ok(Cost {
        model: model.id.clone(),
        provider: model.provider.clone(),
        total_usd,
        components,
        reasoning_tokens: usage.reasoning_tokens,
        tier,
        batch,
        at: options.at,
        prices_from,
        prices_checked: model.prices_checked,
        source: model.source.clone(),
        warnings,
    })
}

/// What [`cost_of`] works out, without the model's names and source, which the usage-log
/// fast path writes into strings it reuses.
#[derive(Debug, Clone)]
pub(crate) struct Priced {
    pub(crate) total_usd: Usd,
    pub(crate) components: Components,
    pub(crate) tier: Option<AppliedTier>,
    pub(crate) batch: bool,
    pub(crate) prices_from: Option<Date>,
    pub(crate) warnings: Vec<Warning>,
}

/// [`cost_of`] but for the names.
///
/// # Errors
///
/// As [`cost_of`].
pub(crate) fn price_usage(
    model: &Model,
    inclusive_tiers: bool,
    usage: &Usage,
    options: PriceOptions,
) -> Result<Priced> {
    Plan::new(model, inclusive_tiers, options).price(usage)
}

/// What pricing on a model on a day, at batch prices or not, works out before the usage:
/// the price set and tables that apply, and the warnings they give. A usage log prices
/// most of its calls on a few models on one day, and works this out once for each.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'m> {
    model: &'m Model,
    inclusive_tiers: bool,
    /// The first day of the price set applied.
    prices_from: Option<Date>,
    /// The table applied (the batch table for batch).
    rates: &'m Rates,
    /// For batch, the standard table: a cache price the batch table lacks comes from it, at
    /// the same tier (Google bills batch context caching "same as standard").
    standard: Option<&'m Rates>,
    batch: bool,
    /// The warnings of any usage: a day before the first price, no batch price.
    warnings: Vec<Warning>,
}

impl<'m> Plan<'m> {
    /// The plan for `model` (whose provider's threshold rule is `inclusive_tiers`) with
    /// these options.
    pub(crate) fn new(model: &'m Model, inclusive_tiers: bool, options: PriceOptions) -> Plan<'m> {
        let mut warnings = Vec::new();
        let set = match model.price_set_known_at(options.at) {
            Some(set) => set,
            None => {
                let first = &model.prices[0];
                warnings.push(Warning {
                    kind: WarningKind::BeforeFirstPrice,
                    message: format!(
                        "the request is dated {} but {}'s first known price is from {}; that price was used",
                        options.at,
                        model.id,
                        first.from.map_or_else(|| "its release".to_string(), |d| d.to_string())
                    ),
                });
                first
            }
        };
        let (rates, batch) = match (options.batch, &set.batch) {
            (true, Some(batch)) => (batch, true),
            (true, None) => {
                warnings.push(Warning {
                    kind: WarningKind::BatchUnavailable,
                    message: format!(
                        "{} has no batch price in the catalog; priced at standard rates",
                        model.id
                    ),
                });
                (&set.standard, false)
            }
            (false, _) => (&set.standard, false),
        };
        Plan {
            model,
            inclusive_tiers,
            prices_from: set.from,
            rates,
            standard: batch.then_some(&set.standard),
            batch,
            warnings,
        }
    }

    /// Prices `usage` as this plan says.
    ///
    /// # Errors
    ///
    /// As [`cost_of`].
    pub(crate) fn price(&self, usage: &Usage) -> Result<Priced> {
        usage.validate()?;
        let mut priced = Priced {
            total_usd: Usd::ZERO,
            components: Components::FREE,
            tier: None,
            batch: false,
            prices_from: None,
            warnings: Vec::new(),
        };
        let Priced {
            total_usd,
            components,
            tier,
            batch,
            prices_from,
            warnings,
        } = &mut priced;
        self.price_into(
            usage,
            PricedInto {
                total_usd,
                components,
                tier,
                batch,
                prices_from,
                warnings,
            },
        )?;
        Ok(priced)
    }

    /// [`Plan::price`] of a usage known to keep [`Usage`]'s invariants (one a shape reader
    /// gave, which they check), into the fields of a record (or of a [`Priced`]), which are
    /// left as they were on an error.
    ///
    /// # Errors
    ///
    /// As [`cost_of`] for a valid usage.
    pub(crate) fn price_into(&self, usage: &Usage, out: PricedInto<'_>) -> Result<()> {
        debug_assert!(usage.validate().is_ok(), "an invalid usage: {usage:?}");
        let model = self.model;
        let inclusive_tiers = self.inclusive_tiers;
        let batch = self.batch;
        let mut warnings = self.warnings.clone();
        let prompt_tokens = usage.input_tokens;
        let (prices, tier) = select_tier(self.rates, prompt_tokens, inclusive_tiers);
        let standard_prices = self
            .standard
            .map(|standard| select_tier(standard, prompt_tokens, inclusive_tiers).0);
        if let Some(tier) = tier {
            warnings.push(Warning {
                kind: WarningKind::LongContextTier,
                message: format!(
                    "the prompt of {} tokens is {} {}'s {}-token threshold: every token is priced at the long-context rates",
                    tier.prompt_tokens,
                    if tier.inclusive { "at or above" } else { "above" },
                    model.id,
                    tier.above_tokens
                ),
            });
        }
        // The price for a component the table has no price for. (A price the table has is
        // the usual case, taken without calling this.)
        let mut fallback = |kind: &str,
                            tokens: u64,
                            standard: Option<UsdPerMtok>,
                            chain: &[(&str, Option<UsdPerMtok>)]|
         -> UsdPerMtok {
            if let Some(price) = standard {
                if tokens > 0 {
                    warnings.push(Warning {
                        kind: WarningKind::PriceFallback,
                        message: format!(
                            "{} has no batch {kind} price; the standard {kind} price was used",
                            model.id
                        ),
                    });
                }
                return price;
            }
            for (name, price) in chain {
                if let Some(price) = price {
                    if tokens > 0 {
                        warnings.push(Warning {
                            kind: WarningKind::PriceFallback,
                            message: format!(
                                "{} has no {kind} price; the {name} price was used",
                                model.id
                            ),
                        });
                    }
                    return *price;
                }
            }
            unreachable!("the chain ends with the input price")
        };
        let input_price = Some(prices.input_usd_per_mtok);
        let cache_read = match prices.cache_read_usd_per_mtok {
            Some(price) => price,
            None => fallback(
                "cache-read",
                usage.cache_read_tokens,
                standard_prices.and_then(|p| p.cache_read_usd_per_mtok),
                &[("input", input_price)],
            ),
        };
        let cache_write_5m = match prices.cache_write_5m_usd_per_mtok {
            Some(price) => price,
            None => fallback(
                "5-minute cache-write",
                usage.cache_write_5m_tokens,
                standard_prices.and_then(|p| p.cache_write_5m_usd_per_mtok),
                &[("input", input_price)],
            ),
        };
        let cache_write_1h = match prices.cache_write_1h_usd_per_mtok {
            Some(price) => price,
            None => fallback(
                "1-hour cache-write",
                usage.cache_write_1h_tokens,
                standard_prices.and_then(|p| p.cache_write_1h_usd_per_mtok),
                &[
                    ("5-minute cache-write", prices.cache_write_5m_usd_per_mtok),
                    ("input", input_price),
                ],
            ),
        };
        let storage_price = prices
            .cache_storage_usd_per_mtok_hour
            .or(standard_prices.and_then(|p| p.cache_storage_usd_per_mtok_hour));
        let storage_price = match (usage.cache_storage_token_hours, storage_price) {
            (0, price) => price.unwrap_or(UsdPerMtok::ZERO),
            (_, Some(price)) => price,
            (_, None) => {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "{} has no context-cache storage price, so {} token-hours of storage cannot be priced",
                        model.id, usage.cache_storage_token_hours
                    ),
                ))
            }
        };

        let components = Components {
            input: Component::new(usage.uncached_input_tokens(), prices.input_usd_per_mtok),
            cache_write_5m: Component::new(usage.cache_write_5m_tokens, cache_write_5m),
            cache_write_1h: Component::new(usage.cache_write_1h_tokens, cache_write_1h),
            cache_read: Component::new(usage.cache_read_tokens, cache_read),
            output: Component::new(usage.output_tokens, prices.output_usd_per_mtok),
            cache_storage: Component::new(usage.cache_storage_token_hours, storage_price),
        };
        let total_usd = components.named().iter().map(|(_, c)| c.usd).sum();

        if let Some(window) = model.context_window {
            let needed = usage.input_tokens.saturating_add(usage.output_tokens);
            if needed > window {
                warnings.push(Warning {
                    kind: WarningKind::ContextWindowExceeded,
                    message: format!(
                        "{} prompt and output tokens exceed {}'s context window of {window}",
                        needed, model.id
                    ),
                });
            }
        }
        if let Some(max) = model.max_output_tokens {
            if usage.output_tokens > max {
                warnings.push(Warning {
                    kind: WarningKind::OutputAboveMaximum,
                    message: format!(
                        "{} output tokens exceed {}'s maximum output of {max}",
                        usage.output_tokens, model.id
                    ),
                });
            }
        }

        *out.total_usd = total_usd;
        *out.components = components;
        *out.tier = tier;
        *out.batch = batch;
        *out.prices_from = self.prices_from;
        *out.warnings = warnings;
        Ok(())
    }
}

/// Where [`Plan::price_into`] writes what [`Priced`] holds: the fields of a record, priced
/// in place.
pub(crate) struct PricedInto<'r> {
    pub(crate) total_usd: &'r mut Usd,
    pub(crate) components: &'r mut Components,
    pub(crate) tier: &'r mut Option<AppliedTier>,
    pub(crate) batch: &'r mut bool,
    pub(crate) prices_from: &'r mut Option<Date>,
    pub(crate) warnings: &'r mut Vec<Warning>,
}

/// The prices for a prompt of `prompt_tokens`: the highest tier it is above, else the base.
pub fn select_tier(
    rates: &Rates,
    prompt_tokens: u64,
    inclusive: bool,
) -> (&Prices, Option<AppliedTier>) {
    let crossed = |threshold: u64| {
        if inclusive {
            prompt_tokens >= threshold
        } else {
            prompt_tokens > threshold
        }
    };
    match rates
        .tiers
        .iter()
        .rev()
        .find(|tier| crossed(tier.above_tokens))
    {
        Some(tier) => (
            &tier.prices,
            Some(AppliedTier {
                above_tokens: tier.above_tokens,
                inclusive,
                prompt_tokens,
            }),
        ),
        None => (&rates.base, None),
    }
}
