//! Fuzz target `book`: what it reads and the invariants it checks are in `src/book.rs`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| llmcost_fuzz::book::check_book(data));
