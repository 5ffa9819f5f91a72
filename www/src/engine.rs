//! The engine: the computing half of the Estimate page (reading books, the tokenizer and its
//! vocabulary, profiles, the estimate itself, and the user's price files), behind one split
//! point, so that the first visit does not download it.
//!
//! With the `split` feature (the app's build), [`Engine`]'s implementation (and the results
//! view it draws) is a separate WebAssembly chunk, fetched the first time a book, pasted text,
//! plain numbers, a reopened estimate or a price file needs it, or as soon as the user starts
//! dragging a book or opens "Paste text" or "Use plain numbers". The main module reaches that
//! code only through the `&'static dyn Engine` the split function returns (and the trait
//! objects its methods return): the splitter keeps in the main module everything the main
//! module calls directly, so no code the main module keeps calls the heavy `cost-core` APIs
//! ([`Book::read`], `ProfileBuilder`, `TokenizerLoader`, `Catalog::estimate`,
//! `Catalog::load_prices`) except through here. Without the feature (component tests,
//! `cargo check`), the same code is linked in and [`load`] only takes a turn of the event loop.
//!
//! A failed download (the network is down, the site was updated underneath the page) is an
//! `Err` ([`LoadFailed`]), never a panic: the split point is declared `fallible` (Leptos's
//! `#[lazy]` does not pass that option on, so the split is declared with `wasm_split` itself).
//! A failure is not kept: the next call of [`load`] or [`prefetch`] tries again.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use cost_core::{
    Book, Catalog, Encoding, Estimate, EstimateOptions, ImportReport, MergePolicy, Pipeline,
    Progress, TextInput, TextProfile, Tokenizer,
};
use leptos::prelude::{AnyView, ArcTrigger, Notify, Track};

use crate::state::Shared;

/// The heavy computations, reached through the loaded chunk.
pub trait Engine {
    /// Reads `bytes` as a book (text, Markdown or EPUB); `name` is the file's name, as a hint.
    ///
    /// # Errors
    ///
    /// As [`Book::read`].
    fn read_book(&self, bytes: &[u8], name: Option<String>) -> cost_core::Result<Book>;

    /// A profile of `book` counted with `tokenizer` (as `o200k_base`), built a step at a time.
    ///
    /// # Errors
    ///
    /// As `ProfileBuilder::new`.
    fn profile(
        &self,
        book: Book,
        tokenizer: Rc<Tokenizer>,
    ) -> cost_core::Result<Box<dyn ProfileSteps>>;

    /// A tokenizer for `encoding`, loaded from its vocabulary asset as the bytes arrive.
    fn vocabulary(&self, encoding: Encoding) -> Box<dyn VocabularySteps>;

    /// The estimate of `pipeline` over `text` for each of `models` (the bundled token ratios
    /// stand in for tokenizers without a public vocabulary).
    ///
    /// # Errors
    ///
    /// As `Catalog::estimate`.
    fn estimate(
        &self,
        catalog: &Catalog,
        text: &TextInput,
        pipeline: &Pipeline,
        models: &[String],
        options: &EstimateOptions,
    ) -> cost_core::Result<Estimate>;

    /// Adds a price file (any format `Catalog::load_prices` reads) to `catalog`, all or nothing.
    ///
    /// # Errors
    ///
    /// As `Catalog::load_prices`.
    fn load_prices(
        &self,
        catalog: &mut Catalog,
        text: &str,
        policy: MergePolicy,
    ) -> cost_core::Result<ImportReport>;

    /// The Estimate page's results for `estimate`: the table, the charts, the prices and
    /// sources used. Only an estimate the engine made is ever drawn, so the view code (a
    /// third of what the engine moves out of the first download) is the engine's too.
    fn results(&self, estimate: Shared<Estimate>) -> AnyView;
}

/// A profile being built (`ProfileBuilder` in the chunk).
pub trait ProfileSteps {
    /// Does about `budget_bytes` of work and says how far it has got.
    fn step(&mut self, budget_bytes: usize) -> Progress;
    /// Finishes the remaining work.
    fn finish(self: Box<Self>) -> TextProfile;
}

/// A vocabulary being loaded (`TokenizerLoader` in the chunk).
pub trait VocabularySteps {
    /// Takes the next bytes of the asset.
    ///
    /// # Errors
    ///
    /// As `TokenizerLoader::push`: the bytes so far cannot be the asset.
    fn push(&mut self, chunk: &[u8]) -> cost_core::Result<()>;
    /// The tokenizer, once every byte is in.
    ///
    /// # Errors
    ///
    /// As `TokenizerLoader::finish`.
    fn finish(self: Box<Self>) -> cost_core::Result<Tokenizer>;
}

/// The engine's chunk could not be downloaded or instantiated (the browser's console has
/// the details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadFailed;

impl std::fmt::Display for LoadFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the estimator could not be loaded from this site; reload the page")
    }
}

impl std::error::Error for LoadFailed {}

impl From<leptos::wasm_split::SplitLoaderError> for LoadFailed {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> LoadFailed {
        LoadFailed
    }
}

/// Where the engine stands, for a value computed from it (a `Memo`).
#[derive(Clone, Copy)]
pub enum Wanted {
    /// Loaded.
    Ready(&'static dyn Engine),
    /// Loading: whoever asked is recomputed when it is in (or has failed).
    Loading,
    /// The last attempt failed and none is under way.
    Failed(LoadFailed),
}

thread_local! {
    static ENGINE: Cell<Option<&'static dyn Engine>> = const { Cell::new(None) };
    /// The load under way, shared by everyone waiting for it.
    static ATTEMPT: RefCell<Option<Rc<Attempt>>> = const { RefCell::new(None) };
    /// Whether the last attempt failed.
    static FAILED: Cell<bool> = const { Cell::new(false) };
    /// Notified when an attempt ends, either way, and when one starts after a failure.
    static CHANGED: ArcTrigger = ArcTrigger::new();
}

/// The engine, if it is loaded.
pub fn get() -> Option<&'static dyn Engine> {
    ENGINE.with(Cell::get)
}

/// Starts loading the engine unless it is loaded or loading (a drag over the page, a press
/// on "Choose a file…" are good moments).
pub fn prefetch() {
    let _ = attempt();
}

/// The engine, loading it first if needed; callers waiting at the same time share one
/// download.
///
/// # Errors
///
/// [`LoadFailed`] when the chunk could not be loaded (everyone waiting gets it; the next
/// call tries again).
pub async fn load() -> Result<&'static dyn Engine, LoadFailed> {
    if let Some(attempt) = attempt() {
        Wait(attempt).await?;
    }
    get().ok_or(LoadFailed)
}

/// The engine for a value computed in a reactive context (a `Memo`): tracks the load, so the
/// value is recomputed when it ends, and starts it unless the last attempt failed (a failure
/// is retried by [`load`] and [`prefetch`], on the user's next book, not by recomputing).
pub fn wanted() -> Wanted {
    CHANGED.with(Track::track);
    if let Some(engine) = get() {
        return Wanted::Ready(engine);
    }
    let loading = ATTEMPT.with(|a| a.borrow().is_some());
    if !loading && FAILED.with(Cell::get) {
        return Wanted::Failed(LoadFailed);
    }
    prefetch();
    Wanted::Loading
}

/// The attempt under way, starting one if the engine is not loaded and none is; `None` when
/// the engine is loaded.
fn attempt() -> Option<Rc<Attempt>> {
    if get().is_some() {
        return None;
    }
    if let Some(attempt) = ATTEMPT.with(|a| a.borrow().clone()) {
        return Some(attempt);
    }
    let attempt = Rc::new(Attempt::default());
    ATTEMPT.with(|a| *a.borrow_mut() = Some(Rc::clone(&attempt)));
    let retry = FAILED.with(|f| f.replace(false));
    let settles = Rc::clone(&attempt);
    // Spawned, not awaited by the caller: a memo may start the load, and the memos it
    // notifies must not change while that memo runs.
    wasm_bindgen_futures::spawn_local(async move {
        if retry {
            // What showed the failure shows that it is loading again.
            CHANGED.with(Notify::notify);
        }
        let outcome = chunk().await;
        match outcome {
            Ok(engine) => ENGINE.with(|e| e.set(Some(engine))),
            Err(_) => FAILED.with(|f| f.set(true)),
        }
        ATTEMPT.with(|a| *a.borrow_mut() = None);
        settles.settle(outcome.map(|_| ()));
        CHANGED.with(Notify::notify);
    });
    Some(attempt)
}

/// One load of the chunk, and who waits for it.
#[derive(Default)]
struct Attempt {
    outcome: Cell<Option<Result<(), LoadFailed>>>,
    waiting: RefCell<Vec<Waker>>,
}

impl Attempt {
    fn settle(&self, outcome: Result<(), LoadFailed>) {
        self.outcome.set(Some(outcome));
        for waker in self.waiting.take() {
            waker.wake();
        }
    }
}

/// Waits for an [`Attempt`] to end.
struct Wait(Rc<Attempt>);

impl Future for Wait {
    type Output = Result<(), LoadFailed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.0.outcome.get() {
            Some(outcome) => Poll::Ready(outcome),
            None => {
                self.0.waiting.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The split point: everything reachable only from what it returns goes to the chunk.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(
    llmcost_engine,
    wasm_split_path = ::leptos::wasm_split,
    preload(#[allow(dead_code)] #[doc(hidden)] preload_chunk),
    fallible
)]
fn chunk() -> Result<&'static dyn Engine, LoadFailed> {
    Ok(&heavy::Heavy)
}

/// The same code linked in (component tests, `cargo check`).
#[cfg(not(feature = "split"))]
async fn chunk() -> Result<&'static dyn Engine, LoadFailed> {
    if FAIL_NEXT.with(|f| f.replace(false)) {
        return Err(LoadFailed);
    }
    Ok(&heavy::Heavy)
}

#[cfg(not(feature = "split"))]
thread_local! {
    static FAIL_NEXT: Cell<bool> = const { Cell::new(false) };
}

/// Makes the next load fail, as a download of the chunk can (component tests only: there is
/// no chunk without the `split` feature).
#[cfg(not(feature = "split"))]
#[doc(hidden)]
pub fn fail_next_load() {
    FAIL_NEXT.with(|f| f.set(true));
}

/// The implementation: only [`chunk`] names it.
mod heavy {
    use std::rc::Rc;

    use cost_core::{
        Book, Catalog, CountTokens, Encoding, Estimate, EstimateOptions, ImportReport, MergePolicy,
        NamedCounter, Pipeline, ProfileBuilder, ProfileOptions, Progress, ReadOptions, TextInput,
        TextProfile, TokenRatios, Tokenizer, TokenizerLoader,
    };

    use leptos::prelude::*;

    use super::{Engine, ProfileSteps, VocabularySteps};
    use crate::pages::estimate::ResultsView;
    use crate::state::Shared;

    pub(super) struct Heavy;

    thread_local! {
        static RATIOS: TokenRatios = TokenRatios::bundled();
    }

    impl Engine for Heavy {
        fn read_book(&self, bytes: &[u8], name: Option<String>) -> cost_core::Result<Book> {
            Book::read(
                bytes,
                &ReadOptions {
                    name,
                    ..ReadOptions::default()
                },
            )
        }

        fn profile(
            &self,
            book: Book,
            tokenizer: Rc<Tokenizer>,
        ) -> cost_core::Result<Box<dyn ProfileSteps>> {
            let counters = vec![NamedCounter::new("o200k_base", Counter(tokenizer))];
            let builder = ProfileBuilder::new(book, counters, ProfileOptions::default())?;
            Ok(Box::new(Steps(builder)))
        }

        fn vocabulary(&self, encoding: Encoding) -> Box<dyn VocabularySteps> {
            Box::new(TokenizerLoader::new(encoding))
        }

        fn estimate(
            &self,
            catalog: &Catalog,
            text: &TextInput,
            pipeline: &Pipeline,
            models: &[String],
            options: &EstimateOptions,
        ) -> cost_core::Result<Estimate> {
            RATIOS.with(|ratios| catalog.estimate(ratios, text, pipeline, models, options))
        }

        fn load_prices(
            &self,
            catalog: &mut Catalog,
            text: &str,
            policy: MergePolicy,
        ) -> cost_core::Result<ImportReport> {
            catalog.load_prices(text, policy)
        }

        fn results(&self, estimate: Shared<Estimate>) -> AnyView {
            view! { <ResultsView estimate=estimate /> }.into_any()
        }
    }

    /// The shared tokenizer as a counter the builder owns.
    struct Counter(Rc<Tokenizer>);

    impl CountTokens for Counter {
        fn count(&self, text: &str) -> usize {
            self.0.count(text)
        }
    }

    struct Steps(ProfileBuilder<'static>);

    impl ProfileSteps for Steps {
        fn step(&mut self, budget_bytes: usize) -> Progress {
            self.0.step(budget_bytes)
        }

        fn finish(self: Box<Self>) -> TextProfile {
            self.0.finish().profile
        }
    }

    impl VocabularySteps for TokenizerLoader {
        fn push(&mut self, chunk: &[u8]) -> cost_core::Result<()> {
            TokenizerLoader::push(self, chunk)
        }

        fn finish(self: Box<Self>) -> cost_core::Result<Tokenizer> {
            TokenizerLoader::finish(*self)
        }
    }
}
