//! Fuzz target `pipeline`: what it reads and the invariants it checks are in `src/pipeline.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::pipeline::check(data));
