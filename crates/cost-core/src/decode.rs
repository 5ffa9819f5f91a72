//! llmcost's own catalog file format (TOML or JSON): decoded once, validated, turned into
//! [`Catalog`](crate::Catalog) types. The format belongs to this module; nothing else parses it.
//!
//! See `crates/cost-core/data/catalog.toml` for the format, documented in its header.

use std::collections::HashSet;

use serde::Deserialize;

use crate::catalog::{
    CachingStyle, Catalog, Model, Origin, PriceOverride, PriceSet, Prices, Provider, Rates, Tier,
    TokenizerFamily,
};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::UsdPerMtok;

/// The format version this build reads.
pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CatalogFile {
    #[serde(default = "default_format")]
    format: u32,
    #[serde(default)]
    providers: Vec<ProviderEntry>,
    #[serde(default)]
    models: Vec<ModelEntry>,
    /// Price changes to models already in the catalog (the user's own prices).
    #[serde(default)]
    overrides: Vec<PriceOverride>,
}

fn default_format() -> u32 {
    FORMAT_VERSION
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderEntry {
    id: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    pricing_url: String,
    #[serde(default)]
    tier_threshold_inclusive: bool,
    #[serde(default)]
    caching: CachingStyle,
    #[serde(default)]
    notes: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEntry {
    provider: String,
    id: String,
    name: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    context_window: Option<u64>,
    max_output_tokens: Option<u64>,
    cache_min_tokens: Option<u64>,
    tokenizer: Option<TokenizerFamily>,
    prices_checked: Option<Date>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    deprecated: bool,
    prices: Vec<PriceSetEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceSetEntry {
    from: Option<Date>,
    input_mtok: Option<UsdPerMtok>,
    output_mtok: Option<UsdPerMtok>,
    cache_read_mtok: Option<UsdPerMtok>,
    cache_write_5m_mtok: Option<UsdPerMtok>,
    cache_write_1h_mtok: Option<UsdPerMtok>,
    cache_storage_mtok_hour: Option<UsdPerMtok>,
    #[serde(default)]
    tiers: Vec<TierEntry>,
    batch: Option<BatchEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchEntry {
    input_mtok: Option<UsdPerMtok>,
    output_mtok: Option<UsdPerMtok>,
    cache_read_mtok: Option<UsdPerMtok>,
    cache_write_5m_mtok: Option<UsdPerMtok>,
    cache_write_1h_mtok: Option<UsdPerMtok>,
    cache_storage_mtok_hour: Option<UsdPerMtok>,
    #[serde(default)]
    tiers: Vec<TierEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierEntry {
    above: u64,
    input_mtok: Option<UsdPerMtok>,
    output_mtok: Option<UsdPerMtok>,
    cache_read_mtok: Option<UsdPerMtok>,
    cache_write_5m_mtok: Option<UsdPerMtok>,
    cache_write_1h_mtok: Option<UsdPerMtok>,
    cache_storage_mtok_hour: Option<UsdPerMtok>,
}

/// The six price keys, wherever they appear (no `#[serde(flatten)]`: it would disable
/// `deny_unknown_fields` and lose field paths).
macro_rules! prices_of {
    ($e:expr) => {
        PricesEntry {
            input_mtok: $e.input_mtok,
            output_mtok: $e.output_mtok,
            cache_read_mtok: $e.cache_read_mtok,
            cache_write_5m_mtok: $e.cache_write_5m_mtok,
            cache_write_1h_mtok: $e.cache_write_1h_mtok,
            cache_storage_mtok_hour: $e.cache_storage_mtok_hour,
        }
    };
}

#[derive(Debug)]
struct PricesEntry {
    input_mtok: Option<UsdPerMtok>,
    output_mtok: Option<UsdPerMtok>,
    cache_read_mtok: Option<UsdPerMtok>,
    cache_write_5m_mtok: Option<UsdPerMtok>,
    cache_write_1h_mtok: Option<UsdPerMtok>,
    cache_storage_mtok_hour: Option<UsdPerMtok>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidCatalog, message)
}

/// Decodes TOML text, reporting the path to the first bad field.
#[cfg(feature = "toml")]
pub(crate) fn decode_toml(text: &str) -> Result<CatalogFile> {
    crate::de::toml(text).map_err(|e| e.into_error(ErrorKind::InvalidCatalog))
}

/// Builds without the `toml` feature (the web app, the npm package) read JSON only.
#[cfg(not(feature = "toml"))]
pub(crate) fn decode_toml(_text: &str) -> Result<CatalogFile> {
    Err(invalid(
        "not a recognized price file: it is not JSON, and this build of llmcost reads price \
         files as JSON only (a genai-prices feed, a LiteLLM table, or llmcost's format as a \
         JSON object: `{\"models\": [...]}`); the llmcost command also reads llmcost's TOML",
    ))
}

/// Decodes JSON text, reporting the path to the first bad field.
pub(crate) fn decode_json(text: &str) -> Result<CatalogFile> {
    crate::de::json(text).map_err(|e| e.into_error(ErrorKind::InvalidCatalog))
}

/// Validates a decoded file and builds the catalog. Providers a model names but the file
/// does not define are created with the id as their name (custom models need no provider table).
pub(crate) fn build(file: CatalogFile, origin: Origin) -> Result<Catalog> {
    let (catalog, overrides) = build_with_overrides(file, origin)?;
    if !overrides.is_empty() {
        return Err(
            invalid("price overrides change an existing catalog; load them on top of one")
                .at("overrides"),
        );
    }
    Ok(catalog)
}

/// Like [`build`], also returning the file's `overrides` for the caller to apply on top of
/// another catalog.
pub(crate) fn build_with_overrides(
    file: CatalogFile,
    origin: Origin,
) -> Result<(Catalog, Vec<PriceOverride>)> {
    if file.format != FORMAT_VERSION {
        return Err(invalid(format!(
            "catalog format {} is not supported (this build reads format {FORMAT_VERSION})",
            file.format
        ))
        .at("format"));
    }
    let mut providers = Vec::new();
    let mut provider_ids = HashSet::new();
    for (n, p) in file.providers.into_iter().enumerate() {
        let path = format!("providers[{n}]");
        let id = checked_name(&p.id, &format!("{path}.id"))?.to_ascii_lowercase();
        if !provider_ids.insert(id.clone()) {
            return Err(
                invalid(format!("provider `{id}` is defined twice")).at(format!("{path}.id"))
            );
        }
        providers.push(Provider {
            id,
            name: p.name,
            aliases: p.aliases.iter().map(|a| a.to_ascii_lowercase()).collect(),
            pricing_url: p.pricing_url,
            tier_threshold_inclusive: p.tier_threshold_inclusive,
            caching: p.caching,
            notes: p.notes,
        });
    }
    let mut models = Vec::new();
    let mut seen = HashSet::new();
    for (n, m) in file.models.into_iter().enumerate() {
        let path = format!("models[{n}]");
        let provider = checked_name(&m.provider, &format!("{path}.provider"))?.to_ascii_lowercase();
        let id = checked_name(&m.id, &format!("{path}.id"))?.to_string();
        if !seen.insert((provider.clone(), crate::catalog::normalize(&id))) {
            return Err(invalid(format!("model `{provider}/{id}` is defined twice"))
                .at(format!("{path}.id")));
        }
        if !provider_ids.contains(&provider) {
            provider_ids.insert(provider.clone());
            providers.push(Provider {
                id: provider.clone(),
                name: provider.clone(),
                aliases: Vec::new(),
                pricing_url: String::new(),
                tier_threshold_inclusive: false,
                caching: CachingStyle::default(),
                notes: String::new(),
            });
        }
        for (a, alias) in m.aliases.iter().enumerate() {
            checked_name(alias, &format!("{path}.aliases[{a}]"))?;
        }
        if m.context_window == Some(0) {
            return Err(invalid("the context window must be above zero")
                .at(format!("{path}.context_window")));
        }
        if m.max_output_tokens == Some(0) {
            return Err(invalid("the maximum output must be above zero")
                .at(format!("{path}.max_output_tokens")));
        }
        if m.prices.is_empty() {
            return Err(
                invalid("a model needs at least one price set").at(format!("{path}.prices"))
            );
        }
        let mut prices = Vec::with_capacity(m.prices.len());
        for (s, set) in m.prices.into_iter().enumerate() {
            let set_path = format!("{path}.prices[{s}]");
            if s > 0 && set.from.is_none() {
                return Err(
                    invalid("every price set after the first needs a `from` date")
                        .at(format!("{set_path}.from")),
                );
            }
            if let (
                Some(from),
                Some(PriceSet {
                    from: Some(previous),
                    ..
                }),
            ) = (set.from, prices.last())
            {
                if from <= *previous {
                    return Err(invalid(format!(
                        "`from` {from} is not after the previous set's {previous}"
                    ))
                    .at(format!("{set_path}.from")));
                }
            }
            let standard = rates(prices_of!(set), set.tiers, &set_path)?;
            let batch = match set.batch {
                Some(b) => Some(rates(prices_of!(b), b.tiers, &format!("{set_path}.batch"))?),
                None => None,
            };
            if let Some(batch) = &batch {
                // A long prompt in a batch crosses the same thresholds as a synchronous one.
                let thresholds =
                    |r: &Rates| r.tiers.iter().map(|t| t.above_tokens).collect::<Vec<_>>();
                if thresholds(batch) != thresholds(&standard) {
                    return Err(invalid(format!(
                        "batch tiers {:?} must use the same thresholds as the standard tiers {:?}",
                        thresholds(batch),
                        thresholds(&standard)
                    ))
                    .at(format!("{set_path}.batch.tiers")));
                }
            }
            prices.push(PriceSet {
                from: set.from,
                standard,
                batch,
            });
        }
        models.push(Model {
            provider,
            name: m.name.unwrap_or_else(|| id.clone()),
            id,
            aliases: m.aliases,
            context_window: m.context_window,
            max_output_tokens: m.max_output_tokens,
            cache_min_tokens: m.cache_min_tokens,
            tokenizer: m.tokenizer.unwrap_or(TokenizerFamily::Other),
            prices,
            prices_checked: m.prices_checked,
            source: m.source,
            notes: m.notes,
            origin,
            overridden: false,
            deprecated: m.deprecated,
        });
    }
    Ok((Catalog::from_parts(providers, models)?, file.overrides))
}

fn checked_name<'a>(name: &'a str, path: &str) -> Result<&'a str> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(invalid("the name is empty").at(path));
    }
    if trimmed.len() > 200 || trimmed.chars().any(char::is_control) {
        return Err(
            invalid("the name is longer than 200 characters or has control characters").at(path),
        );
    }
    Ok(trimmed)
}

fn rates(base: PricesEntry, tiers: Vec<TierEntry>, path: &str) -> Result<Rates> {
    let base_prices = prices(&base, path)?;
    let mut out = Vec::with_capacity(tiers.len());
    for (t, tier) in tiers.into_iter().enumerate() {
        let tier_path = format!("{path}.tiers[{t}]");
        if tier.above == 0 {
            return Err(
                invalid("a tier threshold must be above zero").at(format!("{tier_path}.above"))
            );
        }
        if out
            .last()
            .is_some_and(|previous: &Tier| previous.above_tokens >= tier.above)
        {
            return Err(
                invalid("tiers must be sorted by `above`, ascending, without repeats")
                    .at(format!("{tier_path}.above")),
            );
        }
        let tier_entry = prices_of!(tier);
        let tier_prices = prices(&tier_entry, &tier_path)?;
        // A tier names every price the base names, so no component silently keeps a base price.
        for (name, in_base, in_tier) in [
            (
                "cache_read_mtok",
                base.cache_read_mtok.is_some(),
                tier_entry.cache_read_mtok.is_some(),
            ),
            (
                "cache_write_5m_mtok",
                base.cache_write_5m_mtok.is_some(),
                tier_entry.cache_write_5m_mtok.is_some(),
            ),
            (
                "cache_write_1h_mtok",
                base.cache_write_1h_mtok.is_some(),
                tier_entry.cache_write_1h_mtok.is_some(),
            ),
            (
                "cache_storage_mtok_hour",
                base.cache_storage_mtok_hour.is_some(),
                tier_entry.cache_storage_mtok_hour.is_some(),
            ),
        ] {
            if in_base != in_tier {
                let message = if in_base {
                    format!("the tier must give `{name}`, as the base prices do")
                } else {
                    format!("the tier gives `{name}`, which the base prices do not")
                };
                return Err(invalid(message).at(format!("{tier_path}.{name}")));
            }
        }
        out.push(Tier {
            above_tokens: tier.above,
            prices: tier_prices,
        });
    }
    Ok(Rates {
        base: base_prices,
        tiers: out,
    })
}

fn prices(entry: &PricesEntry, path: &str) -> Result<Prices> {
    let input = entry.input_mtok.ok_or_else(|| {
        invalid("missing `input_mtok` (USD per million input tokens)")
            .at(format!("{path}.input_mtok"))
    })?;
    let output = entry.output_mtok.ok_or_else(|| {
        invalid("missing `output_mtok` (USD per million output tokens)")
            .at(format!("{path}.output_mtok"))
    })?;
    Ok(Prices {
        input_usd_per_mtok: input,
        output_usd_per_mtok: output,
        cache_read_usd_per_mtok: entry.cache_read_mtok,
        cache_write_5m_usd_per_mtok: entry.cache_write_5m_mtok,
        cache_write_1h_usd_per_mtok: entry.cache_write_1h_mtok,
        cache_storage_usd_per_mtok_hour: entry.cache_storage_mtok_hour,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Error {
        Catalog::from_toml(text, Origin::User).unwrap_err()
    }

    const GOOD: &str = r#"
[[models]]
provider = "acme"
id = "acme-1"
[[models.prices]]
input_mtok = 1
output_mtok = "2.5"
"#;

    #[test]
    fn a_minimal_custom_model_loads() {
        let catalog = Catalog::from_toml(GOOD, Origin::User).unwrap();
        let model = catalog.find("ACME/acme-1").unwrap();
        assert_eq!(
            model
                .current_prices()
                .standard
                .base
                .output_usd_per_mtok
                .to_decimal_string(),
            "2.5"
        );
        assert_eq!(catalog.providers()[0].id, "acme");
    }

    #[test]
    fn bad_fields_are_reported_with_their_path() {
        let e = err(&GOOD.replace("\"2.5\"", "\"two\""));
        assert_eq!(e.kind(), ErrorKind::InvalidCatalog);
        assert_eq!(e.path(), Some("models[0].prices[0].output_mtok"), "{e}");

        let e = err(&GOOD.replace("input_mtok = 1", "input_mtok = -1"));
        assert_eq!(e.path(), Some("models[0].prices[0].input_mtok"), "{e}");

        let e = err(&GOOD.replace("input_mtok = 1\n", ""));
        assert_eq!(e.path(), Some("models[0].prices[0].input_mtok"), "{e}");

        let e = err(&GOOD.replace("id = \"acme-1\"", "id = \"acme-1\"\ncontext_windw = 5"));
        assert!(e.to_string().contains("context_windw"), "{e}");

        let e = err("models = 3");
        assert_eq!(e.path(), Some("models"), "{e}");

        let e = err("[[models]\n");
        assert_eq!(e.kind(), ErrorKind::InvalidCatalog);
    }

    #[test]
    fn tiers_must_name_every_base_price() {
        let text = r#"
[[models]]
provider = "acme"
id = "acme-1"
[[models.prices]]
input_mtok = 1
output_mtok = 2
cache_read_mtok = 0.1
[[models.prices.tiers]]
above = 200000
input_mtok = 2
output_mtok = 4
"#;
        let e = err(text);
        assert_eq!(
            e.path(),
            Some("models[0].prices[0].tiers[0].cache_read_mtok"),
            "{e}"
        );
    }

    #[test]
    fn price_dates_must_ascend() {
        let text = format!("{GOOD}\n[[models.prices]]\nfrom = 2026-01-01\ninput_mtok = 1\noutput_mtok = 2\n[[models.prices]]\nfrom = 2025-01-01\ninput_mtok = 1\noutput_mtok = 2\n");
        let e = err(&text);
        assert_eq!(e.path(), Some("models[0].prices[2].from"), "{e}");
    }

    #[test]
    fn json_catalogs_report_paths_too() {
        let e = Catalog::from_json(r#"{"models":[{"provider":"a","id":"b","prices":[{"input_mtok":"x","output_mtok":1}]}]}"#, Origin::User)
            .unwrap_err();
        assert_eq!(e.path(), Some("models[0].prices[0].input_mtok"), "{e}");
        let e = Catalog::from_json("{", Origin::User).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCatalog);
    }
}
