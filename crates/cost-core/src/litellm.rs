//! Importer for LiteLLM's model price table (`model_prices_and_context_window.json`): a JSON
//! object from model name to an entry with per-token USD prices.
//!
//! # Mapping
//!
//! * Entries with `mode` `chat`, `completion` or `responses`, or without `mode` but with
//!   per-token prices, are imported; others (embeddings, images, audio, `sample_spec`, ...)
//!   are skipped and reported, as are entries without both `input_cost_per_token` and
//!   `output_cost_per_token` (priced per second, per character, or not at all).
//! * Keys: `input_cost_per_token`, `output_cost_per_token`, `cache_read_input_token_cost`
//!   (DeepSeek's `input_cost_per_token_cache_hit` when it is absent),
//!   `cache_creation_input_token_cost` (5-minute writes),
//!   `cache_creation_input_token_cost_above_1hr` (1-hour writes). A `_batches` suffix gives
//!   batch prices; `_above_<N>k_tokens` gives a long-context tier above N × 1000 prompt
//!   tokens. Other suffixes (`_flex`, `_priority`, ...) and other units (audio, images,
//!   seconds, characters) are ignored and counted in the report.
//! * Tiers: our tiers price every component the base prices. Where LiteLLM gives a tier
//!   price for some keys only, the others keep their base price above the threshold (noted
//!   on the model); a tier price for a key the base lacks is dropped.
//! * Batch prices need both `input_cost_per_token_batches` and
//!   `output_cost_per_token_batches`; with one only, the model gets no batch price (noted).
//! * Provider: `litellm_provider`, mapped to llmcost's ids where the match is plain
//!   (`gemini` and `vertex_ai-language-models` → `google`, `together_ai` → `together`,
//!   `fireworks_ai` → `fireworks`, `bedrock_converse` → `bedrock`, `vertex_ai-*` →
//!   `vertex_ai`, ...), others kept as given. The mapped-from names become provider aliases.
//! * Id: the key, without a leading `provider/` that names the entry's provider. Of two
//!   entries with the same id for one provider, the first in the file is kept.
//! * `max_input_tokens` is the context window; `max_output_tokens` (else `max_tokens`) the
//!   output limit; `0` means unknown.
//!
//! Prices are floats per token: each goes through its shortest decimal text, then
//! [`UsdPerMtok::from_usd_per_token`]; float noise beyond a nano-dollar per million tokens
//! is rounded as text and noted (see `import.rs`). `null` counts as absent. A malformed
//! price (a string, a negative number, above $1 per token) fails the whole import with its
//! path, such as `["gpt-4o"].input_cost_per_token`.

use std::collections::{BTreeMap, HashSet};

use serde_json::{Map, Value};

use crate::catalog::{normalize, Catalog, Model, Origin, PriceSet, Prices, Provider, Rates};
use crate::error::Result;
use crate::import::{
    checked_id, flatten_tiers, guess_tokenizer, invalid, kind_of, parse_json, read_price,
    read_string, read_tokens, summary, Component, ImportReport, Imported, Json, PriceFileFormat,
    PriceUnit,
};
use crate::money::UsdPerMtok;

/// Where the table comes from, for models without their own `source`.
const TABLE_URL: &str =
    "https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json";

impl Catalog {
    /// Decodes a LiteLLM model price table (`model_prices_and_context_window.json`).
    ///
    /// See the report for entries skipped (not priced per text token) and price kinds
    /// ignored (flex and priority tiers, audio, images).
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::InvalidCatalog`] with the JSON path of the first malformed value
    /// (`["gpt-4o"].input_cost_per_token`). Nothing is half-loaded.
    pub fn from_litellm(json: &str) -> Result<(Catalog, ImportReport)> {
        import_table(&parse_json(json)?)?.into_catalog()
    }
}

/// What a LiteLLM key prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// One of our components, standard or batch, base or above a tier threshold.
    Price {
        component: Component,
        tier: Option<u64>,
        batch: bool,
    },
    /// `input_cost_per_token_cache_hit`: DeepSeek's name for the cache-read price.
    CacheHit,
    /// A price of something else (another unit, another service tier).
    Ignored,
    /// Not a price.
    Other,
}

fn parse_key(key: &str) -> Key {
    const BASES: [(&str, Component); 5] = [
        (
            "cache_creation_input_token_cost_above_1hr",
            Component::CacheWrite1h,
        ),
        ("cache_creation_input_token_cost", Component::CacheWrite5m),
        ("cache_read_input_token_cost", Component::CacheRead),
        ("input_cost_per_token", Component::Input),
        ("output_cost_per_token", Component::Output),
    ];
    if key == "input_cost_per_token_cache_hit" {
        return Key::CacheHit;
    }
    for (base, component) in BASES {
        let Some(mut rest) = key.strip_prefix(base) else {
            continue;
        };
        let mut tier = None;
        if let Some(after) = rest.strip_prefix("_above_") {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                if let Some(tail) = after[digits..].strip_prefix("k_tokens") {
                    tier = after[..digits]
                        .parse::<u64>()
                        .ok()
                        .and_then(|k| k.checked_mul(1000));
                    rest = tail;
                }
            }
        }
        return match rest {
            "" => Key::Price {
                component,
                tier,
                batch: false,
            },
            "_batches" => Key::Price {
                component,
                tier,
                batch: true,
            },
            _ => Key::Ignored,
        };
    }
    if key.contains("cost") {
        Key::Ignored
    } else {
        Key::Other
    }
}

/// llmcost's provider id and display name for a `litellm_provider`.
fn provider_for(litellm: &str) -> (String, String) {
    let (id, name) = match litellm {
        "anthropic" => ("anthropic", "Anthropic"),
        "openai" | "text-completion-openai" => ("openai", "OpenAI"),
        "gemini" | "vertex_ai-language-models" => ("google", "Google"),
        "xai" => ("xai", "xAI"),
        "deepseek" => ("deepseek", "DeepSeek"),
        "mistral" | "codestral" | "text-completion-codestral" => ("mistral", "Mistral"),
        "groq" => ("groq", "Groq"),
        "together_ai" => ("together", "Together AI"),
        "fireworks_ai" | "fireworks_ai-embedding-models" => ("fireworks", "Fireworks"),
        "cohere" | "cohere_chat" => ("cohere", "Cohere"),
        "bedrock" | "bedrock_converse" => ("bedrock", "AWS Bedrock"),
        "azure" | "azure_text" => ("azure", "Azure OpenAI"),
        "openrouter" => ("openrouter", "OpenRouter"),
        other if other.starts_with("vertex_ai") => ("vertex_ai", "Vertex AI"),
        other => (other, other),
    };
    (id.to_string(), name.to_string())
}

/// Whether a key's `prefix/` names the entry's provider.
fn names_provider(prefix: &str, litellm: &str, ours: &str) -> bool {
    let prefix = prefix.to_ascii_lowercase().replace('-', "_");
    let litellm = litellm.to_ascii_lowercase().replace('-', "_");
    prefix == litellm
        || litellm.starts_with(&format!("{prefix}_"))
        || prefix == ours.replace('-', "_")
        || provider_for(&prefix).0 == ours
}

struct Table {
    report: ImportReport,
    ignored_keys: BTreeMap<String, usize>,
    skipped_reasons: BTreeMap<String, usize>,
    filled_tiers: usize,
    dropped_tier_keys: usize,
    half_batch: usize,
}

impl Table {
    fn skip(&mut self, name: &str, kind: &str, detail: &str) {
        self.report.skipped.push(format!("{name}: {detail}"));
        *self.skipped_reasons.entry(kind.to_string()).or_default() += 1;
    }
}

/// Reads a whole table.
pub(crate) fn import_table(json: &Json) -> Result<Imported> {
    let Json::Object(entries) = json else {
        return Err(invalid(
            "a LiteLLM price table is a JSON object from model name to its prices",
        ));
    };
    let mut table = Table {
        report: ImportReport::new(PriceFileFormat::Litellm),
        ignored_keys: BTreeMap::new(),
        skipped_reasons: BTreeMap::new(),
        filled_tiers: 0,
        dropped_tier_keys: 0,
        half_batch: 0,
    };
    let mut providers: Vec<Provider> = Vec::new();
    let mut models: Vec<Model> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (key, value) in entries {
        let path = format!("[{}]", Value::String(key.clone()));
        let Some(object) = value.as_object() else {
            return Err(invalid(format!(
                "expected a model entry (an object), got {}",
                kind_of(value)
            ))
            .at(path));
        };
        if key == "sample_spec" {
            table.skip(
                key,
                "sample_spec",
                "LiteLLM's description of the format, not a model",
            );
            continue;
        }
        let mode = read_string(object.get("mode"), &format!("{path}.mode"))?;
        if let Some(mode) = mode {
            if !matches!(mode, "chat" | "completion" | "responses") {
                let kind = format!("mode {mode}");
                table.skip(
                    key,
                    &kind,
                    &format!("mode `{mode}` is not priced per text token"),
                );
                continue;
            }
        }
        let Some(model) = read_entry(&mut table, key, object, &path, mode)? else {
            continue;
        };
        if !seen.insert((model.provider.clone(), normalize(&model.id))) {
            table.skip(
                key,
                "duplicate id",
                &format!(
                    "`{}/{}` comes earlier in the table; the first is kept",
                    model.provider, model.id
                ),
            );
            continue;
        }
        let litellm = read_string(
            object.get("litellm_provider"),
            &format!("{path}.litellm_provider"),
        )?
        .unwrap_or("")
        .to_ascii_lowercase();
        match providers.iter_mut().find(|p| p.id == model.provider) {
            Some(provider) => {
                if !litellm.is_empty()
                    && litellm != provider.id
                    && !provider.aliases.contains(&litellm)
                {
                    provider.aliases.push(litellm);
                }
            }
            None => {
                let (_, name) = provider_for(&litellm);
                let aliases = if litellm.is_empty() || litellm == model.provider {
                    Vec::new()
                } else {
                    vec![litellm]
                };
                providers.push(Provider {
                    id: model.provider.clone(),
                    name: if name.is_empty() {
                        model.provider.clone()
                    } else {
                        name
                    },
                    aliases,
                    pricing_url: String::new(),
                    tier_threshold_inclusive: false,
                    caching: crate::catalog::CachingStyle::default(),
                    notes: "Imported from a LiteLLM model price table.".to_string(),
                });
            }
        }
        models.push(model);
    }
    let mut report = table.report;
    if table.filled_tiers > 0 {
        report.notes.push(format!(
            "{} models have long-context tiers that LiteLLM prices for some keys only: the \
             other keys keep their base price above the threshold (noted on each model)",
            table.filled_tiers
        ));
    }
    if table.dropped_tier_keys > 0 {
        report.notes.push(format!(
            "{} tier prices were dropped: they price a key (such as cache reads) the model's \
             base prices lack",
            table.dropped_tier_keys
        ));
    }
    if table.half_batch > 0 {
        report.notes.push(format!(
            "{} models have a batch price for input or output only: they get no batch price",
            table.half_batch
        ));
    }
    report.notes.extend(summary(
        "price keys ignored, not per-token text prices",
        &table.ignored_keys,
    ));
    report
        .notes
        .extend(summary("entries skipped", &table.skipped_reasons));
    Ok(Imported {
        providers,
        models,
        report,
    })
}

#[derive(Default)]
struct RateKeys {
    base: BTreeMap<Component, UsdPerMtok>,
    tiers: BTreeMap<Component, Vec<(u64, UsdPerMtok)>>,
}

fn read_entry(
    table: &mut Table,
    key: &str,
    object: &Map<String, Value>,
    path: &str,
    mode: Option<&str>,
) -> Result<Option<Model>> {
    // Every price we use is checked, even in an entry skipped below for lacking prices.
    let mut standard = RateKeys::default();
    let mut batch = RateKeys::default();
    let mut cache_hit = None;
    let mut ignored = Vec::new();
    for (name, value) in object {
        if value.is_null() {
            continue;
        }
        let at = format!("{path}.{name}");
        match parse_key(name) {
            Key::Price {
                component,
                tier,
                batch: is_batch,
            } => {
                let price = read_price(value, PriceUnit::PerToken, &at, &mut table.report.notes)?;
                let keys = if is_batch { &mut batch } else { &mut standard };
                match tier {
                    None => {
                        keys.base.insert(component, price);
                    }
                    Some(threshold) => {
                        let tiers = keys.tiers.entry(component).or_default();
                        tiers.push((threshold, price));
                        tiers.sort_by_key(|(t, _)| *t);
                    }
                }
            }
            Key::CacheHit => {
                cache_hit = Some(read_price(
                    value,
                    PriceUnit::PerToken,
                    &at,
                    &mut table.report.notes,
                )?);
            }
            Key::Ignored => ignored.push(name.clone()),
            Key::Other => {}
        }
    }
    if !standard.base.contains_key(&Component::Input)
        || !standard.base.contains_key(&Component::Output)
    {
        if mode.is_none() {
            table.skip(
                key,
                "no mode and no per-token prices",
                "not a model: no `mode` and no per-token prices",
            );
        } else {
            table.skip(
                key,
                "no per-token prices",
                "no `input_cost_per_token` and `output_cost_per_token`",
            );
        }
        return Ok(None);
    }
    for name in ignored {
        *table.ignored_keys.entry(name).or_default() += 1;
    }
    if let Some(price) = cache_hit {
        standard.base.entry(Component::CacheRead).or_insert(price);
    }

    let litellm = read_string(
        object.get("litellm_provider"),
        &format!("{path}.litellm_provider"),
    )?
    .map(|p| p.trim().to_ascii_lowercase())
    .filter(|p| !p.is_empty());
    let (provider, id) = match (&litellm, key.split_once('/')) {
        (Some(litellm), Some((prefix, rest))) => {
            let (ours, _) = provider_for(litellm);
            if !rest.is_empty() && names_provider(prefix, litellm, &ours) {
                (ours, rest)
            } else {
                (ours, key)
            }
        }
        (Some(litellm), None) => (provider_for(litellm).0, key),
        (None, Some((prefix, rest))) if !rest.is_empty() => {
            (provider_for(&prefix.to_ascii_lowercase()).0, rest)
        }
        (None, _) => ("litellm".to_string(), key),
    };
    let id = checked_id(Some(&Value::String(id.to_string())), path)?.to_string();

    let mut notes = Vec::new();
    let standard_rates = rates(table, &standard, &mut notes);
    let batch_rates = match (
        batch.base.contains_key(&Component::Input),
        batch.base.contains_key(&Component::Output),
    ) {
        (true, true) => Some(rates(table, &batch, &mut notes)),
        (false, false) => None,
        _ => {
            table.half_batch += 1;
            notes.push(
                "LiteLLM gives a batch price for input or output only; no batch price is kept."
                    .to_string(),
            );
            None
        }
    };
    if let Some(date) = read_string(
        object.get("deprecation_date"),
        &format!("{path}.deprecation_date"),
    )? {
        notes.push(format!("LiteLLM lists a deprecation date of {date}."));
    }
    let context_window = read_tokens(
        object.get("max_input_tokens"),
        &format!("{path}.max_input_tokens"),
    )?;
    let max_output_tokens = match read_tokens(
        object.get("max_output_tokens"),
        &format!("{path}.max_output_tokens"),
    )? {
        Some(n) => Some(n),
        None => read_tokens(object.get("max_tokens"), &format!("{path}.max_tokens"))?,
    };
    let source = match object.get("source") {
        Some(Value::String(url)) if url.starts_with("http") => url.trim().to_string(),
        _ => TABLE_URL.to_string(),
    };
    Ok(Some(Model {
        tokenizer: guess_tokenizer(&provider, &id),
        provider,
        name: id.clone(),
        id,
        aliases: Vec::new(),
        context_window,
        max_output_tokens,
        cache_min_tokens: None,
        prices: vec![PriceSet {
            from: None,
            standard: standard_rates,
            batch: batch_rates,
        }],
        prices_checked: None,
        source,
        notes: notes.join(" "),
        origin: Origin::Litellm,
        overridden: false,
        deprecated: false,
    }))
}

/// Rates from the keys of one kind (standard or batch); `keys.base` has input and output.
fn rates(table: &mut Table, keys: &RateKeys, notes: &mut Vec<String>) -> Rates {
    let get = |c: Component| keys.base.get(&c).copied();
    let base = Prices {
        input_usd_per_mtok: get(Component::Input).unwrap_or_default(),
        output_usd_per_mtok: get(Component::Output).unwrap_or_default(),
        cache_read_usd_per_mtok: get(Component::CacheRead),
        cache_write_5m_usd_per_mtok: get(Component::CacheWrite5m),
        cache_write_1h_usd_per_mtok: get(Component::CacheWrite1h),
        cache_storage_usd_per_mtok_hour: None,
    };
    let mut tiers: Vec<(Component, Vec<(u64, UsdPerMtok)>)> = Vec::new();
    for (component, list) in &keys.tiers {
        if keys.base.contains_key(component) {
            tiers.push((*component, list.clone()));
        } else {
            table.dropped_tier_keys += list.len();
        }
    }
    let rates = flatten_tiers(base, &tiers);
    // Name the base prices that carry over into a tier.
    let mut kept: Vec<String> = Vec::new();
    for tier in &rates.tiers {
        let missing: Vec<&str> = keys
            .base
            .keys()
            .filter(|c| {
                !tiers
                    .iter()
                    .any(|(tc, list)| tc == *c && list.iter().any(|(t, _)| *t <= tier.above_tokens))
            })
            .map(|c| component_name(*c))
            .collect();
        if !missing.is_empty() {
            kept.push(format!(
                "above {} tokens: {}",
                tier.above_tokens,
                missing.join(", ")
            ));
        }
    }
    if !kept.is_empty() {
        table.filled_tiers += 1;
        notes.push(format!(
            "LiteLLM gives no long-context price for some keys; their base price is kept ({}).",
            kept.join("; ")
        ));
    }
    rates
}

fn component_name(component: Component) -> &'static str {
    match component {
        Component::Input => "input",
        Component::Output => "output",
        Component::CacheRead => "cache reads",
        Component::CacheWrite5m => "5-minute cache writes",
        Component::CacheWrite1h => "1-hour cache writes",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_classified() {
        let price = |component, tier, batch| Key::Price {
            component,
            tier,
            batch,
        };
        assert_eq!(
            parse_key("input_cost_per_token"),
            price(Component::Input, None, false)
        );
        assert_eq!(
            parse_key("output_cost_per_token_above_128k_tokens"),
            price(Component::Output, Some(128_000), false)
        );
        assert_eq!(
            parse_key("cache_read_input_token_cost_above_200k_tokens_batches"),
            price(Component::CacheRead, Some(200_000), true)
        );
        assert_eq!(
            parse_key("cache_creation_input_token_cost_above_1hr"),
            price(Component::CacheWrite1h, None, false)
        );
        assert_eq!(
            parse_key("cache_creation_input_token_cost_above_1hr_above_200k_tokens"),
            price(Component::CacheWrite1h, Some(200_000), false)
        );
        assert_eq!(
            parse_key("cache_creation_input_token_cost_above_12hr"),
            Key::Ignored
        );
        assert_eq!(parse_key("input_cost_per_token_priority"), Key::Ignored);
        assert_eq!(parse_key("input_cost_per_audio_token"), Key::Ignored);
        assert_eq!(parse_key("input_cost_per_token_cache_hit"), Key::CacheHit);
        assert_eq!(parse_key("max_tokens"), Key::Other);
    }

    #[test]
    fn partial_tiers_keep_base_prices() {
        let (catalog, report) = Catalog::from_litellm(
            r#"{"acme/m": {"litellm_provider": "acme", "mode": "chat",
                "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                "cache_read_input_token_cost": 1e-7,
                "input_cost_per_token_above_200k_tokens": 2e-6,
                "output_cost_per_token_above_128k_tokens": 3e-6}}"#,
        )
        .unwrap();
        let model = catalog.find("acme/m").unwrap();
        assert_eq!(model.id, "m");
        let tiers: Vec<(u64, String, String, String)> = model.prices[0]
            .standard
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
            tiers,
            vec![
                (128_000, s("1"), s("3"), s("0.1")),
                (200_000, s("2"), s("3"), s("0.1")),
            ]
        );
        assert!(
            model.notes.contains("base price is kept"),
            "{}",
            model.notes
        );
        assert!(!report.notes.is_empty());
    }

    #[test]
    fn providers_map_and_prefixes_strip() {
        assert!(names_provider(
            "vertex_ai",
            "vertex_ai-language-models",
            "google"
        ));
        assert!(names_provider("gemini", "gemini", "google"));
        assert!(names_provider("amazon-nova", "amazon_nova", "amazon_nova"));
        assert!(!names_provider("anthropic", "openrouter", "openrouter"));
        assert_eq!(provider_for("together_ai").0, "together");
    }
}
