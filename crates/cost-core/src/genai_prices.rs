//! Importer for the genai-prices v2 data feed (`prices/new_data/v2/data.json` of
//! pydantic/genai-prices): a JSON array of providers, each with its models and their prices
//! in USD per million tokens.
//!
//! # Mapping
//!
//! * Price keys: `input_mtok`, `output_mtok`, `cache_read_mtok`, `cache_write_mtok` (5-minute
//!   writes; `cache_write_5m_mtok` wins when both are given) and `cache_write_1h_mtok`. The
//!   text-only forms (`input_text_mtok`, `cache_text_read_mtok`, ...) are more specific and win
//!   over the general key. Other units (audio, image, video, searches, requests) are ignored
//!   and counted in the report. A model with no text input or output price (image-only, OCR,
//!   embeddings) is skipped and reported, except a `:free` variant (OpenRouter, Azure) whose
//!   prices are empty: it is free, and imported at $0.
//! * Tiers: a price may be `{base, tiers: [{start, price}]}`, priced when the prompt is above
//!   `start` tokens: our exclusive threshold. Our tiers price every component, so the tier
//!   starts of all keys are collected and, at each, every key takes its own price for that
//!   threshold (its highest tier at or below it, else its base).
//! * `prices` as a list of `{constraint?, prices}`: a `start_date` constraint is a dated price
//!   change. Per the feed's rule the last matching entry wins, so an entry hides earlier
//!   entries that start on or after its own date. A time-of-day constraint (DeepSeek's
//!   off-peak hours) cannot be represented: the price in force for most of the day is kept
//!   (the time window's price if the window is longer than 12 hours, otherwise the all-day
//!   price) and the other is reported as skipped.
//! * `price_variants` with `when: {processing: batch}` become batch prices, from their
//!   `start_date` on (the latest start on or before a day applies); a price set is split at a
//!   batch start date that falls inside it. Other variants (service tiers, speed, search
//!   type, routes) are ignored and counted.
//! * Aliases: every `equals` in `match` (through `or` and `and`), lowercased, unless another
//!   model of the provider already has that name.
//! * Tokenizer guessed from the id; `source` is the provider's first pricing URL; `notes`
//!   are the model's `price_comments`, cut to 500 characters.
//!
//! Malformed data (a wrong JSON type, a price that is not a non-negative number, a tier
//! without `start`, a bad date, a model without `id`) fails the whole import with the JSON
//! path of the value. Unknown keys are ignored (forward compatibility).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Map, Value};

use crate::catalog::{normalize, Catalog, Model, Origin, PriceSet, Prices, Provider, Rates};
use crate::date::Date;
use crate::error::Result;
use crate::import::{
    checked_id, flatten_tiers, guess_tokenizer, invalid, kind_of, parse_json, read_price,
    read_string, read_tokens, summary, truncate, Component, ImportReport, Imported, Json,
    PriceFileFormat, PriceUnit,
};
use crate::money::UsdPerMtok;

impl Catalog {
    /// Decodes a genai-prices v2 data feed (a JSON array of providers with their models).
    ///
    /// See the report for models skipped (no text-token prices), price variants that cannot be
    /// represented (time-of-day prices) and price kinds ignored (audio, images, searches).
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::InvalidCatalog`] with the JSON path of the first malformed value
    /// (`[3].models[12].prices.input_mtok`). Nothing is half-loaded.
    pub fn from_genai_prices_feed(json: &str) -> Result<(Catalog, ImportReport)> {
        import_feed(&parse_json(json)?)?.into_catalog()
    }
}

/// Text-token price keys, with the component each prices and its specificity (higher wins).
const TEXT_KEYS: [(&str, Component, u8); 12] = [
    ("input_mtok", Component::Input, 0),
    ("input_text_mtok", Component::Input, 1),
    ("output_mtok", Component::Output, 0),
    ("output_text_mtok", Component::Output, 1),
    ("cache_read_mtok", Component::CacheRead, 0),
    ("cache_text_read_mtok", Component::CacheRead, 1),
    ("cache_write_mtok", Component::CacheWrite5m, 0),
    ("cache_write_5m_mtok", Component::CacheWrite5m, 1),
    ("cache_text_write_mtok", Component::CacheWrite5m, 2),
    ("cache_text_write_5m_mtok", Component::CacheWrite5m, 3),
    ("cache_write_1h_mtok", Component::CacheWrite1h, 0),
    ("cache_text_write_1h_mtok", Component::CacheWrite1h, 1),
];

/// A time-of-day window longer than this (seconds) is "most of the day".
const HALF_DAY: u32 = 12 * 3600;

/// Reads a whole feed.
pub(crate) fn import_feed(json: &Json) -> Result<Imported> {
    let Json::Array(items) = json else {
        return Err(invalid(
            "a genai-prices feed is a JSON array of providers, each with `models`",
        ));
    };
    let mut feed = Feed {
        report: ImportReport::new(PriceFileFormat::GenaiPricesFeed),
        ignored_keys: BTreeMap::new(),
        ignored_variants: BTreeMap::new(),
        skipped_reasons: BTreeMap::new(),
        dropped_aliases: 0,
        free: 0,
    };
    let mut providers: Vec<Provider> = Vec::new();
    let mut models: Vec<Model> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("[{i}]");
        let object = as_object(item, &path, "a provider object")?;
        let provider = read_provider(object, &path)?;
        let Some(list) = object.get("models") else {
            return Err(invalid("missing `models`").at(format!("{path}.models")));
        };
        let list = as_array(list, &format!("{path}.models"))?;
        let mut taken: HashSet<String> = models
            .iter()
            .filter(|m| m.provider == provider.id)
            .map(|m| normalize(&m.id))
            .collect();
        let mut built = Vec::new();
        for (j, entry) in list.iter().enumerate() {
            let model_path = format!("{path}.models[{j}]");
            let object = as_object(entry, &model_path, "a model object")?;
            let id = checked_id(object.get("id"), &format!("{model_path}.id"))?;
            if !taken.insert(normalize(id)) {
                feed.skip(
                    format!("{}/{id}", provider.id),
                    "duplicate id",
                    "a model with this id comes earlier in the feed; the first is kept",
                );
                continue;
            }
            if let Some(model) = feed.read_model(&provider, object, id, &model_path)? {
                built.push(model);
            }
        }
        // An alias names one model: not another model's id, not an earlier model's alias.
        for model in &mut built {
            let before = model.aliases.len();
            model.aliases.retain(|a| taken.insert(normalize(a)));
            feed.dropped_aliases += before - model.aliases.len();
        }
        models.extend(built);
        if !providers.iter().any(|p| p.id == provider.id) {
            providers.push(provider);
        }
    }
    let mut report = feed.report;
    report.notes.extend(summary(
        "price keys ignored, not text tokens (per model)",
        &feed.ignored_keys,
    ));
    report.notes.extend(summary(
        "price variants ignored (only batch is kept)",
        &feed.ignored_variants,
    ));
    if feed.free > 0 {
        report.notes.push(format!(
            "{} `:free` models list no prices and are imported at $0; other models without \
             prices are skipped",
            feed.free
        ));
    }
    if feed.dropped_aliases > 0 {
        report.notes.push(format!(
            "{} `match` names were not added as aliases: another model of the same provider \
             has that name",
            feed.dropped_aliases
        ));
    }
    report
        .notes
        .extend(summary("entries skipped", &feed.skipped_reasons));
    Ok(Imported {
        providers,
        models,
        report,
    })
}

struct Feed {
    report: ImportReport,
    ignored_keys: BTreeMap<String, usize>,
    ignored_variants: BTreeMap<String, usize>,
    skipped_reasons: BTreeMap<String, usize>,
    dropped_aliases: usize,
    free: usize,
}

/// Per-component prices of one `prices` object.
#[derive(Debug, Clone, Default)]
struct KeyPrices {
    /// Component → (specificity, price).
    components: BTreeMap<Component, (u8, Tiered)>,
    /// Non-text keys present.
    ignored: BTreeSet<String>,
    /// Every key present.
    keys: BTreeSet<String>,
}

#[derive(Debug, Clone)]
struct Tiered {
    base: UsdPerMtok,
    /// Ascending by start.
    tiers: Vec<(u64, UsdPerMtok)>,
}

#[derive(Debug, Clone)]
enum Constraint {
    Always,
    From(Date),
    TimeOfDay {
        start: String,
        end: String,
        seconds: u32,
    },
    Unsupported(String),
}

impl Feed {
    fn skip(&mut self, name: String, kind: &str, detail: &str) {
        self.report.skipped.push(format!("{name}: {detail}"));
        *self.skipped_reasons.entry(kind.to_string()).or_default() += 1;
    }

    fn read_model(
        &mut self,
        provider: &Provider,
        object: &Map<String, Value>,
        id: &str,
        path: &str,
    ) -> Result<Option<Model>> {
        let qualified = format!("{}/{id}", provider.id);
        let name = read_string(object.get("name"), &format!("{path}.name"))?
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(id)
            .to_string();
        let context_window = read_tokens(
            object.get("context_window"),
            &format!("{path}.context_window"),
        )?;
        let deprecated = match object.get("deprecated") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(
                    invalid(format!("expected a boolean, got {}", kind_of(other)))
                        .at(format!("{path}.deprecated")),
                );
            }
        };
        let comments = read_string(
            object.get("price_comments"),
            &format!("{path}.price_comments"),
        )?
        .unwrap_or("");
        let mut aliases = Vec::new();
        if let Some(clause) = object.get("match") {
            collect_equals(clause, &mut aliases);
        }
        let lower_id = id.to_ascii_lowercase();
        let mut aliases: Vec<String> = aliases
            .into_iter()
            .map(|a| a.trim().to_ascii_lowercase())
            .filter(|a| {
                !a.is_empty()
                    && *a != lower_id
                    && a.len() <= 200
                    && !a.chars().any(char::is_control)
            })
            .collect();
        let mut seen = HashSet::new();
        aliases.retain(|a| seen.insert(normalize(a)));

        // Standard prices over time.
        let prices_path = format!("{path}.prices");
        let Some(prices) = object.get("prices") else {
            return Err(invalid("missing `prices`").at(prices_path));
        };
        let entries: Vec<(Constraint, KeyPrices)> = match prices {
            Value::Object(_) => vec![(Constraint::Always, self.read_prices(prices, &prices_path)?)],
            Value::Array(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (n, entry) in list.iter().enumerate() {
                    let entry_path = format!("{prices_path}[{n}]");
                    let object = as_object(entry, &entry_path, "a conditional price object")?;
                    let constraint = read_constraint(
                        object.get("constraint"),
                        &format!("{entry_path}.constraint"),
                    )?;
                    let Some(inner) = object.get("prices") else {
                        return Err(invalid("missing `prices`").at(format!("{entry_path}.prices")));
                    };
                    out.push((
                        constraint,
                        self.read_prices(inner, &format!("{entry_path}.prices"))?,
                    ));
                }
                out
            }
            other => {
                return Err(invalid(format!(
                    "expected a price object or a list of conditional prices, got {}",
                    kind_of(other)
                ))
                .at(prices_path));
            }
        };
        let mut ignored: BTreeSet<String> = BTreeSet::new();
        let mut timeline: Vec<(Option<Date>, KeyPrices)> = Vec::new();
        for (constraint, prices) in entries {
            ignored.extend(prices.ignored.iter().cloned());
            match constraint {
                Constraint::Always => {
                    // Matches every day, so it hides every earlier entry.
                    timeline.clear();
                    timeline.push((None, prices));
                }
                Constraint::From(date) => {
                    timeline.retain(|(from, _)| from.is_none_or(|f| f < date));
                    timeline.push((Some(date), prices));
                }
                Constraint::TimeOfDay {
                    start,
                    end,
                    seconds,
                } => {
                    if seconds > HALF_DAY {
                        timeline.clear();
                        timeline.push((None, prices));
                        self.skip(
                            qualified.clone(),
                            "time-of-day price",
                            &format!(
                                "the off-peak price (outside {start}–{end}) cannot be \
                                 represented; the {start}–{end} price, in force {} a day, is \
                                 kept",
                                hours(seconds)
                            ),
                        );
                    } else {
                        self.skip(
                            qualified.clone(),
                            "time-of-day price",
                            &format!(
                                "the {start}–{end} price ({} a day) cannot be \
                                 represented; the price for the rest of the day is kept",
                                hours(seconds)
                            ),
                        );
                    }
                }
                Constraint::Unsupported(what) => self.skip(
                    qualified.clone(),
                    "unsupported constraint",
                    &format!("a price with constraint {what} cannot be represented"),
                ),
            }
        }
        for key in &ignored {
            *self.ignored_keys.entry(key.clone()).or_default() += 1;
        }
        if timeline.is_empty() {
            self.skip(
                qualified,
                "no all-day price",
                "no price applies at all times of day",
            );
            return Ok(None);
        }
        let mut standard: Vec<(Option<Date>, Rates)> = Vec::new();
        // OpenRouter's and Azure's `:free` variants list no prices at all: they are free.
        // Any other model without prices is skipped: a missing price is never zero.
        let free = id.to_ascii_lowercase().ends_with(":free")
            && timeline.iter().all(|(_, p)| p.keys.is_empty());
        for (from, prices) in &timeline {
            match rates(prices) {
                Some(rates) => standard.push((*from, rates)),
                None if free => standard.push((
                    *from,
                    Rates {
                        base: Prices {
                            input_usd_per_mtok: UsdPerMtok::ZERO,
                            output_usd_per_mtok: UsdPerMtok::ZERO,
                            cache_read_usd_per_mtok: None,
                            cache_write_5m_usd_per_mtok: None,
                            cache_write_1h_usd_per_mtok: None,
                            cache_storage_usd_per_mtok_hour: None,
                        },
                        tiers: Vec::new(),
                    },
                )),
                None => {
                    let keys: BTreeSet<&str> = timeline
                        .iter()
                        .flat_map(|(_, p)| p.keys.iter().map(String::as_str))
                        .collect();
                    let detail = if keys.is_empty() {
                        "no prices listed".to_string()
                    } else {
                        let keys: Vec<&str> = keys.into_iter().take(5).collect();
                        format!(
                            "no text-token prices (needs input_mtok and output_mtok); has {}",
                            keys.join(", ")
                        )
                    };
                    self.skip(qualified, "no text-token prices", &detail);
                    return Ok(None);
                }
            }
        }

        // Batch prices over time, from `price_variants`.
        let mut batch: Vec<(Option<Date>, Rates)> = Vec::new();
        if let Some(variants) = object.get("price_variants").filter(|v| !v.is_null()) {
            let variants_path = format!("{path}.price_variants");
            for (n, variant) in as_array(variants, &variants_path)?.iter().enumerate() {
                let variant_path = format!("{variants_path}[{n}]");
                let object = as_object(variant, &variant_path, "a price variant object")?;
                let when = object.get("when").unwrap_or(&Value::Null);
                let is_batch = when.as_object().is_some_and(|w| {
                    w.len() == 1 && w.get("processing").and_then(Value::as_str) == Some("batch")
                });
                if !is_batch {
                    *self.ignored_variants.entry(describe(when)).or_default() += 1;
                    continue;
                }
                let constraint = read_constraint(
                    object.get("constraint"),
                    &format!("{variant_path}.constraint"),
                )?;
                let Some(inner) = object.get("prices") else {
                    return Err(invalid("missing `prices`").at(format!("{variant_path}.prices")));
                };
                let prices = self.read_prices(inner, &format!("{variant_path}.prices"))?;
                let Some(rates) = rates(&prices) else {
                    self.skip(
                        qualified.clone(),
                        "batch price without text tokens",
                        "a batch price without text input and output prices is left out",
                    );
                    continue;
                };
                let from = match constraint {
                    Constraint::Always => None,
                    Constraint::From(date) => Some(date),
                    Constraint::TimeOfDay { start, end, .. } => {
                        self.skip(
                            qualified.clone(),
                            "time-of-day price",
                            &format!("the {start}–{end} batch price cannot be represented"),
                        );
                        continue;
                    }
                    Constraint::Unsupported(what) => {
                        self.skip(
                            qualified.clone(),
                            "unsupported constraint",
                            &format!("a batch price with constraint {what} cannot be represented"),
                        );
                        continue;
                    }
                };
                batch.retain(|(f, _)| *f != from);
                batch.push((from, rates));
            }
            batch.sort_by_key(|(from, _)| *from);
        }

        // Split price sets where batch prices start.
        let first = standard[0].0;
        let mut points: Vec<Option<Date>> = standard.iter().map(|(from, _)| *from).collect();
        for (from, _) in &batch {
            if from.is_some() && *from > first && !points.contains(from) {
                points.push(*from);
            }
        }
        points.sort();
        let sets: Vec<PriceSet> = points
            .into_iter()
            .map(|point| {
                let standard = standard
                    .iter()
                    .rev()
                    .find(|(from, _)| *from <= point)
                    .unwrap_or(&standard[0]);
                let batch = batch.iter().rev().find(|(from, _)| *from <= point);
                PriceSet {
                    from: point,
                    standard: standard.1.clone(),
                    batch: batch.map(|(_, rates)| rates.clone()),
                }
            })
            .collect();

        let mut notes = truncate(comments, 500);
        if free {
            self.free += 1;
            if !notes.is_empty() {
                notes.push(' ');
            }
            notes.push_str("A `:free` variant: the feed lists no prices, so it is priced at $0.");
        }
        if ignored.contains("output_reasoning_mtok")
            || ignored.contains("output_text_reasoning_mtok")
        {
            if !notes.is_empty() {
                notes.push(' ');
            }
            notes.push_str(
                "genai-prices gives reasoning tokens their own price; llmcost prices them as output.",
            );
        }
        Ok(Some(Model {
            provider: provider.id.clone(),
            id: id.to_string(),
            name,
            aliases,
            context_window,
            max_output_tokens: None,
            cache_min_tokens: None,
            tokenizer: guess_tokenizer(&provider.id, id),
            prices: sets,
            prices_checked: None,
            source: provider.pricing_url.clone(),
            notes,
            origin: Origin::GenaiPrices,
            overridden: false,
            deprecated,
        }))
    }

    /// Reads one `prices` object: the text-token keys, checked; other keys are only named.
    fn read_prices(&mut self, value: &Value, path: &str) -> Result<KeyPrices> {
        let object = as_object(value, path, "an object of prices")?;
        let mut out = KeyPrices::default();
        for (key, value) in object {
            out.keys.insert(key.clone());
            let Some(&(_, component, rank)) = TEXT_KEYS.iter().find(|(k, _, _)| k == key) else {
                out.ignored.insert(key.clone());
                continue;
            };
            let tiered = self.read_tiered(value, &format!("{path}.{key}"))?;
            let slot = out
                .components
                .entry(component)
                .or_insert((rank, tiered.clone()));
            if rank > slot.0 {
                *slot = (rank, tiered);
            }
        }
        Ok(out)
    }

    /// A number, or `{base, tiers: [{start, price}]}`.
    fn read_tiered(&mut self, value: &Value, path: &str) -> Result<Tiered> {
        let notes = &mut self.report.notes;
        match value {
            Value::Object(object) => {
                let Some(base) = object.get("base") else {
                    return Err(invalid("a tiered price needs `base`").at(format!("{path}.base")));
                };
                let base = read_price(base, PriceUnit::PerMtok, &format!("{path}.base"), notes)?;
                let mut tiers: Vec<(u64, UsdPerMtok)> = Vec::new();
                if let Some(list) = object.get("tiers").filter(|v| !v.is_null()) {
                    let tiers_path = format!("{path}.tiers");
                    for (k, tier) in as_array(list, &tiers_path)?.iter().enumerate() {
                        let tier_path = format!("{tiers_path}[{k}]");
                        let tier = as_object(tier, &tier_path, "a tier object")?;
                        let start_path = format!("{tier_path}.start");
                        let start =
                            match tier.get("start") {
                                None => {
                                    return Err(invalid("a tier needs `start` (prompt tokens)")
                                        .at(start_path));
                                }
                                Some(Value::Number(n)) => match n.as_u64() {
                                    Some(0) => {
                                        return Err(invalid("a tier start must be above zero")
                                            .at(start_path));
                                    }
                                    Some(start) => start,
                                    None => {
                                        return Err(invalid(format!(
                                            "expected a positive whole number of tokens, got {n}"
                                        ))
                                        .at(start_path));
                                    }
                                },
                                Some(other) => {
                                    return Err(invalid(format!(
                                        "expected a number of tokens, got {}",
                                        kind_of(other)
                                    ))
                                    .at(start_path));
                                }
                            };
                        let Some(price) = tier.get("price") else {
                            return Err(
                                invalid("a tier needs `price`").at(format!("{tier_path}.price"))
                            );
                        };
                        let price = read_price(
                            price,
                            PriceUnit::PerMtok,
                            &format!("{tier_path}.price"),
                            notes,
                        )?;
                        if tiers.iter().any(|(s, _)| *s == start) {
                            return Err(
                                invalid(format!("tier start {start} is repeated")).at(start_path)
                            );
                        }
                        tiers.push((start, price));
                    }
                }
                tiers.sort_by_key(|(start, _)| *start);
                Ok(Tiered { base, tiers })
            }
            Value::Number(_) => Ok(Tiered {
                base: read_price(value, PriceUnit::PerMtok, path, notes)?,
                tiers: Vec::new(),
            }),
            other => Err(invalid(format!(
                "expected a price (USD per million tokens) as a number or {{base, tiers}}, got {}",
                kind_of(other)
            ))
            .at(path)),
        }
    }
}

/// The rates of one price object, or `None` without a text input and output price.
fn rates(prices: &KeyPrices) -> Option<Rates> {
    let get = |c: Component| prices.components.get(&c).map(|(_, t)| t);
    let input = get(Component::Input)?;
    let output = get(Component::Output)?;
    let base = Prices {
        input_usd_per_mtok: input.base,
        output_usd_per_mtok: output.base,
        cache_read_usd_per_mtok: get(Component::CacheRead).map(|t| t.base),
        cache_write_5m_usd_per_mtok: get(Component::CacheWrite5m).map(|t| t.base),
        cache_write_1h_usd_per_mtok: get(Component::CacheWrite1h).map(|t| t.base),
        cache_storage_usd_per_mtok_hour: None,
    };
    let tiers: Vec<(Component, Vec<(u64, UsdPerMtok)>)> = prices
        .components
        .iter()
        .map(|(c, (_, t))| (*c, t.tiers.clone()))
        .collect();
    Some(flatten_tiers(base, &tiers))
}

fn read_provider(object: &Map<String, Value>, path: &str) -> Result<Provider> {
    let feed_id = checked_id(object.get("id"), &format!("{path}.id"))?.to_ascii_lowercase();
    let name = read_string(object.get("name"), &format!("{path}.name"))?
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&feed_id)
        .to_string();
    let mut pricing_url = String::new();
    if let Some(urls) = object.get("pricing_urls").filter(|v| !v.is_null()) {
        let urls_path = format!("{path}.pricing_urls");
        for (k, url) in as_array(urls, &urls_path)?.iter().enumerate() {
            let url = read_string(Some(url), &format!("{urls_path}[{k}]"))?.unwrap_or("");
            if pricing_url.is_empty() {
                pricing_url = url.trim().to_string();
            }
        }
    }
    // genai-prices spells xAI `x-ai`; llmcost's id is `xai`, with `x-ai` as an alias.
    let (id, aliases) = match feed_id.as_str() {
        "x-ai" => ("xai".to_string(), vec![feed_id.clone()]),
        _ => (feed_id.clone(), Vec::new()),
    };
    Ok(Provider {
        id,
        name,
        aliases,
        pricing_url,
        tier_threshold_inclusive: false,
        caching: crate::catalog::CachingStyle::default(),
        notes: "Imported from the genai-prices v2 data feed.".to_string(),
    })
}

fn read_constraint(value: Option<&Value>, path: &str) -> Result<Constraint> {
    let object = match value {
        None | Some(Value::Null) => return Ok(Constraint::Always),
        Some(value) => as_object(value, path, "a constraint object")?,
    };
    if let Some(date) = object.get("start_date") {
        let date_path = format!("{path}.start_date");
        let text = read_string(Some(date), &date_path)?.unwrap_or("");
        let date: Date = text.parse().map_err(|e: String| {
            invalid(format!("expected a date YYYY-MM-DD: {e}")).at(&date_path)
        })?;
        return Ok(Constraint::From(date));
    }
    match (object.get("start_time"), object.get("end_time")) {
        (Some(start), Some(end)) => {
            let start_path = format!("{path}.start_time");
            let end_path = format!("{path}.end_time");
            let start_text = read_string(Some(start), &start_path)?.unwrap_or("");
            let end_text = read_string(Some(end), &end_path)?.unwrap_or("");
            let from = time_of_day(start_text, &start_path)?;
            let to = time_of_day(end_text, &end_path)?;
            let seconds = (to + 86_400 - from) % 86_400;
            let seconds = if seconds == 0 { 86_400 } else { seconds };
            Ok(Constraint::TimeOfDay {
                start: start_text.to_string(),
                end: end_text.to_string(),
                seconds,
            })
        }
        (Some(_), None) => {
            Err(invalid("a time-of-day constraint needs `end_time`").at(format!("{path}.end_time")))
        }
        (None, Some(_)) => {
            Err(invalid("a time-of-day constraint needs `start_time`")
                .at(format!("{path}.start_time")))
        }
        (None, None) if object.is_empty() => Ok(Constraint::Always),
        (None, None) => Ok(Constraint::Unsupported(describe(&Value::Object(
            object.clone(),
        )))),
    }
}

/// Seconds since midnight of `HH:MM[:SS[.fff]]`, followed by `Z` or an offset.
fn time_of_day(text: &str, path: &str) -> Result<u32> {
    let bad = || invalid(format!("expected a time of day HH:MM:SS, got `{text}`")).at(path);
    let body = text
        .split(['Z', 'z', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .next()
        .unwrap_or("");
    // A `-hh:mm` offset follows the seconds.
    let body = body.get(..8.min(body.len())).unwrap_or("");
    let parts: Vec<&str> = body.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let number = |p: &str| p.parse::<u32>().map_err(|_| bad());
    let (h, m) = (number(parts[0])?, number(parts[1])?);
    let s = if parts.len() == 3 {
        number(parts[2])?
    } else {
        0
    };
    if h > 23 || m > 59 || s > 60 {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60 + s.min(59))
}

fn hours(seconds: u32) -> String {
    if seconds % 3600 == 0 {
        format!("{} hours", seconds / 3600)
    } else {
        format!("{:.1} hours", f64::from(seconds) / 3600.0)
    }
}

/// Every `equals` value in a match clause, through `or` and `and`.
fn collect_equals(clause: &Value, out: &mut Vec<String>) {
    match clause {
        Value::Object(object) => {
            if let Some(Value::String(name)) = object.get("equals") {
                out.push(name.clone());
            }
            for key in ["or", "and"] {
                if let Some(Value::Array(items)) = object.get(key) {
                    for item in items {
                        collect_equals(item, out);
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_equals(item, out);
            }
        }
        _ => {}
    }
}

/// `service_tier=flex`, for counting ignored variants.
fn describe(when: &Value) -> String {
    match when {
        Value::Object(object) if !object.is_empty() => object
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

fn as_object<'a>(value: &'a Value, path: &str, what: &str) -> Result<&'a Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| invalid(format!("expected {what}, got {}", kind_of(value))).at(path))
}

fn as_array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| invalid(format!("expected an array, got {}", kind_of(value))).at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(models: &str) -> String {
        format!(
            r#"[{{"id": "acme", "name": "Acme", "pricing_urls": ["https://acme.test/p"], "models": [{models}]}}]"#
        )
    }

    fn one(models: &str) -> Model {
        let (catalog, _) = Catalog::from_genai_prices_feed(&feed(models)).unwrap();
        catalog.models()[0].clone()
    }

    #[test]
    fn tiers_combine_across_keys() {
        let model = one(r#"{"id": "m", "match": {"equals": "m"}, "prices": {
                "input_mtok": {"base": 1, "tiers": [{"start": 100, "price": 2}, {"start": 300, "price": 3}]},
                "output_mtok": {"base": 10, "tiers": [{"start": 200, "price": 20}]},
                "cache_read_mtok": 0.1}}"#);
        let rates = &model.prices[0].standard;
        let view: Vec<(u64, String, String, String)> = rates
            .tiers
            .iter()
            .map(|t| {
                (
                    t.above_tokens,
                    t.prices.input_usd_per_mtok.to_string(),
                    t.prices.output_usd_per_mtok.to_string(),
                    t.prices.cache_read_usd_per_mtok.unwrap().to_string(),
                )
            })
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            view,
            vec![
                (100, s("2"), s("10"), s("0.1")),
                (200, s("2"), s("20"), s("0.1")),
                (300, s("3"), s("20"), s("0.1")),
            ]
        );
        assert_eq!(model.source, "https://acme.test/p");
    }

    #[test]
    fn batch_variants_split_price_sets() {
        let model = one(r#"{"id": "m", "prices": [
                {"prices": {"input_mtok": 1, "output_mtok": 2}},
                {"constraint": {"start_date": "2026-01-01"}, "prices": {"input_mtok": 2, "output_mtok": 4}}
            ], "price_variants": [
                {"when": {"processing": "batch"}, "constraint": {"start_date": "2027-01-01"}, "prices": {"input_mtok": 1, "output_mtok": 2}},
                {"when": {"processing": "batch"}, "constraint": {"start_date": "2026-10-14"}, "prices": {"input_mtok": 0.5, "output_mtok": 1}},
                {"when": {"service_tier": "flex"}, "prices": {"input_mtok": 0.5, "output_mtok": 1}}
            ]}"#);
        let view: Vec<(String, String, Option<String>)> = model
            .prices
            .iter()
            .map(|set| {
                (
                    set.from.map_or("-".into(), |d| d.to_string()),
                    set.standard.base.input_usd_per_mtok.to_string(),
                    set.batch
                        .as_ref()
                        .map(|b| b.base.input_usd_per_mtok.to_string()),
                )
            })
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            view,
            vec![
                (s("-"), s("1"), None),
                (s("2026-01-01"), s("2"), None),
                (s("2026-10-14"), s("2"), Some(s("0.5"))),
                (s("2027-01-01"), s("2"), Some(s("1"))),
            ]
        );
    }

    #[test]
    fn off_peak_hours_are_reported() {
        let (catalog, report) = Catalog::from_genai_prices_feed(&feed(
            r#"{"id": "day", "prices": [
                {"prices": {"input_mtok": 0.135, "output_mtok": 0.55}},
                {"constraint": {"start_time": "00:30:00Z", "end_time": "16:30:00Z"}, "prices": {"input_mtok": 0.27, "output_mtok": 1.1}}]},
               {"id": "night", "prices": [
                {"prices": {"input_mtok": 0.27, "output_mtok": 1.1}},
                {"constraint": {"start_time": "16:30:00Z", "end_time": "00:30:00Z"}, "prices": {"input_mtok": 0.135, "output_mtok": 0.55}}]}"#,
        ))
        .unwrap();
        for model in catalog.models() {
            assert_eq!(model.prices.len(), 1);
            assert_eq!(
                model.prices[0].standard.base.input_usd_per_mtok.to_string(),
                "0.27"
            );
        }
        assert_eq!(report.skipped.len(), 2, "{:?}", report.skipped);
    }

    #[test]
    fn later_entries_hide_earlier_ones_from_their_date() {
        let model = one(r#"{"id": "m", "prices": [
                {"constraint": {"start_date": "2026-01-01"}, "prices": {"input_mtok": 1, "output_mtok": 2}},
                {"constraint": {"start_date": "2026-06-01"}, "prices": {"input_mtok": 2, "output_mtok": 4}},
                {"constraint": {"start_date": "2026-03-01"}, "prices": {"input_mtok": 3, "output_mtok": 6}}
            ]}"#);
        let froms: Vec<String> = model
            .prices
            .iter()
            .map(|s| s.from.unwrap().to_string())
            .collect();
        assert_eq!(froms, ["2026-01-01", "2026-03-01"]);
    }

    #[test]
    fn times_of_day_parse() {
        assert_eq!(time_of_day("00:30:00Z", "p").unwrap(), 1800);
        assert_eq!(time_of_day("16:30:00+08:00", "p").unwrap(), 59_400);
        assert_eq!(time_of_day("16:30", "p").unwrap(), 59_400);
        assert_eq!(time_of_day("16:30:00.5Z", "p").unwrap(), 59_400);
        assert!(time_of_day("4pm", "p").is_err());
        assert!(time_of_day("25:00:00", "p").is_err());
    }
}
