//! The price catalog: models, their dated prices, and finding a model by any name users type.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::UsdPerMtok;

/// The catalog compiled into every build: `data/catalog.toml`.
const BUNDLED_CATALOG: &str = include_str!("../data/catalog.toml");

/// Where a model's prices came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// The catalog shipped with llmcost (`data/catalog.toml`).
    Bundled,
    /// Imported from a genai-prices v2 data feed.
    GenaiPrices,
    /// Imported from a LiteLLM model price table.
    Litellm,
    /// Defined or overridden by the user.
    User,
}

/// The tokenizer a model uses, for token estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenizerFamily {
    /// OpenAI `o200k_base` (GPT-4o, GPT-4.1, GPT-5, o-series): counted exactly.
    #[serde(rename = "o200k_base")]
    O200k,
    /// OpenAI `cl100k_base` (GPT-4, GPT-3.5): counted exactly.
    #[serde(rename = "cl100k_base")]
    Cl100k,
    /// Anthropic Claude 3 to Opus 4.6: no public tokenizer.
    #[serde(rename = "claude")]
    Claude,
    /// Anthropic Claude Opus 4.7 and later: about 30 % more tokens than earlier Claude.
    #[serde(rename = "claude-2026")]
    Claude2026,
    /// Google Gemini (SentencePiece, not shipped).
    #[serde(rename = "gemini")]
    Gemini,
    /// Meta Llama 3 and 4 (tiktoken-style, 128k vocabulary).
    #[serde(rename = "llama3")]
    Llama3,
    /// DeepSeek V3 / R1.
    #[serde(rename = "deepseek")]
    DeepSeek,
    /// Mistral (Tekken).
    #[serde(rename = "mistral")]
    Mistral,
    /// xAI Grok.
    #[serde(rename = "grok")]
    Grok,
    /// Anything else: estimated from `o200k_base`.
    #[serde(rename = "other")]
    Other,
}

/// A provider: who bills the request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provider {
    /// Lowercase id, as in `anthropic/claude-haiku-4-5`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Other prefixes that mean this provider (`x-ai` for `xai`, `mistralai` for `mistral`).
    pub aliases: Vec<String>,
    /// The provider's pricing page.
    pub pricing_url: String,
    /// Whether a long-context tier applies at exactly its threshold (`>=`) rather than above it (`>`).
    pub tier_threshold_inclusive: bool,
    /// How the provider bills batch and cache, in words, with sources.
    pub notes: String,
}

/// One model and its price history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Model {
    /// The provider id.
    pub provider: String,
    /// The id as the provider's API spells it (`claude-haiku-4-5`).
    pub id: String,
    /// Display name (`Claude Haiku 4.5`).
    pub name: String,
    /// Other names: dated snapshots, `-latest` forms, short names users type.
    pub aliases: Vec<String>,
    /// Context window in tokens, when known.
    pub context_window: Option<u64>,
    /// Maximum output tokens per request, when known.
    pub max_output_tokens: Option<u64>,
    /// Which tokenizer counts this model's tokens.
    pub tokenizer: TokenizerFamily,
    /// Price history. Sorted by `from`, ascending; only the first may have no `from`.
    pub prices: Vec<PriceSet>,
    /// The day these prices were last checked against the source.
    pub prices_checked: Option<Date>,
    /// Where the prices come from (a URL).
    pub source: String,
    /// Why a price was chosen where sources disagree, and other caveats.
    pub notes: String,
    /// Where this entry came from.
    pub origin: Origin,
    /// Whether the user overrode any price of this model.
    pub overridden: bool,
    /// Whether the provider has retired or deprecated the model.
    pub deprecated: bool,
}

/// The prices in force from a date on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceSet {
    /// First day these prices apply (UTC). `None`: since the model appeared.
    pub from: Option<Date>,
    /// Prices of ordinary (synchronous) requests.
    pub standard: Rates,
    /// Prices of batch requests, when the provider offers batch for this model.
    pub batch: Option<Rates>,
}

/// Base prices and the long-context tiers above them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    /// Prices of a request whose prompt is at or below every tier threshold.
    pub base: Prices,
    /// Sorted by `above_tokens`, ascending. Each tier prices every component the base prices.
    pub tiers: Vec<Tier>,
}

/// A long-context tier: a request whose prompt is above the threshold is priced at these
/// prices, every token of it (the cliff, as Anthropic, Google and OpenAI bill it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    /// The tier applies when the prompt (uncached input + cache reads + cache writes) is
    /// above this many tokens (at or above, for providers with inclusive thresholds).
    pub above_tokens: u64,
    /// The prices for the whole request.
    pub prices: Prices,
}

/// Prices per component, in USD per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prices {
    /// Uncached input tokens.
    pub input_usd_per_mtok: UsdPerMtok,
    /// Output tokens, reasoning tokens included.
    pub output_usd_per_mtok: UsdPerMtok,
    /// Cache reads (hits). `None`: not published; input price used, with a warning.
    pub cache_read_usd_per_mtok: Option<UsdPerMtok>,
    /// Cache writes with a 5-minute lifetime.
    pub cache_write_5m_usd_per_mtok: Option<UsdPerMtok>,
    /// Cache writes with a 1-hour lifetime.
    pub cache_write_1h_usd_per_mtok: Option<UsdPerMtok>,
    /// Explicit context-cache storage (Gemini), per million tokens per hour.
    pub cache_storage_usd_per_mtok_hour: Option<UsdPerMtok>,
}

impl Model {
    /// `provider/id`, the name that is never ambiguous.
    pub fn qualified_id(&self) -> String {
        format!("{}/{}", self.provider, self.id)
    }

    /// The price set in force on `date`: the last one whose `from` is on or before it.
    ///
    /// A date before the first known price gets the first price set (the caller warns).
    pub fn price_set_at(&self, date: Date) -> &PriceSet {
        self.prices
            .iter()
            .rev()
            .find(|set| set.from.is_none_or(|from| from <= date))
            .unwrap_or(&self.prices[0])
    }

    /// The price set in force on `date`, or `None` when `date` is before the first dated set.
    pub(crate) fn price_set_known_at(&self, date: Date) -> Option<&PriceSet> {
        self.prices
            .iter()
            .rev()
            .find(|set| set.from.is_none_or(|from| from <= date))
    }

    /// The newest price set.
    pub fn current_prices(&self) -> &PriceSet {
        self.prices
            .last()
            .expect("a catalog model has at least one price set")
    }
}

/// The models llmcost can price, and lookup by id, alias, snapshot or provider-qualified name.
#[derive(Debug, Clone)]
pub struct Catalog {
    providers: Vec<Provider>,
    models: Vec<Model>,
    /// Normalized name → indices into `models`.
    index: HashMap<String, Vec<usize>>,
}

/// How imported models combine with those already in a catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergePolicy {
    /// A model already present is replaced by the imported one; new models are added.
    Replace,
    /// A model already present is kept; only new models are added.
    KeepExisting,
}

/// What a merge changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// Models added.
    pub added: usize,
    /// Models replaced by the imported entry.
    pub replaced: usize,
    /// Imported models skipped because the catalog already had them.
    pub kept: usize,
}

impl Catalog {
    /// The catalog bundled with this build.
    ///
    /// # Panics
    ///
    /// Never in a released build: `bundled_catalog_is_valid` decodes it in the test suite.
    pub fn bundled() -> Catalog {
        Catalog::from_toml(BUNDLED_CATALOG, Origin::Bundled)
            .unwrap_or_else(|error| panic!("the bundled catalog is invalid: {error}"))
    }

    /// An empty catalog.
    pub fn empty() -> Catalog {
        Catalog {
            providers: Vec::new(),
            models: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Decodes a catalog in llmcost's own TOML format (the format of `data/catalog.toml`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCatalog`] with the path of the first bad field. Nothing is half-loaded.
    pub fn from_toml(text: &str, origin: Origin) -> Result<Catalog> {
        let file = crate::decode::decode_toml(text)?;
        crate::decode::build(file, origin)
    }

    /// Decodes a catalog in llmcost's own format, written as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCatalog`] with the path of the first bad field. Nothing is half-loaded.
    pub fn from_json(text: &str, origin: Origin) -> Result<Catalog> {
        let file = crate::decode::decode_json(text)?;
        crate::decode::build(file, origin)
    }

    pub(crate) fn from_parts(providers: Vec<Provider>, models: Vec<Model>) -> Result<Catalog> {
        let mut catalog = Catalog {
            providers,
            models: Vec::new(),
            index: HashMap::new(),
        };
        for model in models {
            catalog.push(model);
        }
        Ok(catalog)
    }

    /// Every provider, in file order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// Every model, in file order (imports after the bundled models).
    pub fn models(&self) -> &[Model] {
        &self.models
    }

    /// The provider with this id or alias (case-insensitive).
    pub fn provider(&self, name: &str) -> Option<&Provider> {
        let name = name.to_ascii_lowercase();
        self.providers
            .iter()
            .find(|p| p.id == name || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(&name)))
    }

    fn push(&mut self, model: Model) {
        let at = self.models.len();
        for key in self.keys_of(&model) {
            let slot = self.index.entry(key).or_default();
            if !slot.contains(&at) {
                slot.push(at);
            }
        }
        self.models.push(model);
    }

    fn rebuild_index(&mut self) {
        let models = std::mem::take(&mut self.models);
        self.index.clear();
        for model in models {
            self.push(model);
        }
    }

    /// Every normalized name under which `model` is found.
    fn keys_of(&self, model: &Model) -> Vec<String> {
        let mut owned: Vec<String> = std::iter::once(&model.id)
            .chain(&model.aliases)
            .cloned()
            .collect();
        // `claude-3-5-haiku-latest` is also found as `claude-3-5-haiku`.
        let stripped: Vec<String> = owned.iter().filter_map(|n| strip_snapshot(n)).collect();
        owned.extend(stripped);
        let names: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut prefixes: Vec<&str> = vec![&model.provider];
        if let Some(provider) = self.providers.iter().find(|p| p.id == model.provider) {
            prefixes.extend(provider.aliases.iter().map(String::as_str));
        }
        let mut keys = Vec::new();
        for name in names {
            keys.push(normalize(name));
            for prefix in &prefixes {
                keys.push(normalize(&format!("{prefix}/{name}")));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Finds a model by id, alias, dated snapshot, `-latest` form or `provider/name`,
    /// ignoring case and `.` versus `-` (`claude-sonnet-4.5` is `claude-sonnet-4-5`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownModel`] listing the closest names, or
    /// [`ErrorKind::AmbiguousModel`] when several providers serve the name.
    pub fn find(&self, name: &str) -> Result<&Model> {
        self.find_index(name).map(|i| &self.models[i])
    }

    fn find_index(&self, name: &str) -> Result<usize> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(Error::new(
                ErrorKind::UnknownModel,
                "the model name is empty",
            ));
        }
        for candidate in candidates(trimmed) {
            if let Some(found) = self.index.get(&normalize(&candidate)) {
                return self.unique(trimmed, found);
            }
            // `provider/model` where the provider prefix is unknown to us (an OpenRouter
            // vendor such as `meta-llama/`), or known but the model sits under another.
            if let Some((prefix, rest)) = candidate.split_once('/') {
                if let Some(found) = self.index.get(&normalize(rest)) {
                    let restricted: Vec<usize> = match self.provider(prefix) {
                        Some(provider) => found
                            .iter()
                            .copied()
                            .filter(|&i| self.models[i].provider == provider.id)
                            .collect(),
                        None => found.clone(),
                    };
                    if !restricted.is_empty() {
                        return self.unique(trimmed, &restricted);
                    }
                }
            }
        }
        Err(Error::new(
            ErrorKind::UnknownModel,
            format!("unknown model `{trimmed}`"),
        )
        .with_suggestions(self.suggest(trimmed, 5)))
    }

    fn unique(&self, name: &str, found: &[usize]) -> Result<usize> {
        match found {
            [one] => Ok(*one),
            _ => {
                let options: Vec<String> = found
                    .iter()
                    .map(|&i| self.models[i].qualified_id())
                    .collect();
                Err(Error::new(
                    ErrorKind::AmbiguousModel,
                    format!(
                        "`{name}` is served by several providers; write one of: {}",
                        options.join(", ")
                    ),
                ))
            }
        }
    }

    /// The `limit` model names closest to `name`, best first.
    pub fn suggest(&self, name: &str, limit: usize) -> Vec<String> {
        let target = normalize(name);
        let target_tail = target.rsplit('/').next().unwrap_or(&target).to_string();
        let mut scored: Vec<(usize, String)> = Vec::new();
        for model in &self.models {
            let mut best = usize::MAX;
            for candidate in std::iter::once(&model.id).chain(&model.aliases) {
                let key = normalize(candidate);
                let mut distance = edit_distance(&target_tail, &key);
                if key.starts_with(&target_tail) || target_tail.starts_with(&key) {
                    distance = distance.min(key.len().abs_diff(target_tail.len()).min(3));
                }
                best = best.min(distance);
            }
            let allowed = (target_tail.len() / 2).max(3);
            if best <= allowed {
                scored.push((best, model.qualified_id()));
            }
        }
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(limit).map(|(_, id)| id).collect()
    }

    /// Adds `other`'s providers and models to this catalog.
    ///
    /// An imported model is "already present" when its id or an alias finds a model of the
    /// same provider here.
    pub fn merge(&mut self, other: Catalog, policy: MergePolicy) -> MergeReport {
        let mut report = MergeReport::default();
        for provider in other.providers {
            if !self.providers.iter().any(|p| p.id == provider.id) {
                self.providers.push(provider);
            }
        }
        for model in other.models {
            let existing = std::iter::once(&model.id)
                .chain(&model.aliases)
                .filter_map(|name| {
                    self.index
                        .get(&normalize(&format!("{}/{name}", model.provider)))
                })
                .flatten()
                .copied()
                .find(|&i| self.models[i].provider == model.provider);
            match (existing, policy) {
                (Some(i), MergePolicy::Replace) => {
                    let mut model = model;
                    // Keep the names users already type for this model.
                    for alias in std::mem::take(&mut self.models[i].aliases)
                        .into_iter()
                        .chain(std::iter::once(self.models[i].id.clone()))
                    {
                        if alias != model.id && !model.aliases.contains(&alias) {
                            model.aliases.push(alias);
                        }
                    }
                    self.models[i] = model;
                    report.replaced += 1;
                }
                (Some(_), MergePolicy::KeepExisting) => report.kept += 1,
                (None, _) => {
                    self.push(model);
                    report.added += 1;
                }
            }
        }
        self.rebuild_index();
        report
    }

    /// Applies user price overrides: each replaces some prices of one model.
    ///
    /// All overrides are checked before any is applied.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownModel`] (with the override's index in the path) for a model not in
    /// the catalog; [`ErrorKind::InvalidCatalog`] for an override that sets nothing.
    pub fn apply_overrides(&mut self, overrides: &[PriceOverride]) -> Result<()> {
        let mut targets = Vec::with_capacity(overrides.len());
        for (n, o) in overrides.iter().enumerate() {
            let at = self
                .find_index(&o.model)
                .map_err(|e| e.at(format!("overrides[{n}].model")))?;
            if o.is_empty() {
                return Err(
                    Error::new(ErrorKind::InvalidCatalog, "the override sets no price")
                        .at(format!("overrides[{n}]")),
                );
            }
            targets.push(at);
        }
        for (o, at) in overrides.iter().zip(targets) {
            let model = &mut self.models[at];
            let set = match o.from {
                Some(from) => {
                    let mut copy = model.price_set_at(from).clone();
                    copy.from = Some(from);
                    model.prices.retain(|s| s.from != Some(from));
                    let pos = model
                        .prices
                        .partition_point(|s| s.from.is_none_or(|f| f < from));
                    model.prices.insert(pos, copy);
                    &mut model.prices[pos]
                }
                None => model.prices.last_mut().expect("at least one price set"),
            };
            o.apply(set);
            model.overridden = true;
        }
        Ok(())
    }
}

/// A user's change to some prices of one model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceOverride {
    /// Any name [`Catalog::find`] accepts.
    pub model: String,
    /// The day the override takes effect; `None` changes the current prices.
    #[serde(default)]
    pub from: Option<Date>,
    /// USD per million uncached input tokens.
    #[serde(default, rename = "input_mtok")]
    pub input_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million output tokens.
    #[serde(default, rename = "output_mtok")]
    pub output_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million cache-read tokens.
    #[serde(default, rename = "cache_read_mtok")]
    pub cache_read_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million 5-minute cache-write tokens.
    #[serde(default, rename = "cache_write_5m_mtok")]
    pub cache_write_5m_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million 1-hour cache-write tokens.
    #[serde(default, rename = "cache_write_1h_mtok")]
    pub cache_write_1h_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million batch input tokens.
    #[serde(default, rename = "batch_input_mtok")]
    pub batch_input_usd_per_mtok: Option<UsdPerMtok>,
    /// USD per million batch output tokens.
    #[serde(default, rename = "batch_output_mtok")]
    pub batch_output_usd_per_mtok: Option<UsdPerMtok>,
}

impl PriceOverride {
    fn is_empty(&self) -> bool {
        self.input_usd_per_mtok.is_none()
            && self.output_usd_per_mtok.is_none()
            && self.cache_read_usd_per_mtok.is_none()
            && self.cache_write_5m_usd_per_mtok.is_none()
            && self.cache_write_1h_usd_per_mtok.is_none()
            && self.batch_input_usd_per_mtok.is_none()
            && self.batch_output_usd_per_mtok.is_none()
    }

    /// Overrides the base prices. Tiers keep their own prices: an override says what a
    /// normal-length request costs.
    fn apply(&self, set: &mut PriceSet) {
        let base = &mut set.standard.base;
        if let Some(p) = self.input_usd_per_mtok {
            base.input_usd_per_mtok = p;
        }
        if let Some(p) = self.output_usd_per_mtok {
            base.output_usd_per_mtok = p;
        }
        if let Some(p) = self.cache_read_usd_per_mtok {
            base.cache_read_usd_per_mtok = Some(p);
        }
        if let Some(p) = self.cache_write_5m_usd_per_mtok {
            base.cache_write_5m_usd_per_mtok = Some(p);
        }
        if let Some(p) = self.cache_write_1h_usd_per_mtok {
            base.cache_write_1h_usd_per_mtok = Some(p);
        }
        if self.batch_input_usd_per_mtok.is_some() || self.batch_output_usd_per_mtok.is_some() {
            let standard = set.standard.base;
            let batch = set.batch.get_or_insert_with(|| Rates {
                base: Prices {
                    cache_read_usd_per_mtok: None,
                    cache_write_5m_usd_per_mtok: None,
                    cache_write_1h_usd_per_mtok: None,
                    ..standard
                },
                tiers: Vec::new(),
            });
            if let Some(p) = self.batch_input_usd_per_mtok {
                batch.base.input_usd_per_mtok = p;
            }
            if let Some(p) = self.batch_output_usd_per_mtok {
                batch.base.output_usd_per_mtok = p;
            }
        }
    }
}

/// The lookup key of a name: lowercase, `.` and `_` read as `-`, `:` and `@` kept.
pub(crate) fn normalize(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '.' | '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The names to try for `name`, most specific first: as given, then without a dated
/// snapshot or `-latest` suffix, then without a `models/` prefix.
fn candidates(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    let mut i = 0;
    while i < out.len() {
        let current = out[i].clone();
        for stripped in [
            strip_snapshot(&current),
            current.strip_prefix("models/").map(str::to_string),
        ]
        .into_iter()
        .flatten()
        {
            if !out.contains(&stripped) {
                out.push(stripped);
            }
        }
        i += 1;
    }
    out
}

/// `claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`; also `-2024-08-06`, `@20250929`,
/// `-latest`, `:latest`, `-v1:0` (Bedrock).
fn strip_snapshot(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    for suffix in ["-latest", ":latest", "-v1:0", "-v2:0"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            return Some(name[..rest.len()].to_string());
        }
    }
    let bytes = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    // -YYYYMMDD or @YYYYMMDD
    if bytes.len() > 9 {
        let (head, tail) = bytes.split_at(bytes.len() - 9);
        if (tail[0] == b'-' || tail[0] == b'@') && digits(&tail[1..]) && !head.is_empty() {
            return Some(name[..head.len()].to_string());
        }
    }
    // -YYYY-MM-DD
    if bytes.len() > 11 {
        let (head, tail) = bytes.split_at(bytes.len() - 11);
        if tail[0] == b'-'
            && digits(&tail[1..5])
            && tail[5] == b'-'
            && digits(&tail[6..8])
            && tail[8] == b'-'
            && digits(&tail[9..11])
            && !head.is_empty()
        {
            return Some(name[..head.len()].to_string());
        }
    }
    None
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_stripped() {
        assert_eq!(
            strip_snapshot("claude-sonnet-4-5-20250929").as_deref(),
            Some("claude-sonnet-4-5")
        );
        assert_eq!(
            strip_snapshot("gpt-4o-2024-08-06").as_deref(),
            Some("gpt-4o")
        );
        assert_eq!(
            strip_snapshot("claude-opus-4-1@20250805").as_deref(),
            Some("claude-opus-4-1")
        );
        assert_eq!(
            strip_snapshot("claude-3-5-haiku-latest").as_deref(),
            Some("claude-3-5-haiku")
        );
        assert_eq!(strip_snapshot("gpt-4o"), None);
        assert_eq!(strip_snapshot("-20250929"), None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("haiku", "haiku"), 0);
        assert_eq!(edit_distance("hiaku", "haiku"), 2);
        assert_eq!(edit_distance("gpt-4o", "gpt-4o-mini"), 5);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
