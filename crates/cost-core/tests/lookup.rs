//! Model lookup after importing real price tables: the names people type keep finding the
//! model they mean, and an unlisted dated snapshot is priced with a warning, never silently.

use cost_core::{Catalog, Date, ErrorKind, MergePolicy, PriceOptions, Usage, WarningKind};

const FEED: &str = include_str!("../../../tests/fixtures/genai-prices-v2-feed-2026-08-21.json");
const LITELLM: &str = include_str!("../../../tests/fixtures/litellm-1.109.1-model-prices.json");

fn at() -> PriceOptions {
    PriceOptions {
        at: "2026-11-23".parse::<Date>().unwrap(),
        batch: false,
    }
}

fn loaded(text: &str, policy: MergePolicy) -> Catalog {
    let mut catalog = Catalog::bundled();
    catalog.load_prices(text, policy).unwrap();
    catalog
}

#[test]
fn every_bundled_model_is_still_found_by_its_qualified_id_after_an_import() {
    let bundled = Catalog::bundled();
    for (name, text) in [("genai-prices feed", FEED), ("LiteLLM", LITELLM)] {
        for policy in [MergePolicy::Replace, MergePolicy::KeepExisting] {
            let catalog = loaded(text, policy);
            let mut lost = Vec::new();
            for model in bundled.models() {
                match catalog.find(&model.qualified_id()) {
                    Ok(found) if found.provider == model.provider => {}
                    Ok(found) => lost.push(format!(
                        "{} -> {}",
                        model.qualified_id(),
                        found.qualified_id()
                    )),
                    Err(e) => lost.push(format!("{}: {e}", model.qualified_id())),
                }
            }
            assert!(lost.is_empty(), "after {name} ({policy:?}): {lost:#?}");
        }
    }
}

#[test]
fn bare_names_prefer_the_catalog_s_own_providers_over_imported_hosts() {
    let catalog = loaded(LITELLM, MergePolicy::Replace);
    // LiteLLM also lists gpt-4o at Azure and OpenRouter.
    assert_eq!(catalog.find("gpt-4o").unwrap().provider, "openai");
    assert_eq!(
        catalog
            .find("anthropic/claude-sonnet-4-5")
            .unwrap()
            .provider,
        "anthropic"
    );
    let catalog = loaded(FEED, MergePolicy::Replace);
    assert_eq!(
        catalog.find("claude-opus-4-7").unwrap().provider,
        "anthropic"
    );
    assert_eq!(catalog.find("o3").unwrap().provider, "openai");
}

#[test]
fn a_dated_snapshot_with_its_own_price_is_not_replaced_by_the_undated_model() {
    // LiteLLM prices gpt-4o-2024-05-13 at $5/$15, unlike gpt-4o.
    let catalog = loaded(LITELLM, MergePolicy::Replace);
    let usage = Usage {
        input_tokens: 100_000,
        output_tokens: 0,
        ..Usage::default()
    };
    let snapshot = catalog
        .price("openai/gpt-4o-2024-05-13", &usage, at())
        .unwrap();
    assert_eq!(snapshot.total_usd.to_decimal_string(), "0.5");
    assert!(snapshot.warnings.is_empty(), "{:?}", snapshot.warnings);
    let current = catalog.price("openai/gpt-4o", &usage, at()).unwrap();
    assert_eq!(current.total_usd.to_decimal_string(), "0.25");
}

#[test]
fn an_unlisted_snapshot_is_priced_as_its_model_with_a_warning() {
    let catalog = Catalog::bundled();
    let usage = Usage {
        input_tokens: 1_000,
        output_tokens: 100,
        ..Usage::default()
    };
    let cost = catalog.price("gpt-4o-2099-01-01", &usage, at()).unwrap();
    assert_eq!(cost.model, "gpt-4o");
    assert!(
        cost.warnings
            .iter()
            .any(|w| w.kind == WarningKind::SnapshotNotListed && w.message.contains("-2099-01-01")),
        "{:?}",
        cost.warnings
    );
    // A listed snapshot and a `-latest` form are exact names: no warning.
    for name in [
        "claude-sonnet-4-5-20250929",
        "claude-3-5-haiku",
        "claude-3-5-haiku-latest",
        "CLAUDE-SONNET-4.5",
    ] {
        let cost = catalog.price(name, &usage, at()).unwrap();
        assert!(
            !cost
                .warnings
                .iter()
                .any(|w| w.kind == WarningKind::SnapshotNotListed),
            "{name}: {:?}",
            cost.warnings
        );
    }
}

#[test]
fn names_served_by_two_bundled_hosts_stay_ambiguous_and_say_how_to_choose() {
    let catalog = Catalog::bundled();
    let e = catalog.find("llama-3.3-70b").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AmbiguousModel);
    assert!(e.to_string().contains("groq/"), "{e}");
    assert!(e.to_string().contains("together/"), "{e}");
    assert_eq!(catalog.find("groq/llama-3.3-70b").unwrap().provider, "groq");
}
