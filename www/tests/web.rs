//! Component tests of the web app's logic, run by wasm-bindgen-test in headless Chromium
//! (`cargo xtask test` runs them): storage faults, import merging, money formatting, usage
//! parsing, the Compare page's URL state, custom price files, and the charts as mounted.

use cost_core::{Catalog, Date, MergePolicy};
use llmcost_www::format::{parse_usd, per_mtok, times, usd};
use llmcost_www::pages::compare::Scenario;
use llmcost_www::pages::prices::{custom_model_json, override_json};
use llmcost_www::pages::usage::price_text;
use llmcost_www::storage::{
    estimate_key, layer_json, parse_export, price_key, EstimateInputs, EstimateSummary, PriceLayer,
    ProblemKind, SavedBudget, SavedEstimate, SavedPrices, Store, WriteError, BUDGET_KEY,
    PRICES_KEY,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn today() -> Date {
    "2026-11-23".parse().unwrap()
}

fn estimate(id: &str, name: &str) -> SavedEstimate {
    SavedEstimate {
        id: id.into(),
        name: name.into(),
        created_ms: 1,
        updated_ms: 2,
        book: None,
        inputs: EstimateInputs {
            preset: Some("one-prompt-per-sentence".into()),
            pipeline_json: cost_core::preset("one-prompt-per-sentence")
                .unwrap()
                .pipeline
                .to_json(),
            models: vec!["anthropic/claude-haiku-4-5".into()],
            batch: false,
            cache: "default".into(),
            cache_hit_percent: 100,
            plain: None,
            at: today(),
        },
        summary: EstimateSummary::default(),
    }
}

#[wasm_bindgen_test]
fn a_corrupt_or_future_entry_is_reported_and_left_untouched() {
    let store = Store::memory(None);
    store.save_estimate(&estimate("a", "first")).unwrap();
    store.set_raw(&estimate_key("b"), "{not json").unwrap();
    store
        .set_raw("llmcost.estimate.v7.c", "{\"whatever\":1}")
        .unwrap();
    let loaded = store.estimates();
    assert_eq!(loaded.records.len(), 1);
    assert_eq!(loaded.records[0].name, "first");
    assert_eq!(loaded.problems.len(), 2);
    assert!(loaded
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::FutureVersion(7)));
    assert!(loaded
        .problems
        .iter()
        .any(|p| p.message().contains("kept as-is")));
    // Both are still there, byte for byte.
    assert_eq!(
        store.get_raw(&estimate_key("b")).unwrap().as_deref(),
        Some("{not json")
    );
    assert_eq!(
        store.get_raw("llmcost.estimate.v7.c").unwrap().as_deref(),
        Some("{\"whatever\":1}")
    );
}

#[wasm_bindgen_test]
fn saving_over_an_unreadable_budget_sets_it_aside_first() {
    let budget = SavedBudget {
        monthly_usd: cost_core::Usd::from_femto(100_000_000_000_000_000),
        daily_usd: None,
        alerts_percent: vec![80, 100],
    };
    let store = Store::memory(None);
    store.set_raw(BUDGET_KEY, "{broken").unwrap();
    assert!(store.single::<SavedBudget>(BUDGET_KEY).is_err());
    let aside = store.save_single_keeping(BUDGET_KEY, &budget).unwrap();
    assert_eq!(aside.as_deref(), Some("llmcost.budget.v1.unreadable.1"));
    assert_eq!(
        store
            .get_raw("llmcost.budget.v1.unreadable.1")
            .unwrap()
            .as_deref(),
        Some("{broken")
    );
    assert_eq!(
        store.single::<SavedBudget>(BUDGET_KEY).unwrap(),
        Some(budget.clone())
    );
    // Not read as a budget, nor reported as a newer version's record.
    assert!(store.future_singles().is_empty());
    // A readable budget is simply replaced; a second unreadable one goes beside the first.
    assert_eq!(store.save_single_keeping(BUDGET_KEY, &budget), Ok(None));
    store.set_raw(BUDGET_KEY, "[]").unwrap();
    assert_eq!(
        store
            .save_single_keeping(BUDGET_KEY, &budget)
            .unwrap()
            .as_deref(),
        Some("llmcost.budget.v1.unreadable.2")
    );
    assert_eq!(
        store
            .get_raw("llmcost.budget.v1.unreadable.1")
            .unwrap()
            .as_deref(),
        Some("{broken")
    );

    // No room for the copy: nothing is written, the unreadable entry stays where it was.
    let store = Store::memory(Some(BUDGET_KEY.len() + 10));
    store.set_raw(BUDGET_KEY, "{broken").unwrap();
    assert_eq!(
        store.save_single_keeping(BUDGET_KEY, &budget),
        Err(WriteError::Full)
    );
    assert_eq!(
        store.get_raw(BUDGET_KEY).unwrap().as_deref(),
        Some("{broken")
    );
}

#[wasm_bindgen_test]
fn a_full_quota_fails_one_write_and_keeps_everything_else() {
    let one = serde_json::to_string(&estimate("a", "first")).unwrap();
    let store = Store::memory(Some(one.len() + 40));
    store.save_estimate(&estimate("a", "first")).unwrap();
    let err = store.save_estimate(&estimate("b", "second")).unwrap_err();
    assert_eq!(err, WriteError::Full);
    assert!(err.message().contains("intact"));
    let loaded = store.estimates();
    assert_eq!(loaded.records.len(), 1);
    assert_eq!(loaded.records[0].name, "first");
}

#[wasm_bindgen_test]
fn storage_that_fails_every_call_reads_as_empty_and_reports_unavailable() {
    let store = Store::memory(None);
    if let Store::Memory(m) = &store {
        m.lock().unwrap().broken = true;
    }
    let loaded = store.estimates();
    assert!(!loaded.available);
    assert!(loaded.records.is_empty());
    assert_eq!(
        store.save_estimate(&estimate("a", "x")),
        Err(WriteError::Unavailable)
    );
    assert_eq!(
        Store::Off.save_estimate(&estimate("a", "x")),
        Err(WriteError::Unavailable)
    );
}

fn layer(id: &str, added_ms: u64) -> PriceLayer {
    PriceLayer {
        id: id.into(),
        name: format!("file {id}"),
        text: format!("{{\"models\": [], \"note\": \"{id}\"}}"),
        added_ms,
    }
}

/// Two tabs share one localStorage: each adds a price file from what it read at start, at
/// the same moment. Each file has its own key, so neither write can drop the other's.
#[wasm_bindgen_test]
fn two_tabs_adding_price_files_at_once_keep_both() {
    let tab_a = Store::memory(None);
    let tab_b = tab_a.clone();
    tab_a.save_price_layer(&layer("old", 1)).unwrap();
    let seen_by_a = tab_a.prices().records;
    let seen_by_b = tab_b.prices().records;
    assert_eq!(seen_by_a, seen_by_b);
    tab_a.save_price_layer(&layer("from-a", 5)).unwrap();
    tab_b.save_price_layer(&layer("from-b", 5)).unwrap();
    let ids: Vec<String> = tab_a.prices().records.into_iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        ["old", "from-a", "from-b"],
        "in the order added, then by id"
    );
    // Removing one (tab B) leaves the other tab's.
    tab_b.delete_price_layer("old").unwrap();
    let ids: Vec<String> = tab_a.prices().records.into_iter().map(|l| l.id).collect();
    assert_eq!(ids, ["from-a", "from-b"]);
}

/// Price files an earlier version kept in one record are split into one key each, in the
/// same order; a corrupt file is one problem, the others load; a reset leaves a newer
/// version's files alone.
#[wasm_bindgen_test]
fn price_files_are_split_migrated_isolated_and_reset() {
    let store = Store::memory(None);
    let legacy = SavedPrices {
        layers: vec![layer("first", 10), layer("second", 20)],
    };
    store.save_single(PRICES_KEY, &legacy).unwrap();
    store.set_raw(&price_key("broken"), "{not json").unwrap();
    store
        .set_raw("llmcost.price.v9.later", "{\"x\":1}")
        .unwrap();
    let loaded = store.prices();
    assert_eq!(loaded.records, legacy.layers);
    assert_eq!(loaded.problems.len(), 2, "{:?}", loaded.problems);
    assert_eq!(
        store.get_raw(PRICES_KEY).unwrap(),
        None,
        "the old record is gone once split"
    );
    assert!(store.get_raw(&price_key("second")).unwrap().is_some());
    // The export carries the price files; a corrupt legacy record is reported, kept.
    assert_eq!(store.export().prices, Some(legacy.clone()));
    store.set_raw(PRICES_KEY, "[oops").unwrap();
    let again = store.prices();
    assert_eq!(again.records, legacy.layers);
    assert!(again.problems.iter().any(|p| p.key == PRICES_KEY));
    assert_eq!(store.get_raw(PRICES_KEY).unwrap().as_deref(), Some("[oops"));
    // A quota too small for the split keeps the old record whole.
    let full = Store::memory(Some(400));
    full.save_single(PRICES_KEY, &legacy).unwrap();
    let loaded = full.prices();
    assert!(
        full.get_raw(PRICES_KEY).unwrap().is_some(),
        "kept until every file is written"
    );
    assert!(
        full.get_raw(&price_key("second")).unwrap().is_none(),
        "the quota is full"
    );
    assert_eq!(loaded.records, legacy.layers, "every file still applies");
    // Reset: every file of this version and the old record go; the newer one stays.
    store.clear_prices().unwrap();
    assert!(store.prices().records.is_empty());
    assert_eq!(store.get_raw(PRICES_KEY).unwrap(), None);
    assert_eq!(
        store.get_raw("llmcost.price.v9.later").unwrap().as_deref(),
        Some("{\"x\":1}")
    );
}

#[wasm_bindgen_test]
fn import_merges_and_never_overwrites() {
    let here = Store::memory(None);
    here.save_estimate(&estimate("a", "mine")).unwrap();
    here.save_estimate(&estimate("b", "same")).unwrap();
    let theirs = Store::memory(None);
    theirs
        .save_estimate(&estimate("a", "theirs, different"))
        .unwrap();
    theirs.save_estimate(&estimate("b", "same")).unwrap();
    theirs.save_estimate(&estimate("c", "new")).unwrap();
    let text = serde_json::to_string(&theirs.export()).unwrap();
    let report = here.import(parse_export(&text).unwrap(), 5).unwrap();
    assert_eq!((report.added, report.unchanged, report.copied), (1, 1, 1));
    let names: Vec<String> = here
        .estimates()
        .records
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names.len(), 4);
    assert!(names.contains(&"mine".to_string()));
    assert!(names.contains(&"theirs, different (imported)".to_string()));
    // Importing again adds nothing new.
    let again = here.import(parse_export(&text).unwrap(), 6).unwrap();
    assert_eq!(again.added, 0);
    assert!(
        parse_export("{\"format\":\"something else\",\"version\":1,\"estimates\":[]}").is_err()
    );
    assert!(parse_export("[1,2,3]").is_err());
}

#[wasm_bindgen_test]
fn money_reads_as_people_write_it() {
    assert_eq!(usd(parse_usd("0.504").unwrap()), "$0.504");
    assert_eq!(usd(parse_usd("1234.56").unwrap()), "$1,234.56");
    assert_eq!(usd(parse_usd("0.000084").unwrap()), "$0.000084");
    assert_eq!(usd(parse_usd("$1,000").unwrap()), "$1,000.00");
    assert!(parse_usd("-3").is_err());
    assert!(parse_usd("abc").is_err());
    assert!(parse_usd("").is_err());
    assert!(parse_usd("1.0000000001").is_err());
    assert_eq!(
        times(parse_usd("0.504").unwrap(), parse_usd("0.252").unwrap()),
        "× 2.0"
    );
    assert_eq!(
        per_mtok(Some(cost_core::UsdPerMtok::from_nano(800_000_000))),
        "$0.80"
    );
}

#[wasm_bindgen_test]
fn pasted_responses_are_priced_and_bad_lines_named() {
    let catalog = Catalog::bundled();
    let line =
        r#"{"model":"claude-3-5-haiku-20241022","usage":{"input_tokens":550,"output_tokens":100}}"#;
    let text = format!("{line}\n{line}\n{{broken\n\n{line}");
    let (records, errors) = price_text(&catalog, &text, today());
    assert_eq!(records.len(), 3);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("line 3"), "{errors:?}");
    let total: i128 = records.iter().map(|r| r.cost_usd.femto()).sum();
    assert_eq!(
        cost_core::Usd::from_femto(total).to_decimal_string(),
        "0.00252"
    );
    // An array of responses, and one response.
    let (records, errors) = price_text(&catalog, &format!("[{line},{line}]"), today());
    assert_eq!((records.len(), errors.len()), (2, 0));
    // Whole API responses of two providers, as pasted from a terminal.
    let anthropic = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-3-5-haiku-20241022","content":[],"usage":{"input_tokens":550,"output_tokens":100}}"#;
    let openai = r#"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":10,"total_tokens":1010}}"#;
    let (records, errors) = price_text(&catalog, &format!("{anthropic}\n{openai}"), today());
    assert_eq!((records.len(), errors.len()), (2, 0), "{errors:?}");
    assert_eq!(records[0].cost_usd.to_decimal_string(), "0.00084");
    let (_, errors) = price_text(&catalog, "", today());
    assert_eq!(errors.len(), 1);
}

#[wasm_bindgen_test]
fn a_comparison_survives_its_url() {
    let s = Scenario {
        models: vec![
            "openai/gpt-5-mini".into(),
            "anthropic/claude-haiku-4-5".into(),
        ],
        input: 250_000,
        cached: 1000,
        cache_write: 0,
        output: 500,
        reasoning: 200,
        calls: 3,
        batch: true,
    };
    let query = s.to_query();
    let pairs: Vec<(String, String)> = query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let back = Scenario::from_query(|k| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    });
    assert_eq!(back, s);
    // Hostile values are clamped, not trusted.
    let wild = Scenario::from_query(|k| match k {
        "in" => Some("99999999999999999999".into()),
        "calls" => Some("0".into()),
        "out" => Some("-5".into()),
        _ => None,
    });
    assert_eq!(wild.calls, 1);
    assert_eq!(wild.output, Scenario::default().output);
    assert_eq!(wild.input, Scenario::default().input);
}

#[wasm_bindgen_test]
fn custom_models_and_overrides_load_into_the_catalog() {
    let json = custom_model_json("Acme", "writer-1", "0.5", "1.50", "0.05", "128,000").unwrap();
    let mut catalog = Catalog::bundled();
    catalog.load_prices(&json, MergePolicy::Replace).unwrap();
    let model = catalog.find("acme/writer-1").unwrap();
    assert_eq!(model.origin, cost_core::Origin::User);
    assert_eq!(model.context_window, Some(128_000));
    let over = override_json("claude-haiku-4-5", "2", "").unwrap();
    catalog.load_prices(&over, MergePolicy::Replace).unwrap();
    assert!(catalog.find("claude-haiku-4-5").unwrap().overridden);
    assert!(custom_model_json("acme", "a\"b", "1", "1", "", "").is_err());
    assert!(custom_model_json("acme", "x", "free", "1", "", "").is_err());
    assert!(override_json("claude-haiku-4-5", "", "").is_err());
}

/// Layers saved by earlier versions of the app were TOML; the app now reads JSON only, and
/// rewrites those layers so a user's own models keep applying with the same prices.
#[wasm_bindgen_test]
fn price_layers_saved_as_toml_by_earlier_versions_still_apply() {
    let old_custom = "[[providers]]\nid = \"acme\"\nname = \"acme\"\n\n[[models]]\nprovider = \"acme\"\nid = \"writer-1\"\nname = \"writer-1\"\nsource = \"added by you in llmcost\"\ncontext_window = 128000\n\n[[models.prices]]\ninput_mtok = \"0.5\"\noutput_mtok = \"1.5\"\ncache_read_mtok = \"0.05\"\n";
    let old_override = "[[overrides]]\nmodel = \"claude-haiku-4-5\"\ninput_mtok = \"2\"\n";
    let mut from_old = Catalog::bundled();
    from_old
        .load_prices(&layer_json(old_custom), MergePolicy::Replace)
        .unwrap();
    from_old
        .load_prices(&layer_json(old_override), MergePolicy::Replace)
        .unwrap();
    let mut from_new = Catalog::bundled();
    let new_custom = custom_model_json("acme", "writer-1", "0.5", "1.5", "0.05", "128000").unwrap();
    from_new
        .load_prices(&new_custom, MergePolicy::Replace)
        .unwrap();
    from_new
        .load_prices(
            &override_json("claude-haiku-4-5", "2", "").unwrap(),
            MergePolicy::Replace,
        )
        .unwrap();
    for name in ["acme/writer-1", "claude-haiku-4-5"] {
        assert_eq!(
            from_old.find(name).unwrap(),
            from_new.find(name).unwrap(),
            "{name}"
        );
    }
    // Other text is passed through untouched, and a TOML file the app did not write is
    // refused with a message saying this build reads JSON.
    assert_eq!(layer_json("{\"models\": []}"), "{\"models\": []}");
    let foreign = "[[models]]\nprovider = \"x\"\nid = \"y\"\nprices = [{ input_mtok = 1.0, output_mtok = 2.0 }]\n";
    assert_eq!(layer_json(foreign), foreign);
    let error = Catalog::bundled()
        .load_prices(foreign, MergePolicy::Replace)
        .unwrap_err()
        .to_string();
    assert!(error.contains("reads price files as JSON only"), "{error}");
}

#[wasm_bindgen_test]
fn the_stacked_chart_draws_each_cost_with_its_exact_amount() {
    use leptos::prelude::*;
    use llmcost_www::charts::{StackedBars, StackedRow};
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let zero = cost_core::Usd::from_femto(0);
    let rows = vec![
        StackedRow {
            label: "Cheap".into(),
            parts: [
                parse_usd("0.25").unwrap(),
                zero,
                parse_usd("0.05").unwrap(),
                parse_usd("0.2").unwrap(),
                zero,
            ],
        },
        StackedRow {
            label: "Dear".into(),
            parts: [
                parse_usd("3").unwrap(),
                parse_usd("1").unwrap(),
                zero,
                parse_usd("6").unwrap(),
                zero,
            ],
        },
    ];
    let handle = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <StackedBars rows=rows.clone() /> }
    });
    // 3 + 3 segments for the non-zero components, and 5 legend swatches.
    assert_eq!(host.query_selector_all("rect.seg").unwrap().length(), 11);
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("$10.00"), "{text}");
    assert!(text.contains("Dear: Cache writes $1.00"), "{text}");
    assert!(text.contains("$0.50"), "{text}");
    let label = host
        .query_selector("svg")
        .unwrap()
        .unwrap()
        .get_attribute("aria-label")
        .unwrap();
    assert!(label.contains("2 models"), "{label}");
    drop(handle);
}

/// The costs the native build computed for 600 seeded usages (tests/fixtures/generated-costs.json,
/// kept current by cost-core's `generated_costs` test) are the costs cost-core computes here,
/// compiled to WebAssembly as the app uses it, to the femto-dollar.
#[wasm_bindgen_test]
fn generated_usages_cost_the_same_in_the_browser_as_natively() {
    use cost_core::{PriceOptions, Usage};
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../tests/fixtures/generated-costs.json")).unwrap();
    assert_eq!(cases.len(), 600);
    let catalog = Catalog::bundled();
    for (i, case) in cases.iter().enumerate() {
        let usage: Usage = serde_json::from_value(case["usage"].clone()).unwrap();
        let options = PriceOptions {
            at: case["at"].as_str().unwrap().parse().unwrap(),
            batch: case["batch"].as_bool().unwrap(),
        };
        let model = case["model"].as_str().unwrap();
        let expected = &case["expected"];
        match catalog.price(model, &usage, options) {
            Ok(cost) => {
                assert_eq!(
                    serde_json::json!(cost.total_usd),
                    expected["total_usd"],
                    "case {i}: {model}"
                );
                for (name, component) in cost.components.named() {
                    assert_eq!(
                        serde_json::json!(component.usd),
                        expected["components"][name],
                        "case {i}: {model} {name}"
                    );
                }
            }
            Err(error) => assert_eq!(
                expected["error"].as_str(),
                Some(error.kind().as_str()),
                "case {i}: {model}"
            ),
        }
    }
}

#[cfg(not(feature = "split"))]
async fn a_turn_of_the_event_loop() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// The estimate's engine is a chunk of its own (with the `split` feature): a first visit with
/// nothing to estimate loads none of it; the first input shows that it is loading, and so
/// does the catalog of someone with price files of their own (nothing is priced without
/// them); a failed load is reported (no panic, and no new download on every change) until a
/// new attempt succeeds. One test, in order: the engine, once loaded, stays loaded. (With
/// `split` the engine is a real chunk, which only the app's build makes: no failure to fake.)
#[cfg(not(feature = "split"))]
#[wasm_bindgen_test]
async fn the_estimate_waits_for_its_engine_and_reports_a_failed_load() {
    use leptos::prelude::*;
    use llmcost_www::engine;
    use llmcost_www::state::{AppState, Outcome, Unapplied, DEFAULT_MODELS};

    fn waiting(app: &AppState) -> Option<&'static str> {
        match app.result.get_untracked() {
            Some(Outcome::Waiting(what)) => Some(what),
            _ => None,
        }
    }
    let plain = Some(llmcost_www::storage::PlainInputs {
        units: 600,
        tokens_per_unit: 50,
        chapters: 12,
    });
    let owner = Owner::new();
    // A first visit: the catalog is the bundled one, there is nothing to estimate, and no
    // load starts.
    let first = owner.with(|| AppState::new(Store::memory(None)));
    assert_eq!(first.result.get_untracked(), None);
    assert_eq!(first.catalog.get_untracked().unapplied, None);
    a_turn_of_the_event_loop().await;
    assert!(engine::get().is_none(), "nothing asked for the engine");

    // Plain numbers need it, and so do someone's own price files; the download will fail.
    engine::fail_next_load();
    first.estimate.plain.set(plain);
    assert_eq!(waiting(&first), Some("Loading the estimator…"));
    let store = Store::memory(None);
    let json = custom_model_json("Acme", "writer-1", "0.5", "1.50", "", "").unwrap();
    store
        .save_price_layer(&PriceLayer {
            id: "mine".into(),
            name: "Your model acme/writer-1".into(),
            text: json,
            added_ms: 1,
        })
        .unwrap();
    let priced = owner.with(|| AppState::new(store));
    priced.estimate.plain.set(plain);
    priced
        .estimate
        .models
        .set(vec!["acme/writer-1".into(), "openai/gpt-5-mini".into()]);
    let catalog = priced.catalog.get_untracked();
    assert_eq!(catalog.unapplied, Some(Unapplied::Loading));
    assert!(
        catalog.catalog.find("acme/writer-1").is_err(),
        "the bundled catalog alone meanwhile"
    );
    assert_eq!(waiting(&priced), Some("Loading your price files…"));

    a_turn_of_the_event_loop().await;
    let failed =
        Outcome::Failed("the estimator could not be loaded from this site; reload the page".into());
    assert_eq!(first.result.get_untracked(), Some(failed.clone()));
    assert_eq!(priced.result.get_untracked(), Some(failed.clone()));
    assert!(matches!(
        priced.catalog.get_untracked().unapplied,
        Some(Unapplied::Failed(_))
    ));
    // Changing an input shows the failure again; it starts no new download by itself.
    first.estimate.batch.set(true);
    assert_eq!(first.result.get_untracked(), Some(failed));
    a_turn_of_the_event_loop().await;
    assert!(engine::get().is_none());

    // The next book (or a drag over the page) tries again, and everything follows.
    assert!(engine::load().await.is_ok());
    let catalog = priced.catalog.get_untracked();
    assert_eq!(catalog.unapplied, None);
    assert!(catalog.catalog.find("acme/writer-1").is_ok());
    let Some(Outcome::Done(estimate)) = priced.result.get_untracked() else {
        panic!("no estimate: {:?}", priced.result.get_untracked());
    };
    let mut models: Vec<String> = estimate
        .models
        .iter()
        .map(|m| format!("{}/{}", m.provider, m.model))
        .collect();
    models.sort();
    assert_eq!(models, ["acme/writer-1", "openai/gpt-5-mini"]);
    assert!(matches!(
        first.result.get_untracked(),
        Some(Outcome::Done(e)) if e.models.len() == DEFAULT_MODELS.len() && e.options.batch
    ));
}
