//! The `history` fuzz target's saved inputs (`tests/fixtures/fuzz-crashes/history/`), replayed
//! in the browser through the target's own check (`fuzz/src/history.rs`): the stored-history
//! loader keeps every entry it cannot read, loads or reports every other, and imports never
//! overwrite. `cargo xtask fuzz --target history` finds new inputs; list each one here.

use cost_core::{Date, Encoding, Tokenizer};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The web app's storage module, where the check expects it (`crate::storage`).
mod storage {
    pub use llmcost_www::storage::*;
}

#[path = "../../fuzz/src/gen.rs"]
#[allow(dead_code)]
mod gen;

#[path = "../../fuzz/src/history.rs"]
mod history;

/// The date the fuzz targets price at.
fn today() -> Date {
    Date::from_ymd(2026, 11, 23).expect("a valid date")
}

/// The `o200k_base` tokenizer, loaded once.
fn o200k() -> &'static Tokenizer {
    static TOKENIZER: std::sync::OnceLock<Tokenizer> = std::sync::OnceLock::new();
    TOKENIZER.get_or_init(|| {
        let bytes = include_bytes!("../../crates/cost-core/data/vocab/o200k_base.vocab");
        Tokenizer::from_bytes(Encoding::O200kBase, bytes).expect("the vocabulary asset loads")
    })
}

/// Every saved crash input of the target, by name.
const INPUTS: &[(&str, &[u8])] = &[
    (
        "an export with the same record twice",
        include_bytes!("../../tests/fixtures/fuzz-crashes/history/crash-f090ef42977d7aee039c4ed46a85f8b30f3fe4f7"),
    ),
    (
        "a legacy price file whose id another file has",
        include_bytes!("../../tests/fixtures/fuzz-crashes/history/crash-5dde98ee282696ae2202ff8399f143cd315d34b5"),
    ),
    (
        "an imported estimate with an empty id",
        include_bytes!("../../tests/fixtures/fuzz-crashes/history/crash-65b8ab6acb874d6848065e624c9e5844df498ebd"),
    ),
    (
        "an export with two different records of one id",
        include_bytes!("../../tests/fixtures/fuzz-crashes/history/crash-1b319b700e2d2ad32dcf3cb220566acf79140fd3"),
    ),
];

#[wasm_bindgen_test]
fn history_fuzz_inputs_stay_fixed() {
    for (what, data) in INPUTS {
        // A panic fails the test; the log says which input.
        console_log!("history fuzz input: {what}");
        history::check(data);
    }
}
