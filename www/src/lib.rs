//! `llmcost-www`: the browser estimator. Drop a book, pick a pipeline and models, and see what
//! each model would cost, side by side; history stays in this browser's localStorage.
//!
//! The main type is [`App`], mounted by [`start`]. Every figure comes from `cost-core`, called
//! directly (never through the `cost-wasm` package), so the page and `llmcost estimate` agree
//! to the femto-dollar.
//!
//! # Design: records, not signals, are what is saved
//!
//! [`storage`] owns the shapes kept in localStorage: plain structs under versioned keys, one
//! key per saved estimate or usage log. A corrupt entry, a full quota or storage that is
//! switched off costs the user at most the entry being written, never the others; the pages
//! only ever see the records and the problems, as data.
//!
//! # Design: the first visit downloads no engine
//!
//! The first visit needs the pages, the catalog and the model picker, not the code that reads
//! books, loads the tokenizer, estimates or imports price files: that is [`engine`], a
//! separate WebAssembly chunk (with the `split` feature) fetched when the user first gives
//! the page something to count or price. What waits for it shows that it is loading.
//!
//! The app is a library so that component tests (`tests/web.rs`, wasm-bindgen-test in headless
//! Chromium) can mount pieces of it; `main.rs` only calls [`start`].

pub mod app;
pub mod book;
pub mod charts;
pub mod components;
pub mod engine;
pub mod format;
pub mod pages;
pub mod state;
pub mod storage;

pub use app::{App, Page};

/// Mounts the app on `<body>`; panics are printed to the console.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
