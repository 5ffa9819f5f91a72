//! The price catalog: models, their dated prices, and finding a model by any name users type.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::UsdPerMtok;

/// The catalog compiled into every build: `data/catalog.toml`, turned into JSON by build.rs.
const BUNDLED_CATALOG: &str = include_str!(concat!(env!("OUT_DIR"), "/catalog.json"));

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

/// How a provider caches prompt prefixes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CachingStyle {
    /// The caller marks what to cache and pays to write it (Anthropic: 1.25x for 5 minutes,
    /// 2x for an hour); later calls read it at the cache-read price.
    Explicit,
    /// The provider caches repeated prefixes by itself with no write charge (OpenAI, Gemini
    /// implicit caching, DeepSeek, xAI); repeated prefixes are read at the cache-read price.
    #[default]
    Automatic,
    /// No prompt caching.
    None,
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
    /// How the provider caches prompt prefixes.
    pub caching: CachingStyle,
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
    /// The shortest prompt prefix the provider caches, in tokens, when known (Anthropic:
    /// 1,024 to 4,096 by model; OpenAI: 1,024). A shorter prefix is never cached.
    pub cache_min_tokens: Option<u64>,
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
    /// How many models the catalog was built with. A merge replaces models in place and
    /// appends new ones, so `models[..own_models]` are the catalog's own: when a name
    /// matches one of them and models a merge added (Azure, Vertex, OpenRouter hosts), the
    /// catalog's own model wins.
    own_models: usize,
    /// Normalized exact name → indices into `models`.
    index: HashMap<String, Vec<usize>>,
    /// Normalized name without a snapshot or `-latest` suffix → indices into `models`.
    stripped_index: HashMap<String, Vec<usize>>,
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
        Catalog::from_json(BUNDLED_CATALOG, Origin::Bundled)
            .unwrap_or_else(|error| panic!("the bundled catalog is invalid: {error}"))
    }

    /// An empty catalog.
    pub fn empty() -> Catalog {
        Catalog {
            own_models: 0,
            providers: Vec::new(),
            models: Vec::new(),
            index: HashMap::new(),
            stripped_index: HashMap::new(),
        }
    }

    /// Decodes a catalog in llmcost's own TOML format (the format of `data/catalog.toml`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCatalog`] with the path of the first bad field. Nothing is half-loaded.
    #[cfg(feature = "toml")]
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
            own_models: models.len(),
            providers,
            models: Vec::new(),
            index: HashMap::new(),
            stripped_index: HashMap::new(),
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
        let (exact, stripped) = self.keys_of(&model);
        for (index, keys) in [
            (&mut self.index, exact),
            (&mut self.stripped_index, stripped),
        ] {
            for key in keys {
                let slot = index.entry(key).or_default();
                if !slot.contains(&at) {
                    slot.push(at);
                }
            }
        }
        self.models.push(model);
    }

    fn rebuild_index(&mut self) {
        let models = std::mem::take(&mut self.models);
        self.index.clear();
        self.stripped_index.clear();
        for model in models {
            self.push(model);
        }
    }

    /// The normalized names under which `model` is found: its own names (with and without
    /// provider prefixes), and the same names without a snapshot or `-latest` suffix
    /// (`claude-3-5-haiku-latest` is also `claude-3-5-haiku`). Exact names always win over
    /// stripped ones, so a stripped name never shadows another model's real name.
    fn keys_of(&self, model: &Model) -> (Vec<String>, Vec<String>) {
        let names: Vec<&String> = std::iter::once(&model.id).chain(&model.aliases).collect();
        let stripped: Vec<String> = names
            .iter()
            .filter_map(|n| strip_snapshot(n).map(|(s, _)| s))
            .collect();
        let mut prefixes: Vec<&str> = vec![&model.provider];
        if let Some(provider) = self.providers.iter().find(|p| p.id == model.provider) {
            prefixes.extend(provider.aliases.iter().map(String::as_str));
        }
        let expand = |names: &mut dyn Iterator<Item = &str>| {
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
        };
        let exact = expand(&mut names.iter().map(|n| n.as_str()));
        let stripped = expand(&mut stripped.iter().map(String::as_str));
        (exact, stripped)
    }

    /// Finds a model by id, alias, dated snapshot, `-latest` form or `provider/name`,
    /// ignoring case and `.` versus `-` (`claude-sonnet-4.5` is `claude-sonnet-4-5`).
    ///
    /// A dated snapshot the catalog does not list (`gpt-4o-2099-01-01`) is found as its
    /// model without the date; [`Catalog::price`] then warns that the snapshot was assumed
    /// to cost what the model costs.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownModel`] listing the closest names, or
    /// [`ErrorKind::AmbiguousModel`] when several models answer to the name.
    pub fn find(&self, name: &str) -> Result<&Model> {
        self.find_index(name).map(|(i, _)| &self.models[i])
    }

    /// The model, and the snapshot suffix dropped from `name` to find it, if any.
    pub(crate) fn find_with_dropped_suffix(&self, name: &str) -> Result<(&Model, Option<String>)> {
        self.find_index(name)
            .map(|(i, dropped)| (&self.models[i], dropped))
    }

    fn find_index(&self, name: &str) -> Result<(usize, Option<String>)> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return Err(Error::new(
                ErrorKind::UnknownModel,
                "the model name is empty",
            ));
        }
        let candidates = candidates(trimmed);
        // 1. The name as given, against exact names, then against the catalog's names
        //    without their own suffix (`claude-3-5-haiku` finds `claude-3-5-haiku-latest`).
        // 2. The name without its own suffix, the same two ways. Dropping a date from what
        //    the user wrote is reported, so an unlisted snapshot is never silently repriced.
        for stripped_query in [false, true] {
            for index in [&self.index, &self.stripped_index] {
                for candidate in candidates
                    .iter()
                    .filter(|c| c.dropped.is_some() == stripped_query)
                {
                    if let Some(found) = self.lookup(index, &candidate.name) {
                        let dropped = candidate.dropped.clone().filter(|d| {
                            d.bytes().any(|b| b.is_ascii_digit()) && !d.starts_with("-v")
                        });
                        return self.unique(trimmed, &found).map(|i| (i, dropped));
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

    /// The models under `candidate` in `index`, handling `provider/model` names where the
    /// prefix is unknown to us (an OpenRouter vendor such as `meta-llama/`) or names another
    /// provider's model.
    fn lookup(&self, index: &HashMap<String, Vec<usize>>, candidate: &str) -> Option<Vec<usize>> {
        if let Some(found) = index.get(&normalize(candidate)) {
            return Some(found.clone());
        }
        let (prefix, rest) = candidate.split_once('/')?;
        let found = index.get(&normalize(rest))?;
        let restricted: Vec<usize> = match self.provider(prefix) {
            Some(provider) => found
                .iter()
                .copied()
                .filter(|&i| self.models[i].provider == provider.id)
                .collect(),
            None => found.clone(),
        };
        (!restricted.is_empty()).then_some(restricted)
    }

    fn unique(&self, name: &str, found: &[usize]) -> Result<usize> {
        // `openai/gpt-4o` names a provider: its model wins over a model whose own id is
        // `openai/gpt-4o` at another host (OpenRouter).
        let prefixed: Vec<usize> = match name.split_once('/').and_then(|(p, _)| self.provider(p)) {
            Some(provider) => found
                .iter()
                .copied()
                .filter(|&i| self.models[i].provider == provider.id)
                .collect(),
            None => Vec::new(),
        };
        // A name matching one of the catalog's own models and models a merge added
        // (Azure, Vertex, OpenRouter hosts) means the former.
        let own: Vec<usize> = found
            .iter()
            .copied()
            .filter(|&i| i < self.own_models)
            .collect();
        let found = match (prefixed.as_slice(), own.as_slice()) {
            ([one], _) | (_, [one]) if found.len() > 1 => std::slice::from_ref(one),
            _ => found,
        };
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
                        "`{name}` matches {} models; write one of: {}",
                        options.len(),
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
            let allowed = (target_tail.len() / 2).max(3);
            for candidate in std::iter::once(&model.id).chain(&model.aliases) {
                let key = normalize(candidate);
                let length_gap = key.len().abs_diff(target_tail.len());
                if key.starts_with(&target_tail) || target_tail.starts_with(&key) {
                    best = best.min(length_gap.min(3));
                }
                // The edit distance is at least the difference in length: skip the quadratic
                // work when it cannot be close enough (a 1 MB "model name" would take minutes).
                if length_gap <= allowed && length_gap < best {
                    best = best.min(edit_distance(&target_tail, &key));
                }
            }
            if best <= allowed {
                scored.push((best, model.qualified_id()));
            }
        }
        scored.sort();
        scored.dedup_by(|a, b| a.1 == b.1);
        scored.into_iter().take(limit).map(|(_, id)| id).collect()
    }

    /// The model of the same provider that `model` is another entry for: one of its names
    /// (or that name without `-latest`) is a name of ours, or equals one of our names
    /// without its suffix. A dated snapshot is never matched to its undated model: it may
    /// be priced differently (`gpt-4o-2024-05-13`).
    fn existing_index_of(&self, model: &Model) -> Option<usize> {
        let qualified = |name: &str| normalize(&format!("{}/{name}", model.provider));
        let mut names: Vec<String> = std::iter::once(&model.id)
            .chain(&model.aliases)
            .cloned()
            .collect();
        let latest: Vec<String> = names
            .iter()
            .filter_map(|n| {
                strip_snapshot(n)
                    .filter(|(_, suffix)| suffix.ends_with("latest"))
                    .map(|(s, _)| s)
            })
            .collect();
        names.extend(latest);
        let same_provider = |i: &usize| self.models[*i].provider == model.provider;
        names
            .iter()
            .find_map(|n| {
                self.index
                    .get(&qualified(n))
                    .and_then(|f| f.iter().copied().find(same_provider))
            })
            .or_else(|| {
                names.iter().find_map(|n| {
                    self.stripped_index
                        .get(&qualified(n))
                        .and_then(|f| f.iter().copied().find(same_provider))
                })
            })
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
        let mut replaced = std::collections::HashSet::new();
        for model in other.models {
            let existing = self.existing_index_of(&model);
            if let (Some(i), MergePolicy::Replace) = (existing, policy) {
                if !replaced.insert(i) {
                    // Another imported entry (a snapshot of the same model) already replaced
                    // this one; the first wins rather than the last.
                    report.kept += 1;
                    continue;
                }
            }
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
            let (at, _) = self
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

/// A name to look up, and the suffix dropped from the user's name to get it.
struct Candidate {
    name: String,
    dropped: Option<String>,
}

/// The names to try for `name`: as given and without a `models/` prefix, then each
/// without its dated snapshot or `-latest` suffix.
fn candidates(name: &str) -> Vec<Candidate> {
    let mut out = vec![Candidate {
        name: name.to_string(),
        dropped: None,
    }];
    if let Some(rest) = name.strip_prefix("models/") {
        out.push(Candidate {
            name: rest.to_string(),
            dropped: None,
        });
    }
    let plain: Vec<String> = out.iter().map(|c| c.name.clone()).collect();
    for name in plain {
        if let Some((stripped, suffix)) = strip_snapshot(&name) {
            out.push(Candidate {
                name: stripped,
                dropped: Some(suffix),
            });
        }
    }
    out
}

/// `claude-sonnet-4-5-20250929` → (`claude-sonnet-4-5`, `-20250929`); also `-2024-08-06`,
/// `@20250929`, `-latest`, `:latest`, `-v1:0` (Bedrock).
fn strip_snapshot(name: &str) -> Option<(String, String)> {
    let split = |at: usize| Some((name[..at].to_string(), name[at..].to_string()));
    let lower = name.to_ascii_lowercase();
    for suffix in ["-latest", ":latest", "-v1:0", "-v2:0"] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            if !rest.is_empty() {
                return split(rest.len());
            }
        }
    }
    let bytes = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    // -YYYYMMDD or @YYYYMMDD
    if bytes.len() > 9 {
        let (head, tail) = bytes.split_at(bytes.len() - 9);
        if (tail[0] == b'-' || tail[0] == b'@') && digits(&tail[1..]) && !head.is_empty() {
            return split(head.len());
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
            return split(head.len());
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

    /// build.rs turns `data/catalog.toml` into the JSON compiled in; both must decode to the
    /// same catalog, down to every price's decimal text and every date.
    #[cfg(feature = "toml")]
    #[test]
    fn the_bundled_json_is_the_catalog_toml() {
        let from_toml =
            Catalog::from_toml(include_str!("../data/catalog.toml"), Origin::Bundled).unwrap();
        let bundled = Catalog::bundled();
        assert_eq!(bundled.providers(), from_toml.providers());
        assert_eq!(bundled.models(), from_toml.models());
        assert!(bundled.models().len() >= 100);
    }

    #[test]
    fn suggestions_for_a_typo_and_for_a_huge_name() {
        let catalog = Catalog::bundled();
        let near = catalog.suggest("claude-haiku-4-6", 5);
        assert!(
            near.iter().any(|n| n == "anthropic/claude-haiku-4-5"),
            "{near:?}"
        );
        // A megabyte of name (pasted by mistake) is compared by length first: no suggestion,
        // and no quadratic edit distance against every model.
        let huge = "claude-".repeat(150_000);
        assert!(catalog.suggest(&huge, 5).is_empty());
        let error = catalog.find(&huge).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownModel);
    }

    #[test]
    fn snapshots_are_stripped() {
        let stripped = |n: &str| strip_snapshot(n).map(|(s, suffix)| format!("{s}|{suffix}"));
        assert_eq!(
            stripped("claude-sonnet-4-5-20250929").as_deref(),
            Some("claude-sonnet-4-5|-20250929")
        );
        assert_eq!(
            stripped("gpt-4o-2024-08-06").as_deref(),
            Some("gpt-4o|-2024-08-06")
        );
        assert_eq!(
            stripped("claude-opus-4-1@20250805").as_deref(),
            Some("claude-opus-4-1|@20250805")
        );
        assert_eq!(
            stripped("claude-3-5-haiku-latest").as_deref(),
            Some("claude-3-5-haiku|-latest")
        );
        assert_eq!(stripped("gpt-4o"), None);
        assert_eq!(stripped("-20250929"), None);
        assert_eq!(stripped("-latest"), None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("haiku", "haiku"), 0);
        assert_eq!(edit_distance("hiaku", "haiku"), 2);
        assert_eq!(edit_distance("gpt-4o", "gpt-4o-mini"), 5);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
