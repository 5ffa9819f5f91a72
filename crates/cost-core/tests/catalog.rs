//! The bundled price catalog (`data/catalog.toml`): it decodes, it is complete, every name
//! people type finds the right model, no two models share a name, and the published figures hold.
//!
//! Money is compared as exact decimal strings, never as floats.

use std::collections::BTreeSet;

use cost_core::{Catalog, Date, ErrorKind, Model, PriceOptions, TokenizerFamily, Usage};

fn date(text: &str) -> Date {
    text.parse()
        .unwrap_or_else(|e| panic!("bad date {text}: {e:?}"))
}

fn catalog() -> Catalog {
    Catalog::bundled()
}

fn find<'a>(catalog: &'a Catalog, name: &str) -> &'a Model {
    catalog
        .find(name)
        .unwrap_or_else(|e| panic!("`{name}` should resolve: {e}"))
}

/// The eight providers the catalog must cover.
const PROVIDERS: [&str; 8] = [
    "anthropic",
    "openai",
    "google",
    "deepseek",
    "mistral",
    "xai",
    "groq",
    "together",
];

#[test]
fn bundled_catalog_decodes_and_is_large_enough() {
    let catalog = catalog();
    assert!(
        catalog.models().len() >= 60,
        "only {} models",
        catalog.models().len()
    );
    let current = catalog.models().iter().filter(|m| !m.deprecated).count();
    assert!(
        current >= 65,
        "only {current} current (not deprecated) models"
    );
    assert!(catalog.providers().len() >= 8);
    for id in PROVIDERS {
        let provider = catalog
            .provider(id)
            .unwrap_or_else(|| panic!("provider {id} missing"));
        assert!(
            provider.pricing_url.starts_with("https://"),
            "{id}: pricing_url"
        );
        assert!(!provider.notes.is_empty(), "{id}: notes");
        assert!(
            catalog
                .models()
                .iter()
                .any(|m| m.provider == id && !m.deprecated),
            "{id} has no current model"
        );
    }
    let used: BTreeSet<&str> = catalog
        .models()
        .iter()
        .map(|m| m.provider.as_str())
        .collect();
    assert_eq!(used, PROVIDERS.iter().copied().collect());
}

#[test]
fn every_model_has_every_field() {
    let catalog = catalog();
    let checked = date("2026-11-23");
    for m in catalog.models() {
        let q = m.qualified_id();
        assert!(!m.name.is_empty(), "{q}: display name");
        assert!(m.context_window.is_some_and(|c| c > 0), "{q}: context");
        assert!(m.max_output_tokens.is_some_and(|o| o > 0), "{q}: output");
        assert!(
            m.max_output_tokens <= m.context_window,
            "{q}: output above context"
        );
        assert!(m.source.starts_with("https://"), "{q}: source");
        assert_eq!(m.prices_checked, Some(checked), "{q}: prices_checked");
        assert!(m.notes.contains("(MIT"), "{q}: notes must credit the data");
        assert_ne!(m.tokenizer, TokenizerFamily::Other, "{q}: tokenizer");
        for set in &m.prices {
            if let Some(batch) = &set.batch {
                let thresholds = |r: &cost_core::Rates| {
                    r.tiers.iter().map(|t| t.above_tokens).collect::<Vec<_>>()
                };
                assert_eq!(thresholds(batch), thresholds(&set.standard), "{q}");
            }
        }
    }
}

#[test]
fn provider_aliases_resolve() {
    let catalog = catalog();
    for (alias, id) in [
        ("x-ai", "xai"),
        ("mistralai", "mistral"),
        ("gemini", "google"),
        ("vertex_ai", "google"),
        ("together_ai", "together"),
        ("togetherai", "together"),
        ("openai", "openai"),
        ("anthropic", "anthropic"),
        ("deepseek", "deepseek"),
        ("google", "google"),
    ] {
        let provider = catalog
            .provider(alias)
            .unwrap_or_else(|| panic!("provider alias {alias}"));
        assert_eq!(provider.id, id, "{alias}");
    }
    assert!(catalog.provider("xai").unwrap().tier_threshold_inclusive);
    for id in PROVIDERS.iter().filter(|id| **id != "xai") {
        assert!(
            !catalog.provider(id).unwrap().tier_threshold_inclusive,
            "{id}"
        );
    }
}

#[test]
fn the_names_people_type_find_the_right_model() {
    let catalog = catalog();
    for (name, expected) in [
        ("sonnet", "anthropic/claude-sonnet-5-5"),
        ("opus", "anthropic/claude-opus-5-5"),
        ("haiku", "anthropic/claude-haiku-5-5"),
        ("claude-3-5-haiku", "anthropic/claude-3-5-haiku-latest"),
        (
            "claude-3-5-haiku-latest",
            "anthropic/claude-3-5-haiku-latest",
        ),
        (
            "claude-3-5-haiku-20241022",
            "anthropic/claude-3-5-haiku-latest",
        ),
        ("claude-3.5-haiku", "anthropic/claude-3-5-haiku-latest"),
        (
            "claude-3-7-sonnet-20250219",
            "anthropic/claude-3-7-sonnet-latest",
        ),
        ("anthropic/claude-haiku-4-5", "anthropic/claude-haiku-4-5"),
        ("claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5"),
        ("CLAUDE-SONNET-4-5-20250929", "anthropic/claude-sonnet-4-5"),
        ("anthropic/claude-sonnet-4.5", "anthropic/claude-sonnet-4-5"),
        ("claude-sonnet-4", "anthropic/claude-sonnet-4-0"),
        ("claude-sonnet-4-20250514", "anthropic/claude-sonnet-4-0"),
        ("claude-opus-4-1@20250805", "anthropic/claude-opus-4-1"),
        ("claude-opus-4.7", "anthropic/claude-opus-4-7"),
        ("claude-fable-5-2", "anthropic/claude-fable-5-2"),
        ("claude-mythos-5-2", "anthropic/claude-mythos-5-2"),
        ("openai/gpt-4o", "openai/gpt-4o"),
        ("gpt-4o-2024-08-06", "openai/gpt-4o"),
        ("gpt4o", "openai/gpt-4o"),
        ("4o", "openai/gpt-4o"),
        ("4o-mini", "openai/gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini"),
        ("gpt5", "openai/gpt-5"),
        ("gpt-5-2025-08-07", "openai/gpt-5"),
        ("gpt-5-mini", "openai/gpt-5-mini"),
        ("gpt5-mini", "openai/gpt-5-mini"),
        ("openai/gpt-5-mini", "openai/gpt-5-mini"),
        ("gpt-5.4", "openai/gpt-5.4"),
        ("gpt-5-4", "openai/gpt-5.4"),
        ("gpt-5.6", "openai/gpt-5.6-sol"),
        ("o3-2025-04-16", "openai/o3"),
        ("o4-mini", "openai/o4-mini"),
        ("flash", "google/gemini-3.8-flash"),
        ("gemini-flash-latest", "google/gemini-3.8-flash"),
        ("flash-lite", "google/gemini-3.5-flash-lite"),
        ("gemini-pro", "google/gemini-3.1-pro-preview"),
        ("gemini-pro-latest", "google/gemini-3.1-pro-preview"),
        ("models/gemini-2.5-flash", "google/gemini-2.5-flash"),
        ("google/gemini-2.5-pro", "google/gemini-2.5-pro"),
        ("gemini/gemini-2.5-pro", "google/gemini-2.5-pro"),
        ("vertex_ai/gemini-2.5-pro", "google/gemini-2.5-pro"),
        ("deepseek/deepseek-chat", "deepseek/deepseek-chat"),
        ("deepseek-reasoner", "deepseek/deepseek-reasoner"),
        ("mistral-large-latest", "mistral/mistral-large-2512"),
        (
            "mistralai/mistral-medium-latest",
            "mistral/mistral-medium-2604",
        ),
        ("mistral-small-latest", "mistral/mistral-small-2603"),
        ("codestral-latest", "mistral/codestral-2508"),
        ("ministral-8b-latest", "mistral/ministral-8b-2512"),
        ("grok", "xai/grok-4.5"),
        ("grok-latest", "xai/grok-4.5"),
        ("x-ai/grok-4", "xai/grok-4-0709"),
        ("xai/grok-4.3", "xai/grok-4.3"),
        ("grok-3", "xai/grok-3"),
        ("grok-3-mini", "xai/grok-3-mini"),
        ("grok-code-fast-1", "xai/grok-code-fast-1"),
        ("groq/llama-3.3-70b", "groq/llama-3.3-70b-versatile"),
        ("llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile"),
        ("llama-3.1-8b", "groq/llama-3.1-8b-instant"),
        (
            "llama-4-scout",
            "groq/meta-llama/llama-4-scout-17b-16e-instruct",
        ),
        (
            "meta-llama/llama-4-scout-17b-16e-instruct",
            "groq/meta-llama/llama-4-scout-17b-16e-instruct",
        ),
        (
            "together/llama-4-maverick",
            "together/meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
        ),
        (
            "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "together/meta-llama/Llama-3.3-70B-Instruct-Turbo",
        ),
        ("groq/openai/gpt-oss-120b", "groq/openai/gpt-oss-120b"),
    ] {
        assert_eq!(find(&catalog, name).qualified_id(), expected, "`{name}`");
    }
}

#[test]
fn names_served_by_groq_and_together_need_a_provider() {
    let catalog = catalog();
    for name in [
        "llama-3.3-70b",
        "llama-4-maverick",
        "meta-llama/llama-4-maverick",
    ] {
        let error = catalog.find(name).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::AmbiguousModel, "`{name}`: {error}");
    }
}

#[test]
fn a_misspelt_name_suggests_the_right_model() {
    let catalog = catalog();
    let error = catalog.find("claude-sonet-4-5").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnknownModel);
    assert!(
        error
            .suggestions()
            .iter()
            .any(|s| s == "anthropic/claude-sonnet-4-5"),
        "suggestions: {:?}",
        error.suggestions()
    );
}

/// Lookup ignores case, reads `.`, `_` and spaces as `-` and strips snapshot suffixes, so two
/// models sharing a name after that would make one of them unreachable. Every id and alias must
/// find its own model; only Llama names served by both Groq and Together may need a provider.
#[test]
fn no_two_models_share_a_name() {
    let catalog = catalog();
    let mut shared = BTreeSet::new();
    for m in catalog.models() {
        for name in std::iter::once(&m.id).chain(&m.aliases) {
            let qualified = format!("{}/{name}", m.provider);
            assert_eq!(
                find(&catalog, &qualified).qualified_id(),
                m.qualified_id(),
                "`{qualified}`"
            );
            match catalog.find(name) {
                Ok(found) => assert_eq!(
                    found.qualified_id(),
                    m.qualified_id(),
                    "`{name}` finds another model"
                ),
                Err(e) if e.kind() == ErrorKind::AmbiguousModel => {
                    assert!(
                        m.provider == "groq" || m.provider == "together",
                        "`{name}` is ambiguous: {e}"
                    );
                    shared.insert(name.to_ascii_lowercase());
                }
                Err(e) => panic!("`{name}`: {e}"),
            }
        }
    }
    let expected: BTreeSet<String> = [
        "llama-3.3-70b",
        "llama-3.3-70b-instruct",
        "llama-4-maverick",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(shared, expected);
}

fn cost(catalog: &Catalog, model: &str, usage: Usage, at: &str, batch: bool) -> String {
    catalog
        .price(
            model,
            &usage,
            PriceOptions {
                at: date(at),
                batch,
            },
        )
        .unwrap_or_else(|e| panic!("{model}: {e}"))
        .total_usd
        .to_decimal_string()
}

fn tokens(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        ..Usage::default()
    }
}

#[test]
fn the_published_claude_haiku_3_5_figures() {
    let catalog = catalog();
    assert_eq!(
        cost(
            &catalog,
            "claude-3-5-haiku",
            tokens(550, 100),
            "2026-11-23",
            false
        ),
        "0.00084"
    );
    // 600 such calls through the Message Batches API.
    assert_eq!(
        cost(
            &catalog,
            "claude-3-5-haiku",
            tokens(550 * 600, 100 * 600),
            "2026-11-23",
            true
        ),
        "0.252"
    );
    let prices = find(&catalog, "claude-3-5-haiku")
        .current_prices()
        .standard
        .base;
    let text = |p: Option<cost_core::UsdPerMtok>| p.map(|p| p.to_decimal_string());
    assert_eq!(prices.input_usd_per_mtok.to_decimal_string(), "0.8");
    assert_eq!(prices.output_usd_per_mtok.to_decimal_string(), "4");
    assert_eq!(
        text(prices.cache_write_5m_usd_per_mtok).as_deref(),
        Some("1")
    );
    assert_eq!(
        text(prices.cache_write_1h_usd_per_mtok).as_deref(),
        Some("1.6")
    );
    assert_eq!(
        text(prices.cache_read_usd_per_mtok).as_deref(),
        Some("0.08")
    );
}

#[test]
fn long_context_tiers_sit_where_the_providers_put_them() {
    let catalog = catalog();
    for (name, at, above) in [
        ("claude-sonnet-4-5", "2026-11-23", 200_000),
        ("claude-sonnet-4-0", "2026-01-01", 200_000),
        ("claude-opus-4-6", "2026-03-12", 200_000),
        ("claude-haiku-5-5", "2026-11-23", 100_000),
        ("gemini-2.5-pro", "2026-11-23", 200_000),
        ("gemini-3.1-pro-preview", "2026-11-23", 200_000),
        ("gpt-5.4", "2026-11-23", 272_000),
        ("gpt-5.5", "2026-11-23", 272_000),
        ("grok-4.3", "2026-11-23", 200_000),
    ] {
        let set = find(&catalog, name).price_set_at(date(at));
        let thresholds: Vec<u64> = set.standard.tiers.iter().map(|t| t.above_tokens).collect();
        assert_eq!(thresholds, vec![above], "{name} on {at}");
    }
    // Flat from 2026-03-13.
    let set = find(&catalog, "claude-opus-4-6").price_set_at(date("2026-03-13"));
    assert!(set.standard.tiers.is_empty());
    // xAI's tier applies at 200,000 prompt tokens exactly.
    assert_eq!(
        cost(
            &catalog,
            "grok-4.3",
            tokens(200_000, 0),
            "2026-11-23",
            false
        ),
        "0.5"
    );
    assert_eq!(
        cost(
            &catalog,
            "grok-4.3",
            tokens(199_999, 0),
            "2026-11-23",
            false
        ),
        "0.24999875"
    );
}

#[test]
fn dated_price_changes_apply_from_their_day() {
    let catalog = catalog();
    let o3 = |at| cost(&catalog, "o3", tokens(1_000_000, 1_000_000), at, false);
    assert_eq!(o3("2025-06-09"), "50");
    assert_eq!(o3("2025-06-10"), "10");
    let chat = |at| {
        cost(
            &catalog,
            "deepseek-chat",
            tokens(1_000_000, 1_000_000),
            at,
            false,
        )
    };
    assert_eq!(chat("2025-09-05"), "1.37");
    assert_eq!(chat("2025-09-06"), "2.24");
    assert_eq!(chat("2025-09-29"), "0.7");
    // Retired xAI models are billed at grok-4.3 prices after the 2026-05-15 redirect.
    let grok = |at| {
        cost(
            &catalog,
            "grok-code-fast-1",
            tokens(100_000, 100_000),
            at,
            false,
        )
    };
    assert_eq!(grok("2026-05-15"), "0.17");
    assert_eq!(grok("2026-05-16"), "0.375");
    let flash = |at| {
        cost(
            &catalog,
            "gemini-3.8-flash",
            tokens(1_000_000, 1_000_000),
            at,
            false,
        )
    };
    assert_eq!(flash("2026-12-31"), "4.5");
    assert_eq!(flash("2027-01-01"), "9");
}

#[test]
fn batch_prices_are_explicit_and_only_where_offered() {
    let catalog = catalog();
    for m in catalog.models() {
        let has_batch = m.current_prices().batch.is_some();
        match m.provider.as_str() {
            "anthropic" | "mistral" => assert!(has_batch, "{} has no batch table", m.id),
            "deepseek" | "together" => assert!(!has_batch, "{} has a batch table", m.id),
            _ => {}
        }
    }
    // Anthropic: cache multipliers stack with the batch discount.
    let batch = find(&catalog, "claude-sonnet-4-5")
        .current_prices()
        .batch
        .as_ref()
        .expect("batch");
    let read = batch
        .base
        .cache_read_usd_per_mtok
        .expect("batch cache read");
    assert_eq!(read.to_decimal_string(), "0.15");
    // Google: Gemini 2.5 Pro bills batch context caching at the standard rate.
    let batch = find(&catalog, "gemini-2.5-pro")
        .current_prices()
        .batch
        .as_ref()
        .expect("batch");
    let read = batch
        .base
        .cache_read_usd_per_mtok
        .expect("batch cache read");
    assert_eq!(read.to_decimal_string(), "0.125");
    // OpenAI publishes no batch cached-input rate for GPT-4o.
    let batch = find(&catalog, "gpt-4o")
        .current_prices()
        .batch
        .as_ref()
        .expect("batch");
    assert_eq!(batch.base.cache_read_usd_per_mtok, None);
    // OpenAI and DeepSeek charge nothing to write the cache on these models.
    for name in ["gpt-4o", "gpt-5", "o3", "deepseek-v4-flash"] {
        let base = find(&catalog, name).current_prices().standard.base;
        assert_eq!(base.cache_write_5m_usd_per_mtok, None, "{name}");
        assert_eq!(base.cache_write_1h_usd_per_mtok, None, "{name}");
    }
}

#[test]
fn tokenizers_follow_the_model_families() {
    let catalog = catalog();
    for (name, family) in [
        ("claude-3-5-haiku", TokenizerFamily::Claude),
        ("claude-sonnet-4-6", TokenizerFamily::Claude),
        ("claude-opus-4-6", TokenizerFamily::Claude),
        ("claude-opus-4-7", TokenizerFamily::Claude2026),
        ("claude-haiku-5-5", TokenizerFamily::Claude2026),
        ("claude-fable-5", TokenizerFamily::Claude2026),
        ("gpt-4o", TokenizerFamily::O200k),
        ("o3", TokenizerFamily::O200k),
        ("gemini-2.5-pro", TokenizerFamily::Gemini),
        ("groq/llama-3.3-70b", TokenizerFamily::Llama3),
        ("deepseek-v4-pro", TokenizerFamily::DeepSeek),
        ("mistral-large-4", TokenizerFamily::Mistral),
        ("grok-4.3", TokenizerFamily::Grok),
    ] {
        assert_eq!(find(&catalog, name).tokenizer, family, "{name}");
    }
}
