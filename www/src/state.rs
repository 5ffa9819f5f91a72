//! The app's shared state: the catalog with the user's prices, what is saved, and the
//! current estimate's inputs (kept while the user moves between pages).

use std::cell::RefCell;
use std::sync::Arc;

use cost_core::{
    preset, CachePlan, Catalog, Date, Estimate, EstimateOptions, ImportReport, MergePolicy,
    Pipeline, PlainUnits, TextInput, TextProfile,
};
use leptos::prelude::*;

use crate::engine::{self, Wanted};
use crate::storage::{
    new_id, EstimateInputs, EstimateSummary, ModelTotal, PlainInputs, PriceLayer, Problem,
    SavedBook, SavedBudget, SavedEstimate, SavedPrices, SavedUsage, Store, WriteError, BUDGET_KEY,
};

/// A value shared by reference: equal only to itself, so a `Memo` of it notifies on every
/// recomputation without comparing large values.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The catalog in use: bundled, then each of the user's price files on top.
#[derive(Debug)]
pub struct PricedCatalog {
    /// The merged catalog.
    pub catalog: Catalog,
    /// Price files that failed to load, by name, with the reason (the rest still apply).
    pub errors: Vec<String>,
    /// Why the user's price files are not in `catalog` yet (it is then the bundled catalog
    /// alone, and nothing may be priced from it).
    pub unapplied: Option<Unapplied>,
}

/// Why the user's price files are not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unapplied {
    /// The engine that reads them is loading; the catalog is rebuilt when it is in.
    Loading,
    /// The engine could not be loaded.
    Failed(engine::LoadFailed),
}

impl Unapplied {
    /// A line for the user on its own: a status while loading, the reason after a failure.
    pub fn status(&self) -> String {
        match self {
            Unapplied::Loading => "Loading your price files…".into(),
            Unapplied::Failed(e) => format!("Your price files could not be applied: {e}."),
        }
    }

    /// The same within a sentence.
    pub fn reason(&self) -> String {
        match self {
            Unapplied::Loading => {
                "your price files are still loading; try again in a moment".into()
            }
            Unapplied::Failed(e) => format!("your price files could not be applied: {e}"),
        }
    }
}

/// Builds the catalog from the bundled one and the user's price layers, in order, each read
/// by `load` (`Catalog::load_prices`, through the engine in code the main module keeps).
pub fn build_catalog(
    prices: &SavedPrices,
    load: impl Fn(&mut Catalog, &str) -> cost_core::Result<ImportReport>,
) -> PricedCatalog {
    let mut catalog = Catalog::bundled();
    let mut errors = Vec::new();
    for layer in &prices.layers {
        // `load_prices` is all or nothing: a bad layer leaves the catalog as it was.
        let text = crate::storage::layer_json(&layer.text);
        if let Err(e) = load(&mut catalog, &text) {
            errors.push(format!("{}: {e}", layer.name));
        }
    }
    PricedCatalog {
        catalog,
        errors,
        unapplied: None,
    }
}

/// The catalog memo's value: the bundled catalog needs no engine (the usual case, no price
/// files); the user's price files wait for it, and the catalog says so meanwhile.
fn catalog_for(prices: &SavedPrices) -> PricedCatalog {
    let unapplied = if prices.layers.is_empty() {
        None
    } else {
        match engine::wanted() {
            Wanted::Ready(engine) => {
                return build_catalog(prices, |catalog, text| {
                    engine.load_prices(catalog, text, MergePolicy::Replace)
                })
            }
            Wanted::Loading => Some(Unapplied::Loading),
            Wanted::Failed(e) => Some(Unapplied::Failed(e)),
        }
    };
    PricedCatalog {
        catalog: Catalog::bundled(),
        errors: Vec::new(),
        unapplied,
    }
}

thread_local! {
    /// A catalog built for the prices about to be set: the Prices page builds one to check a
    /// new price file, and the catalog memo takes it instead of loading every file again (a
    /// LiteLLM table of 20,000 models takes about 0.9 s to load in Chromium).
    static CHECKED: RefCell<Option<(SavedPrices, Arc<PricedCatalog>)>> = const { RefCell::new(None) };
}

/// Hands the catalog built for `prices` to the catalog memo, for when `prices` are set next.
pub fn offer_catalog(prices: &SavedPrices, catalog: PricedCatalog) {
    CHECKED.with(|c| *c.borrow_mut() = Some((prices.clone(), Arc::new(catalog))));
}

/// A message shown at the top of the page, with an optional undo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Increases with each notice, so the same text twice still shows.
    pub serial: u64,
    /// The text.
    pub text: String,
    /// Whether it reports a problem.
    pub is_error: bool,
    /// An estimate to restore when the user presses Undo.
    pub undo: Option<SavedEstimate>,
}

/// A book that has been read and counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedBook {
    /// The profile, the fingerprint and the size.
    pub saved: SavedBook,
}

/// Counting in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counting {
    /// Bytes counted so far (all passes).
    pub done: u64,
    /// Bytes to count in all.
    pub total: u64,
    /// Whether the vocabulary is still being fetched.
    pub loading_vocabulary: bool,
}

/// The Estimate page's inputs, which outlive the page while the app is open.
#[derive(Clone, Copy)]
pub struct EstimateState {
    /// The counted book.
    pub book: RwSignal<Option<Shared<LoadedBook>>>,
    /// Counting progress, while counting.
    pub counting: RwSignal<Option<Counting>>,
    /// Why the last file could not be read.
    pub book_error: RwSignal<Option<String>>,
    /// The preset the pipeline came from.
    pub preset: RwSignal<Option<String>>,
    /// The pipeline, as edited.
    pub pipeline: RwSignal<Pipeline>,
    /// Models compared (`provider/id`).
    pub models: RwSignal<Vec<String>>,
    /// Batch prices.
    pub batch: RwSignal<bool>,
    /// Cache plan text (`default`, `none`, `5m`, `1h`, `store:N`).
    pub cache: RwSignal<String>,
    /// Expected automatic-cache hit ratio in percent.
    pub cache_hit_percent: RwSignal<u64>,
    /// Plain unit counts instead of a book.
    pub plain: RwSignal<Option<PlainInputs>>,
    /// The history entry this estimate is saved as.
    pub saved_id: RwSignal<Option<String>>,
    /// Its name.
    pub name: RwSignal<String>,
    /// When it was first saved.
    pub created_ms: RwSignal<u64>,
    /// The model whose per-chapter costs are charted.
    pub chart_model: RwSignal<Option<String>>,
}

/// The models selected before the user picks any: one small model of each large provider.
pub const DEFAULT_MODELS: &[&str] = &[
    "anthropic/claude-haiku-4-5",
    "openai/gpt-5-mini",
    "google/gemini-2.5-flash",
    "deepseek/deepseek-chat",
    "mistral/mistral-small-2603",
];

impl EstimateState {
    fn new() -> EstimateState {
        let first = preset("one-prompt-per-sentence").map(|p| p.pipeline);
        EstimateState {
            book: RwSignal::new(None),
            counting: RwSignal::new(None),
            book_error: RwSignal::new(None),
            preset: RwSignal::new(Some("one-prompt-per-sentence".into())),
            pipeline: RwSignal::new(first.unwrap_or_else(empty_pipeline)),
            models: RwSignal::new(DEFAULT_MODELS.iter().map(|s| s.to_string()).collect()),
            batch: RwSignal::new(false),
            cache: RwSignal::new("default".into()),
            cache_hit_percent: RwSignal::new(100),
            plain: RwSignal::new(None),
            saved_id: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            created_ms: RwSignal::new(0),
            chart_model: RwSignal::new(None),
        }
    }
}

fn empty_pipeline() -> Pipeline {
    Pipeline {
        name: "Empty".into(),
        description: String::new(),
        phases: Vec::new(),
    }
}

/// Parses the cache plan text.
pub fn cache_plan(text: &str) -> CachePlan {
    match text {
        "none" => CachePlan::None,
        "5m" => CachePlan::FiveMinutes,
        "1h" => CachePlan::OneHour,
        other => match other.strip_prefix("store:").and_then(|h| h.parse().ok()) {
            Some(storage_hours) => CachePlan::Explicit { storage_hours },
            None => CachePlan::ProviderDefault,
        },
    }
}

/// The app-wide state, provided as context by [`crate::App`].
#[derive(Clone, Copy)]
pub struct AppState {
    /// Where records are kept.
    pub store: StoredValue<Store>,
    /// Whether storage works.
    pub storage_on: RwSignal<bool>,
    /// The user's price files.
    pub prices: RwSignal<SavedPrices>,
    /// The catalog: bundled plus the user's prices.
    pub catalog: Memo<Shared<PricedCatalog>>,
    /// Saved estimates, newest first.
    pub history: RwSignal<Vec<SavedEstimate>>,
    /// Saved usage logs, newest first.
    pub usage: RwSignal<Vec<SavedUsage>>,
    /// The budget.
    pub budget: RwSignal<Option<SavedBudget>>,
    /// Entries that could not be read, left as they were.
    pub problems: RwSignal<Vec<Problem>>,
    /// The message at the top of the page.
    pub notice: RwSignal<Option<Notice>>,
    /// Today (UTC), read once from the browser's clock: the date prices are taken at.
    pub today: Date,
    /// The Estimate page's inputs.
    pub estimate: EstimateState,
    /// The current estimate (`None` until there is a book or plain numbers).
    pub result: Memo<Option<Outcome>>,
}

/// The estimate, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The estimate.
    Done(Shared<Estimate>),
    /// Waiting for the engine or the user's price files: a status for the user
    /// (`Loading the estimator…`); the memo recomputes when they are in.
    Waiting(&'static str),
    /// Why there is no estimate.
    Failed(String),
}

impl Outcome {
    /// The estimate, when there is one.
    pub fn done(&self) -> Option<&Shared<Estimate>> {
        match self {
            Outcome::Done(estimate) => Some(estimate),
            _ => None,
        }
    }
}

/// Milliseconds since 1970 from the browser's clock.
pub fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

impl AppState {
    /// Reads everything saved in `store` and sets up the derived values.
    pub fn new(store: Store) -> AppState {
        let today = Date::from_unix_seconds((now_ms() / 1000) as i64);
        let mut problems = Vec::new();
        let estimates = store.estimates();
        problems.extend(estimates.problems);
        let usage = store.usage_logs();
        problems.extend(usage.problems);
        let budget = match store.single::<SavedBudget>(BUDGET_KEY) {
            Ok(b) => b,
            Err(p) => {
                problems.push(p);
                None
            }
        };
        let prices = store.prices();
        problems.extend(prices.problems);
        let prices = SavedPrices {
            layers: prices.records,
        };
        problems.extend(store.future_singles());
        let storage_on = store.is_available() && estimates.available && usage.available;
        let prices = RwSignal::new(prices);
        let catalog = Memo::new(move |_| {
            let checked = CHECKED.with(|c| c.borrow_mut().take());
            prices.with(|p| match checked {
                Some((checked_for, built)) if checked_for == *p => Shared(built),
                _ => Shared(Arc::new(catalog_for(p))),
            })
        });
        let estimate = EstimateState::new();
        let result = Memo::new(move |_| compute(estimate, catalog, today));
        AppState {
            store: StoredValue::new(store),
            storage_on: RwSignal::new(storage_on),
            prices,
            catalog,
            history: RwSignal::new(estimates.records),
            usage: RwSignal::new(usage.records),
            budget: RwSignal::new(budget),
            problems: RwSignal::new(problems),
            notice: RwSignal::new(None),
            today,
            estimate,
            result,
        }
    }

    /// Shows `text` at the top of the page.
    pub fn tell(&self, text: impl Into<String>, is_error: bool) {
        let serial = self
            .notice
            .with_untracked(|n| n.as_ref().map_or(0, |n| n.serial))
            + 1;
        self.notice.set(Some(Notice {
            serial,
            text: text.into(),
            is_error,
            undo: None,
        }));
    }

    /// Reports a failed write.
    pub fn write_failed(&self, error: &WriteError) {
        if *error == WriteError::Unavailable {
            self.storage_on.set(false);
        }
        self.tell(error.message(), true);
    }

    /// The user's price files as saved now, which another tab may have changed since this
    /// one read them; this tab's own when storage cannot be read.
    pub fn saved_prices(&self) -> SavedPrices {
        let loaded = self.store.with_value(Store::prices);
        if loaded.available && self.store.with_value(Store::is_available) {
            SavedPrices {
                layers: loaded.records,
            }
        } else {
            self.prices.get_untracked()
        }
    }

    /// Adds a price file under its own key, so no other tab's file is touched; returns
    /// whether it was saved (a failure is reported, and the file applies to this visit).
    pub fn add_price_layer(&self, layer: PriceLayer) -> bool {
        let written = self.store.with_value(|s| s.save_price_layer(&layer));
        self.prices_written(written, |p| p.layers.push(layer))
    }

    /// Removes the price file `id`; returns whether the removal was saved.
    pub fn remove_price_layer(&self, id: &str) -> bool {
        let written = self.store.with_value(|s| s.delete_price_layer(id));
        self.prices_written(written, |p| p.layers.retain(|l| l.id != id))
    }

    /// Removes every price file; returns whether the removal was saved.
    pub fn reset_prices(&self) -> bool {
        let written = self.store.with_value(Store::clear_prices);
        self.prices_written(written, |p| p.layers.clear())
    }

    /// Shows the price files as saved after a write, or as changed by `change` for this
    /// visit when the write failed.
    fn prices_written(
        &self,
        written: Result<(), WriteError>,
        change: impl FnOnce(&mut SavedPrices),
    ) -> bool {
        match written {
            Ok(()) => {
                self.prices.set(self.saved_prices());
                true
            }
            Err(e) => {
                let mut prices = self.saved_prices();
                change(&mut prices);
                self.prices.set(prices);
                self.write_failed(&e);
                false
            }
        }
    }

    /// Saves (or re-saves) the current estimate in history.
    pub fn save_current(&self, estimate: &Estimate) {
        let s = self.estimate;
        let now = now_ms();
        let id = match s.saved_id.get_untracked() {
            Some(id) => id,
            None => {
                let id = new_id(now);
                s.saved_id.set(Some(id.clone()));
                s.created_ms.set(now);
                id
            }
        };
        let book = s.book.get_untracked().map(|b| b.saved.clone());
        let name = {
            let typed = s.name.get_untracked();
            if typed.trim().is_empty() {
                let title = book
                    .as_ref()
                    .and_then(|b| b.profile.title.clone().or_else(|| b.file_name.clone()))
                    .unwrap_or_else(|| "Plain numbers".into());
                let named = format!("{title} · {}", estimate.pipeline);
                s.name.set(named.clone());
                named
            } else {
                typed
            }
        };
        let record = SavedEstimate {
            id: id.clone(),
            name,
            created_ms: s.created_ms.get_untracked().max(1),
            updated_ms: now,
            book,
            inputs: self.inputs(),
            summary: summarize(estimate),
        };
        match self.store.with_value(|st| st.save_estimate(&record)) {
            Ok(()) => self.history.update(|h| {
                h.retain(|e| e.id != id);
                h.insert(0, record);
            }),
            Err(e) => self.write_failed(&e),
        }
    }

    /// The current inputs as a record.
    pub fn inputs(&self) -> EstimateInputs {
        let s = self.estimate;
        EstimateInputs {
            preset: s.preset.get_untracked(),
            pipeline_json: s.pipeline.with_untracked(Pipeline::to_json),
            models: s.models.get_untracked(),
            batch: s.batch.get_untracked(),
            cache: s.cache.get_untracked(),
            cache_hit_percent: s.cache_hit_percent.get_untracked(),
            plain: s.plain.get_untracked(),
            at: self.today,
        }
    }

    /// Restores every input of a saved estimate into the Estimate page.
    ///
    /// # Errors
    ///
    /// When its pipeline no longer reads (it is then left as it was).
    pub fn reopen(&self, saved: &SavedEstimate) -> Result<(), String> {
        let pipeline = Pipeline::from_json(&saved.inputs.pipeline_json)
            .map_err(|e| format!("its pipeline cannot be read: {e}"))?;
        let s = self.estimate;
        s.book.set(
            saved
                .book
                .clone()
                .map(|b| Shared(Arc::new(LoadedBook { saved: b }))),
        );
        s.book_error.set(None);
        s.counting.set(None);
        s.preset.set(saved.inputs.preset.clone());
        s.pipeline.set(pipeline);
        s.models.set(saved.inputs.models.clone());
        s.batch.set(saved.inputs.batch);
        s.cache.set(saved.inputs.cache.clone());
        s.cache_hit_percent.set(saved.inputs.cache_hit_percent);
        s.plain.set(saved.inputs.plain);
        s.saved_id.set(Some(saved.id.clone()));
        s.name.set(saved.name.clone());
        s.created_ms.set(saved.created_ms);
        Ok(())
    }

    /// Starts a new, unsaved estimate (the inputs stay, the history entry does not).
    pub fn detach(&self) {
        self.estimate.saved_id.set(None);
        self.estimate.name.set(String::new());
    }
}

/// The figures History shows.
pub fn summarize(estimate: &Estimate) -> EstimateSummary {
    let total = |m: &cost_core::ModelEstimate| ModelTotal {
        model: format!("{}/{}", m.provider, m.model),
        expected_usd: m.cost.expected,
    };
    EstimateSummary {
        models: estimate.models.len() as u32,
        cheapest: estimate
            .models
            .iter()
            .min_by_key(|m| m.cost.expected)
            .map(total),
        most_expensive: estimate
            .models
            .iter()
            .max_by_key(|m| m.cost.expected)
            .map(total),
    }
}

/// The text input of an estimate: the book's profile, or plain numbers.
pub fn text_input(book: Option<&TextProfile>, plain: Option<PlainInputs>) -> Option<TextInput> {
    match (book, plain) {
        (_, Some(p)) => Some(TextInput::Units(PlainUnits {
            units: p.units,
            tokens_per_unit: p.tokens_per_unit,
            chapters: p.chapters.max(1),
        })),
        (Some(profile), None) => Some(TextInput::Profile(Box::new(profile.clone()))),
        (None, None) => None,
    }
}

fn compute(s: EstimateState, catalog: Memo<Shared<PricedCatalog>>, today: Date) -> Option<Outcome> {
    let book = s.book.get();
    let plain = s.plain.get();
    let text = text_input(book.as_ref().map(|b| &b.saved.profile), plain)?;
    let models = s.models.get();
    if models.is_empty() {
        return Some(Outcome::Failed("pick at least one model".into()));
    }
    let mut options = EstimateOptions::new(today);
    options.batch = s.batch.get();
    options.cache = cache_plan(&s.cache.get());
    options.cache_hit_per_mille = s.cache_hit_percent.get().min(100) * 10;
    let catalog = catalog.get();
    // Never an estimate priced without the user's prices.
    match &catalog.unapplied {
        None => {}
        Some(Unapplied::Loading) => return Some(Outcome::Waiting("Loading your price files…")),
        Some(Unapplied::Failed(e)) => return Some(Outcome::Failed(e.to_string())),
    }
    let engine = match engine::wanted() {
        Wanted::Ready(engine) => engine,
        Wanted::Loading => return Some(Outcome::Waiting("Loading the estimator…")),
        Wanted::Failed(e) => return Some(Outcome::Failed(e.to_string())),
    };
    let result = s
        .pipeline
        .with(|pipeline| engine.estimate(&catalog.catalog, &text, pipeline, &models, &options));
    Some(match result {
        Ok(e) => Outcome::Done(Shared(Arc::new(e))),
        Err(e) => Outcome::Failed(e.to_string()),
    })
}

/// The app state from context.
pub fn use_app() -> AppState {
    expect_context::<AppState>()
}

/// Saves the current usage logs' list after `log` was added.
pub fn save_usage(app: &AppState, log: SavedUsage) -> Result<(), WriteError> {
    app.store.with_value(|s| s.save_usage(&log))?;
    app.usage.update(|u| {
        u.retain(|x| x.id != log.id);
        u.insert(0, log);
    });
    Ok(())
}
