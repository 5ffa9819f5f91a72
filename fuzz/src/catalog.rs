//! Targets `catalog` (llmcost's own catalog file: `Catalog::from_json`, `Catalog::from_toml`)
//! and `load_prices` (`Catalog::load_prices` over the bundled catalog: llmcost files with
//! overrides, genai-prices v2 feeds and LiteLLM tables, detected by `detect_price_file`).
//!
//! Modes: 0 reads the rest as JSON, 1 as TOML (`catalog`) or as any price file
//! (`load_prices`); any other draws a file of one format from its keys, each filled with a
//! value of the kind its name asks for (prices, dates, counts, names), now and then not.
//!
//! Invariants: a catalog that loads has price sets in date order, tiers in threshold order,
//! prices that are never negative and re-encode to themselves, every model found by its own
//! `provider/id`, and costs that add up and are never negative; a failed `load_prices`
//! leaves the catalog exactly as it was; a successful one read the detected format.

use cost_core::{detect_price_file, Catalog, ErrorKind, MergePolicy, Model, Origin, Usage};
use serde_json::{Map, Value};

use super::gen::Gen;

pub fn check_catalog(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let text = match mode % 4 {
        0 | 1 => String::from_utf8_lossy(rest).into_owned(),
        _ => {
            let mut g = Gen::new(rest);
            let file = llmcost_file(&mut g, false);
            as_text(&mut g, &file)
        }
    };
    for origin in [Origin::User, Origin::Bundled] {
        let loaded = if mode % 4 == 1 || !text.trim_start().starts_with(['{', '[']) {
            Catalog::from_toml(&text, origin)
        } else {
            Catalog::from_json(&text, origin)
        };
        if let Ok(catalog) = loaded {
            for model in catalog.models() {
                check_model(&catalog, model);
            }
        }
    }
}

pub fn check_load_prices(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let text = if mode % 4 < 2 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        let mut g = Gen::new(rest);
        let file = match g.below(3) {
            0 => Value::Object(llmcost_file(&mut g, true)),
            1 => genai_feed(&mut g),
            _ => litellm_table(&mut g),
        };
        match &file {
            Value::Object(map) if g.below(4) == 0 => as_text(&mut g, map),
            _ => g.json_text(&file),
        }
    };
    let detected = detect_price_file(&text);
    let before = super::bundled();
    let policy = if mode & 0x10 == 0 {
        MergePolicy::Replace
    } else {
        MergePolicy::KeepExisting
    };
    let mut catalog = before.clone();
    match catalog.load_prices(&text, policy) {
        Ok(report) => {
            assert_eq!(detected, Ok(report.format), "read as another format");
            for model in catalog.models() {
                if model.origin != Origin::Bundled || model.overridden {
                    check_model(&catalog, model);
                }
            }
        }
        Err(error) => {
            assert!(
                catalog.models() == before.models() && catalog.providers() == before.providers(),
                "a failed import changed the catalog: {error}"
            );
        }
    }
}

/// The invariants of one model of a loaded catalog.
fn check_model(catalog: &Catalog, model: &Model) {
    let name = model.qualified_id();
    assert!(!model.prices.is_empty(), "{name}: no prices");
    for (i, set) in model.prices.iter().enumerate() {
        if i > 0 {
            let (previous, from) = (model.prices[i - 1].from, set.from);
            assert!(
                from.is_some() && previous < from,
                "{name}: price sets out of date order"
            );
        }
        for rates in std::iter::once(&set.standard).chain(&set.batch) {
            let mut all = vec![&rates.base];
            for pair in rates.tiers.windows(2) {
                assert!(
                    pair[0].above_tokens < pair[1].above_tokens,
                    "{name}: tiers out of order"
                );
            }
            all.extend(rates.tiers.iter().map(|t| &t.prices));
            for prices in all {
                let optional = [
                    prices.cache_read_usd_per_mtok,
                    prices.cache_write_5m_usd_per_mtok,
                    prices.cache_write_1h_usd_per_mtok,
                    prices.cache_storage_usd_per_mtok_hour,
                ];
                for price in [prices.input_usd_per_mtok, prices.output_usd_per_mtok]
                    .into_iter()
                    .chain(optional.into_iter().flatten())
                {
                    super::money::check_price(price);
                }
            }
        }
    }
    match catalog.find(&name) {
        Ok(found) => assert_eq!(found.qualified_id(), name, "`{name}` finds another model"),
        Err(error) => assert_eq!(
            error.kind(),
            ErrorKind::AmbiguousModel,
            "`{name}` is not found: {error}"
        ),
    }
    // A prompt above every tier, with each kind of cache and reasoning, on each price set.
    let usage = Usage {
        input_tokens: 4_000_000,
        cache_read_tokens: 1_000_000,
        cache_write_5m_tokens: 500_000,
        cache_write_1h_tokens: 250_000,
        output_tokens: 30_000,
        reasoning_tokens: 10_000,
        cache_storage_token_hours: 0,
    };
    for set in &model.prices {
        let at = set.from.unwrap_or_else(super::today);
        if let Ok(found) = catalog.find(&name) {
            if found.qualified_id() == name {
                super::price_everywhere(catalog, &name, &usage, at);
                super::price_everywhere(catalog, &name, &Usage::default(), at);
            }
        }
    }
}

/// Text of a file: JSON, or TOML when it has a TOML form (no `null`s).
fn as_text(g: &mut Gen, file: &Map<String, Value>) -> String {
    if g.bool() {
        if let Ok(text) = toml::to_string(file) {
            return text;
        }
    }
    g.json_text(&Value::Object(file.clone()))
}

/// The keys of llmcost's catalog format, at every level.
const LLMCOST_KEYS: &[&str] = &[
    "format",
    "providers",
    "models",
    "overrides",
    "id",
    "name",
    "aliases",
    "pricing_url",
    "tier_threshold_inclusive",
    "caching",
    "notes",
    "provider",
    "context_window",
    "max_output_tokens",
    "cache_min_tokens",
    "tokenizer",
    "prices_checked",
    "source",
    "deprecated",
    "prices",
    "from",
    "input_mtok",
    "output_mtok",
    "cache_read_mtok",
    "cache_write_5m_mtok",
    "cache_write_1h_mtok",
    "cache_storage_mtok_hour",
    "tiers",
    "above",
    "batch",
    "model",
    "batch_input_mtok",
    "batch_output_mtok",
];

const PROVIDERS: &[&str] = &[
    "anthropic",
    "openai",
    "google",
    "xai",
    "x-ai",
    "acme",
    "deepseek",
    "mistral",
];

/// An llmcost catalog file; `overrides` only for files loaded on top of a catalog.
fn llmcost_file(g: &mut Gen, overrides: bool) -> Map<String, Value> {
    let mut file = Map::new();
    if g.below(8) == 0 {
        file.insert("format".into(), g.number());
    }
    let providers = (0..g.below(3))
        .map(|_| {
            Value::Object(fields(
                g,
                &["id", "name"],
                &[
                    "aliases",
                    "pricing_url",
                    "tier_threshold_inclusive",
                    "caching",
                    "notes",
                ],
            ))
        })
        .collect();
    file.insert("providers".into(), Value::Array(providers));
    let models = (0..g.below(4))
        .map(|_| {
            let mut model = fields(
                g,
                &["provider", "id"],
                &[
                    "name",
                    "aliases",
                    "context_window",
                    "max_output_tokens",
                    "cache_min_tokens",
                    "tokenizer",
                    "prices_checked",
                    "deprecated",
                ],
            );
            let sets = (0..g.in_range(1, 3)).map(|_| price_set(g, true)).collect();
            model.insert("prices".into(), Value::Array(sets));
            Value::Object(model)
        })
        .collect();
    file.insert("models".into(), Value::Array(models));
    if overrides && g.bool() {
        let list = (0..g.in_range(1, 3))
            .map(|_| {
                Value::Object(fields(
                    g,
                    &["model"],
                    &[
                        "from",
                        "input_mtok",
                        "output_mtok",
                        "cache_read_mtok",
                        "cache_write_5m_mtok",
                        "cache_write_1h_mtok",
                        "batch_input_mtok",
                        "batch_output_mtok",
                    ],
                ))
            })
            .collect();
        file.insert("overrides".into(), Value::Array(list));
    }
    file
}

/// One price set (or batch table, or tier) of llmcost's format.
fn price_set(g: &mut Gen, top: bool) -> Value {
    let optional: &[&str] = if top {
        &[
            "from",
            "cache_read_mtok",
            "cache_write_5m_mtok",
            "cache_write_1h_mtok",
            "cache_storage_mtok_hour",
        ]
    } else {
        &[
            "cache_read_mtok",
            "cache_write_5m_mtok",
            "cache_write_1h_mtok",
            "cache_storage_mtok_hour",
        ]
    };
    let mut set = fields(g, &["input_mtok", "output_mtok"], optional);
    if g.below(3) == 0 {
        let mut above = 0;
        let tiers = (0..g.in_range(1, 2))
            .map(|_| {
                let mut tier = fields(g, &["input_mtok", "output_mtok"], optional);
                above += g.in_range(0, 300_000);
                tier.insert("above".into(), Value::from(above));
                Value::Object(tier)
            })
            .collect();
        set.insert("tiers".into(), Value::Array(tiers));
    }
    if top && g.below(3) == 0 {
        set.insert("batch".into(), price_set(g, false));
    }
    Value::Object(set)
}

/// An object with the `required` keys, some of the `optional` ones, and now and then a key
/// of the format at the wrong level; each value of the kind its key asks for.
fn fields(g: &mut Gen, required: &[&str], optional: &[&str]) -> Map<String, Value> {
    let mut map = Map::new();
    for key in required {
        if g.below(16) != 0 {
            map.insert(key.to_string(), field(g, key));
        }
    }
    for key in optional {
        if g.below(3) == 0 {
            map.insert(key.to_string(), field(g, key));
        }
    }
    if g.below(16) == 0 {
        let key = g.key(LLMCOST_KEYS);
        let value = field(g, &key);
        map.insert(key, value);
    }
    map
}

/// A value of the kind the key `key` asks for (now and then anything).
fn field(g: &mut Gen, key: &str) -> Value {
    if g.below(20) == 0 {
        return g.value(LLMCOST_KEYS, 1);
    }
    match key {
        k if k.ends_with("_mtok") || k.ends_with("_mtok_hour") || k.contains("cost_per") => {
            g.price()
        }
        "from" | "prices_checked" | "start_date" | "deprecation_date" => {
            Value::String(g.date_text())
        }
        "above" | "start" | "context_window" | "max_output_tokens" | "cache_min_tokens"
        | "max_input_tokens" | "max_tokens" => Value::from(g.count()),
        "tier_threshold_inclusive" | "deprecated" => Value::Bool(g.bool()),
        "caching" => Value::from(g.pick(&["explicit", "automatic", "none", "sometimes"])),
        "tokenizer" => Value::from(g.pick(&["o200k_base", "claude", "gemini", "other", "x"])),
        "aliases" => Value::Array(
            (0..g.below(3))
                .map(|_| Value::from(g.name(super::MODELS)))
                .collect(),
        ),
        "provider" | "litellm_provider" => Value::from(g.name(PROVIDERS)),
        "mode" => Value::from(g.pick(&["chat", "completion", "responses", "embedding"])),
        _ => Value::from(g.name(super::MODELS)),
    }
}

/// Price keys of the genai-prices feed, text and otherwise.
const GENAI_PRICE_KEYS: &[&str] = &[
    "input_mtok",
    "input_text_mtok",
    "output_mtok",
    "output_text_mtok",
    "cache_read_mtok",
    "cache_text_read_mtok",
    "cache_write_mtok",
    "cache_write_5m_mtok",
    "cache_text_write_mtok",
    "cache_write_1h_mtok",
    "input_audio_mtok",
    "output_reasoning_mtok",
    "requests_kcount",
];

/// A genai-prices v2 feed: providers with models, prices (tiered, dated, timed) and batch
/// variants.
fn genai_feed(g: &mut Gen) -> Value {
    let providers = (0..g.in_range(1, 2))
        .map(|_| {
            let mut provider = fields(g, &["id", "name"], &[]);
            if g.bool() {
                let url = Value::from(format!("https://{}.test/p", g.text(4)));
                provider.insert("pricing_urls".into(), Value::Array(vec![url]));
            }
            let models = (0..g.below(4))
                .map(|_| {
                    let mut model = fields(g, &["id"], &["name", "context_window", "deprecated"]);
                    if g.bool() {
                        let equals = Value::from(g.name(super::MODELS));
                        let clause = match g.below(3) {
                            0 => serde_json::json!({ "equals": equals }),
                            1 => serde_json::json!({ "or": [{ "equals": equals }, { "starts_with": "x" }] }),
                            _ => serde_json::json!({ "and": [{ "equals": equals }] }),
                        };
                        model.insert("match".into(), clause);
                    }
                    if g.below(4) == 0 {
                        model.insert("price_comments".into(), Value::from(g.text(20)));
                    }
                    let prices = if g.bool() {
                        genai_prices(g)
                    } else {
                        Value::Array(
                            (0..g.in_range(1, 3))
                                .map(|_| {
                                    let mut entry = Map::new();
                                    if g.bool() {
                                        entry.insert("constraint".into(), genai_constraint(g));
                                    }
                                    entry.insert("prices".into(), genai_prices(g));
                                    Value::Object(entry)
                                })
                                .collect(),
                        )
                    };
                    model.insert("prices".into(), prices);
                    if g.below(3) == 0 {
                        let variants = (0..g.in_range(1, 2))
                            .map(|_| {
                                let when = if g.below(4) == 0 {
                                    serde_json::json!({ "service_tier": "flex" })
                                } else {
                                    serde_json::json!({ "processing": "batch" })
                                };
                                let mut variant = Map::new();
                                variant.insert("when".into(), when);
                                if g.bool() {
                                    variant.insert("constraint".into(), genai_constraint(g));
                                }
                                variant.insert("prices".into(), genai_prices(g));
                                Value::Object(variant)
                            })
                            .collect();
                        model.insert("price_variants".into(), Value::Array(variants));
                    }
                    Value::Object(model)
                })
                .collect();
            provider.insert("models".into(), Value::Array(models));
            Value::Object(provider)
        })
        .collect();
    Value::Array(providers)
}

/// A genai-prices price table: flat or tiered prices per key.
fn genai_prices(g: &mut Gen) -> Value {
    let mut prices = Map::new();
    for _ in 0..g.below(5) {
        let key = g.key(GENAI_PRICE_KEYS);
        let price = if g.below(4) == 0 {
            let mut start = 0;
            let tiers = (0..g.below(3))
                .map(|_| {
                    start += g.in_range(0, 300_000);
                    serde_json::json!({ "start": start, "price": g.price() })
                })
                .collect();
            serde_json::json!({ "base": g.price(), "tiers": Value::Array(tiers) })
        } else {
            g.price()
        };
        prices.insert(key, price);
    }
    Value::Object(prices)
}

/// A genai-prices constraint: a start date, a time of day, or both.
fn genai_constraint(g: &mut Gen) -> Value {
    let mut constraint = Map::new();
    if g.bool() {
        constraint.insert("start_date".into(), Value::String(g.date_text()));
    }
    if g.bool() {
        for key in ["start_time", "end_time"] {
            let time = format!(
                "{:02}:{:02}:00{}",
                g.in_range(0, 25),
                g.in_range(0, 60),
                g.pick(&["Z", "+08:00", "", ".5Z"])
            );
            constraint.insert(key.into(), Value::String(time));
        }
    }
    Value::Object(constraint)
}

/// Keys of LiteLLM entries.
const LITELLM_KEYS: &[&str] = &[
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "input_cost_per_token_cache_hit",
    "input_cost_per_token_batches",
    "output_cost_per_token_batches",
    "input_cost_per_token_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "cache_read_input_token_cost_above_128k_tokens",
    "input_cost_per_token_priority",
    "input_cost_per_audio_token",
    "max_input_tokens",
    "max_output_tokens",
    "max_tokens",
    "source",
    "deprecation_date",
    "mode",
    "litellm_provider",
];

/// A LiteLLM price table: model names to entries of per-token prices.
fn litellm_table(g: &mut Gen) -> Value {
    let mut table = Map::new();
    if g.below(4) == 0 {
        table.insert("sample_spec".into(), serde_json::json!({ "mode": "chat" }));
    }
    for _ in 0..g.in_range(1, 4) {
        let name = match g.below(3) {
            0 => format!("{}/{}", g.name(PROVIDERS), g.name(super::MODELS)),
            _ => g.name(super::MODELS),
        };
        let mut entry = fields(
            g,
            &[
                "litellm_provider",
                "input_cost_per_token",
                "output_cost_per_token",
            ],
            &["mode"],
        );
        for _ in 0..g.below(5) {
            let key = g.key(LITELLM_KEYS);
            let value = field(g, &key);
            entry.insert(key, value);
        }
        // Per-token prices are millionths of per-million ones.
        for (key, value) in entry.iter_mut() {
            if let Some(price) = value.as_f64().filter(|_| key.contains("cost") && g.bool()) {
                *value = super::gen::float(price / 1e6);
            }
        }
        table.insert(name, Value::Object(entry));
    }
    Value::Object(table)
}
