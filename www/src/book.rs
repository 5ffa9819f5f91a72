//! Reading a dropped or pasted book and counting it, a slice at a time, so the page stays
//! responsive and shows progress; the tokenizer vocabulary is fetched (same origin) the first
//! time it is needed and kept for the session. The reading and counting themselves are the
//! [`engine`]'s, fetched alongside the vocabulary.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use cost_core::{Encoding, Tokenizer};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine;
use crate::state::{AppState, Counting, LoadedBook, Shared};
use crate::storage::{fingerprint, SavedBook};

/// Where the o200k_base vocabulary is served, relative to the page.
pub const VOCAB_PATH: &str = "vocab/o200k_base.vocab";
/// Bytes counted between two yields to the browser: about 5 ms of work.
const SLICE_BYTES: usize = 256 * 1024;
/// Books above this are refused before reading (the core also limits inflated EPUBs).
pub const MAX_BOOK_BYTES: u64 = 64 * 1024 * 1024;

thread_local! {
    static TOKENIZER: RefCell<Option<Rc<Tokenizer>>> = const { RefCell::new(None) };
    static LOADING: RefCell<Option<futures_shared::Shared>> = const { RefCell::new(None) };
    /// Increases with each book: a count that is no longer the newest stops.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

mod futures_shared {
    //! A vocabulary fetch that several callers can wait for.
    use std::cell::RefCell;
    use std::rc::Rc;

    /// The fetch's result once it is there.
    #[derive(Clone, Default)]
    pub struct Shared(pub Rc<RefCell<Option<Result<(), String>>>>);
}

/// Starts fetching the vocabulary, and the engine that reads it, if nobody has (a drag over
/// the page is a good moment).
pub fn prefetch_vocabulary() {
    engine::prefetch();
    if TOKENIZER.with(|t| t.borrow().is_some()) || LOADING.with(|l| l.borrow().is_some()) {
        return;
    }
    let slot = futures_shared::Shared::default();
    LOADING.with(|l| *l.borrow_mut() = Some(slot.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let result = fetch_vocabulary().await.map(|t| {
            TOKENIZER.with(|slot| *slot.borrow_mut() = Some(Rc::new(t)));
        });
        if result.is_err() {
            LOADING.with(|l| *l.borrow_mut() = None);
        }
        *slot.0.borrow_mut() = Some(result);
    });
}

/// Fetches the vocabulary and loads it as it arrives: each chunk of the download is entered
/// into the tokenizer's tables while the next is on the wire, so little is left to do when
/// the last byte is in.
async fn fetch_vocabulary() -> Result<Tokenizer, String> {
    let window = web_sys::window().ok_or("no window")?;
    // The request starts now; the engine (which enters the tokens) loads meanwhile.
    let request = JsFuture::from(window.fetch_with_str(VOCAB_PATH));
    let engine = engine::load().await.map_err(|e| e.to_string())?;
    let response = request
        .await
        .map_err(|_| "the tokenizer vocabulary could not be fetched from this site".to_string())?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "bad response")?;
    if !response.ok() {
        return Err(format!(
            "the tokenizer vocabulary could not be fetched (HTTP {})",
            response.status()
        ));
    }
    let failed = || "the tokenizer vocabulary download failed".to_string();
    let damaged = |e: cost_core::Error| format!("the tokenizer vocabulary is damaged: {e}");
    let mut loader = engine.vocabulary(Encoding::O200kBase);
    let Some(body) = response.body() else {
        // No stream (an old browser): the whole body at once.
        let buffer = JsFuture::from(response.array_buffer().map_err(|_| "unreadable response")?)
            .await
            .map_err(|_| failed())?;
        loader
            .push(&js_sys::Uint8Array::new(&buffer).to_vec())
            .map_err(damaged)?;
        return loader.finish().map_err(damaged);
    };
    let reader: web_sys::ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(|_| failed())?;
    let mut chunk = Vec::new();
    loop {
        let read: web_sys::ReadableStreamReadResult = JsFuture::from(reader.read())
            .await
            .map_err(|_| failed())?
            .unchecked_into();
        if read.get_done().unwrap_or(false) {
            break;
        }
        let value: js_sys::Uint8Array = read.get_value().dyn_into().map_err(|_| failed())?;
        chunk.resize(value.length() as usize, 0);
        value.copy_to(&mut chunk);
        if let Err(e) = loader.push(&chunk) {
            // Stop the download: nothing more can make it a vocabulary.
            let _ = reader.cancel();
            return Err(damaged(e));
        }
    }
    loader.finish().map_err(damaged)
}

/// The vocabulary, fetching it when needed. A failed fetch is reported once, to everyone
/// waiting for it; the next call (the next book) fetches again.
async fn tokenizer() -> Result<Rc<Tokenizer>, String> {
    let loaded = || TOKENIZER.with(|t| t.borrow().clone());
    if let Some(t) = loaded() {
        return Ok(t);
    }
    prefetch_vocabulary();
    // The fetch this call waits for: a failure clears `LOADING` (so that a later call starts
    // another), so it is read once, here, not in the loop.
    let Some(slot) = LOADING.with(|l| l.borrow().clone()) else {
        return loaded().ok_or_else(|| "the tokenizer vocabulary did not load".to_string());
    };
    loop {
        let done = slot.0.borrow().clone();
        match done {
            Some(Err(e)) => return Err(e),
            Some(Ok(())) => {
                return loaded().ok_or_else(|| "the tokenizer vocabulary did not load".to_string())
            }
            None => gloo_timers::future::TimeoutFuture::new(5).await,
        }
    }
}

/// Reads the bytes of a `File` the user chose or dropped.
///
/// # Errors
///
/// A message for the user when the file is too large or cannot be read.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let size = file.size() as u64;
    if size > MAX_BOOK_BYTES {
        return Err(format!(
            "“{}” is {} MB; llmcost reads books of up to {} MB",
            file.name(),
            size / 1_000_000,
            MAX_BOOK_BYTES / 1_048_576
        ));
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("“{}” could not be read", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Reads `bytes` as a book and counts it, showing progress in `app`, then makes it the
/// Estimate page's book. A newer call makes an older one stop.
pub async fn count(app: AppState, bytes: Vec<u8>, file_name: Option<String>) {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let current = move || GENERATION.with(|g| g.get()) == generation;
    // Pasted text comes here directly: start the vocabulary download before splitting.
    prefetch_vocabulary();
    let s = app.estimate;
    s.book_error.set(None);
    let total = bytes.len() as u64;
    s.counting.set(Some(Counting {
        done: 0,
        total,
        loading_vocabulary: true,
    }));
    // Let the progress bar paint before the work starts.
    gloo_timers::future::TimeoutFuture::new(0).await;
    let fail = |message: String| {
        if current() {
            s.counting.set(None);
            s.book_error.set(Some(message));
        }
    };
    if bytes.is_empty() {
        return fail("the file is empty: there is nothing to count".into());
    }
    // Started with the vocabulary above; usually in by now when the user dragged the book.
    let engine = match engine::load().await {
        Ok(e) => e,
        Err(e) => return fail(e.to_string()),
    };
    if !current() {
        return;
    }
    let book = match engine.read_book(&bytes, file_name.clone()) {
        Ok(b) => b,
        Err(e) => {
            let name = file_name.as_deref().unwrap_or("the pasted text");
            return fail(format!("{name} cannot be read as a book: {e}"));
        }
    };
    let tokenizer = match tokenizer().await {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    if !current() {
        return;
    }
    let mut builder = match engine.profile(book, tokenizer) {
        Ok(b) => b,
        Err(e) => return fail(format!("the book cannot be counted: {e}")),
    };
    loop {
        let progress = builder.step(SLICE_BYTES);
        s.counting.set(Some(Counting {
            done: progress.done_bytes,
            total: progress.total_bytes,
            loading_vocabulary: false,
        }));
        if progress.is_done() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(0).await;
        if !current() {
            return;
        }
    }
    let profile = builder.finish();
    let saved = SavedBook {
        file_name,
        bytes: total,
        fingerprint: fingerprint(&bytes),
        profile,
    };
    // Building the profile of a large book takes a while, and so do the estimate and the
    // table that follow: let the page answer in between.
    gloo_timers::future::TimeoutFuture::new(0).await;
    if !current() {
        return;
    }
    // A new book is a new estimate: the old one stays in History as it was.
    app.detach();
    s.plain.set(None);
    s.counting.set(None);
    s.book.set(Some(Shared(Arc::new(LoadedBook { saved }))));
}
