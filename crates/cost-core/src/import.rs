//! Loading third-party price tables into a [`Catalog`]: format detection, the one entry point
//! [`Catalog::load_prices`], and what the importers share (number handling, tokenizer guesses).
//!
//! Three formats are read: llmcost's own catalog format (TOML or JSON, see `decode.rs`), the
//! genai-prices v2 data feed (`genai_prices.rs`) and LiteLLM's model price table
//! (`litellm.rs`). Every import is all or nothing: the whole file is read and checked before
//! the catalog changes.
//!
//! # Numbers
//!
//! JSON prices arrive as floats. Each one is turned into its shortest decimal text
//! ([`float_text`]) and parsed exactly from there: no float arithmetic ever touches a price.
//! Real tables carry float noise such as `0.18000000000000002` or `9.499999999999999e-07`,
//! which has more digits than a price can hold (a nano-dollar per million tokens). Such
//! text is rounded half-up, as decimal text, to the nano-dollar per million tokens, and every
//! rounding is listed in the report's notes.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{
    Catalog, MergePolicy, MergeReport, Model, Origin, Provider, Rates, TokenizerFamily,
};
use crate::error::{Error, ErrorKind, Result};
use crate::money::{float_text, UsdPerMtok};

/// The formats [`Catalog::load_prices`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceFileFormat {
    /// llmcost's own catalog format (the format of the bundled catalog), TOML or JSON:
    /// custom models and price overrides.
    Llmcost,
    /// The genai-prices v2 data feed: a JSON array of providers, each with its models.
    GenaiPricesFeed,
    /// LiteLLM's `model_prices_and_context_window.json`: a JSON object of models with
    /// per-token USD prices.
    Litellm,
}

impl fmt::Display for PriceFileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PriceFileFormat::Llmcost => "llmcost catalog",
            PriceFileFormat::GenaiPricesFeed => "genai-prices v2 feed",
            PriceFileFormat::Litellm => "LiteLLM price table",
        })
    }
}

/// What an import read, left out and changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The format the file was read as.
    pub format: PriceFileFormat,
    /// Models read from the file (before merging).
    pub models: usize,
    /// Entries and price variants left out, one line each: `name: reason`.
    pub skipped: Vec<String>,
    /// Everything else worth knowing: ignored price kinds, rounded float noise, assumptions.
    pub notes: Vec<String>,
    /// What merging into the catalog changed (all zero when the file was only decoded).
    pub merge: MergeReport,
    /// Price overrides applied (llmcost files only).
    pub overrides: usize,
}

impl ImportReport {
    pub(crate) fn new(format: PriceFileFormat) -> ImportReport {
        ImportReport {
            format,
            models: 0,
            skipped: Vec::new(),
            notes: Vec::new(),
            merge: MergeReport::default(),
            overrides: 0,
        }
    }
}

/// A decoded third-party file, before it becomes a catalog.
pub(crate) struct Imported {
    pub(crate) providers: Vec<Provider>,
    pub(crate) models: Vec<Model>,
    pub(crate) report: ImportReport,
}

impl Imported {
    pub(crate) fn into_catalog(self) -> Result<(Catalog, ImportReport)> {
        let mut report = self.report;
        report.models = self.models.len();
        Ok((Catalog::from_parts(self.providers, self.models)?, report))
    }
}

impl Catalog {
    /// Loads a price file of any supported format on top of this catalog: all or nothing.
    ///
    /// The format is detected ([`detect_price_file`]). Imported models join the catalog by
    /// `policy` ([`Catalog::merge`]); an llmcost file's `overrides` are then applied to the
    /// merged catalog. Provider ids are matched against this catalog's providers and their
    /// aliases (genai-prices' `x-ai` is our `xai`). Imported long-context tiers are
    /// "above N tokens"; for a provider this catalog marks as billing tiers *at* their
    /// threshold, they are stored as N + 1, which means the same.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCatalog`] with the path of the first bad field, for a file that is
    /// not a recognized format, is malformed, or has an override this catalog cannot apply
    /// (such as one naming an unknown model). On error the catalog is unchanged.
    pub fn load_prices(&mut self, text: &str, policy: MergePolicy) -> Result<ImportReport> {
        let (format, parsed) = detect(text)?;
        let (imported, overrides, shift_tiers) = match (format, parsed) {
            (PriceFileFormat::Llmcost, parsed) => {
                let file = match parsed {
                    Parsed::Json(_) => crate::decode::decode_json(text)?,
                    Parsed::Toml => crate::decode::decode_toml(text)?,
                };
                let (catalog, overrides) = crate::decode::build_with_overrides(file, Origin::User)?;
                let imported = Imported {
                    providers: catalog.providers().to_vec(),
                    models: catalog.models().to_vec(),
                    report: ImportReport::new(PriceFileFormat::Llmcost),
                };
                (imported, overrides, false)
            }
            (PriceFileFormat::GenaiPricesFeed, Parsed::Json(json)) => {
                (crate::genai_prices::import_feed(&json)?, Vec::new(), true)
            }
            (PriceFileFormat::Litellm, Parsed::Json(json)) => {
                (crate::litellm::import_table(&json)?, Vec::new(), true)
            }
            (format, Parsed::Toml) => {
                return Err(invalid(format!("a {format} is JSON, not TOML")));
            }
        };
        let Imported {
            mut providers,
            mut models,
            mut report,
        } = imported;
        self.adapt(&mut providers, &mut models, shift_tiers, &mut report);
        report.models = models.len();
        let incoming = Catalog::from_parts(providers, models)?;
        let mut next = self.clone();
        report.merge = next.merge(incoming, policy);
        next.apply_overrides(&overrides)
            .map_err(|e| match e.kind() {
                ErrorKind::UnknownModel | ErrorKind::AmbiguousModel => {
                    let mut out = Error::new(ErrorKind::InvalidCatalog, e.message())
                        .with_suggestions(e.suggestions().to_vec());
                    if let Some(path) = e.path() {
                        out = out.at(path);
                    }
                    out
                }
                _ => e,
            })?;
        report.overrides = overrides.len();
        *self = next;
        Ok(report)
    }

    /// Renames imported providers to this catalog's ids (matching ids and aliases), and
    /// moves exclusive tier thresholds to inclusive ones where this catalog's provider bills
    /// tiers at the threshold.
    fn adapt(
        &self,
        providers: &mut Vec<Provider>,
        models: &mut [Model],
        shift_tiers: bool,
        report: &mut ImportReport,
    ) {
        let mut renamed: HashMap<String, String> = HashMap::new();
        for provider in providers.iter_mut() {
            let existing = std::iter::once(&provider.id)
                .chain(&provider.aliases)
                .find_map(|name| self.provider(name));
            if let Some(existing) = existing {
                if existing.id != provider.id {
                    renamed.insert(provider.id.clone(), existing.id.clone());
                    provider.id = existing.id.clone();
                }
            }
        }
        // Two imported providers may now share an id: keep the first record.
        let mut seen = Vec::new();
        providers.retain(|p| {
            let fresh = !seen.contains(&p.id);
            seen.push(p.id.clone());
            fresh
        });
        let mut shifted: BTreeMap<String, usize> = BTreeMap::new();
        for model in models.iter_mut() {
            if let Some(to) = renamed.get(&model.provider) {
                model.provider = to.clone();
            }
            let inclusive = self
                .provider(&model.provider)
                .is_some_and(|p| p.id == model.provider && p.tier_threshold_inclusive);
            if shift_tiers && inclusive {
                let mut any = false;
                for set in &mut model.prices {
                    for rates in std::iter::once(&mut set.standard).chain(set.batch.as_mut()) {
                        for tier in &mut rates.tiers {
                            tier.above_tokens = tier.above_tokens.saturating_add(1);
                            any = true;
                        }
                    }
                }
                if any {
                    *shifted.entry(model.provider.clone()).or_default() += 1;
                }
            }
        }
        for (from, to) in renamed {
            report
                .notes
                .push(format!("provider `{from}` is this catalog's `{to}`"));
        }
        for (provider, count) in shifted {
            report.notes.push(format!(
                "`{provider}` bills long-context tiers at their threshold: the tiers of {count} \
                 imported models (\"above N tokens\") are stored as \"at N + 1 tokens\""
            ));
        }
    }
}

/// Detects the format of a price file from its text.
///
/// llmcost's own format is TOML, or a JSON object with `format`, `models`, `providers` or
/// `overrides`; a genai-prices v2 feed is a JSON array of providers with `models`; a LiteLLM
/// table is a JSON object whose entries have `litellm_provider` or `*_cost_per_token` keys.
///
/// # Errors
///
/// [`ErrorKind::InvalidCatalog`] for text that is none of these (malformed JSON or TOML
/// included), saying what was expected.
pub fn detect_price_file(text: &str) -> Result<PriceFileFormat> {
    detect(text).map(|(format, _)| format)
}

/// A price file, parsed as far as detection needs.
pub(crate) enum Parsed {
    /// JSON, kept for the importer.
    Json(Json),
    /// TOML (decoded again by `decode.rs`, which reports paths).
    Toml,
}

const EXPECTED: &str = "expected llmcost's catalog format (TOML, or a JSON object with \
    `models`, `providers` or `overrides`), a genai-prices v2 feed (a JSON array of providers \
    with `models`) or a LiteLLM price table (a JSON object of models with `litellm_provider` \
    and `*_cost_per_token` prices)";

fn detect(text: &str) -> Result<(PriceFileFormat, Parsed)> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(invalid(format!("the price file is empty; {EXPECTED}")));
    }
    // `[[models]]` and `[table]` open TOML; `[{` and `[]` open JSON.
    let looks_json = trimmed.starts_with('{')
        || (trimmed.starts_with('[')
            && !trimmed[1..]
                .trim_start()
                .starts_with(|c: char| c == '[' || c.is_ascii_alphanumeric() || c == '_'));
    if looks_json {
        let json = parse_json(trimmed)?;
        let format = match &json {
            Json::Object(entries) => {
                const OWN: [&str; 4] = ["format", "models", "providers", "overrides"];
                if entries.is_empty() || entries.iter().any(|(k, _)| OWN.contains(&k.as_str())) {
                    PriceFileFormat::Llmcost
                } else if entries.iter().any(|(_, v)| is_litellm_entry(v)) {
                    PriceFileFormat::Litellm
                } else {
                    return Err(invalid(format!(
                        "a JSON object, but not a recognized price file: {EXPECTED}"
                    )));
                }
            }
            Json::Array(items) => {
                if items
                    .iter()
                    .any(|v| v.as_object().is_some_and(|o| o.contains_key("models")))
                {
                    PriceFileFormat::GenaiPricesFeed
                } else {
                    return Err(invalid(format!(
                        "a JSON array, but not of providers with `models`: {EXPECTED}"
                    )));
                }
            }
            Json::Other(what) => {
                return Err(invalid(format!(
                    "the JSON is {what}, not a recognized price file: {EXPECTED}"
                )));
            }
        };
        return Ok((format, Parsed::Json(json)));
    }
    #[cfg(feature = "toml")]
    if let Err(e) = trimmed.parse::<toml::Table>() {
        return Err(invalid(format!(
            "not a recognized price file ({EXPECTED}); read as TOML: {}",
            e.to_string().trim()
        )));
    }
    // Without the `toml` feature, `decode_toml` says this build reads JSON only.
    Ok((PriceFileFormat::Llmcost, Parsed::Toml))
}

fn is_litellm_entry(value: &Value) -> bool {
    value.as_object().is_some_and(|o| {
        o.keys()
            .any(|k| k == "litellm_provider" || k.ends_with("_cost_per_token"))
    })
}

/// A JSON document whose top-level object keeps its key order (LiteLLM keeps the first of
/// duplicate models, so file order matters).
#[derive(Debug)]
pub(crate) enum Json {
    /// A top-level object, entries in file order.
    Object(Vec<(String, Value)>),
    /// A top-level array.
    Array(Vec<Value>),
    /// Anything else, named for error messages.
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Json, D::Error> {
        struct JsonVisitor;
        impl<'de> Visitor<'de> for JsonVisitor {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON document")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    entries.push((key, value));
                }
                Ok(Json::Object(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Value>()? {
                    items.push(item);
                }
                Ok(Json::Array(items))
            }
            fn visit_str<E>(self, _: &str) -> std::result::Result<Json, E> {
                Ok(Json::Other("a string"))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Json, E> {
                Ok(Json::Other("a boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Json, E> {
                Ok(Json::Other("a number"))
            }
            fn visit_unit<E>(self) -> std::result::Result<Json, E> {
                Ok(Json::Other("null"))
            }
        }
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// Parses JSON text, keeping the top-level key order.
pub(crate) fn parse_json(text: &str) -> Result<Json> {
    serde_json::from_str(text).map_err(|e| invalid(format!("invalid JSON: {e}")))
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidCatalog, message)
}

/// What a JSON value is, for "expected X, got Y" messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The unit a JSON price is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PriceUnit {
    /// USD per million tokens (genai-prices).
    PerMtok,
    /// USD per token (LiteLLM).
    PerToken,
}

impl PriceUnit {
    /// Decimal places the unit can hold exactly (nano-dollars per million tokens).
    fn places(self) -> usize {
        match self {
            PriceUnit::PerMtok => 9,
            PriceUnit::PerToken => 15,
        }
    }

    fn name(self) -> &'static str {
        match self {
            PriceUnit::PerMtok => "USD per million tokens",
            PriceUnit::PerToken => "USD per token",
        }
    }
}

/// Above this a price is taken for a unit mistake, not a price: $1 per token.
const MAX_PLAUSIBLE_NANO_PER_MTOK: i64 = 1_000_000 * 1_000_000_000;

/// Reads a JSON number as an exact price. `path` locates it for errors and notes.
///
/// Integers are read as written; floats through their shortest decimal text. Text with more
/// decimals than the unit holds (float noise) is rounded half-up as decimal text and noted.
///
/// # Errors
///
/// A value that is not a number, is negative, or is implausibly large (above $1 per token).
pub(crate) fn read_price(
    value: &Value,
    unit: PriceUnit,
    path: &str,
    notes: &mut Vec<String>,
) -> Result<UsdPerMtok> {
    let text = match value {
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.to_string()
            } else if let Some(i) = n.as_i64() {
                i.to_string()
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                float_text(f).map_err(|e| invalid(e).at(path))?
            }
        }
        other => {
            return Err(invalid(format!(
                "expected a price ({}) as a number, got {}",
                unit.name(),
                kind_of(other)
            ))
            .at(path));
        }
    };
    if text.starts_with('-') {
        return Err(invalid(format!("price {text} is negative")).at(path));
    }
    let (text, rounded) = match round_decimal(&text, unit.places()) {
        Some(r) => (r, true),
        None => (text, false),
    };
    let price = match unit {
        PriceUnit::PerMtok => text.parse::<UsdPerMtok>(),
        PriceUnit::PerToken => UsdPerMtok::from_usd_per_token(&text),
    }
    .map_err(|e| invalid(e).at(path))?;
    if price.nano() > MAX_PLAUSIBLE_NANO_PER_MTOK {
        return Err(invalid(format!(
            "price {text} {} is implausibly large (above $1 per token); check the unit",
            unit.name()
        ))
        .at(path));
    }
    if rounded {
        notes.push(format!(
            "{path}: {value} rounded to ${}/Mtok (float noise below a nano-dollar per million \
             tokens)",
            price.to_decimal_string()
        ));
    }
    Ok(price)
}

/// Rounds plain decimal text (`digits[.digits]`, no sign or exponent) half-up to `places`
/// decimals, as text. `None` when it already fits.
fn round_decimal(text: &str, places: usize) -> Option<String> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() <= places || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let round_up = frac.as_bytes()[places] >= b'5';
    let mut digits: Vec<u8> = int.bytes().chain(frac[..places].bytes()).collect();
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - places;
    let (int, frac) = digits.split_at(split);
    let int = String::from_utf8_lossy(int);
    let frac = String::from_utf8_lossy(frac);
    let frac = frac.trim_end_matches('0');
    Some(if frac.is_empty() {
        int.into_owned()
    } else {
        format!("{int}.{frac}")
    })
}

/// Reads an optional token count: absent, `null` and `0` are unknown.
///
/// # Errors
///
/// A value that is not a non-negative whole number.
pub(crate) fn read_tokens(value: Option<&Value>, path: &str) -> Result<Option<u64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(0) => Ok(None),
            Some(v) => Ok(Some(v)),
            None => Err(invalid(format!(
                "expected a non-negative whole number of tokens, got {n}"
            ))
            .at(path)),
        },
        Some(other) => Err(invalid(format!(
            "expected a number of tokens, got {}",
            kind_of(other)
        ))
        .at(path)),
    }
}

/// Reads an optional string field.
pub(crate) fn read_string<'a>(value: Option<&'a Value>, path: &str) -> Result<Option<&'a str>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid(format!("expected a string, got {}", kind_of(other))).at(path)),
    }
}

/// Checks a model or provider id: not empty, at most 200 characters, no control characters.
pub(crate) fn checked_id<'a>(value: Option<&'a Value>, path: &str) -> Result<&'a str> {
    let id = read_string(value, path)?
        .ok_or_else(|| invalid("missing id").at(path))?
        .trim();
    if id.is_empty() {
        return Err(invalid("the id is empty").at(path));
    }
    if id.len() > 200 || id.chars().any(char::is_control) {
        return Err(
            invalid("the id is longer than 200 characters or has control characters").at(path),
        );
    }
    Ok(id)
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", text[..at].trim_end()),
        None => text.to_string(),
    }
}

/// One line summing up counted names: `what: a ×3, b ×1`, most frequent first.
pub(crate) fn summary(what: &str, counts: &BTreeMap<String, usize>) -> Option<String> {
    if counts.is_empty() {
        return None;
    }
    let total: usize = counts.values().sum();
    let mut sorted: Vec<(&String, &usize)> = counts.iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    const SHOWN: usize = 12;
    let mut parts: Vec<String> = sorted
        .iter()
        .take(SHOWN)
        .map(|(name, n)| format!("{name} ×{n}"))
        .collect();
    if sorted.len() > SHOWN {
        parts.push(format!("{} more kinds", sorted.len() - SHOWN));
    }
    Some(format!("{what} ({total}): {}", parts.join(", ")))
}

/// The tokenizer a model most likely uses, from its provider and id.
pub(crate) fn guess_tokenizer(provider: &str, id: &str) -> TokenizerFamily {
    let id = id.to_ascii_lowercase();
    let name = id.rsplit('/').next().unwrap_or(&id);
    if let Some(at) = name.find("claude") {
        return claude_family(&name[at + "claude".len()..]);
    }
    let has = |s: &str| name.contains(s);
    let o_series = ["o1", "o3", "o4"].iter().any(|o| {
        name.split(['/', '.', ':'])
            .any(|part| part == *o || part.starts_with(&format!("{o}-")))
    });
    if has("gpt-4o")
        || version_in(name, "gpt-4.1")
        || version_in(name, "gpt-4-1")
        || version_in(name, "gpt-5")
        || has("gpt-oss")
        || o_series
    {
        return TokenizerFamily::O200k;
    }
    if has("gpt-4") || has("gpt-3.5") || has("gpt-35") {
        return TokenizerFamily::Cl100k;
    }
    if has("gemini") || has("gemma") {
        return TokenizerFamily::Gemini;
    }
    if has("llama") {
        if has("llama-2") || has("llama2") || has("codellama") {
            return TokenizerFamily::Other;
        }
        return TokenizerFamily::Llama3;
    }
    if has("deepseek") {
        return TokenizerFamily::DeepSeek;
    }
    if [
        "mistral",
        "mixtral",
        "codestral",
        "ministral",
        "magistral",
        "devstral",
        "pixtral",
    ]
    .iter()
    .any(|m| has(m))
    {
        return TokenizerFamily::Mistral;
    }
    if has("grok") {
        return TokenizerFamily::Grok;
    }
    match provider {
        "deepseek" => TokenizerFamily::DeepSeek,
        "mistral" => TokenizerFamily::Mistral,
        "xai" | "x-ai" => TokenizerFamily::Grok,
        _ => TokenizerFamily::Other,
    }
}

/// `prefix` occurs in `name` and is not followed by another digit (`gpt-4-1` is not
/// `gpt-4-1106`).
fn version_in(name: &str, prefix: &str) -> bool {
    name.match_indices(prefix).any(|(at, _)| {
        !name[at + prefix.len()..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit())
    })
}

/// Claude Opus 4.7 and later, and every Claude 5 or later, use the 2026 tokenizer.
fn claude_family(rest: &str) -> TokenizerFamily {
    let parts: Vec<&str> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .collect();
    let small_number =
        |p: &str| p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty();
    let Some(at) = parts.iter().position(|p| small_number(p)) else {
        return TokenizerFamily::Claude;
    };
    let major: u32 = parts[at].parse().unwrap_or(0);
    let minor: u32 = parts
        .get(at + 1)
        .filter(|p| small_number(p))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let opus = parts.contains(&"opus");
    if major >= 5 || (major == 4 && opus && minor >= 7) {
        TokenizerFamily::Claude2026
    } else {
        TokenizerFamily::Claude
    }
}

/// Long-context tiers from per-component tiers: one [`crate::Tier`] per threshold any
/// component has; at each, every component takes its price for that threshold (its highest
/// tier at or below it, else its base price).
pub(crate) fn flatten_tiers(
    base: crate::catalog::Prices,
    component_tiers: &[(Component, Vec<(u64, UsdPerMtok)>)],
) -> Rates {
    let mut thresholds: Vec<u64> = component_tiers
        .iter()
        .flat_map(|(_, tiers)| tiers.iter().map(|(t, _)| *t))
        .collect();
    thresholds.sort_unstable();
    thresholds.dedup();
    let tiers = thresholds
        .into_iter()
        .map(|threshold| {
            let mut prices = base;
            for (component, tiers) in component_tiers {
                if let Some((_, price)) = tiers.iter().rev().find(|(t, _)| *t <= threshold) {
                    component.set(&mut prices, *price);
                }
            }
            crate::catalog::Tier {
                above_tokens: threshold,
                prices,
            }
        })
        .collect();
    Rates { base, tiers }
}

/// The text-token prices llmcost keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Component {
    Input,
    Output,
    CacheRead,
    CacheWrite5m,
    CacheWrite1h,
}

impl Component {
    pub(crate) fn set(self, prices: &mut crate::catalog::Prices, price: UsdPerMtok) {
        match self {
            Component::Input => prices.input_usd_per_mtok = price,
            Component::Output => prices.output_usd_per_mtok = price,
            Component::CacheRead => prices.cache_read_usd_per_mtok = Some(price),
            Component::CacheWrite5m => prices.cache_write_5m_usd_per_mtok = Some(price),
            Component::CacheWrite1h => prices.cache_write_1h_usd_per_mtok = Some(price),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_noise_rounds_as_text() {
        assert_eq!(
            round_decimal("0.18000000000000002", 9).as_deref(),
            Some("0.18")
        );
        assert_eq!(
            round_decimal("0.08333333333333334", 9).as_deref(),
            Some("0.083333333")
        );
        assert_eq!(
            round_decimal("0.0000009499999999999999", 15).as_deref(),
            Some("0.00000095")
        );
        assert_eq!(round_decimal("9.9999999999", 9).as_deref(), Some("10"));
        assert_eq!(round_decimal("0.25", 9), None);
        assert_eq!(round_decimal("12", 9), None);
    }

    #[test]
    fn prices_read_exactly() {
        let mut notes = Vec::new();
        let v: Value = serde_json::from_str("3.75e-6").unwrap();
        let p = read_price(&v, PriceUnit::PerToken, "x", &mut notes).unwrap();
        assert_eq!(p.to_decimal_string(), "3.75");
        // serde_json may parse long mantissas one ulp off; rounding as text absorbs that.
        let v: Value = serde_json::from_str("9.499999999999999e-07").unwrap();
        let p = read_price(&v, PriceUnit::PerToken, "x", &mut notes).unwrap();
        assert_eq!(p.to_decimal_string(), "0.95");
        notes.clear();
        let v: Value = serde_json::from_str("1.1428571428571428e-06").unwrap();
        let p = read_price(&v, PriceUnit::PerToken, "x", &mut notes).unwrap();
        assert_eq!(p.to_decimal_string(), "1.142857143");
        assert_eq!(notes.len(), 1);
        let v: Value = serde_json::from_str("15").unwrap();
        let p = read_price(&v, PriceUnit::PerMtok, "x", &mut notes).unwrap();
        assert_eq!(p.to_decimal_string(), "15");
        for bad in ["-1", "\"1\"", "null", "3"] {
            let v: Value = serde_json::from_str(bad).unwrap();
            let e = read_price(&v, PriceUnit::PerToken, "here", &mut notes).unwrap_err();
            assert_eq!(e.path(), Some("here"), "{bad}: {e}");
        }
    }

    #[test]
    fn tokenizers_are_guessed_from_ids() {
        use TokenizerFamily::*;
        for (provider, id, family) in [
            ("openai", "gpt-4o-mini", O200k),
            ("openai", "gpt-4.1-nano", O200k),
            ("openai", "gpt-5.1-codex", O200k),
            ("openai", "o3-mini", O200k),
            ("openai", "o1", O200k),
            ("openai", "gpt-4-1106-preview", Cl100k),
            ("openai", "gpt-3.5-turbo", Cl100k),
            ("azure", "gpt-35-turbo", Cl100k),
            ("anthropic", "claude-3-5-haiku-20241022", Claude),
            ("anthropic", "claude-opus-4-1", Claude),
            ("anthropic", "claude-opus-4-20250514", Claude),
            ("anthropic", "claude-sonnet-4.5", Claude),
            ("anthropic", "claude-opus-4-7", Claude2026),
            ("anthropic", "claude-opus-4.8", Claude2026),
            ("anthropic", "claude-haiku-5-5", Claude2026),
            ("aws", "us.anthropic.claude-sonnet-5-v1:0", Claude2026),
            ("openrouter", "anthropic/claude-3.7-sonnet", Claude),
            ("google", "gemini-2.5-pro", Gemini),
            ("groq", "llama-3.3-70b-versatile", Llama3),
            ("together", "meta-llama/Llama-2-70b-chat-hf", Other),
            ("deepseek", "deepseek-chat", DeepSeek),
            ("mistral", "codestral-latest", Mistral),
            ("xai", "grok-4", Grok),
            ("cohere", "command-r", Other),
        ] {
            assert_eq!(guess_tokenizer(provider, id), family, "{id}");
        }
    }
}
