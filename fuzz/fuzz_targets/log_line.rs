//! Fuzz target `log_line`: what it reads and the invariants it checks are in `src/log.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::log::check_lines(data));
