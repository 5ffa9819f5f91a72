//! The checks behind llmcost's fuzz targets: one function per target, from the raw input
//! bytes, shared by `fuzz_targets/*.rs` (libFuzzer, nightly) and by cost-core's
//! `tests/fuzz_regressions.rs` (stable, every saved crash input and a sample of the corpora).
//!
//! A check passes when cost-core returns anything, errors included, and keeps its
//! invariants; it panics (an assertion) when cost-core panics or breaks one. The first byte
//! of an input picks a mode: the rest read as raw text (so real files seed the corpora), or
//! drawn as a structured value through `arbitrary` (see `gen.rs`), which reaches the code
//! behind the parsers far sooner than random text does.
//!
//! `cargo xtask fuzz --seconds N` runs every target; `fuzz/README.md` says how to run one.

mod gen;

pub mod book;
pub mod catalog;
pub mod log;
pub mod money;
pub mod pipeline;
pub mod usage;

#[cfg(feature = "web")]
pub mod history;
/// The web app's storage module, compiled natively for the `history` target.
#[cfg(feature = "web")]
#[path = "../../www/src/storage.rs"]
#[allow(dead_code)]
mod storage;

use std::sync::OnceLock;

use cost_core::{Catalog, Cost, Date, Encoding, PriceOptions, Tokenizer, Usage, Usd};

/// A target's check: panics when cost-core does, or breaks an invariant.
pub type Check = fn(&[u8]);

/// Every target: its name (`fuzz_targets/NAME.rs`, `fuzz/corpus/NAME/`,
/// `tests/fixtures/fuzz-crashes/NAME/`) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("usage", usage::check),
    ("money", money::check),
    ("catalog", catalog::check_catalog),
    ("load_prices", catalog::check_load_prices),
    ("book", book::check_book),
    ("epub", book::check_epub),
    ("pipeline", pipeline::check),
    ("log_line", log::check_lines),
    ("report", log::check_report),
];

/// Targets over the web app's code, not in [`TARGETS`] (cost-core's regression test does not
/// build the app): their crash inputs are replayed by the app's component tests.
pub const WEB_TARGETS: &[&str] = &["history"];

/// The bundled catalog, decoded once.
fn bundled() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::bundled)
}

/// The `o200k_base` tokenizer, loaded once from the asset file (so the regression test needs
/// no `bundled-vocab` feature).
fn o200k() -> &'static Tokenizer {
    static TOKENIZER: OnceLock<Tokenizer> = OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let bytes = include_bytes!("../../crates/cost-core/data/vocab/o200k_base.vocab");
        Tokenizer::from_bytes(Encoding::O200kBase, bytes).expect("the vocabulary asset loads")
    })
}

/// Models of every provider shape and price kind: tiers, batch, cache writes, storage.
const MODELS: &[&str] = &[
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-3-5-haiku",
    "gpt-4o",
    "gpt-5-mini",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "deepseek-v4-flash",
    "grok-4",
    "anthropic/claude-opus-4-1",
];

/// A day when every bundled model has prices.
fn today() -> Date {
    Date::from_ymd(2026, 11, 23).expect("a valid date")
}

/// Splits an input into its mode byte and the rest.
fn mode(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(&mode, rest)| (mode, rest))
}

/// The invariants of a usage that cost-core handed out.
fn check_usage(usage: &Usage) {
    assert_eq!(
        usage.validate(),
        Ok(()),
        "an invalid usage got out: {usage:?}"
    );
}

/// The invariants of a cost: never negative, each component its tokens times its price, and
/// the total their sum.
fn check_cost(cost: &Cost, usage: &Usage) {
    let mut sum = Usd::ZERO;
    for (name, component) in cost.components.named() {
        assert!(
            component.usd_per_mtok.nano() >= 0,
            "{name}: a negative price"
        );
        assert_eq!(
            component.usd,
            Usd::for_tokens(component.tokens, component.usd_per_mtok),
            "{name}: not its tokens times its price"
        );
        assert!(component.usd >= Usd::ZERO, "{name}: a negative cost");
        sum = sum.checked_add(component.usd).expect("no overflow");
    }
    assert_eq!(sum, cost.total_usd, "the components do not add up");
    assert_eq!(
        cost.components.input.tokens
            + cost.components.cache_read.tokens
            + cost.components.cache_write_5m.tokens
            + cost.components.cache_write_1h.tokens,
        usage.input_tokens,
        "the prompt's parts do not add up to the prompt"
    );
    assert_eq!(cost.components.output.tokens, usage.output_tokens);
}

/// Prices `usage` on `model` (both kinds of request), checking each cost; errors are fine.
fn price_everywhere(catalog: &Catalog, model: &str, usage: &Usage, at: Date) {
    for batch in [false, true] {
        if let Ok(cost) = catalog.price(model, usage, PriceOptions { at, batch }) {
            check_cost(&cost, usage);
        }
    }
}
