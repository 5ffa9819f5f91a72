//! Target `history`: the web app's stored-history loader (`www/src/storage.rs`) over a
//! localStorage of drawn entries: every record kind, valid, mutated or garbage, under keys of
//! every version; then an export, its import here and into an empty store.
//!
//! Invariants: nothing panics; loading never changes or removes an entry it did not migrate
//! (a corrupt entry or one of a newer version stays byte for byte); every entry of a record
//! kind is loaded or reported, never silently dropped; loading twice gives the same records;
//! an import never changes an entry that was there before it, and an export imported into an
//! empty store exports the same records again; saving a budget over an entry that does not
//! read as one sets that entry aside first, and changes nothing else.
//!
//! Not in `TARGETS`: it compiles the web app's storage module (gloo-storage, web-sys), which
//! cost-core's regression test must not depend on. The web app's component tests replay its
//! crash inputs.

use std::collections::BTreeMap;

use cost_core::{
    Book, Catalog, NamedCounter, ProfileBuilder, ProfileOptions, ReadOptions, Request,
};
use serde_json::{json, Value};

use super::gen::Gen;
use crate::storage::{
    parse_export, EstimateInputs, EstimateSummary, ModelTotal, PlainInputs, PriceLayer, SavedBook,
    SavedBudget, SavedEstimate, SavedPrices, SavedUsage, Store, PRICES_KEY,
};

/// What keys start with, one per record kind, plus near misses.
const PREFIXES: &[&str] = &[
    "llmcost.estimate.",
    "llmcost.usage.",
    "llmcost.price.",
    "llmcost.prices.",
    "llmcost.budget.",
    "llmcost.",
    "llmcost.estimate",
    "other.",
];
const VERSIONS: &[&str] = &[
    "v1",
    "v1",
    "v1",
    "v0",
    "v2",
    "v",
    "vx",
    "v99999999999",
    "",
    "V1",
];
const IDS: &[&str] = &["", ".a", ".b", ".c", ".", ".a.b", ".ä"];
/// The record keys a mutation may set.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "created_ms",
    "updated_ms",
    "book",
    "inputs",
    "summary",
    "records",
    "skipped",
    "estimate_id",
    "layers",
    "text",
    "added_ms",
    "monthly_usd",
    "daily_usd",
    "alerts_percent",
    "at",
    "models",
    "profile",
    "cost_usd",
];

/// One valid record of each kind, as JSON values.
fn templates() -> &'static [Value] {
    static TEMPLATES: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let at = super::today();
        let pipeline = cost_core::preset("one-prompt-per-sentence")
            .expect("a bundled preset")
            .pipeline
            .to_json();
        let inputs = EstimateInputs {
            preset: Some("one-prompt-per-sentence".into()),
            pipeline_json: pipeline,
            models: vec!["anthropic/claude-haiku-4-5".into()],
            batch: false,
            cache: "default".into(),
            cache_hit_percent: 100,
            plain: Some(PlainInputs {
                units: 600,
                tokens_per_unit: 550,
                chapters: 60,
            }),
            at,
        };
        let book = Book::read(b"CHAPTER I.\n\nIt was a truth. Mr. Darcy agreed.\n", &ReadOptions::default())
            .expect("the book reads");
        let counters = vec![NamedCounter::new("o200k_base", super::o200k())];
        let profile = ProfileBuilder::new(book, counters, ProfileOptions::default())
            .expect("valid options")
            .finish()
            .profile;
        let estimate = SavedEstimate {
            id: "a".into(),
            name: "Pride and Prejudice".into(),
            created_ms: 1,
            updated_ms: 2,
            book: Some(SavedBook {
                file_name: Some("book.txt".into()),
                bytes: 45,
                fingerprint: "0123456789abcdef".into(),
                profile,
            }),
            inputs,
            summary: EstimateSummary {
                models: 1,
                cheapest: Some(ModelTotal {
                    model: "anthropic/claude-haiku-4-5".into(),
                    expected_usd: "0.504".parse().expect("a decimal"),
                }),
                most_expensive: None,
            },
        };
        let request = Request::from_json(
            r#"{"model": "claude-haiku-4-5", "usage": {"input_tokens": 550, "output_tokens": 100}}"#,
        )
        .expect("a request");
        let record = Catalog::bundled()
            .price_request(&request, at)
            .expect("priced");
        let usage = SavedUsage {
            id: "b".into(),
            name: "log.jsonl".into(),
            created_ms: 3,
            records: vec![record],
            skipped: 1,
            estimate_id: Some("a".into()),
        };
        let layer = PriceLayer {
            id: "c".into(),
            name: "Your model acme/writer-1".into(),
            text: r#"{"models": []}"#.into(),
            added_ms: 4,
        };
        let budget = SavedBudget {
            monthly_usd: "50".parse().expect("a decimal"),
            daily_usd: None,
            alerts_percent: vec![80, 100],
        };
        let prices = SavedPrices {
            layers: vec![layer.clone()],
        };
        [
            serde_json::to_value(estimate),
            serde_json::to_value(usage),
            serde_json::to_value(layer),
            serde_json::to_value(budget),
            serde_json::to_value(prices),
        ]
        .into_iter()
        .map(|v| v.expect("records serialize"))
        .collect()
    })
}

/// Changes one field somewhere in `value`: sets it to a drawn value, or removes it.
fn mutate(g: &mut Gen, value: &mut Value, depth: u32) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = keys[g.below(keys.len())].clone();
            match g.below(4) {
                0 => {
                    map.remove(&key);
                }
                1 if depth < 4 => mutate(g, map.get_mut(&key).expect("a key"), depth + 1),
                _ => {
                    map.insert(key, g.value(FIELDS, 2));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let i = g.below(items.len());
            mutate(g, &mut items[i], depth + 1);
        }
        other => *other = g.value(FIELDS, 2),
    }
}

/// An entry's text: a template, a mutated template, drawn JSON or drawn text.
fn entry_text(g: &mut Gen) -> String {
    let templates = templates();
    match g.below(5) {
        0 | 1 => {
            let mut v = templates[g.below(templates.len())].clone();
            if let Value::Object(map) = &mut v {
                if map.contains_key("id") {
                    map.insert("id".into(), json!(g.pick(&["a", "b", "c", "d"])));
                }
            }
            v.to_string()
        }
        2 => {
            let mut v = templates[g.below(templates.len())].clone();
            for _ in 0..=g.below(3) {
                mutate(g, &mut v, 0);
            }
            v.to_string()
        }
        3 => {
            let value = g.value(FIELDS, 3);
            g.json_text(&value)
        }
        _ => g.text(64),
    }
}

/// A localStorage of drawn entries.
fn draw_store(g: &mut Gen) -> BTreeMap<String, String> {
    let mut entries = BTreeMap::new();
    for _ in 0..g.in_range(0, 10) {
        let key = format!("{}{}{}", g.pick(PREFIXES), g.pick(VERSIONS), g.pick(IDS));
        let text = entry_text(g);
        entries.insert(key, text);
    }
    entries
}

fn memory(entries: &BTreeMap<String, String>) -> Store {
    let store = Store::memory(None);
    if let Store::Memory(m) = &store {
        m.lock().expect("not poisoned").entries = entries.clone();
    }
    store
}

fn snapshot(store: &Store) -> BTreeMap<String, String> {
    match store {
        Store::Memory(m) => m.lock().expect("not poisoned").entries.clone(),
        _ => unreachable!("the target uses memory stores"),
    }
}

/// `key`'s kind prefix and version, as the loader reads them.
fn versioned(key: &str) -> Option<(&'static str, u32)> {
    ["llmcost.estimate.", "llmcost.usage.", "llmcost.price."]
        .into_iter()
        .find_map(|prefix| {
            let rest = key.strip_prefix(prefix)?.strip_prefix('v')?;
            let (version, id) = rest.split_once('.')?;
            (!id.is_empty()).then_some(())?;
            Some((prefix, version.parse().ok()?))
        })
}

pub fn check(data: &[u8]) {
    let mut g = Gen::new(data);
    let before = draw_store(&mut g);
    let store = memory(&before);

    let estimates = store.estimates();
    let usage = store.usage_logs();
    let prices = store.prices();
    let budget = store.single::<SavedBudget>(crate::storage::BUDGET_KEY);
    let future = store.future_singles();
    assert!(estimates.available && usage.available && prices.available);
    let after = snapshot(&store);

    // Nothing changed but migrations: the legacy price record split into price keys.
    for (key, text) in &before {
        if key == PRICES_KEY {
            continue;
        }
        assert_eq!(
            after.get(key),
            Some(text),
            "loading changed or removed {key:?}"
        );
    }
    if let Some(legacy) = before.get(PRICES_KEY) {
        if after.get(PRICES_KEY) != Some(legacy) {
            assert!(
                !after.contains_key(PRICES_KEY),
                "the legacy price record was changed, not split"
            );
            let split: SavedPrices =
                serde_json::from_str(legacy).expect("only a readable record is split");
            // Under its id, or a new one when another file had that id.
            for layer in &split.layers {
                assert!(
                    prices.records.iter().any(|l| PriceLayer {
                        id: layer.id.clone(),
                        ..l.clone()
                    } == *layer),
                    "legacy price file {:?} was lost",
                    layer.id
                );
            }
        }
    }
    for key in after.keys() {
        assert!(
            before.contains_key(key) || key.starts_with("llmcost.price.v1."),
            "loading wrote {key:?}"
        );
    }

    // Every entry of a record kind is loaded or reported.
    for (prefix, loaded, problems) in [
        (
            "llmcost.estimate.",
            estimates.records.len(),
            &estimates.problems,
        ),
        ("llmcost.usage.", usage.records.len(), &usage.problems),
    ] {
        let keys = before.keys().filter(|k| k.starts_with(prefix)).count();
        assert_eq!(
            loaded + problems.len(),
            keys,
            "{prefix}: {loaded} loaded and {} reported of {keys} entries",
            problems.len()
        );
        for problem in problems {
            assert_eq!(
                after.get(&problem.key),
                before.get(&problem.key),
                "a reported entry was changed"
            );
            assert!(!problem.message().is_empty());
        }
    }
    for problem in &future {
        assert_eq!(after.get(&problem.key), before.get(&problem.key));
    }
    if let Err(problem) = &budget {
        assert_eq!(problem.key, crate::storage::BUDGET_KEY);
    }
    let layer_keys = before
        .keys()
        .filter(|k| versioned(k).is_some_and(|(p, _)| p == "llmcost.price."))
        .count();
    assert!(prices.records.len() + prices.problems.len() >= layer_keys);

    // Loading again gives the same records (the migration is done once).
    assert_eq!(store.estimates(), estimates, "a second load differs");
    assert_eq!(store.usage_logs(), usage, "a second load differs");
    assert_eq!(
        store.prices().records,
        prices.records,
        "a second load differs"
    );

    // Export, import here: nothing that was there changes.
    let export = store.export();
    let text = serde_json::to_string(&export).expect("an export serializes");
    let parsed = parse_export(&text).expect("an export reads back");
    assert_eq!(parsed, export);
    let here = snapshot(&store);
    let report = store.import(parsed.clone(), 1_700_000_000_000);
    assert!(report.is_ok(), "a memory store without quota never fails");
    let now = snapshot(&store);
    for (key, text) in &here {
        assert_eq!(now.get(key), Some(text), "the import changed {key:?}");
    }
    // Into an empty store: the same records come back.
    let empty = Store::memory(None);
    empty
        .import(parsed, 1_700_000_000_000)
        .expect("an import into memory");
    // Every distinct record comes back (identical ones, the same record under two keys,
    // once; records sharing an id as copies), and no more than the file has.
    fn within<T: PartialEq>(got: usize, items: &[T], what: &str) {
        let distinct = (0..items.len())
            .filter(|&i| !items[..i].contains(&items[i]))
            .count();
        assert!(
            (distinct..=items.len()).contains(&got),
            "{what}: {got} imported of {} ({distinct} distinct)",
            items.len()
        );
    }
    let got = empty.export();
    let want = export;
    within(got.estimates.len(), &want.estimates, "estimates");
    within(got.usage.len(), &want.usage, "usage logs");
    assert_eq!(got.budget, want.budget);
    let layers = |p: &Option<SavedPrices>| p.as_ref().map_or(Vec::new(), |p| p.layers.clone());
    within(
        layers(&got.prices).len(),
        &layers(&want.prices),
        "price files",
    );

    // Saving a budget over whatever is there loses nothing: an entry that does not read as a
    // budget is first copied, byte for byte, to a key that was free.
    let before_save = snapshot(&store);
    let budget = SavedBudget {
        monthly_usd: cost_core::Usd::from_femto(1_000_000_000_000_000),
        daily_usd: None,
        alerts_percent: vec![80, 100],
    };
    let key = crate::storage::BUDGET_KEY;
    let aside = store
        .save_single_keeping(key, &budget)
        .expect("a memory store without quota never fails");
    let after_save = snapshot(&store);
    assert_eq!(store.single::<SavedBudget>(key), Ok(Some(budget)));
    let old = before_save.get(key);
    match &aside {
        Some(aside) => {
            assert!(!before_save.contains_key(aside), "{aside:?} was not free");
            assert_eq!(after_save.get(aside), old, "the set-aside copy differs");
            assert!(old.is_some_and(|text| serde_json::from_str::<SavedBudget>(text).is_err()));
        }
        None => assert!(old.is_none_or(|text| serde_json::from_str::<SavedBudget>(text).is_ok())),
    }
    for (k, text) in &before_save {
        if k != key {
            assert_eq!(
                after_save.get(k),
                Some(text),
                "saving the budget changed {k:?}"
            );
        }
    }
    assert_eq!(
        after_save.len(),
        before_save.len()
            + usize::from(!before_save.contains_key(key))
            + usize::from(aside.is_some())
    );

    // An arbitrary import file never panics.
    let _ = parse_export(&String::from_utf8_lossy(data));
}
