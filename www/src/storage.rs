//! What the app keeps in localStorage, and how it survives corrupt entries, full quotas,
//! storage that is switched off, other tabs and other versions of the app.
//!
//! # Keys
//!
//! ```text
//! llmcost.estimate.v1.<id>   one SavedEstimate per key
//! llmcost.usage.v1.<id>      one SavedUsage (a priced usage log) per key
//! llmcost.price.v1.<id>      one PriceLayer (a price file: the user's model, override or import)
//! llmcost.budget.v1          the SavedBudget
//! llmcost.prices.v1          (read only) every PriceLayer in one SavedPrices, as earlier
//!                            versions of the app kept them; split into price keys on load
//! ```
//!
//! One key per record: a write replaces exactly one record, so a failed write (the quota) or
//! another tab saving its own estimate or adding its own price file at the same moment can
//! never take any other record with it, and a corrupt entry is one entry. The version is in
//! the key: an entry written by a newer app (`v2`) is left untouched and reported, never
//! overwritten or deleted; an entry of an older version is migrated by [`migrate`] and
//! rewritten under the current key (the old key is removed only after that write
//! succeeded). Price files apply in the order they were added (`added_ms`, then id).
//!
//! Records are plain structs with serde derives, never signals. The book's text is never
//! stored: its [`TextProfile`] (counts only) and a fingerprint of its bytes are.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cost_core::{Date, PricedRecord, TextProfile, Usd};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The current version of estimate records (the `v1` in their keys).
pub const ESTIMATE_VERSION: u32 = 1;
/// The current version of usage-log records.
pub const USAGE_VERSION: u32 = 1;
const ESTIMATE_PREFIX: &str = "llmcost.estimate.";
const USAGE_PREFIX: &str = "llmcost.usage.";
/// Key of the budget.
pub const BUDGET_KEY: &str = "llmcost.budget.v1";
/// Key under which earlier versions kept every price file in one record; read to split it
/// into price keys, never written.
pub const PRICES_KEY: &str = "llmcost.prices.v1";
/// The current version of price files (the `v1` in their keys).
pub const PRICE_VERSION: u32 = 1;
const PRICE_PREFIX: &str = "llmcost.price.";

/// A saved estimate: every input needed to recompute it, and the figures shown in History.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedEstimate {
    /// Stable id (also the key's suffix).
    pub id: String,
    /// The name the user sees and can edit.
    pub name: String,
    /// When it was first saved, in milliseconds since 1970 (UTC).
    pub created_ms: u64,
    /// When it was last saved.
    pub updated_ms: u64,
    /// The book it is for (its counts, never its text), or `None` for plain unit counts.
    pub book: Option<SavedBook>,
    /// Everything else the estimate was computed from.
    pub inputs: EstimateInputs,
    /// The figures History shows without recomputing.
    pub summary: EstimateSummary,
}

/// A book as history keeps it: its profile and a fingerprint, not its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBook {
    /// The file name it was read from, or `None` for pasted text.
    pub file_name: Option<String>,
    /// Bytes of the file (or pasted text).
    pub bytes: u64,
    /// FNV-1a 64 of the bytes, as 16 hex digits: tells two books apart without storing them.
    pub fingerprint: String,
    /// The counts every estimate is built from.
    pub profile: TextProfile,
}

/// The inputs of an estimate besides the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EstimateInputs {
    /// The preset the pipeline started from, if any.
    pub preset: Option<String>,
    /// The pipeline in its JSON format (`Pipeline::to_json`), as edited.
    pub pipeline_json: String,
    /// Models compared, as `provider/id`.
    pub models: Vec<String>,
    /// Batch API prices.
    pub batch: bool,
    /// `default`, `none`, `5m`, `1h` or `store:HOURS`.
    pub cache: String,
    /// Expected cache hit ratio for automatic caching, in percent.
    pub cache_hit_percent: u64,
    /// Plain unit counts used instead of a book.
    pub plain: Option<PlainInputs>,
    /// The day whose prices were used.
    pub at: Date,
}

/// An estimate from plain numbers instead of a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainInputs {
    /// Units (calls of a one-call-per-unit pipeline).
    pub units: u64,
    /// Tokens per unit.
    pub tokens_per_unit: u64,
    /// Chapters they are spread over.
    pub chapters: u64,
}

/// What History shows of an estimate's results.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EstimateSummary {
    /// Models estimated.
    pub models: u32,
    /// The cheapest model and its expected cost.
    pub cheapest: Option<ModelTotal>,
    /// The most expensive model and its expected cost.
    pub most_expensive: Option<ModelTotal>,
}

/// One model's expected total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelTotal {
    /// `provider/id`.
    pub model: String,
    /// Expected cost in USD.
    pub expected_usd: Usd,
}

/// A priced usage log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedUsage {
    /// Stable id.
    pub id: String,
    /// Its name (the file name, or "Pasted responses").
    pub name: String,
    /// When it was saved.
    pub created_ms: u64,
    /// The priced calls.
    pub records: Vec<PricedRecord>,
    /// Lines that could not be priced when it was read.
    pub skipped: u64,
    /// The saved estimate this log is the actual run of, if the user linked one.
    #[serde(default)]
    pub estimate_id: Option<String>,
}

/// The monthly budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBudget {
    /// The monthly limit in USD.
    pub monthly_usd: Usd,
    /// An optional daily limit.
    pub daily_usd: Option<Usd>,
    /// Alert thresholds in percent of a limit (80 and 100 by default).
    pub alerts_percent: Vec<u64>,
}

/// The user's additions to the bundled catalog, applied in order on top of it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SavedPrices {
    /// Price files: the user's own models and overrides, imported feeds and tables.
    pub layers: Vec<PriceLayer>,
}

/// One price file the user added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceLayer {
    /// Stable id.
    pub id: String,
    /// What it is ("Custom model acme/writer-1", "litellm.json").
    pub name: String,
    /// The file's text, in any format `Catalog::load_prices` reads.
    pub text: String,
    /// When it was added.
    pub added_ms: u64,
}

/// A price layer's text as the web app loads it: JSON.
///
/// Layers this app saved before it read JSON only were written in llmcost's TOML format by
/// the Prices page's forms (a custom model, a price override): `[[table]]` headers and
/// `key = "text"` or `key = 123` lines. Those are rewritten as the same tables in JSON, so a
/// user's saved models keep applying. Any other text is returned as it is (and `load_prices`
/// explains what it reads).
pub fn layer_json(text: &str) -> std::borrow::Cow<'_, str> {
    match simple_toml_as_json(text) {
        Some(json) => std::borrow::Cow::Owned(json),
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// The TOML subset the Prices page wrote, as JSON; `None` for anything else.
fn simple_toml_as_json(text: &str) -> Option<String> {
    use serde_json::{Map, Value};
    let text = text.trim_start_matches('\u{feff}');
    let first = text.trim_start();
    if first.starts_with('{') || !first.starts_with("[[") {
        return None;
    }
    let mut root = Map::new();
    // The table the next `key = value` lines go into: a path of array-of-table names.
    let mut current: Option<Vec<String>> = None;
    fn table<'a>(
        root: &'a mut Map<String, Value>,
        path: &[String],
    ) -> Option<&'a mut Map<String, Value>> {
        let (last, parents) = path.split_last()?;
        let mut at = root;
        for name in parents {
            at = at
                .get_mut(name)?
                .as_array_mut()?
                .last_mut()?
                .as_object_mut()?;
        }
        at.get_mut(last)?
            .as_array_mut()?
            .last_mut()?
            .as_object_mut()
    }
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            let path: Vec<String> = header
                .trim()
                .split('.')
                .map(|p| p.trim().to_string())
                .collect();
            if path
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            {
                return None;
            }
            let (last, parents) = path.split_last()?;
            let parent = if parents.is_empty() {
                &mut root
            } else {
                table(&mut root, parents)?
            };
            parent
                .entry(last.clone())
                .or_insert_with(|| Value::Array(Vec::new()))
                .as_array_mut()?
                .push(Value::Object(Map::new()));
            current = Some(path);
            continue;
        }
        let (key, value) = line.split_once('=')?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return None;
        }
        let value = value.trim();
        let value = if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            if inner.contains(['"', '\\']) {
                return None;
            }
            Value::String(inner.to_string())
        } else if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit()) {
            Value::Number(value.parse::<u64>().ok()?.into())
        } else {
            return None;
        };
        table(&mut root, current.as_deref()?)?.insert(key.to_string(), value);
    }
    Some(Value::Object(root).to_string())
}

/// An entry that was not loaded, and why. The entry itself is left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Its key.
    pub key: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

/// Why an entry was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Not a record of its kind (bad JSON, missing fields): kept as-is.
    Corrupt(String),
    /// Written by a newer version of llmcost: kept as-is for that version.
    FutureVersion(u32),
}

impl Problem {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        match &self.kind {
            ProblemKind::Corrupt(why) => {
                format!(
                    "“{}” could not be read ({why}); it was kept as-is",
                    self.key
                )
            }
            ProblemKind::FutureVersion(v) => format!(
                "“{}” was saved by a newer version of llmcost (format {v}); it was left untouched",
                self.key
            ),
        }
    }
}

/// Why a write failed. Nothing already saved is affected by a failed write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// Storage is off (private mode, disabled by the browser, or failing on every call).
    Unavailable,
    /// The browser's storage quota is full.
    Full,
    /// Any other failure, as the browser described it.
    Other(String),
}

impl WriteError {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        match self {
            WriteError::Unavailable => {
                "browser storage is off, so history is not kept; everything else works".into()
            }
            WriteError::Full => "browser storage is full, so this was not saved; everything saved before is intact. Delete or export old estimates in History to make room".into(),
            WriteError::Other(why) => format!("could not save: {why}; everything saved before is intact"),
        }
    }
}

/// Where records are kept: the browser's localStorage, or memory (tests).
#[derive(Clone)]
pub enum Store {
    /// `window.localStorage`, through gloo-storage.
    Browser,
    /// Storage is unavailable: reads find nothing, writes fail with [`WriteError::Unavailable`].
    Off,
    /// An in-memory map, with an optional quota in characters (keys and values).
    Memory(Arc<Mutex<MemoryStore>>),
}

/// The state of a [`Store::Memory`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Entries.
    pub entries: BTreeMap<String, String>,
    /// Maximum characters of keys plus values, like a browser's quota.
    pub quota_chars: Option<usize>,
    /// Every call fails, like storage that throws.
    pub broken: bool,
}

impl Store {
    /// The browser's localStorage when it works (a test write succeeds), else [`Store::Off`].
    pub fn detect() -> Store {
        let Some(window) = web_sys::window() else {
            return Store::Off;
        };
        let storage = match window.local_storage() {
            Ok(Some(s)) => s,
            _ => return Store::Off,
        };
        // Reading works when writing is disabled; probe a harmless key. A full quota also
        // fails the probe, but then reading still works: keep Browser when the read does.
        let probe = "llmcost.probe";
        match storage.set_item(probe, "1") {
            Ok(()) => {
                let _ = storage.remove_item(probe);
                Store::Browser
            }
            Err(_) if storage.length().is_ok() => Store::Browser,
            Err(_) => Store::Off,
        }
    }

    /// An empty in-memory store.
    pub fn memory(quota_chars: Option<usize>) -> Store {
        Store::Memory(Arc::new(Mutex::new(MemoryStore {
            quota_chars,
            ..MemoryStore::default()
        })))
    }

    /// Whether records can be kept at all.
    pub fn is_available(&self) -> bool {
        !matches!(self, Store::Off)
    }

    fn raw() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    /// Every key, in no particular order.
    fn keys(&self) -> Result<Vec<String>, WriteError> {
        match self {
            Store::Off => Err(WriteError::Unavailable),
            Store::Browser => {
                let storage = Store::raw().ok_or(WriteError::Unavailable)?;
                let n = storage.length().map_err(|_| WriteError::Unavailable)?;
                let mut keys = Vec::with_capacity(n as usize);
                for i in 0..n {
                    if let Ok(Some(k)) = storage.key(i) {
                        keys.push(k);
                    }
                }
                Ok(keys)
            }
            Store::Memory(m) => {
                let m = m.lock().map_err(|_| WriteError::Unavailable)?;
                if m.broken {
                    return Err(WriteError::Unavailable);
                }
                Ok(m.entries.keys().cloned().collect())
            }
        }
    }

    /// The text under `key`.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, WriteError> {
        match self {
            Store::Off => Err(WriteError::Unavailable),
            Store::Browser => {
                use gloo_storage::Storage as _;
                match gloo_storage::LocalStorage::raw().get_item(key) {
                    Ok(v) => Ok(v),
                    Err(e) => Err(js_error(&e)),
                }
            }
            Store::Memory(m) => {
                let m = m.lock().map_err(|_| WriteError::Unavailable)?;
                if m.broken {
                    return Err(WriteError::Unavailable);
                }
                Ok(m.entries.get(key).cloned())
            }
        }
    }

    /// Writes `value` under `key`, all or nothing.
    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), WriteError> {
        match self {
            Store::Off => Err(WriteError::Unavailable),
            Store::Browser => {
                use gloo_storage::Storage as _;
                gloo_storage::LocalStorage::raw()
                    .set_item(key, value)
                    .map_err(|e| js_error(&e))
            }
            Store::Memory(m) => {
                let mut m = m.lock().map_err(|_| WriteError::Unavailable)?;
                if m.broken {
                    return Err(WriteError::Unavailable);
                }
                if let Some(quota) = m.quota_chars {
                    let used: usize = m
                        .entries
                        .iter()
                        .filter(|(k, _)| k.as_str() != key)
                        .map(|(k, v)| k.len() + v.len())
                        .sum();
                    if used + key.len() + value.len() > quota {
                        return Err(WriteError::Full);
                    }
                }
                m.entries.insert(key.to_string(), value.to_string());
                Ok(())
            }
        }
    }

    /// Removes `key` (nothing when absent).
    pub fn remove(&self, key: &str) -> Result<(), WriteError> {
        match self {
            Store::Off => Err(WriteError::Unavailable),
            Store::Browser => {
                use gloo_storage::Storage as _;
                gloo_storage::LocalStorage::raw()
                    .remove_item(key)
                    .map_err(|e| js_error(&e))
            }
            Store::Memory(m) => {
                let mut m = m.lock().map_err(|_| WriteError::Unavailable)?;
                if m.broken {
                    return Err(WriteError::Unavailable);
                }
                m.entries.remove(key);
                Ok(())
            }
        }
    }

    fn load_all<T: DeserializeOwned>(
        &self,
        prefix: &str,
        current: u32,
        migrate: fn(u32, serde_json::Value) -> Result<serde_json::Value, String>,
    ) -> Loaded<T> {
        let mut loaded = Loaded {
            records: Vec::new(),
            problems: Vec::new(),
            available: true,
        };
        let keys = match self.keys() {
            Ok(k) => k,
            Err(_) => {
                loaded.available = false;
                return loaded;
            }
        };
        let mut keys: Vec<String> = keys.into_iter().filter(|k| k.starts_with(prefix)).collect();
        keys.sort();
        for key in keys {
            let Some(version) = key_version(&key, prefix) else {
                loaded.problems.push(Problem {
                    key,
                    kind: ProblemKind::Corrupt("its key names no format version".into()),
                });
                continue;
            };
            if version > current {
                loaded.problems.push(Problem {
                    key,
                    kind: ProblemKind::FutureVersion(version),
                });
                continue;
            }
            let text = match self.get_raw(&key) {
                Ok(Some(t)) => t,
                Ok(None) => continue, // removed by another tab meanwhile
                Err(_) => {
                    loaded.available = false;
                    continue;
                }
            };
            let decoded = serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|v| migrate(version, v))
                .and_then(|v| {
                    let record =
                        serde_json::from_value::<T>(v.clone()).map_err(|e| e.to_string())?;
                    Ok((record, v))
                });
            match decoded {
                Ok((record, value)) => {
                    if version < current {
                        // Rewrite under the current key; drop the old one only once that held.
                        let id = key_id(&key, prefix).unwrap_or_default();
                        let new_key = format!("{prefix}v{current}.{id}");
                        if self.set_raw(&new_key, &value.to_string()).is_ok() {
                            let _ = self.remove(&key);
                        }
                    }
                    loaded.records.push(record);
                }
                Err(why) => loaded.problems.push(Problem {
                    key,
                    kind: ProblemKind::Corrupt(why),
                }),
            }
        }
        loaded
    }

    /// Every saved estimate, newest first, and the entries that could not be read.
    pub fn estimates(&self) -> Loaded<SavedEstimate> {
        let mut loaded = self.load_all(ESTIMATE_PREFIX, ESTIMATE_VERSION, migrate);
        loaded
            .records
            .sort_by_key(|e: &SavedEstimate| std::cmp::Reverse(e.updated_ms));
        loaded
    }

    /// Saves `estimate` under its id, replacing only its own earlier version.
    pub fn save_estimate(&self, estimate: &SavedEstimate) -> Result<(), WriteError> {
        let json = serde_json::to_string(estimate).map_err(|e| WriteError::Other(e.to_string()))?;
        self.set_raw(&estimate_key(&estimate.id), &json)
    }

    /// Deletes the estimate `id`.
    pub fn delete_estimate(&self, id: &str) -> Result<(), WriteError> {
        self.remove(&estimate_key(id))
    }

    /// Every saved usage log, newest first.
    pub fn usage_logs(&self) -> Loaded<SavedUsage> {
        let mut loaded = self.load_all(USAGE_PREFIX, USAGE_VERSION, migrate);
        loaded
            .records
            .sort_by_key(|u: &SavedUsage| std::cmp::Reverse(u.created_ms));
        loaded
    }

    /// Saves a usage log under its id.
    pub fn save_usage(&self, usage: &SavedUsage) -> Result<(), WriteError> {
        let json = serde_json::to_string(usage).map_err(|e| WriteError::Other(e.to_string()))?;
        self.set_raw(
            &format!("{USAGE_PREFIX}v{USAGE_VERSION}.{}", usage.id),
            &json,
        )
    }

    /// Deletes the usage log `id`.
    pub fn delete_usage(&self, id: &str) -> Result<(), WriteError> {
        self.remove(&format!("{USAGE_PREFIX}v{USAGE_VERSION}.{id}"))
    }

    /// A single record under `key`: `Ok(None)` when absent, `Err` with a problem when corrupt.
    pub fn single<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Problem> {
        match self.get_raw(key) {
            Ok(Some(text)) => serde_json::from_str(&text).map(Some).map_err(|e| Problem {
                key: key.to_string(),
                kind: ProblemKind::Corrupt(e.to_string()),
            }),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// Every saved price file, in the order they apply, and the entries that could not be
    /// read. Price files an earlier version kept under [`PRICES_KEY`] are first written under
    /// their own keys (that key is removed once every file is).
    pub fn prices(&self) -> Loaded<PriceLayer> {
        let (unsplit, problem) = self.split_legacy_prices();
        let mut loaded: Loaded<PriceLayer> = self.load_all(PRICE_PREFIX, PRICE_VERSION, migrate);
        loaded.problems.extend(problem);
        // Files the split could not write yet (the quota) still apply.
        for layer in unsplit {
            if loaded.records.iter().all(|l| l.id != layer.id) {
                loaded.records.push(layer);
            }
        }
        loaded
            .records
            .sort_by(|a, b| (a.added_ms, &a.id).cmp(&(b.added_ms, &b.id)));
        loaded
    }

    /// Moves the price files of [`PRICES_KEY`] to one key each, and removes that key once
    /// all are written. Returns the files left in it (all of them when a write failed), and
    /// a problem when it cannot be read.
    fn split_legacy_prices(&self) -> (Vec<PriceLayer>, Option<Problem>) {
        let saved = match self.single::<SavedPrices>(PRICES_KEY) {
            Ok(Some(saved)) => saved,
            Ok(None) => return (Vec::new(), None),
            Err(problem) => return (Vec::new(), Some(problem)),
        };
        let mut all_written = true;
        let mut layers = saved.layers;
        for (i, layer) in layers.iter_mut().enumerate() {
            // The app's ids are never empty nor repeated; a hand-edited record's may be.
            if layer.id.is_empty() {
                layer.id = format!("legacy-{i}");
            }
            let same =
                |text: &str| serde_json::from_str::<PriceLayer>(text).ok() == Some(layer.clone());
            match self.get_raw(&price_key(&layer.id)) {
                // Already split (by another tab, or a removal of the old key that failed).
                Ok(Some(text)) if same(&text) => {}
                Ok(Some(_)) => {
                    layer.id = format!("{}-{i}", layer.id);
                    all_written &= matches!(self.get_raw(&price_key(&layer.id)), Ok(None))
                        && self.save_price_layer(layer).is_ok();
                }
                Ok(None) => all_written &= self.save_price_layer(layer).is_ok(),
                Err(_) => all_written = false,
            }
        }
        if all_written && self.remove(PRICES_KEY).is_ok() {
            (Vec::new(), None)
        } else {
            (layers, None)
        }
    }

    /// Saves a price file under its own key.
    pub fn save_price_layer(&self, layer: &PriceLayer) -> Result<(), WriteError> {
        let json = serde_json::to_string(layer).map_err(|e| WriteError::Other(e.to_string()))?;
        self.set_raw(&price_key(&layer.id), &json)
    }

    /// Deletes the price file `id`.
    pub fn delete_price_layer(&self, id: &str) -> Result<(), WriteError> {
        self.remove(&price_key(id))
    }

    /// Deletes every price file this version of the app reads (those of a newer version stay).
    pub fn clear_prices(&self) -> Result<(), WriteError> {
        for key in self.keys()? {
            let current = key_version(&key, PRICE_PREFIX).is_some_and(|v| v <= PRICE_VERSION);
            if current || key == PRICES_KEY {
                self.remove(&key)?;
            }
        }
        Ok(())
    }

    /// Single records (the budget, the prices) written by a newer version of llmcost, such as
    /// `llmcost.prices.v2`: never read nor written here, and reported.
    pub fn future_singles(&self) -> Vec<Problem> {
        let Ok(mut keys) = self.keys() else {
            return Vec::new();
        };
        keys.sort();
        keys.into_iter()
            .filter_map(|key| {
                let version = [BUDGET_KEY, PRICES_KEY].iter().find_map(|current| {
                    let (kind, current_version) = current.rsplit_once(".v")?;
                    let version: u32 = key.strip_prefix(kind)?.strip_prefix(".v")?.parse().ok()?;
                    (version > current_version.parse().ok()?).then_some(version)
                })?;
                Some(Problem {
                    key,
                    kind: ProblemKind::FutureVersion(version),
                })
            })
            .collect()
    }

    /// Writes a single record under `key`.
    pub fn save_single<T: Serialize>(&self, key: &str, value: &T) -> Result<(), WriteError> {
        let json = serde_json::to_string(value).map_err(|e| WriteError::Other(e.to_string()))?;
        self.set_raw(key, &json)
    }

    /// Writes a single record under `key`, first setting aside what is there when it cannot
    /// be read as a `T` (it was reported "kept as-is" at load: a save must not erase it). It
    /// is copied, byte for byte, to `KEY.unreadable.N` (the first free N), whose key no
    /// loader reads; returns that key. When the copy cannot be written (a full quota),
    /// nothing is written and the unreadable entry stays where it was.
    pub fn save_single_keeping<T: Serialize + DeserializeOwned>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<Option<String>, WriteError> {
        let mut set_aside = None;
        if let Some(text) = self.get_raw(key)? {
            if serde_json::from_str::<T>(&text).is_err() {
                let mut n = 1;
                let aside = loop {
                    let aside = format!("{key}.unreadable.{n}");
                    if self.get_raw(&aside)?.is_none() {
                        break aside;
                    }
                    n += 1;
                };
                self.set_raw(&aside, &text)?;
                set_aside = Some(aside);
            }
        }
        self.save_single(key, value)?;
        Ok(set_aside)
    }
}

/// Records of one kind, and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded<T> {
    /// The records that were read.
    pub records: Vec<T>,
    /// Entries left as they were, with the reason.
    pub problems: Vec<Problem>,
    /// False when storage failed while reading.
    pub available: bool,
}

/// The key of price file `id`.
pub fn price_key(id: &str) -> String {
    format!("{PRICE_PREFIX}v{PRICE_VERSION}.{id}")
}

/// The key of estimate `id`.
pub fn estimate_key(id: &str) -> String {
    format!("{ESTIMATE_PREFIX}v{ESTIMATE_VERSION}.{id}")
}

fn key_version(key: &str, prefix: &str) -> Option<u32> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('v')?;
    let (version, id) = rest.split_once('.')?;
    if id.is_empty() {
        return None;
    }
    version.parse().ok()
}

fn key_id<'k>(key: &'k str, prefix: &str) -> Option<&'k str> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('v')?;
    rest.split_once('.').map(|(_, id)| id)
}

/// Brings a record of `version` to the current shape. Version 1 is the first: there is
/// nothing older to migrate yet, and each later format adds its step here.
pub fn migrate(version: u32, value: serde_json::Value) -> Result<serde_json::Value, String> {
    match version {
        1 => Ok(value),
        v => Err(format!("format {v} is not one llmcost has written")),
    }
}

fn js_error(e: &wasm_bindgen::JsValue) -> WriteError {
    use wasm_bindgen::JsCast;
    if let Some(ex) = e.dyn_ref::<web_sys::DomException>() {
        let name = ex.name();
        if name == "QuotaExceededError" || ex.code() == 22 {
            return WriteError::Full;
        }
        if name == "SecurityError" {
            return WriteError::Unavailable;
        }
        return WriteError::Other(format!("{name}: {}", ex.message()));
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let name = String::from(err.name());
        if name.contains("Quota") {
            return WriteError::Full;
        }
        return WriteError::Other(String::from(err.message()));
    }
    WriteError::Other(format!("{e:?}"))
}

/// A new id: milliseconds and randomness in base 36, sortable by creation time.
pub fn new_id(now_ms: u64) -> String {
    #[cfg(target_arch = "wasm32")]
    let random = (js_sys::Math::random() * 2f64.powi(40)) as u64;
    // Natively (the fuzz target, which has no JavaScript): a counter, mixed.
    #[cfg(not(target_arch = "wasm32"))]
    let random = {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 24
    };
    format!("{}{}", base36(now_ms), base36(random))
}

/// A [`new_id`] for which `free` holds.
fn unused_id(now_ms: u64, free: impl Fn(&str) -> bool) -> String {
    loop {
        let id = new_id(now_ms);
        if free(&id) {
            return id;
        }
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// FNV-1a 64 of `bytes`, as 16 hex digits.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Everything kept, as one JSON document for export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// Always `llmcost-history`.
    pub format: String,
    /// Format version of this document: 1.
    pub version: u32,
    /// Saved estimates.
    pub estimates: Vec<SavedEstimate>,
    /// Saved usage logs.
    #[serde(default)]
    pub usage: Vec<SavedUsage>,
    /// The budget.
    #[serde(default)]
    pub budget: Option<SavedBudget>,
    /// The user's prices.
    #[serde(default)]
    pub prices: Option<SavedPrices>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Records added.
    pub added: usize,
    /// Records already present, identical: nothing to do.
    pub unchanged: usize,
    /// Records whose id exists with different content: added as copies, the original kept.
    pub copied: usize,
    /// Parts kept as they are because the local one differs (budget).
    pub kept_local: usize,
}

impl ImportReport {
    /// A sentence for the user.
    pub fn message(&self) -> String {
        let mut parts = vec![format!("{} added", self.added)];
        if self.copied > 0 {
            parts.push(format!(
                "{} added as copies because an entry with the same id differs here",
                self.copied
            ));
        }
        if self.unchanged > 0 {
            parts.push(format!("{} already here", self.unchanged));
        }
        if self.kept_local > 0 {
            parts.push("your budget kept (the file's differs)".into());
        }
        format!("Imported: {}.", parts.join(", "))
    }
}

/// Parses an export document.
///
/// # Errors
///
/// A message naming what is wrong with the file.
pub fn parse_export(text: &str) -> Result<Export, String> {
    let export: Export = serde_json::from_str(text)
        .map_err(|e| format!("this is not an llmcost history file: {e}"))?;
    if export.format != "llmcost-history" {
        return Err(format!(
            "this is not an llmcost history file (its format is “{}”)",
            export.format
        ));
    }
    if export.version > 1 {
        return Err(format!(
            "this history file was written by a newer llmcost (version {})",
            export.version
        ));
    }
    Ok(export)
}

impl Store {
    /// Merges `export` into the store: new ids are added, identical records skipped, and a
    /// record whose id exists with other content is added as a copy: nothing is overwritten.
    ///
    /// # Errors
    ///
    /// The first failed write; records written before it stay written.
    pub fn import(&self, export: Export, now_ms: u64) -> Result<ImportReport, WriteError> {
        let mut report = ImportReport::default();
        // A record is added under its own key only when no entry is there: not one loaded
        // with other content, nor one that could not be read (kept as-is), nor one this import
        // just wrote (a file may repeat an id). An empty id gets a new one: its key would
        // name no record.
        let free = |key: &str| matches!(self.get_raw(key), Ok(None));
        let mut existing: BTreeMap<String, SavedEstimate> = self
            .estimates()
            .records
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        for mut estimate in export.estimates {
            match existing.get(&estimate.id) {
                Some(local) if *local == estimate => report.unchanged += 1,
                None if !estimate.id.is_empty() && free(&estimate_key(&estimate.id)) => {
                    self.save_estimate(&estimate)?;
                    existing.insert(estimate.id.clone(), estimate);
                    report.added += 1;
                }
                _ => {
                    estimate.id = unused_id(now_ms, |id| free(&estimate_key(id)));
                    estimate.name = format!("{} (imported)", estimate.name);
                    self.save_estimate(&estimate)?;
                    existing.insert(estimate.id.clone(), estimate);
                    report.copied += 1;
                }
            }
        }
        let usage_key = |id: &str| format!("{USAGE_PREFIX}v{USAGE_VERSION}.{id}");
        let mut existing: BTreeMap<String, SavedUsage> = self
            .usage_logs()
            .records
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        for mut usage in export.usage {
            match existing.get(&usage.id) {
                Some(local) if *local == usage => report.unchanged += 1,
                None if !usage.id.is_empty() && free(&usage_key(&usage.id)) => {
                    self.save_usage(&usage)?;
                    existing.insert(usage.id.clone(), usage);
                    report.added += 1;
                }
                _ => {
                    usage.id = unused_id(now_ms, |id| free(&usage_key(id)));
                    usage.name = format!("{} (imported)", usage.name);
                    self.save_usage(&usage)?;
                    existing.insert(usage.id.clone(), usage);
                    report.copied += 1;
                }
            }
        }
        if let Some(budget) = export.budget {
            match self.single::<SavedBudget>(BUDGET_KEY) {
                Ok(None) => {
                    self.save_single(BUDGET_KEY, &budget)?;
                    report.added += 1;
                }
                Ok(Some(local)) if local == budget => report.unchanged += 1,
                _ => report.kept_local += 1,
            }
        }
        if let Some(prices) = export.prices {
            let mut existing: BTreeMap<String, PriceLayer> = self
                .prices()
                .records
                .into_iter()
                .map(|l| (l.id.clone(), l))
                .collect();
            for mut layer in prices.layers {
                match existing.get(&layer.id) {
                    Some(local) if *local == layer => report.unchanged += 1,
                    None if !layer.id.is_empty() && free(&price_key(&layer.id)) => {
                        self.save_price_layer(&layer)?;
                        existing.insert(layer.id.clone(), layer);
                        report.added += 1;
                    }
                    _ => {
                        layer.id = unused_id(now_ms, |id| free(&price_key(id)));
                        self.save_price_layer(&layer)?;
                        existing.insert(layer.id.clone(), layer);
                        report.copied += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    /// Everything kept, for export.
    pub fn export(&self) -> Export {
        Export {
            format: "llmcost-history".into(),
            version: 1,
            estimates: self.estimates().records,
            usage: self.usage_logs().records,
            budget: self.single(BUDGET_KEY).ok().flatten(),
            prices: Some(SavedPrices {
                layers: self.prices().records,
            })
            .filter(|p| !p.layers.is_empty()),
        }
    }
}
