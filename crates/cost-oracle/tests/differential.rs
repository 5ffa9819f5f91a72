//! Differential test: cost-core against the genai-prices crate as an oracle, with the same
//! price data on both sides.
//!
//! The bundled catalog is exported to a genai-prices v2 feed (`to_feed` below), loaded with
//! `genai_prices::Calculator::from_json`, and every model is priced by both over a spread of
//! usages around each long-context threshold, with and without batch, on each price date.
//! Results must agree to the nano-dollar, except cases listed with their reason in
//! `tests/fixtures/oracle-policy-differences.json`; a listed difference that no longer
//! occurs fails the test too, so the list stays true.

use std::collections::BTreeSet;
use std::time::{Duration, UNIX_EPOCH};

use cost_core::{Catalog, Date, PriceOptions, Prices, Rates, Usage};
use genai_prices::{Calculator, PriceRequest, Usage as OracleUsage, UsageKey};
use serde_json::{json, Map, Value};

const POLICY: &str = include_str!("../../../tests/fixtures/oracle-policy-differences.json");

/// A genai-prices price value: a number, or `{base, tiers}` when tiers give this key a price.
fn price_value(base: Option<String>, tiers: &[(u64, Option<String>)]) -> Option<Value> {
    let base: f64 = base?.parse().ok()?;
    if tiers.is_empty() {
        return Some(json!(base));
    }
    let tiers: Vec<Value> = tiers
        .iter()
        .filter_map(|(start, p)| {
            Some(json!({"start": start, "price": p.as_ref()?.parse::<f64>().ok()?}))
        })
        .collect();
    Some(json!({"base": base, "tiers": tiers}))
}

/// Reads one price key from a set of prices.
type PriceOf = fn(&Prices) -> Option<cost_core::UsdPerMtok>;

fn rates_to_prices(rates: &Rates) -> Map<String, Value> {
    let mut out = Map::new();
    let keys: [(&str, PriceOf); 5] = [
        ("input_mtok", |p| Some(p.input_usd_per_mtok)),
        ("output_mtok", |p| Some(p.output_usd_per_mtok)),
        ("cache_read_mtok", |p| p.cache_read_usd_per_mtok),
        ("cache_write_mtok", |p| p.cache_write_5m_usd_per_mtok),
        ("cache_write_1h_mtok", |p| p.cache_write_1h_usd_per_mtok),
    ];
    for (key, get) in keys {
        let base = get(&rates.base).map(|p| p.to_decimal_string());
        let tiers: Vec<(u64, Option<String>)> = rates
            .tiers
            .iter()
            .map(|t| {
                (
                    t.above_tokens,
                    get(&t.prices).map(|p| p.to_decimal_string()),
                )
            })
            .collect();
        if let Some(value) = price_value(base, &tiers) {
            out.insert(key.to_string(), value);
        }
    }
    out
}

/// The catalog as a genai-prices v2 feed.
fn to_feed(catalog: &Catalog) -> Value {
    let mut providers = Vec::new();
    for provider in catalog.providers() {
        let mut models = Vec::new();
        for model in catalog
            .models()
            .iter()
            .filter(|m| m.provider == provider.id)
        {
            let mut conditional = Vec::new();
            let mut variants = Vec::new();
            for set in &model.prices {
                let prices = Value::Object(rates_to_prices(&set.standard));
                match set.from {
                    None => conditional.push(json!({"prices": prices})),
                    Some(from) => conditional.push(
                        json!({"constraint": {"start_date": from.to_string()}, "prices": prices}),
                    ),
                }
                if let Some(batch) = &set.batch {
                    let mut variant = json!({
                        "when": {"processing": "batch"},
                        "prices": Value::Object(rates_to_prices(batch)),
                    });
                    if let Some(from) = set.from {
                        variant["constraint"] = json!({"start_date": from.to_string()});
                    }
                    variants.push(variant);
                }
            }
            // genai-prices takes the first active variant: newest first.
            variants.reverse();
            let mut entry = json!({
                "id": model.id,
                "name": model.name,
                "match": {"equals": model.id.to_ascii_lowercase()},
                "prices": Value::Array(conditional),
            });
            if !variants.is_empty() {
                entry["price_variants"] = Value::Array(variants);
            }
            models.push(entry);
        }
        if models.is_empty() {
            continue;
        }
        providers.push(json!({
            "id": provider.id,
            "name": provider.name,
            "api_pattern": format!("https://{}\\.invalid", provider.id),
            "pricing_urls": [provider.pricing_url],
            "models": models,
        }));
    }
    Value::Array(providers)
}

struct Case {
    model: String,
    provider: String,
    usage: Usage,
    batch: bool,
    at: Date,
}

/// Usages around every threshold of every price set, plus ordinary ones.
fn cases(catalog: &Catalog) -> Vec<Case> {
    let mut out = Vec::new();
    for model in catalog.models() {
        let mut dates: BTreeSet<Date> = BTreeSet::new();
        for set in &model.prices {
            if let Some(from) = set.from {
                dates.insert(from);
                dates.insert(Date::from_unix_seconds(
                    (i64::from(from.days_since_epoch()) - 1) * 86_400,
                ));
            }
        }
        dates.insert("2026-11-23".parse().unwrap());
        let mut prompts: BTreeSet<u64> = [0, 1, 550, 1_234, 150_000, 1_000_000].into();
        for set in &model.prices {
            for tier in &set.standard.tiers {
                let t = tier.above_tokens;
                prompts.extend([t - 1, t, t + 1, t + 1_000, 2 * t]);
            }
        }
        for &at in &dates {
            for &prompt in &prompts {
                for split in 0..4u64 {
                    let (read, w5, w1) = match split {
                        0 => (0, 0, 0),
                        1 => (prompt / 2, 0, 0),
                        2 => (prompt * 3 / 10, prompt / 10, prompt / 10),
                        _ => (prompt.saturating_sub(1), 0, u64::from(prompt > 0)),
                    };
                    for output in [0u64, 517, 100_000] {
                        for batch in [false, true] {
                            out.push(Case {
                                model: model.id.clone(),
                                provider: model.provider.clone(),
                                usage: Usage {
                                    input_tokens: prompt,
                                    cache_read_tokens: read,
                                    cache_write_5m_tokens: w5,
                                    cache_write_1h_tokens: w1,
                                    output_tokens: output,
                                    reasoning_tokens: output / 3,
                                    cache_storage_token_hours: 0,
                                },
                                batch,
                                at,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn oracle_nano(calculator: &Calculator, case: &Case) -> Result<i128, String> {
    let u = &case.usage;
    let usage = OracleUsage::from([
        (UsageKey::INPUT_TOKENS, u.input_tokens as f64),
        (UsageKey::CACHE_READ_TOKENS, u.cache_read_tokens as f64),
        (
            UsageKey::CACHE_WRITE_TOKENS,
            (u.cache_write_5m_tokens + u.cache_write_1h_tokens) as f64,
        ),
        (
            UsageKey::CACHE_WRITE_1H_TOKENS,
            u.cache_write_1h_tokens as f64,
        ),
        (UsageKey::OUTPUT_TOKENS, u.output_tokens as f64),
    ]);
    let noon = i64::from(case.at.days_since_epoch()) * 86_400 + 43_200;
    let mut request = PriceRequest::new(&case.model, &usage)
        .with_provider_id(&case.provider)
        .with_timestamp(UNIX_EPOCH + Duration::from_secs(noon as u64));
    if case.batch {
        request = request.with_price_context("processing", "batch");
    }
    let price = calculator.calculate(&request).map_err(|e| e.to_string())?;
    Ok((price.total_price * 1e9).round() as i128)
}

/// A documented reason for cost-core and genai-prices to differ. Every given field must
/// match a case for the difference to cover it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyDifference {
    /// Provider id, when the difference is a provider rule.
    provider: Option<String>,
    /// Model id, when it concerns one model.
    model: Option<String>,
    /// Only batch (true) or only standard (false) requests.
    batch: Option<bool>,
    /// Only prompts of exactly a tier threshold.
    #[serde(default)]
    prompt_at_threshold: bool,
    /// Why the two differ, with the source.
    reason: String,
}

impl PolicyDifference {
    fn covers(&self, catalog: &Catalog, case: &Case) -> bool {
        let at_threshold = || {
            catalog.models().iter().any(|m| {
                m.provider == case.provider
                    && m.id == case.model
                    && m.price_set_at(case.at)
                        .standard
                        .tiers
                        .iter()
                        .any(|t| t.above_tokens == case.usage.input_tokens)
            })
        };
        self.provider.as_ref().is_none_or(|p| *p == case.provider)
            && self.model.as_ref().is_none_or(|m| *m == case.model)
            && self.batch.is_none_or(|b| b == case.batch)
            && (!self.prompt_at_threshold || at_threshold())
    }
}

#[test]
fn cost_core_matches_genai_prices_to_the_nano_dollar() {
    let catalog = Catalog::bundled();
    let feed = to_feed(&catalog);
    let calculator = Calculator::from_json(serde_json::to_vec(&feed).unwrap())
        .unwrap_or_else(|e| panic!("genai-prices rejected the exported feed: {e}"));
    let policy: Vec<PolicyDifference> = serde_json::from_str(POLICY).unwrap();
    for p in &policy {
        assert!(
            !p.reason.trim().is_empty(),
            "every policy difference needs a reason"
        );
        assert!(
            p.provider.is_some() || p.model.is_some(),
            "a policy difference names a provider or a model"
        );
    }
    let mut used = vec![false; policy.len()];
    let mut mismatches = Vec::new();
    let cases = cases(&catalog);
    let mut compared = 0usize;
    for case in &cases {
        let ours = catalog
            .price(
                &format!("{}/{}", case.provider, case.model),
                &case.usage,
                PriceOptions {
                    at: case.at,
                    batch: case.batch,
                },
            )
            .unwrap_or_else(|e| panic!("cost-core failed on {}: {e}", case.model));
        let theirs = match oracle_nano(&calculator, case) {
            Ok(nano) => nano,
            Err(e) => panic!(
                "genai-prices failed on {}/{}: {e}",
                case.provider, case.model
            ),
        };
        compared += 1;
        let ours_nano = ours.total_usd.round_to_nano();
        if (ours_nano - theirs).abs() <= 1 {
            continue;
        }
        let listed = policy.iter().position(|p| p.covers(&catalog, case));
        match listed {
            Some(i) => used[i] = true,
            None => mismatches.push(format!(
                "{}/{} at {} batch={} usage={:?}: cost-core {} nano-USD, genai-prices {}",
                case.provider, case.model, case.at, case.batch, case.usage, ours_nano, theirs
            )),
        }
    }
    assert!(compared > 10_000, "only {compared} cases compared");
    let stale: Vec<&str> = policy
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(p, _)| p.reason.as_str())
        .collect();
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ (first 20):\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed policy differences that no longer occur: {stale:?}"
    );
}
