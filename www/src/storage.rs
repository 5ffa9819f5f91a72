//! What the app keeps in localStorage, and how it survives corrupt entries, full quotas,
//! storage that is switched off, other tabs and other versions of the app.
//!
//! # Keys
//!
//! ```text
//! llmcost.estimate.v1.<id>   one SavedEstimate per key
//! llmcost.usage.v1.<id>      one SavedUsage (a priced usage log) per key
//! llmcost.budget.v1          the SavedBudget
//! llmcost.prices.v1          the SavedPrices (the user's models, overrides and imports)
//! ```
//!
//! One key per record: a write replaces exactly one record, so a failed write (the quota) or
//! another tab saving its own estimate at the same moment can never take any other record
//! with it, and a corrupt entry is one entry. The version is in the key: an entry written by
//! a newer app (`v2`) is left untouched and reported, never overwritten or deleted; an
//! entry of an older version is migrated by [`migrate`] and rewritten under the current key
//! (the old key is removed only after that write succeeded). The prices are one record
//! holding every price file: a change starts from the saved record, not from what this tab
//! read at start, so a tab never erases a file another tab added meanwhile.
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
/// Key of the user's prices.
pub const PRICES_KEY: &str = "llmcost.prices.v1";

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
    let random = (js_sys::Math::random() * 2f64.powi(40)) as u64;
    format!("{}{}", base36(now_ms), base36(random))
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
        let existing: BTreeMap<String, SavedEstimate> = self
            .estimates()
            .records
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        for mut estimate in export.estimates {
            match existing.get(&estimate.id) {
                None => {
                    self.save_estimate(&estimate)?;
                    report.added += 1;
                }
                Some(local) if *local == estimate => report.unchanged += 1,
                Some(_) => {
                    estimate.id = new_id(now_ms);
                    estimate.name = format!("{} (imported)", estimate.name);
                    self.save_estimate(&estimate)?;
                    report.copied += 1;
                }
            }
        }
        let existing: BTreeMap<String, SavedUsage> = self
            .usage_logs()
            .records
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        for mut usage in export.usage {
            match existing.get(&usage.id) {
                None => {
                    self.save_usage(&usage)?;
                    report.added += 1;
                }
                Some(local) if *local == usage => report.unchanged += 1,
                Some(_) => {
                    usage.id = new_id(now_ms);
                    usage.name = format!("{} (imported)", usage.name);
                    self.save_usage(&usage)?;
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
            let mut local = self
                .single::<SavedPrices>(PRICES_KEY)
                .ok()
                .flatten()
                .unwrap_or_default();
            let before = local.layers.len();
            for layer in prices.layers {
                match local.layers.iter().find(|l| l.id == layer.id) {
                    Some(l) if *l == layer => report.unchanged += 1,
                    Some(_) => {
                        let mut copy = layer;
                        copy.id = new_id(now_ms);
                        local.layers.push(copy);
                        report.copied += 1;
                    }
                    None => {
                        local.layers.push(layer);
                        report.added += 1;
                    }
                }
            }
            if local.layers.len() != before {
                self.save_single(PRICES_KEY, &local)?;
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
            prices: self.single(PRICES_KEY).ok().flatten(),
        }
    }
}
