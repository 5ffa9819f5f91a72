//! Fuzz target `money`: what it reads and the invariants it checks are in `src/money.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::money::check(data));
