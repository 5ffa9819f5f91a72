//! Fuzz target `usage`: what it reads and the invariants it checks are in `src/usage.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::usage::check(data));
