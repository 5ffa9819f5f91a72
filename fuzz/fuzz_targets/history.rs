//! Fuzz target `history`: what it reads and the invariants it checks are in `src/history.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::history::check(data));
