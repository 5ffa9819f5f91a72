//! Importing third-party price tables: the genai-prices v2 feed, LiteLLM's table and the user's
//! own catalog files, through [`Catalog::load_prices`] and the format-specific decoders.
//!
//! The reference files are copies in `tests/fixtures/` (`genai-prices-v2-feed-2026-08-21.json`,
//! `litellm-1.109.1-model-prices.json`). Prices are compared as exact decimal strings, never
//! as floats. Nothing here depends on the bundled catalog beyond `claude-3-5-haiku`.

use std::sync::OnceLock;

use cost_core::{
    cost_of, detect_price_file, Catalog, Date, ErrorKind, ImportReport, MergePolicy, Model, Origin,
    PriceFileFormat, PriceOptions, Prices, TokenizerFamily, Usage,
};

const FEED: &str = include_str!("../../../tests/fixtures/genai-prices-v2-feed-2026-08-21.json");
const LITELLM: &str = include_str!("../../../tests/fixtures/litellm-1.109.1-model-prices.json");

/// The reference feed, imported once.
fn feed() -> &'static (Catalog, ImportReport) {
    static FEED_IMPORT: OnceLock<(Catalog, ImportReport)> = OnceLock::new();
    FEED_IMPORT.get_or_init(|| Catalog::from_genai_prices_feed(FEED).unwrap())
}

/// The reference LiteLLM table, imported once.
fn litellm() -> &'static (Catalog, ImportReport) {
    static LITELLM_IMPORT: OnceLock<(Catalog, ImportReport)> = OnceLock::new();
    LITELLM_IMPORT.get_or_init(|| Catalog::from_litellm(LITELLM).unwrap())
}

/// The model `provider/id`, looked up exactly (plain lookup can be ambiguous across providers).
fn model<'a>(catalog: &'a Catalog, provider: &str, id: &str) -> &'a Model {
    catalog
        .models()
        .iter()
        .find(|m| m.provider == provider && m.id == id)
        .unwrap_or_else(|| panic!("{provider}/{id} is not in the catalog"))
}

/// Prices as decimal strings: input, output, cache read, 5-minute write, 1-hour write.
fn view(p: &Prices) -> [String; 5] {
    let opt = |p: Option<cost_core::UsdPerMtok>| p.map_or("-".to_string(), |p| p.to_string());
    [
        p.input_usd_per_mtok.to_string(),
        p.output_usd_per_mtok.to_string(),
        opt(p.cache_read_usd_per_mtok),
        opt(p.cache_write_5m_usd_per_mtok),
        opt(p.cache_write_1h_usd_per_mtok),
    ]
}

fn strings<const N: usize>(items: [&str; N]) -> [String; N] {
    items.map(str::to_string)
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn skipped_with(report: &ImportReport, text: &str) -> usize {
    report.skipped.iter().filter(|s| s.contains(text)).count()
}

#[test]
fn the_genai_prices_feed_imports_fully() {
    let (catalog, report) = feed();
    assert_eq!(report.format, PriceFileFormat::GenaiPricesFeed);
    // 1,466 models in 36 providers: 39 have no text-token price (embeddings), 9 no price at
    // all; 148 `:free` variants with empty prices are imported at $0.
    assert_eq!(report.models, 1418);
    assert_eq!(catalog.models().len(), 1418);
    assert_eq!(catalog.providers().len(), 36);
    assert_eq!(skipped_with(report, "no text-token prices"), 39);
    assert_eq!(skipped_with(report, "no prices listed"), 9);
    assert_eq!(skipped_with(report, "off-peak"), 2);
    assert_eq!(report.skipped.len(), 50);
    let free = model(catalog, "openrouter", "deepseek/deepseek-chat:free");
    assert_eq!(
        view(&free.prices[0].standard.base),
        strings(["0", "0", "-", "-", "-"])
    );
    assert!(free.notes.contains("$0"), "{}", free.notes);
    assert!(report.skipped.iter().any(|s| s
        == "azure/ada: no text-token prices (needs input_mtok and output_mtok); has input_mtok"));
    assert!(report
        .skipped
        .iter()
        .any(|s| s == "cerebras/qwen-3-coder-480b: no prices listed"));
    assert!(catalog
        .models()
        .iter()
        .all(|m| m.origin == Origin::GenaiPrices));
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("web_searches_kcount")));
    // genai-prices' `x-ai` is llmcost's `xai`, and the old prefix still finds it.
    assert!(catalog.provider("x-ai").is_some_and(|p| p.id == "xai"));
}

#[test]
fn feed_tiers_price_every_component() {
    let (catalog, _) = feed();
    let sonnet = model(catalog, "anthropic", "claude-sonnet-4-5");
    assert_eq!(sonnet.prices.len(), 1);
    let rates = &sonnet.prices[0].standard;
    assert_eq!(view(&rates.base), strings(["3", "15", "0.3", "3.75", "6"]));
    assert_eq!(rates.tiers.len(), 1);
    assert_eq!(rates.tiers[0].above_tokens, 200_000);
    assert_eq!(
        view(&rates.tiers[0].prices),
        strings(["6", "22.5", "0.6", "7.5", "12"])
    );
    assert_eq!(sonnet.context_window, Some(1_000_000));
    assert_eq!(sonnet.tokenizer, TokenizerFamily::Claude);
    assert_eq!(sonnet.source, "https://www.anthropic.com/pricing#api");
    assert!(sonnet.aliases.is_empty());
    assert_eq!(
        catalog.find("claude-sonnet-4.5").unwrap().id,
        "claude-sonnet-4-5"
    );

    let pro = model(catalog, "google", "gemini-2.5-pro");
    let tier = &pro.prices[0].standard.tiers[0];
    assert_eq!(tier.above_tokens, 200_000);
    assert_eq!(view(&tier.prices), strings(["2.5", "15", "0.25", "-", "-"]));
}

#[test]
fn feed_price_changes_are_dated() {
    let (catalog, _) = feed();
    // Claude Opus 4.6 lost its long-context surcharge on 2026-03-13.
    let opus = model(catalog, "anthropic", "claude-opus-4-6");
    assert_eq!(opus.prices.len(), 2);
    assert_eq!(opus.prices[0].from, None);
    assert_eq!(opus.prices[0].standard.tiers.len(), 1);
    assert_eq!(opus.prices[1].from, Some(date("2026-03-13")));
    assert!(opus.prices[1].standard.tiers.is_empty());
    assert_eq!(
        view(&opus.prices[1].standard.base),
        strings(["5", "25", "0.5", "6.25", "10"])
    );
    let usage = Usage {
        input_tokens: 300_000,
        output_tokens: 1_000,
        ..Usage::default()
    };
    let at = |day: &str| PriceOptions {
        at: date(day),
        batch: false,
    };
    // 300k × $10 + 1k × $37.50 before; 300k × $5 + 1k × $25 after.
    let before = cost_of(opus, false, &usage, at("2026-03-12")).unwrap();
    assert_eq!(before.total_usd.to_decimal_string(), "3.0375");
    let after = cost_of(opus, false, &usage, at("2026-03-13")).unwrap();
    assert_eq!(after.total_usd.to_decimal_string(), "1.525");

    let o3 = model(catalog, "openai", "o3");
    assert_eq!(o3.prices[1].from, Some(date("2025-06-10")));
    assert_eq!(
        view(&o3.prices[0].standard.base)[..2],
        strings(["10", "40"])
    );
    assert_eq!(view(&o3.prices[1].standard.base)[..2], strings(["2", "8"]));
}

#[test]
fn deepseek_off_peak_hours_are_skipped_and_reported() {
    let (catalog, report) = feed();
    // The feed's unconstrained price is the off-peak one (16:30–00:30 UTC, 8 hours); the
    // 00:30–16:30 window (16 hours) holds the standard price, which is kept.
    let chat = model(catalog, "deepseek", "deepseek-chat");
    assert_eq!(chat.prices.len(), 1);
    assert_eq!(
        view(&chat.prices[0].standard.base),
        strings(["0.27", "1.1", "0.07", "-", "-"])
    );
    assert_eq!(chat.tokenizer, TokenizerFamily::DeepSeek);
    let line = report
        .skipped
        .iter()
        .find(|s| s.starts_with("deepseek/deepseek-chat:"))
        .expect("the off-peak price is reported");
    assert!(
        line.contains("off-peak") && line.contains("00:30:00Z"),
        "{line}"
    );
    assert!(report
        .skipped
        .iter()
        .any(|s| s.starts_with("deepseek/deepseek-reasoner:")));
}

#[test]
fn feed_float_noise_is_rounded_and_noted() {
    let (catalog, report) = feed();
    let rounded: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| n.contains("rounded"))
        .collect();
    assert_eq!(rounded.len(), 7, "{rounded:?}");
    assert!(rounded[0].starts_with("[21].models[6].prices.input_mtok: 0.18000000000000002"));
    let noisy = catalog.models().iter().find(|m| {
        m.provider == "openrouter"
            && m.prices[0]
                .standard
                .base
                .cache_write_5m_usd_per_mtok
                .is_some_and(|p| p.to_string() == "0.083333333")
    });
    assert!(noisy.is_some());
}

#[test]
fn the_litellm_table_imports_fully() {
    let (catalog, report) = litellm();
    assert_eq!(report.format, PriceFileFormat::Litellm);
    // 4,553 entries: 3,336 chat/completion/responses (or no mode) with per-token prices,
    // of which 42 repeat an id already read.
    assert_eq!(report.models, 3294);
    assert_eq!(catalog.models().len(), 3294);
    assert_eq!(report.skipped.len(), 4553 - 3294);
    assert_eq!(skipped_with(report, "mode `image_generation`"), 414);
    assert_eq!(skipped_with(report, "mode `embedding`"), 153);
    assert_eq!(skipped_with(report, "no `input_cost_per_token`"), 172);
    assert_eq!(skipped_with(report, "comes earlier in the table"), 42);
    // `fallback_generalizations` and two text-to-speech entries priced per character.
    assert_eq!(skipped_with(report, "not a model: no `mode`"), 3);
    assert!(report.skipped.iter().any(|s| s.starts_with("sample_spec:")));
    assert!(catalog.models().iter().all(|m| m.origin == Origin::Litellm));
}

#[test]
fn litellm_prices_convert_exactly() {
    let (catalog, _) = litellm();

    let sonnet = model(catalog, "anthropic", "claude-sonnet-4-5");
    let set = &sonnet.prices[0];
    assert_eq!(
        view(&set.standard.base),
        strings(["3", "15", "0.3", "3.75", "6"])
    );
    let batch = set.batch.as_ref().unwrap();
    assert_eq!(
        view(&batch.base),
        strings(["1.5", "7.5", "0.15", "1.875", "-"])
    );
    assert_eq!(sonnet.context_window, Some(200_000));

    let gpt = model(catalog, "openai", "gpt-4o");
    assert_eq!(
        view(&gpt.prices[0].standard.base),
        strings(["2.5", "10", "1.25", "-", "-"])
    );
    let batch = gpt.prices[0].batch.as_ref().unwrap();
    assert_eq!(view(&batch.base)[..2], strings(["1.25", "5"]));
    assert_eq!(gpt.tokenizer, TokenizerFamily::O200k);

    // `gemini/gemini-2.5-pro`: provider `gemini` is google, the prefix is dropped. Its
    // `_above_200k_tokens` keys make one tier.
    let google = catalog.provider("gemini").unwrap();
    assert_eq!(google.id, "google");
    let pro = catalog
        .models()
        .iter()
        .find(|m| m.provider == "google" && m.id == "gemini-2.5-pro")
        .unwrap();
    let tiers = &pro.prices[0].standard.tiers;
    assert_eq!(tiers.len(), 1);
    assert_eq!(tiers[0].above_tokens, 200_000);
    assert_eq!(view(&tiers[0].prices)[..3], strings(["2.5", "15", "0.25"]));

    // `deepseek-chat` comes before `deepseek/deepseek-chat` (which adds a $0 cache write):
    // the first is kept.
    let chat = model(catalog, "deepseek", "deepseek-chat");
    assert_eq!(
        view(&chat.prices[0].standard.base),
        strings(["0.28", "0.42", "0.028", "-", "-"])
    );
    assert_eq!(
        chat.source,
        "https://api-docs.deepseek.com/quick_start/pricing"
    );
    assert!(chat.notes.contains("2026-07-24"), "{}", chat.notes);

    // Float noise: 1.1428571428571428e-06 USD per token is $1.142857143/Mtok.
    let glm = model(catalog, "bigmodel", "glm-5.3");
    assert_eq!(
        glm.prices[0].standard.base.input_usd_per_mtok.to_string(),
        "1.142857143"
    );
}

#[test]
fn litellm_partial_tiers_keep_base_prices() {
    // A tier names only input: output and cache reads keep their base prices above it.
    let (catalog, report) = Catalog::from_litellm(
        r#"{"kyma/m": {"litellm_provider": "kyma", "mode": "chat",
            "input_cost_per_token": 4.35e-08, "output_cost_per_token": 1e-7,
            "cache_read_input_token_cost": 8.1e-09,
            "input_cost_per_token_above_32k_tokens": 1.35e-07}}"#,
    )
    .unwrap();
    let m = model(&catalog, "kyma", "m");
    let tier = &m.prices[0].standard.tiers[0];
    assert_eq!(tier.above_tokens, 32_000);
    assert_eq!(
        view(&tier.prices),
        strings(["0.135", "0.1", "0.0081", "-", "-"])
    );
    assert!(m.notes.contains("output, cache reads"), "{}", m.notes);
    assert!(report
        .notes
        .iter()
        .any(|n| n.contains("keep their base price")));
}

#[test]
fn formats_are_detected() {
    assert_eq!(
        detect_price_file(FEED).unwrap(),
        PriceFileFormat::GenaiPricesFeed
    );
    assert_eq!(
        detect_price_file(LITELLM).unwrap(),
        PriceFileFormat::Litellm
    );
    assert_eq!(
        detect_price_file(USER_TOML).unwrap(),
        PriceFileFormat::Llmcost
    );
    assert_eq!(
        detect_price_file(r#"{"models": []}"#).unwrap(),
        PriceFileFormat::Llmcost
    );
    assert_eq!(
        detect_price_file(r#"{"acme/m": {"input_cost_per_token": 1e-6}}"#).unwrap(),
        PriceFileFormat::Litellm
    );
    for text in [
        "",
        "[]",
        "[1, 2]",
        "\"prices\"",
        r#"{"gpt-4o": {"price": 3}}"#,
        "hello world",
    ] {
        let e = detect_price_file(text).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCatalog, "{text}");
        assert!(e.message().contains("expected"), "{text}: {e}");
    }
}

const HAIKU_LITELLM: &str = r#"{"claude-3-5-haiku": {"litellm_provider": "anthropic", "mode": "chat",
    "input_cost_per_token": 1e-06, "output_cost_per_token": 5e-06}}"#;

fn haiku_input(catalog: &Catalog) -> String {
    catalog
        .find("claude-3-5-haiku")
        .unwrap()
        .current_prices()
        .standard
        .base
        .input_usd_per_mtok
        .to_string()
}

#[test]
fn merge_replace_takes_the_imported_prices() {
    let mut catalog = Catalog::bundled();
    assert_ne!(haiku_input(&catalog), "1");
    let report = catalog
        .load_prices(HAIKU_LITELLM, MergePolicy::Replace)
        .unwrap();
    assert_eq!((report.merge.replaced, report.merge.added), (1, 0));
    assert_eq!(haiku_input(&catalog), "1");
    let haiku = catalog.find("claude-3-5-haiku-20241022").unwrap();
    assert_eq!(haiku.origin, Origin::Litellm);
}

#[test]
fn merge_keep_existing_keeps_the_catalog_prices() {
    let mut catalog = Catalog::bundled();
    let before = haiku_input(&catalog);
    let report = catalog
        .load_prices(HAIKU_LITELLM, MergePolicy::KeepExisting)
        .unwrap();
    assert_eq!((report.merge.kept, report.merge.added), (1, 0));
    assert_eq!(haiku_input(&catalog), before);
    assert_eq!(
        catalog.find("claude-3-5-haiku").unwrap().origin,
        Origin::Bundled
    );
}

#[test]
fn whole_tables_merge_onto_the_bundled_catalog() {
    for (text, format) in [
        (FEED, PriceFileFormat::GenaiPricesFeed),
        (LITELLM, PriceFileFormat::Litellm),
    ] {
        for policy in [MergePolicy::Replace, MergePolicy::KeepExisting] {
            let mut catalog = Catalog::bundled();
            let before = catalog.models().len();
            let report = catalog.load_prices(text, policy).unwrap();
            assert_eq!(report.format, format);
            let merge = &report.merge;
            assert_eq!(merge.added + merge.replaced + merge.kept, report.models);
            assert_eq!(catalog.models().len(), before + merge.added);
            let json = serde_json::to_value(&report).unwrap();
            assert!(json["format"].is_string() && json["merge"]["added"].is_number());
        }
    }
    let report = Catalog::bundled()
        .load_prices(FEED, MergePolicy::Replace)
        .unwrap();
    assert_eq!(
        serde_json::to_value(report.format).unwrap(),
        "genai-prices-feed"
    );
}

const USER_TOML: &str = r#"
# My prices.
[[models]]
provider = "acme"
id = "acme-chat"
name = "Acme Chat"
[[models.prices]]
input_mtok = 1
output_mtok = "2.5"

[[overrides]]
model = "claude-3-5-haiku"
input_mtok = "0.9"

[[overrides]]
model = "acme-chat"
from = 2026-12-01
output_mtok = 3
"#;

#[test]
fn a_user_file_adds_models_and_overrides_prices() {
    let mut catalog = Catalog::bundled();
    let report = catalog
        .load_prices(USER_TOML, MergePolicy::Replace)
        .unwrap();
    assert_eq!(report.format, PriceFileFormat::Llmcost);
    assert_eq!((report.models, report.overrides), (1, 2));
    assert_eq!(report.merge.added, 1);

    let acme = catalog.find("acme/acme-chat").unwrap();
    assert_eq!(acme.origin, Origin::User);
    assert_eq!(acme.prices.len(), 2);
    assert_eq!(
        view(&acme.prices[0].standard.base)[..2],
        strings(["1", "2.5"])
    );
    assert_eq!(acme.prices[1].from, Some(date("2026-12-01")));
    assert_eq!(
        view(&acme.prices[1].standard.base)[..2],
        strings(["1", "3"])
    );

    let haiku = catalog.find("claude-3-5-haiku").unwrap();
    assert!(haiku.overridden);
    assert_eq!(haiku_input(&catalog), "0.9");

    // The same file as JSON.
    let json = r#"{"models": [{"provider": "acme", "id": "acme-chat",
        "prices": [{"input_mtok": 1, "output_mtok": "2.5"}]}],
        "overrides": [{"model": "claude-3-5-haiku", "input_mtok": "0.9"}]}"#;
    let mut catalog = Catalog::bundled();
    let report = catalog.load_prices(json, MergePolicy::Replace).unwrap();
    assert_eq!(
        (report.format, report.models, report.overrides),
        (PriceFileFormat::Llmcost, 1, 1)
    );
    assert_eq!(haiku_input(&catalog), "0.9");
}

#[test]
fn tiers_move_to_inclusive_thresholds_for_inclusive_providers() {
    let mut catalog = Catalog::empty();
    catalog
        .load_prices(
            "[[providers]]\nid = \"acme\"\nname = \"Acme\"\ntier_threshold_inclusive = true\n",
            MergePolicy::Replace,
        )
        .unwrap();
    let report = catalog
        .load_prices(
            r#"{"acme/m": {"litellm_provider": "acme", "mode": "chat",
                "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                "input_cost_per_token_above_200k_tokens": 2e-6,
                "output_cost_per_token_above_200k_tokens": 4e-6}}"#,
            MergePolicy::Replace,
        )
        .unwrap();
    // "Above 200,000" is "at 200,001 or more".
    let m = model(&catalog, "acme", "m");
    assert_eq!(m.prices[0].standard.tiers[0].above_tokens, 200_001);
    assert!(
        report.notes.iter().any(|n| n.contains("N + 1")),
        "{:?}",
        report.notes
    );
}

/// A small feed with paths worth checking: the third model has a dated price list.
const SMALL_FEED: &str = r#"[{"id": "acme", "name": "Acme", "pricing_urls": ["https://acme.test/"], "models": [
    {"id": "a", "match": {"or": [{"equals": "a"}, {"equals": "A-Alias"}]}, "prices": {"input_mtok": 1, "output_mtok": 2}},
    {"id": "b", "match": {"starts_with": "b"}, "prices": {"input_mtok": {"base": 1, "tiers": [{"start": 1000, "price": 2}]}, "output_mtok": 2}},
    {"id": "c", "prices": [
        {"prices": {"input_mtok": 1, "output_mtok": 2}},
        {"constraint": {"start_date": "2026-02-01"}, "prices": {"input_mtok": 2, "output_mtok": 3}}]}
]}]"#;

/// Loads `text` on top of a catalog that already holds the bundled models and [`SMALL_FEED`],
/// expecting failure at `path`, and checks that nothing changed.
fn rejected(text: &str, path: Option<&str>) -> String {
    let mut catalog = Catalog::bundled();
    catalog
        .load_prices(SMALL_FEED, MergePolicy::Replace)
        .unwrap();
    let models = catalog.models().to_vec();
    let providers = catalog.providers().to_vec();
    let e = catalog
        .load_prices(text, MergePolicy::Replace)
        .expect_err("the file is invalid");
    assert_eq!(e.kind(), ErrorKind::InvalidCatalog, "{e}");
    assert_eq!(e.path(), path, "{e}");
    assert_eq!(catalog.models(), &models[..], "the catalog changed");
    assert_eq!(catalog.providers(), &providers[..], "the catalog changed");
    e.to_string()
}

#[test]
fn the_small_feed_loads() {
    let (catalog, report) = Catalog::from_genai_prices_feed(SMALL_FEED).unwrap();
    assert_eq!(report.models, 3);
    assert_eq!(model(&catalog, "acme", "a").aliases, ["a-alias"]);
    assert_eq!(catalog.find("a-alias").unwrap().id, "a");
    assert_eq!(model(&catalog, "acme", "c").prices.len(), 2);
}

#[test]
fn malformed_feeds_fail_with_a_path_and_change_nothing() {
    // Wrong JSON type.
    rejected(
        &SMALL_FEED.replace(
            r#""input_mtok": 1, "output_mtok": 2}},"#,
            r#""input_mtok": [1], "output_mtok": 2}},"#,
        ),
        Some("[0].models[0].prices.input_mtok"),
    );
    rejected(
        r#"[{"id": "acme", "models": {"id": "a"}}]"#,
        Some("[0].models"),
    );
    // Negative and string prices.
    rejected(
        &SMALL_FEED.replace(r#""output_mtok": 3"#, r#""output_mtok": -3"#),
        Some("[0].models[2].prices[1].prices.output_mtok"),
    );
    rejected(
        &SMALL_FEED.replace(r#""price": 2"#, r#""price": "2""#),
        Some("[0].models[1].prices.input_mtok.tiers[0].price"),
    );
    // A tier without its start, a bad date, a model without id.
    rejected(
        &SMALL_FEED.replace(r#""start": 1000, "#, ""),
        Some("[0].models[1].prices.input_mtok.tiers[0].start"),
    );
    let e = rejected(
        &SMALL_FEED.replace("2026-02-01", "2026-02-30"),
        Some("[0].models[2].prices[1].constraint.start_date"),
    );
    assert!(e.contains("2026-02-30"), "{e}");
    rejected(
        &SMALL_FEED.replace(r#"{"id": "b", "#, "{"),
        Some("[0].models[1].id"),
    );
    // Truncated JSON: no path, but the parser's position.
    let e = rejected(&FEED[..5000], None);
    assert!(e.contains("JSON") && e.contains("line"), "{e}");
}

#[test]
fn malformed_litellm_tables_fail_with_a_path_and_change_nothing() {
    let good = r#"{"gpt-4o": {"litellm_provider": "openai", "mode": "chat",
        "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "max_input_tokens": 128000}}"#;
    Catalog::from_litellm(good).unwrap();
    let e = rejected(
        &good.replace("2.5e-06", "\"2.5e-06\""),
        Some(r#"["gpt-4o"].input_cost_per_token"#),
    );
    assert!(e.contains("got a string"), "{e}");
    rejected(
        &good.replace("2.5e-06", "-2.5e-06"),
        Some(r#"["gpt-4o"].input_cost_per_token"#),
    );
    // Per-million prices written into a per-token field.
    let e = rejected(
        &good.replace("1e-05", "10"),
        Some(r#"["gpt-4o"].output_cost_per_token"#),
    );
    assert!(e.contains("implausibly large"), "{e}");
    rejected(
        &good.replace("128000", "\"128k\""),
        Some(r#"["gpt-4o"].max_input_tokens"#),
    );
    rejected(
        r#"{"gpt-4o": "openai", "o3": {"input_cost_per_token": 1e-6}}"#,
        Some(r#"["gpt-4o"]"#),
    );
    // `null` is absent, and an entry without prices is skipped, not an error.
    let (catalog, report) = Catalog::from_litellm(&good.replace(
        r#""max_input_tokens": 128000"#,
        r#""max_input_tokens": null, "cache_read_input_token_cost": null"#,
    ))
    .unwrap();
    let gpt = model(&catalog, "openai", "gpt-4o");
    assert_eq!(gpt.context_window, None);
    assert_eq!(gpt.prices[0].standard.base.cache_read_usd_per_mtok, None);
    assert!(report.skipped.is_empty());
}

#[test]
fn unknown_formats_and_bad_overrides_change_nothing() {
    let e = rejected(r#"{"gpt-4o": {"price": 3}}"#, None);
    assert!(e.contains("LiteLLM") && e.contains("genai-prices"), "{e}");
    rejected("this is not a price file", None);
    // An override naming an unknown model: the file's new model is not added either.
    let e = rejected(
        "[[models]]\nprovider = \"acme\"\nid = \"new\"\n[[models.prices]]\ninput_mtok = 1\noutput_mtok = 2\n\n[[overrides]]\nmodel = \"no-such-model\"\ninput_mtok = 1\n",
        Some("overrides[0].model"),
    );
    assert!(e.contains("no-such-model"), "{e}");
    // A malformed user file reports the path `decode.rs` gives.
    rejected(
        r#"{"models": [{"provider": "acme", "id": "x", "prices": [{"input_mtok": "x", "output_mtok": 1}]}]}"#,
        Some("models[0].prices[0].input_mtok"),
    );
}
