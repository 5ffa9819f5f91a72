//! Fuzz target `load_prices`: what it reads and the invariants it checks are in `src/catalog.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::catalog::check_load_prices(data));
