//! Provider response shapes: token usage as Anthropic, OpenAI, Gemini and OpenRouter report it, read into the one normalized [`Usage`].
//!
//! [`parse_usage`] reads a usage object itself (Anthropic's or OpenAI's `usage`, Gemini's
//! `usageMetadata`, or llmcost's own normalized shape); [`parse_response`] reads a whole
//! response body and also takes the model name from it. Both accept a [`UsageFormat`] or
//! detect it. Every result has passed [`Usage::validate`]. [`UsageFormat`]'s documentation
//! has the rules: how each shape is normalized, how counts are checked, how formats are
//! detected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::tape::same_bytes;
use crate::usage::{Usage, MAX_TOKENS};

type Object = Map<String, Value>;

/// Which provider shape a usage object or response body has.
///
/// # How each shape is normalized
///
/// | Format | Prompt (`input_tokens`) | Cache | Output | Reasoning |
/// |---|---|---|---|---|
/// | `anthropic` | `input_tokens` + `cache_creation_input_tokens` + `cache_read_input_tokens` (Anthropic's `input_tokens` excludes the cache) | reads: `cache_read_input_tokens`; writes: `cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`, or all of `cache_creation_input_tokens` as 5-minute writes when there is no breakdown | `output_tokens` | none reported |
/// | `openai-chat` | `prompt_tokens` (includes the cache) | `prompt_tokens_details.cached_tokens`; `prompt_tokens_details.cache_write_tokens` (sent by OpenAI-compatible gateways) as 5-minute writes | `completion_tokens` | `completion_tokens_details.reasoning_tokens` |
/// | `openai-responses` | `input_tokens` (includes the cache) | `input_tokens_details.cached_tokens`, `input_tokens_details.cache_write_tokens` as 5-minute writes | `output_tokens` | `output_tokens_details.reasoning_tokens` |
/// | `gemini` | `promptTokenCount` (includes `cachedContentTokenCount`) + `toolUsePromptTokenCount` | `cachedContentTokenCount` | `candidatesTokenCount` + `thoughtsTokenCount` | `thoughtsTokenCount` |
/// | `openrouter` | as `openai-chat` | as `openai-chat` | as `openai-chat` | as `openai-chat` |
/// | `normalized` | exactly [`Usage`]'s serde shape, unknown fields rejected | | | |
///
/// OpenRouter's `usage.cost` (the credits, i.e. dollars, it charged) is kept as decimal
/// text in [`ParsedResponse::reported_cost_usd`]: the shortest text that reads back as the
/// same `f64`, never used in arithmetic. `is_byok` and `cost_details` are not read.
///
/// # Counts
///
/// A count is a non-negative JSON integer up to [`MAX_TOKENS`] (Gemini's `totalTokenCount`,
/// a sum of counts, only up to `u64::MAX`). An integral float such as
/// `100.0` or `1e3` is accepted as that integer (some serializers write whole numbers that
/// way); a fraction, a negative number, a string, a bool, an array or an object is an
/// [`ErrorKind::InvalidUsage`] error naming the field's JSON path and showing the value.
/// An optional count that is `null` or absent is 0. Required counts: Anthropic
/// `input_tokens` and `output_tokens`, OpenAI Chat `prompt_tokens` (`completion_tokens`
/// may be absent, as in embeddings responses), OpenAI Responses `input_tokens` and
/// `output_tokens`, Gemini `promptTokenCount`, normalized `input_tokens`. A part above
/// its total (cached above prompt, reasoning above completion) is an error. Fields not
/// listed above (`total_tokens`, `audio_tokens`, `server_tool_use`, ...) are ignored and
/// not type-checked; OpenAI's `total_tokens` is not cross-checked.
///
/// Error paths: for [`parse_response`] the full path in the body
/// (`usage.prompt_tokens_details.cached_tokens`); for [`parse_usage`] the path inside the
/// usage object (`prompt_tokens_details.cached_tokens`), and none for the object itself.
///
/// # Gemini's `totalTokenCount`
///
/// Gemini documents `totalTokenCount` as `promptTokenCount + toolUsePromptTokenCount +
/// candidatesTokenCount + thoughtsTokenCount`. When it is present it is checked:
///
/// - it matches that sum (or the sum without `toolUsePromptTokenCount`): fine;
/// - it equals the sum *without* `thoughtsTokenCount`, and the thoughts fit inside the
///   candidates: the thoughts are taken to be counted inside `candidatesTokenCount` (as
///   some early Gemini API versions did), so output = `candidatesTokenCount`;
/// - `candidatesTokenCount` is absent (Gemini omits zero counts): the candidates are what
///   the total leaves after the prompt and the thoughts (0 for a blocked prompt);
/// - anything else (the parts exceed the total, or all parts are present and their sum
///   differs): an error at `totalTokenCount`, because the cost could not be trusted.
///
/// # Detecting the format of a usage object
///
/// 1. Every key is a field of [`Usage`] (`input_tokens`, `output_tokens`,
///    `cache_read_tokens`, ...): `normalized`. This includes the plain
///    `{"input_tokens", "output_tokens"}` with nothing else, which Anthropic and OpenAI
///    Responses could also send: without cache or details keys all three shapes read the
///    same numbers, so the answer is the same.
/// 2. Otherwise each key that belongs to exactly one shape votes for it:
///    - `anthropic`: `cache_creation_input_tokens`, `cache_read_input_tokens`,
///      `cache_creation`, `server_tool_use`, `service_tier`;
///    - `openai-chat`: `prompt_tokens`, `completion_tokens`, `prompt_tokens_details`,
///      `completion_tokens_details`;
///    - `openrouter`: `cost`, `is_byok`, `cost_details` (with the `openai-chat` keys, the
///      shape is `openrouter`);
///    - `openai-responses`: `input_tokens_details`, `output_tokens_details`;
///    - `gemini`: its camelCase keys (`promptTokenCount`, `candidatesTokenCount`, ...);
///    - `normalized`: its own field names (`cache_read_tokens`, `reasoning_tokens`, ...).
/// 3. One shape voted for: that shape. None, but the keys are `input_tokens`,
///    `output_tokens` and `total_tokens`: `openai-responses` (same numbers as the plain
///    case). More than one (for example `prompt_tokens` beside a top-level
///    `reasoning_tokens`): an error listing the shapes and their keys; pass a format.
///    None at all: an error listing the shapes tried and the keys seen.
///
/// # Detecting the format of a response body
///
/// - A `usageMetadata` key: `gemini` (model from `modelVersion`).
/// - A `usage` key: `"type": "message"` is `anthropic`, `"object": "response"` is
///   `openai-responses`, `"object": "chat.completion"` (or `...chunk`) is `openai-chat`,
///   and otherwise the usage object's keys decide as above. An `openai-chat` body is
///   `openrouter` when it has a string `provider`, an `id` starting with `gen-`, or
///   OpenRouter's usage keys. The model is the body's `model`.
/// - Neither: the body is read as a bare usage object (no model).
///
/// With an explicit format, the usage is read from that format's key (`usageMetadata` for
/// Gemini, or a `usage` holding Gemini's keys when there is none, as detection reads a
/// proxy's body; `usage` otherwise), or from the body itself if the body has none but has
/// keys of that format. An explicit `anthropic` format rejects `input_tokens_details`, and an
/// explicit `openai-responses` format rejects `cache_creation_input_tokens`,
/// `cache_read_input_tokens` and `cache_creation`: the two read `input_tokens` in opposite
/// ways (Anthropic's excludes the cache), and the wrong one would silently misprice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsageFormat {
    /// llmcost's own [`Usage`] shape (`input_tokens` is the whole prompt).
    Normalized,
    /// Anthropic Messages: `input_tokens` excludes cache reads and writes.
    Anthropic,
    /// OpenAI Chat Completions: `prompt_tokens` / `completion_tokens` with `*_details`.
    OpenaiChat,
    /// OpenAI Responses: `input_tokens` / `output_tokens` with `*_details`.
    OpenaiResponses,
    /// Google Gemini (`usageMetadata`, camelCase counts).
    Gemini,
    /// OpenRouter: the OpenAI Chat shape plus `cost`, `is_byok` and `cache_write_tokens`.
    Openrouter,
}

impl UsageFormat {
    /// Every format, in the order detection errors list them.
    pub const ALL: [UsageFormat; 6] = [
        UsageFormat::Normalized,
        UsageFormat::Anthropic,
        UsageFormat::OpenaiChat,
        UsageFormat::OpenaiResponses,
        UsageFormat::Gemini,
        UsageFormat::Openrouter,
    ];

    /// The format's name, as serde, `Display` and `FromStr` spell it (`openai-chat`).
    pub fn as_str(self) -> &'static str {
        match self {
            UsageFormat::Normalized => "normalized",
            UsageFormat::Anthropic => "anthropic",
            UsageFormat::OpenaiChat => "openai-chat",
            UsageFormat::OpenaiResponses => "openai-responses",
            UsageFormat::Gemini => "gemini",
            UsageFormat::Openrouter => "openrouter",
        }
    }

    /// The key a response body of this format keeps its usage under.
    fn usage_key(self) -> &'static str {
        match self {
            UsageFormat::Gemini => "usageMetadata",
            _ => "usage",
        }
    }
}

impl fmt::Display for UsageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UsageFormat {
    type Err = Error;

    /// Parses a format name, ignoring case and reading `_` as `-`; `openai` means
    /// `openai-chat`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for any other name.
    fn from_str(s: &str) -> Result<UsageFormat> {
        let name = s.to_ascii_lowercase().replace('_', "-");
        if name == "openai" {
            return Ok(UsageFormat::OpenaiChat);
        }
        UsageFormat::ALL
            .into_iter()
            .find(|format| format.as_str() == name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "unknown usage format {}; expected one of {}, or openai (meaning openai-chat)",
                        describe(&Value::String(s.to_owned())),
                        format_names()
                    ),
                )
            })
    }
}

/// What [`parse_response`] found in a response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedResponse {
    /// The model the body names (`model`, or Gemini's `modelVersion`), exactly as written;
    /// `None` when absent, `null` or empty, or when the body was a bare usage object.
    pub model: Option<String>,
    /// The usage, normalized and validated.
    pub usage: Usage,
    /// The format the body was read as (given or detected).
    pub format: UsageFormat,
    /// What the provider says it charged, in US dollars, as decimal text (OpenRouter's
    /// `usage.cost`, written the shortest way that reads back as the same number). Only
    /// for display and comparison: never do arithmetic with it.
    pub reported_cost_usd: Option<String>,
}

/// Reads a usage object into a validated [`Usage`], with the format it was read as.
///
/// `usage` is the usage object itself: Anthropic's or OpenAI's `usage`, Gemini's
/// `usageMetadata`, or the normalized shape. `format: None` detects it (see the
/// [`UsageFormat`] documentation for the rules). OpenRouter's reported cost is checked but
/// not returned; use [`parse_response`] for it.
///
/// # Errors
///
/// [`ErrorKind::InvalidUsage`] with the path (inside `usage`) of the first bad field:
/// not an object, an undetectable or ambiguous shape, a missing required count, a count
/// that is not a non-negative whole number up to [`MAX_TOKENS`], or a part above its total.
pub fn parse_usage(usage: &Value, format: Option<UsageFormat>) -> Result<(Usage, UsageFormat)> {
    parse_usage_object(usage_object(usage, "")?, format)
}

/// [`parse_usage`] over any [`JsonObject`]: serde_json's map, or the fast path's tape.
pub(crate) fn parse_usage_object<'a, O: JsonObject<'a>>(
    object: O,
    format: Option<UsageFormat>,
) -> Result<(Usage, UsageFormat)> {
    let format = match format {
        Some(format) => format,
        None => detected(detect(object), object, "")?,
    };
    let (usage, _cost) = parse_as(format, object, "")?;
    Ok((usage, format))
}

/// Reads a whole response body: the usage (validated) and the model it names.
///
/// `format: None` detects the format from the body (`type`, `object`, `provider`,
/// `usageMetadata`, ...) and then from the usage keys; see the
/// [`UsageFormat`] documentation. A body with no `usage` or `usageMetadata` key is read as
/// a bare usage object.
///
/// # Example
///
/// ```
/// use cost_core::{parse_response, UsageFormat};
///
/// // Anthropic's `input_tokens` excludes the cache; the normalized one is the whole prompt.
/// let body = serde_json::json!({
///     "type": "message",
///     "model": "claude-sonnet-4-5",
///     "usage": {
///         "input_tokens": 50,
///         "cache_creation_input_tokens": 2000,
///         "cache_read_input_tokens": 10000,
///         "cache_creation": { "ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 2000 },
///         "output_tokens": 300
///     }
/// });
/// let parsed = parse_response(&body, None).unwrap();
/// assert_eq!(parsed.format, UsageFormat::Anthropic);
/// assert_eq!(parsed.model.as_deref(), Some("claude-sonnet-4-5"));
/// assert_eq!(parsed.usage.input_tokens, 12_050);
/// assert_eq!(parsed.usage.cache_read_tokens, 10_000);
/// assert_eq!(parsed.usage.cache_write_1h_tokens, 2_000);
/// ```
///
/// # Errors
///
/// [`ErrorKind::InvalidUsage`] with the full JSON path of the first bad field
/// (`usage.prompt_tokens_details.cached_tokens`), as for [`parse_usage`]; also a `model`
/// that is not a string and an OpenRouter `usage.cost` that is not a non-negative number.
pub fn parse_response(body: &Value, format: Option<UsageFormat>) -> Result<ParsedResponse> {
    let Value::Object(object) = body else {
        return Err(invalid(
            "",
            format!(
                "expected a response body (a JSON object), got {}",
                describe(body)
            ),
        ));
    };
    let (format, usage, base) = match format {
        Some(format) => {
            let key = format.usage_key();
            let found = match object.get(key) {
                Some(usage) => Some((usage, key)),
                // Gemini counts under `usage` (a proxy's body), which detection reads too.
                None if format == UsageFormat::Gemini => object
                    .get("usage")
                    .filter(|u| {
                        u.as_object()
                            .is_some_and(|u| u.keys().any(|k| format_has_key(format, k)))
                    })
                    .map(|u| (u, "usage")),
                None => None,
            };
            match found {
                Some((usage, key)) => (format, usage, key),
                None if object.keys().any(|k| format_has_key(format, k)) => (format, body, ""),
                None => {
                    return Err(invalid(
                        key,
                        format!(
                            "missing: {format} responses keep their usage here (keys seen: {})",
                            list_keys(object)
                        ),
                    ))
                }
            }
        }
        None => detect_body(object, body)?,
    };
    let usage_object = usage_object(usage, base)?;
    let (usage, reported_cost_usd) = parse_as(format, usage_object, base)?;
    let model = if base.is_empty() {
        None
    } else {
        model_name(object, format)?
    };
    Ok(ParsedResponse {
        model,
        usage,
        format,
        reported_cost_usd,
    })
}

// ---------------------------------------------------------------------------------------
// Detection

/// The fields of [`Usage`], as its serde shape names them.
const NORMALIZED_FIELDS: [&str; 7] = [
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_storage_token_hours",
];

/// The one shape a key is distinctive of, if any.
fn key_shape(key: &str) -> Option<UsageFormat> {
    Key::from_name(key).and_then(Key::shape)
}

/// Whether `key` is one a usage object of `format` has (used to accept a bare usage
/// object given to [`parse_response`] with an explicit format).
fn format_has_key(format: UsageFormat, key: &str) -> bool {
    let shape = key_shape(key);
    match format {
        UsageFormat::Normalized => NORMALIZED_FIELDS.contains(&key),
        UsageFormat::Anthropic => {
            shape == Some(format) || key == "input_tokens" || key == "output_tokens"
        }
        UsageFormat::OpenaiResponses => {
            shape == Some(format)
                || matches!(key, "input_tokens" | "output_tokens" | "total_tokens")
        }
        UsageFormat::OpenaiChat | UsageFormat::Openrouter => {
            matches!(
                shape,
                Some(UsageFormat::OpenaiChat) | Some(UsageFormat::Openrouter)
            ) || key == "total_tokens"
        }
        UsageFormat::Gemini => shape == Some(format),
    }
}

/// The outcome of detecting a usage object's shape.
enum Detection<'a> {
    /// Exactly one shape fits.
    Found(UsageFormat),
    /// Keys of several shapes, with the keys that suggested each.
    Ambiguous(Vec<(UsageFormat, Vec<&'a str>)>),
    /// No shape's keys at all.
    Unknown,
}

// `detect` turns a shape into a bit by its discriminant: `ALL` lists them in that order.
const _: () = {
    let mut n = 0;
    while n < UsageFormat::ALL.len() {
        assert!(UsageFormat::ALL[n] as usize == n);
        n += 1;
    }
};

fn detect<'a, O: JsonObject<'a>>(object: O) -> Detection<'a> {
    let keys = object.key_set();
    if !keys.is_empty() && keys.all_in(NORMALIZED_KEYS) {
        return Detection::Found(UsageFormat::Normalized);
    }
    // Which shapes the keys vote for, as bits of `UsageFormat::ALL`; the keys behind each
    // vote are only gathered for the error when several shapes remain.
    let bit = |shape: UsageFormat| 1u8 << shape as u8;
    let mut voted = 0u8;
    for shape in UsageFormat::ALL {
        if keys.known & SHAPE_KEYS[shape as usize] != 0 {
            voted |= bit(shape);
        }
    }
    // OpenRouter is the OpenAI Chat shape plus its own keys.
    if voted & bit(UsageFormat::Openrouter) != 0 {
        voted &= !bit(UsageFormat::OpenaiChat);
    }
    let plain = Key::InputTokens.bit() | Key::OutputTokens.bit() | Key::TotalTokens.bit();
    match voted.count_ones() {
        1 => Detection::Found(UsageFormat::ALL[voted.trailing_zeros() as usize]),
        0 if keys.has(Key::InputTokens) && keys.has(Key::TotalTokens) && keys.all_in(plain) => {
            Detection::Found(UsageFormat::OpenaiResponses)
        }
        0 => Detection::Unknown,
        _ => Detection::Ambiguous(votes(object)),
    }
}

/// The shapes a usage object's keys vote for, each with its keys, in key order.
fn votes<'a, O: JsonObject<'a>>(object: O) -> Vec<(UsageFormat, Vec<&'a str>)> {
    let mut votes: Vec<(UsageFormat, Vec<&str>)> = Vec::new();
    for key in object.keys() {
        if let Some(shape) = key_shape(key) {
            match votes.iter_mut().find(|(s, _)| *s == shape) {
                Some((_, keys)) => keys.push(key),
                None => votes.push((shape, vec![key])),
            }
        }
    }
    // OpenRouter is the OpenAI Chat shape plus its own keys.
    if let Some(chat) = votes
        .iter()
        .position(|(s, _)| *s == UsageFormat::OpenaiChat)
    {
        if votes.iter().any(|(s, _)| *s == UsageFormat::Openrouter) {
            let (_, chat_keys) = votes.remove(chat);
            if let Some((_, keys)) = votes
                .iter_mut()
                .find(|(s, _)| *s == UsageFormat::Openrouter)
            {
                keys.extend(chat_keys);
            }
        }
    }
    votes
}

/// The detected format, or the error explaining why there is none.
fn detected<'a, O: JsonObject<'a>>(
    detection: Detection<'_>,
    object: O,
    base: &str,
) -> Result<UsageFormat> {
    match detection {
        Detection::Found(format) => Ok(format),
        Detection::Unknown => Err(invalid(
            base,
            format!(
                "could not tell which usage shape this is (tried {}); keys seen: {}",
                format_names(),
                list_keys(object)
            ),
        )),
        Detection::Ambiguous(votes) => {
            let shapes: Vec<String> = votes
                .iter()
                .map(|(shape, keys)| {
                    let keys: Vec<String> = keys.iter().map(|k| short(k)).collect();
                    format!("{shape} ({})", keys.join(", "))
                })
                .collect();
            Err(invalid(
                base,
                format!(
                    "keys of more than one usage shape: {}; pass the format explicitly",
                    shapes.join(", ")
                ),
            ))
        }
    }
}

/// The format, usage value and usage path of a body, detected.
fn detect_body<'a>(
    object: &'a Object,
    body: &'a Value,
) -> Result<(UsageFormat, &'a Value, &'static str)> {
    if let Some(usage) = object.get("usageMetadata") {
        return Ok((UsageFormat::Gemini, usage, "usageMetadata"));
    }
    if let Some(usage) = object.get("usage") {
        let from_body = match (string_field(object, "type"), string_field(object, "object")) {
            (Some("message"), _) => Some(UsageFormat::Anthropic),
            (_, Some("response")) => Some(UsageFormat::OpenaiResponses),
            (_, Some(kind)) if kind.starts_with("chat.completion") => Some(UsageFormat::OpenaiChat),
            _ => None,
        };
        let format = match from_body {
            Some(format) => format,
            None => {
                let usage_object = usage_object(usage, "usage")?;
                detected(detect(usage_object), usage_object, "usage")?
            }
        };
        let format = if format == UsageFormat::OpenaiChat && is_openrouter_body(object) {
            UsageFormat::Openrouter
        } else {
            format
        };
        return Ok((format, usage, "usage"));
    }
    match detect(object) {
        Detection::Found(format) => Ok((format, body, "")),
        Detection::Unknown => Err(invalid(
            "",
            format!(
                "no usage found: a response body keeps it in `usage` (anthropic, openai, openrouter) \
                 or `usageMetadata` (gemini), and this is not a bare usage object either; keys seen: {}",
                list_keys(object)
            ),
        )),
        ambiguous => detected(ambiguous, object, "").map(|format| (format, body, "")),
    }
}

fn is_openrouter_body(object: &Object) -> bool {
    let provider = matches!(object.get("provider"), Some(Value::String(_)));
    let generation_id = string_field(object, "id").is_some_and(|id| id.starts_with("gen-"));
    let usage_keys = object
        .get("usage")
        .and_then(Value::as_object)
        .is_some_and(|usage| {
            usage
                .keys()
                .any(|k| key_shape(k) == Some(UsageFormat::Openrouter))
        });
    provider || generation_id || usage_keys
}

fn string_field<'a>(object: &'a Object, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn model_name(object: &Object, format: UsageFormat) -> Result<Option<String>> {
    // Gemini names the model in `modelVersion`; a proxy may use `model` instead.
    let key = if format == UsageFormat::Gemini
        && (object.contains_key("modelVersion") || !object.contains_key("model"))
    {
        "modelVersion"
    } else {
        "model"
    };
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if name.is_empty() => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(other) => Err(invalid(
            key,
            format!("expected a model name (a string), got {}", describe(other)),
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Reading each shape

/// A JSON object as the usage readers see it: serde_json's map (`&Map<String, Value>`), or a
/// line decoded by the fast path (`crate::tape`). The readers are written once, over this,
/// and look members up by [`Key`], so the fast path names each key once, as it reads it.
pub(crate) trait JsonObject<'a>: Copy {
    /// The value under `key`.
    fn get(self, key: Key) -> Option<Item<Self>>;
    /// The keys, in the object's order.
    fn keys(self) -> impl Iterator<Item = &'a str>;
    /// How many keys.
    fn len(self) -> usize;
    /// The value under `key` as short JSON text, for messages.
    fn describe(self, key: Key) -> String;

    /// Whether `key` is present.
    fn contains_key(self, key: Key) -> bool {
        let name = key.name();
        self.keys().any(|k| k == name)
    }

    /// Which known keys the object has, and whether it has others.
    fn key_set(self) -> KeySet {
        let mut set = KeySet::default();
        for name in self.keys() {
            set.add(Key::from_name(name));
        }
        set
    }
}

/// The keys an object has, as far as detection tells them apart: a bit per [`Key`], and
/// whether any other key is there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KeySet {
    known: u64,
    other: bool,
}

impl KeySet {
    /// No key.
    pub(crate) const EMPTY: KeySet = KeySet {
        known: 0,
        other: false,
    };

    /// Counts one key (`None`: a key that is not a [`Key`]).
    #[inline]
    pub(crate) fn add(&mut self, key: Option<Key>) {
        match key {
            Some(key) => self.known |= key.bit(),
            None => self.other = true,
        }
    }

    fn is_empty(self) -> bool {
        self.known == 0 && !self.other
    }

    /// Whether every key is one of `keys` (a mask of [`Key::bit`]s).
    fn all_in(self, keys: u64) -> bool {
        !self.other && self.known & !keys == 0
    }

    pub(crate) fn has(self, key: Key) -> bool {
        self.known & key.bit() != 0
    }
}

/// Declares [`Key`] with the name of each.
macro_rules! keys {
    ($($key:ident = $name:literal,)+) => {
        /// A key the usage-log readers look up by name: the request fields and `cost_usd`
        /// (`record.rs`), and every usage key a shape reader reads or detection weighs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum Key {
            $(#[doc = concat!("`", $name, "`")] $key,)+
        }

        impl Key {
            /// Every key, in declaration order (`Key::ALL[k as usize] == k`).
            pub(crate) const ALL: &'static [Key] = &[$(Key::$key,)+];

            /// The key as JSON spells it.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(Key::$key => $name,)+
                }
            }
        }
    };
}

keys! {
    Model = "model",
    Usage = "usage",
    Format = "usage_format",
    Response = "response",
    Batch = "batch",
    At = "at",
    Tags = "tags",
    CostUsd = "cost_usd",
    InputTokens = "input_tokens",
    CacheReadTokens = "cache_read_tokens",
    CacheWrite5mTokens = "cache_write_5m_tokens",
    CacheWrite1hTokens = "cache_write_1h_tokens",
    OutputTokens = "output_tokens",
    ReasoningTokens = "reasoning_tokens",
    CacheStorageTokenHours = "cache_storage_token_hours",
    TotalTokens = "total_tokens",
    CacheCreationInputTokens = "cache_creation_input_tokens",
    CacheReadInputTokens = "cache_read_input_tokens",
    CacheCreation = "cache_creation",
    ServerToolUse = "server_tool_use",
    ServiceTier = "service_tier",
    PromptTokens = "prompt_tokens",
    CompletionTokens = "completion_tokens",
    PromptTokensDetails = "prompt_tokens_details",
    CompletionTokensDetails = "completion_tokens_details",
    Cost = "cost",
    IsByok = "is_byok",
    CostDetails = "cost_details",
    InputTokensDetails = "input_tokens_details",
    OutputTokensDetails = "output_tokens_details",
    PromptTokenCount = "promptTokenCount",
    CandidatesTokenCount = "candidatesTokenCount",
    TotalTokenCount = "totalTokenCount",
    CachedContentTokenCount = "cachedContentTokenCount",
    ThoughtsTokenCount = "thoughtsTokenCount",
    ToolUsePromptTokenCount = "toolUsePromptTokenCount",
    GeminiPromptTokensDetails = "promptTokensDetails",
    CandidatesTokensDetails = "candidatesTokensDetails",
    CacheTokensDetails = "cacheTokensDetails",
    ToolUsePromptTokensDetails = "toolUsePromptTokensDetails",
    TrafficType = "trafficType",
    CachedTokens = "cached_tokens",
    CacheWriteTokens = "cache_write_tokens",
    Ephemeral5mInputTokens = "ephemeral_5m_input_tokens",
    Ephemeral1hInputTokens = "ephemeral_1h_input_tokens",
}

// A key set is one `u64`, a bit per key.
const _: () = assert!(Key::ALL.len() <= 64);

/// Slots in [`KEY_TABLE`]: a power of two above twice the number of keys.
const KEY_SLOTS: usize = 128;

/// The multiplier of [`key_hash`], chosen so that no two keys share a slot.
const KEY_HASH_FACTOR: u64 = 0xd627_d2b8_7552_6e31;

/// A key's slot in [`KEY_TABLE`]: its length and its bytes (all of them up to eight bytes;
/// the first, middle and last eight of a longer one), mixed and multiplied.
///
/// This is the `const` form, which builds the table; [`key_hash`] is the same function
/// with word loads (a test checks they agree).
const fn key_hash_const(bytes: &[u8]) -> usize {
    const fn load(b: &[u8], at: usize, width: usize) -> u64 {
        let mut word = 0u64;
        let mut i = 0;
        while i < width {
            word |= (b[at + i] as u64) << (8 * i);
            i += 1;
        }
        word
    }
    let len = bytes.len();
    let mixed = if len >= 8 {
        load(bytes, 0, 8)
            ^ load(bytes, len - 8, 8).rotate_left(21)
            ^ load(bytes, len / 2 - 4, 8).rotate_left(42)
    } else if len >= 4 {
        load(bytes, 0, 4) | load(bytes, len - 4, 4) << 32
    } else if len >= 2 {
        load(bytes, 0, 2) | load(bytes, len - 2, 2) << 16
    } else {
        load(bytes, 0, len)
    };
    slot(mixed, len)
}

/// [`key_hash_const`] at run time.
#[inline(always)]
fn key_hash(bytes: &[u8]) -> usize {
    let len = bytes.len();
    let load8 = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let load4 = |at: usize| {
        u64::from(u32::from_le_bytes(
            bytes[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    let load2 = |at: usize| {
        u64::from(u16::from_le_bytes(
            bytes[at..at + 2].try_into().expect("2 bytes"),
        ))
    };
    // The two loads of a short key overlap, and cover it.
    let mixed = if len >= 8 {
        load8(0) ^ load8(len - 8).rotate_left(21) ^ load8(len / 2 - 4).rotate_left(42)
    } else if len >= 4 {
        load4(0) | load4(len - 4) << 32
    } else if len >= 2 {
        load2(0) | load2(len - 2) << 16
    } else {
        bytes.first().map_or(0, |&b| u64::from(b))
    };
    slot(mixed, len)
}

#[inline(always)]
const fn slot(mixed: u64, len: usize) -> usize {
    ((mixed ^ len as u64).wrapping_mul(KEY_HASH_FACTOR) >> (64 - KEY_SLOTS.trailing_zeros()))
        as usize
}

/// Open addressing: each key at its hash's slot or the next free one; `0` is a free slot,
/// and `k + 1` holds key `k`.
const KEY_TABLE: [u8; KEY_SLOTS] = {
    let mut table = [0u8; KEY_SLOTS];
    let mut k = 0;
    while k < Key::ALL.len() {
        let mut slot = key_hash_const(Key::ALL[k].name().as_bytes());
        while table[slot] != 0 {
            slot = (slot + 1) % KEY_SLOTS;
        }
        table[slot] = k as u8 + 1;
        k += 1;
    }
    table
};

impl Key {
    /// The key named `name`, if it is one.
    #[inline]
    pub(crate) fn from_name(name: &str) -> Option<Key> {
        Key::from_bytes(name.as_bytes())
    }

    /// The key named by these bytes, if it is one.
    #[inline]
    pub(crate) fn from_bytes(name: &[u8]) -> Option<Key> {
        let mut slot = key_hash(name);
        loop {
            let entry = KEY_TABLE[slot];
            let key = *Key::ALL.get(usize::from(entry).checked_sub(1)?)?;
            if same_bytes(key.name().as_bytes(), name) {
                return Some(key);
            }
            slot = (slot + 1) % KEY_SLOTS;
        }
    }

    /// The key's bit in a [`KeySet`].
    #[inline]
    pub(crate) const fn bit(self) -> u64 {
        1 << self as u8
    }

    /// The one shape this key is distinctive of, if any.
    const fn shape(self) -> Option<UsageFormat> {
        Some(match self {
            Key::CacheCreationInputTokens
            | Key::CacheReadInputTokens
            | Key::CacheCreation
            | Key::ServerToolUse
            | Key::ServiceTier => UsageFormat::Anthropic,
            Key::PromptTokens
            | Key::CompletionTokens
            | Key::PromptTokensDetails
            | Key::CompletionTokensDetails => UsageFormat::OpenaiChat,
            Key::Cost | Key::IsByok | Key::CostDetails => UsageFormat::Openrouter,
            Key::InputTokensDetails | Key::OutputTokensDetails => UsageFormat::OpenaiResponses,
            Key::PromptTokenCount
            | Key::CandidatesTokenCount
            | Key::TotalTokenCount
            | Key::CachedContentTokenCount
            | Key::ThoughtsTokenCount
            | Key::ToolUsePromptTokenCount
            | Key::GeminiPromptTokensDetails
            | Key::CandidatesTokensDetails
            | Key::CacheTokensDetails
            | Key::ToolUsePromptTokensDetails
            | Key::TrafficType => UsageFormat::Gemini,
            Key::CacheReadTokens
            | Key::CacheWrite5mTokens
            | Key::CacheWrite1hTokens
            | Key::ReasoningTokens
            | Key::CacheStorageTokenHours => UsageFormat::Normalized,
            _ => return None,
        })
    }
}

/// The keys each shape's keys vote for, by [`UsageFormat`] discriminant.
const SHAPE_KEYS: [u64; 6] = {
    let mut masks = [0u64; 6];
    let mut k = 0;
    while k < Key::ALL.len() {
        if let Some(shape) = Key::ALL[k].shape() {
            masks[shape as usize] |= Key::ALL[k].bit();
        }
        k += 1;
    }
    masks
};

/// The fields of [`Usage`] as a mask of [`Key::bit`]s.
const NORMALIZED_KEYS: u64 = {
    let mut mask = 0;
    let mut n = 0;
    while n < NORMALIZED_FIELDS.len() {
        let mut k = 0;
        while k < Key::ALL.len() {
            if const_str_eq(Key::ALL[k].name(), NORMALIZED_FIELDS[n]) {
                mask |= Key::ALL[k].bit();
            }
            k += 1;
        }
        n += 1;
    }
    assert!(mask.count_ones() as usize == NORMALIZED_FIELDS.len());
    mask
};

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A value in a [`JsonObject`], as the usage readers distinguish them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item<O> {
    /// `null`.
    Null,
    /// A number that is a `u64` (serde_json's `as_u64`).
    Whole(u64),
    /// Any other number, as `f64` (serde_json's `as_f64`).
    Float(f64),
    /// A nested object.
    Object(O),
    /// A string, a bool or an array: never what a reader wants.
    Other,
}

impl<'a> JsonObject<'a> for &'a Object {
    fn get(self, key: Key) -> Option<Item<Self>> {
        Some(match Map::get(self, key.name())? {
            Value::Null => Item::Null,
            Value::Number(number) => match number.as_u64() {
                Some(whole) => Item::Whole(whole),
                None => number.as_f64().map_or(Item::Other, Item::Float),
            },
            Value::Object(object) => Item::Object(object),
            _ => Item::Other,
        })
    }

    fn keys(self) -> impl Iterator<Item = &'a str> {
        Map::keys(self).map(String::as_str)
    }

    fn len(self) -> usize {
        Map::len(self)
    }

    fn describe(self, key: Key) -> String {
        Map::get(self, key.name()).map(describe).unwrap_or_default()
    }

    fn contains_key(self, key: Key) -> bool {
        Map::contains_key(self, key.name())
    }
}

/// A JSON object being read, with its path for errors: `base` (`""` for the root), then
/// `nested`, the key of a nested object being read. Paths are only built for errors.
struct Fields<'p, O> {
    object: O,
    base: &'p str,
    nested: Option<Key>,
}

impl<'p, 'a, O: JsonObject<'a>> Fields<'p, O> {
    fn new(object: O, base: &'p str) -> Fields<'p, O> {
        Fields {
            object,
            base,
            nested: None,
        }
    }

    /// The path of this object itself.
    fn own_path(&self) -> String {
        match self.nested {
            Some(nested) => join(self.base, nested.name()),
            None => self.base.to_owned(),
        }
    }

    fn path(&self, key: Key) -> String {
        self.path_of(key.name())
    }

    /// The path of the member named `name` (any key, known or not).
    fn path_of(&self, name: &str) -> String {
        join(&self.own_path(), name)
    }

    fn has(&self, key: Key) -> bool {
        self.object.contains_key(key)
    }

    /// An optional count: `None` when absent or `null`.
    fn count(&self, key: Key) -> Result<Option<u64>> {
        self.number(key, true)
    }

    /// An optional total of several counts (may exceed [`MAX_TOKENS`]).
    fn total(&self, key: Key) -> Result<Option<u64>> {
        self.number(key, false)
    }

    /// Inlined, with the usual value (a whole number within the limit) read here and the
    /// others out of line: the readers look up a few counts per line of a usage log.
    #[inline]
    fn number(&self, key: Key, bounded: bool) -> Result<Option<u64>> {
        let limit = if bounded { MAX_TOKENS } else { u64::MAX };
        match self.object.get(key) {
            None | Some(Item::Null) => Ok(None),
            Some(Item::Whole(count)) if count <= limit => Ok(Some(count)),
            Some(item) => self.unusual_number(key, item, bounded),
        }
    }

    /// [`Fields::number`] of any other value.
    #[cold]
    #[inline(never)]
    fn unusual_number(&self, key: Key, item: Item<O>, bounded: bool) -> Result<Option<u64>> {
        whole_number(item, bounded)
            .map(Some)
            .map_err(|problem| problem.error(&self.path(key), &self.object.describe(key), bounded))
    }

    /// An optional count, 0 when absent or `null`.
    fn count_or_zero(&self, key: Key) -> Result<u64> {
        Ok(self.count(key)?.unwrap_or(0))
    }

    /// A required count; `needs` says what the shape requires, for the message.
    fn required(&self, key: Key, format: UsageFormat, needs: &str) -> Result<u64> {
        match self.count(key)? {
            Some(count) => Ok(count),
            None => Err(self.missing(key, format, needs)),
        }
    }

    /// Why [`Fields::required`] found no count.
    #[cold]
    #[inline(never)]
    fn missing(&self, key: Key, format: UsageFormat, needs: &str) -> Error {
        invalid(
            &self.path(key),
            format!("missing required count ({format} usage needs {needs})"),
        )
    }

    /// An optional nested object: `None` when absent or `null`.
    fn object(&self, key: Key) -> Result<Option<Fields<'p, O>>> {
        match self.object.get(key) {
            None | Some(Item::Null) => Ok(None),
            Some(Item::Object(object)) => {
                // The readers nest one level (`usage.prompt_tokens_details`), which is all a
                // path of `base` and `nested` can say.
                debug_assert!(self.nested.is_none(), "usage objects nest one level");
                Ok(Some(Fields {
                    object,
                    base: self.base,
                    nested: Some(key),
                }))
            }
            Some(_) => Err(self.not_an_object(key)),
        }
    }

    /// Why [`Fields::object`] found no object.
    #[cold]
    #[inline(never)]
    fn not_an_object(&self, key: Key) -> Error {
        invalid(
            &self.path(key),
            format!("expected an object, got {}", self.object.describe(key)),
        )
    }

    /// A count inside an optional nested object, 0 when either is absent.
    fn nested_count(&self, object: Key, key: Key) -> Result<u64> {
        match self.object(object)? {
            Some(nested) => nested.count_or_zero(key),
            None => Ok(0),
        }
    }

    /// Rejects `keys`, which mark `other`, a shape that reads the same names differently.
    fn reject(
        &self,
        keys: &[Key],
        format: UsageFormat,
        other: UsageFormat,
        why: &str,
    ) -> Result<()> {
        match keys.iter().find(|&&k| self.has(k)) {
            Some(&key) => Err(invalid(
                &self.path(key),
                format!("not a key of {format} usage; this looks like {other} usage ({why})"),
            )),
            None => Ok(()),
        }
    }
}

fn parse_as<'a, O: JsonObject<'a>>(
    format: UsageFormat,
    object: O,
    base: &str,
) -> Result<(Usage, Option<String>)> {
    let fields = Fields::new(object, base);
    let (usage, cost) = match format {
        UsageFormat::Normalized => (normalized(&fields)?, None),
        UsageFormat::Anthropic => (anthropic(&fields)?, None),
        UsageFormat::OpenaiChat => (openai_chat(&fields)?, None),
        UsageFormat::OpenaiResponses => (openai_responses(&fields)?, None),
        UsageFormat::Gemini => (gemini(&fields)?, None),
        UsageFormat::Openrouter => (openai_chat(&fields)?, openrouter_cost(&fields)?),
    };
    // The readers check every invariant with provider paths; this is the final guard.
    usage.validate().map_err(|error| {
        let path = join(base, error.path().unwrap_or(""));
        invalid(&path, error.message())
    })?;
    Ok((usage, cost))
}

fn normalized<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Usage> {
    let outside = |k: &&str| !NORMALIZED_FIELDS.contains(k);
    if let Some(key) = (!fields.object.key_set().all_in(NORMALIZED_KEYS))
        .then(|| fields.object.keys().find(outside))
        .flatten()
    {
        return Err(invalid(
            &fields.path_of(key),
            format!(
                "unknown field; a normalized usage has only {}",
                NORMALIZED_FIELDS.join(", ")
            ),
        ));
    }
    let format = UsageFormat::Normalized;
    Ok(Usage {
        input_tokens: fields.required(Key::InputTokens, format, "input_tokens")?,
        cache_read_tokens: fields.count_or_zero(Key::CacheReadTokens)?,
        cache_write_5m_tokens: fields.count_or_zero(Key::CacheWrite5mTokens)?,
        cache_write_1h_tokens: fields.count_or_zero(Key::CacheWrite1hTokens)?,
        output_tokens: fields.count_or_zero(Key::OutputTokens)?,
        reasoning_tokens: fields.count_or_zero(Key::ReasoningTokens)?,
        cache_storage_token_hours: fields.count_or_zero(Key::CacheStorageTokenHours)?,
    })
}

fn anthropic<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Usage> {
    let format = UsageFormat::Anthropic;
    fields.reject(
        &[Key::InputTokensDetails],
        format,
        UsageFormat::OpenaiResponses,
        "whose input_tokens include cached tokens",
    )?;
    let needs = "input_tokens and output_tokens";
    let uncached = fields.required(Key::InputTokens, format, needs)?;
    let output = fields.required(Key::OutputTokens, format, needs)?;
    let creation = fields.count(Key::CacheCreationInputTokens)?;
    let read = fields.count_or_zero(Key::CacheReadInputTokens)?;
    let (write_5m, write_1h) = match fields.object(Key::CacheCreation)? {
        Some(breakdown) => {
            let write_5m = breakdown.count_or_zero(Key::Ephemeral5mInputTokens)?;
            let write_1h = breakdown.count_or_zero(Key::Ephemeral1hInputTokens)?;
            let sum = write_5m + write_1h;
            if let Some(creation) = creation.filter(|&c| c != sum) {
                return Err(invalid(
                    &breakdown.own_path(),
                    format!(
                        "ephemeral_5m_input_tokens + ephemeral_1h_input_tokens ({sum}) differ \
                         from cache_creation_input_tokens ({creation})"
                    ),
                ));
            }
            (write_5m, write_1h)
        }
        // Anthropic's default cache lifetime is 5 minutes.
        None => (creation.unwrap_or(0), 0),
    };
    let input = sum_within_limit(
        &[uncached, write_5m, write_1h, read],
        || fields.path(Key::InputTokens),
        "the whole prompt (input_tokens + cache_creation_input_tokens + cache_read_input_tokens)",
    )?;
    Ok(Usage {
        input_tokens: input,
        cache_read_tokens: read,
        cache_write_5m_tokens: write_5m,
        cache_write_1h_tokens: write_1h,
        output_tokens: output,
        ..Usage::default()
    })
}

/// The OpenAI-style counts shared by Chat Completions and Responses.
struct OpenaiNames {
    input: Key,
    input_details: Key,
    output: Key,
    output_details: Key,
}

fn openai_chat<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Usage> {
    let format = UsageFormat::OpenaiChat;
    let prompt = fields.required(Key::PromptTokens, format, "prompt_tokens")?;
    let completion = fields.count_or_zero(Key::CompletionTokens)?;
    openai_parts(
        fields,
        prompt,
        completion,
        &OpenaiNames {
            input: Key::PromptTokens,
            input_details: Key::PromptTokensDetails,
            output: Key::CompletionTokens,
            output_details: Key::CompletionTokensDetails,
        },
    )
}

fn openai_responses<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Usage> {
    let format = UsageFormat::OpenaiResponses;
    fields.reject(
        &[
            Key::CacheCreationInputTokens,
            Key::CacheReadInputTokens,
            Key::CacheCreation,
        ],
        format,
        UsageFormat::Anthropic,
        "whose input_tokens exclude the cache",
    )?;
    let needs = "input_tokens and output_tokens";
    let input = fields.required(Key::InputTokens, format, needs)?;
    let output = fields.required(Key::OutputTokens, format, needs)?;
    openai_parts(
        fields,
        input,
        output,
        &OpenaiNames {
            input: Key::InputTokens,
            input_details: Key::InputTokensDetails,
            output: Key::OutputTokens,
            output_details: Key::OutputTokensDetails,
        },
    )
}

fn openai_parts<'a, O: JsonObject<'a>>(
    fields: &Fields<'_, O>,
    input: u64,
    output: u64,
    names: &OpenaiNames,
) -> Result<Usage> {
    let (read, write) = match fields.object(names.input_details)? {
        Some(details) => {
            let read = details.count_or_zero(Key::CachedTokens)?;
            let write = details.count_or_zero(Key::CacheWriteTokens)?;
            if read > input {
                return Err(invalid(
                    &details.path(Key::CachedTokens),
                    format!(
                        "cached_tokens ({read}) exceed {} ({input}), which include them",
                        names.input.name()
                    ),
                ));
            }
            if read + write > input {
                return Err(invalid(
                    &details.path(Key::CacheWriteTokens),
                    format!(
                        "cached_tokens + cache_write_tokens ({}) exceed {} ({input}), which include them",
                        read + write,
                        names.input.name()
                    ),
                ));
            }
            (read, write)
        }
        None => (0, 0),
    };
    let reasoning = fields.nested_count(names.output_details, Key::ReasoningTokens)?;
    if reasoning > output {
        return Err(invalid(
            &join(
                &fields.path(names.output_details),
                Key::ReasoningTokens.name(),
            ),
            format!(
                "reasoning_tokens ({reasoning}) exceed {} ({output}), which include them",
                names.output.name()
            ),
        ));
    }
    Ok(Usage {
        input_tokens: input,
        cache_read_tokens: read,
        cache_write_5m_tokens: write,
        output_tokens: output,
        reasoning_tokens: reasoning,
        ..Usage::default()
    })
}

fn openrouter_cost<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Option<String>> {
    match fields.object.get(Key::Cost) {
        None | Some(Item::Null) => Ok(None),
        Some(Item::Whole(whole)) => Ok(Some(whole.to_string())),
        // `{}` of an f64 is the shortest text that reads back as the same f64, without an
        // exponent; `+ 0.0` turns -0.0 into 0.
        Some(Item::Float(dollars)) if dollars.is_finite() && dollars >= 0.0 => {
            Ok(Some(format!("{}", dollars + 0.0)))
        }
        Some(_) => Err(invalid(
            &fields.path(Key::Cost),
            format!(
                "expected a non-negative number of dollars (credits), got {}",
                fields.object.describe(Key::Cost)
            ),
        )),
    }
}

fn gemini<'a, O: JsonObject<'a>>(fields: &Fields<'_, O>) -> Result<Usage> {
    let format = UsageFormat::Gemini;
    let prompt = fields.required(Key::PromptTokenCount, format, "promptTokenCount")?;
    let cached = fields.count_or_zero(Key::CachedContentTokenCount)?;
    let tool = fields.count_or_zero(Key::ToolUsePromptTokenCount)?;
    let candidates = fields.count(Key::CandidatesTokenCount)?;
    let thoughts = fields.count_or_zero(Key::ThoughtsTokenCount)?;
    let total = fields.total(Key::TotalTokenCount)?;
    if cached > prompt {
        return Err(invalid(
            &fields.path(Key::CachedContentTokenCount),
            format!(
                "cachedContentTokenCount ({cached}) exceeds promptTokenCount ({prompt}), which includes it"
            ),
        ));
    }
    let input = sum_within_limit(
        &[prompt, tool],
        || fields.path(Key::ToolUsePromptTokenCount),
        "the whole prompt (promptTokenCount + toolUsePromptTokenCount)",
    )?;
    // Both `prompt + tool` (as documented) and `prompt` alone are accepted as the prompt
    // part of totalTokenCount.
    let prompt_parts: &[u64] = if tool == 0 {
        &[input]
    } else {
        &[input, prompt]
    };
    let (output, output_path) = match (candidates, total) {
        (candidates, None) => (
            candidates.unwrap_or(0) + thoughts,
            Key::CandidatesTokenCount,
        ),
        (Some(candidates), Some(total)) => {
            if prompt_parts
                .iter()
                .any(|&p| total == p + candidates + thoughts)
            {
                (candidates + thoughts, Key::CandidatesTokenCount)
            } else if thoughts > 0
                && thoughts <= candidates
                && prompt_parts.iter().any(|&p| total == p + candidates)
            {
                // The thoughts are already counted inside the candidates.
                (candidates, Key::CandidatesTokenCount)
            } else {
                return Err(invalid(
                    &fields.path(Key::TotalTokenCount),
                    format!(
                        "totalTokenCount ({total}) is not promptTokenCount + toolUsePromptTokenCount \
                         + candidatesTokenCount + thoughtsTokenCount ({})",
                        input + candidates + thoughts
                    ),
                ));
            }
        }
        (None, Some(total)) => match prompt_parts.iter().find(|&&p| total >= p + thoughts) {
            // candidatesTokenCount omitted (Gemini leaves out zero counts): the candidates
            // are what the total leaves.
            Some(&p) => (total - p, Key::TotalTokenCount),
            None => {
                return Err(invalid(
                    &fields.path(Key::TotalTokenCount),
                    format!(
                        "totalTokenCount ({total}) is less than promptTokenCount + \
                         toolUsePromptTokenCount + thoughtsTokenCount ({})",
                        input + thoughts
                    ),
                ))
            }
        },
    };
    if output > MAX_TOKENS {
        return Err(invalid(
            &fields.path(output_path),
            format!(
                "the whole output (candidatesTokenCount + thoughtsTokenCount = {output}) is more \
                 than the 10^15 tokens this tool accepts"
            ),
        ));
    }
    Ok(Usage {
        input_tokens: input,
        cache_read_tokens: cached,
        output_tokens: output,
        reasoning_tokens: thoughts,
        ..Usage::default()
    })
}

// ---------------------------------------------------------------------------------------
// Counts, paths and messages

/// Why a value is not a count.
enum NotACount {
    /// Not a non-negative whole number.
    Malformed,
    /// Above the limit.
    TooMany,
}

impl NotACount {
    /// The error at `path`; `shown` is the value as short JSON text.
    fn error(self, path: &str, shown: &str, bounded: bool) -> Error {
        match self {
            NotACount::Malformed => invalid(
                path,
                format!("expected a non-negative whole number of tokens, got {shown}"),
            ),
            NotACount::TooMany => {
                let limit = if bounded { "the 10^15 " } else { "" };
                invalid(
                    path,
                    format!("{shown} tokens is more than {limit}this tool accepts"),
                )
            }
        }
    }
}

/// A non-negative whole JSON number (`100.0` is 100): up to [`MAX_TOKENS`] if `bounded`
/// (a count), up to `u64::MAX` otherwise (a total of several counts).
fn whole_number<O>(item: Item<O>, bounded: bool) -> std::result::Result<u64, NotACount> {
    let limit = if bounded { MAX_TOKENS } else { u64::MAX };
    let count = match item {
        Item::Whole(count) => count,
        Item::Float(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 => {
            let too_big = if bounded {
                f > MAX_TOKENS as f64
            } else {
                // `u64::MAX as f64` is 2^64, itself out of range.
                f >= u64::MAX as f64
            };
            if too_big {
                return Err(NotACount::TooMany);
            }
            // Exact for counts (at most 10^15 < 2^53); totals may round, as the
            // float already did.
            f as u64
        }
        _ => return Err(NotACount::Malformed),
    };
    if count > limit {
        return Err(NotACount::TooMany);
    }
    Ok(count)
}

/// The sum of counts each at most [`MAX_TOKENS`], or an error (at `path()`) if the sum is
/// above it.
fn sum_within_limit(parts: &[u64], path: impl FnOnce() -> String, what: &str) -> Result<u64> {
    let sum: u128 = parts.iter().map(|&p| u128::from(p)).sum();
    match u64::try_from(sum) {
        Ok(sum) if sum <= MAX_TOKENS => Ok(sum),
        _ => Err(invalid(
            &path(),
            format!("{what} is {sum} tokens, more than the 10^15 this tool accepts"),
        )),
    }
}

/// The usage value as an object, or an error at `base`.
fn usage_object<'a>(value: &'a Value, base: &str) -> Result<&'a Object> {
    match value {
        Value::Object(object) => Ok(object),
        other => Err(invalid(
            base,
            format!("expected a usage object, got {}", describe(other)),
        )),
    }
}

fn join(base: &str, key: &str) -> String {
    match (base.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) => format!("{base}.{key}"),
    }
}

/// An [`ErrorKind::InvalidUsage`] error at `path` (none if `path` is empty).
fn invalid(path: &str, message: impl Into<String>) -> Error {
    let error = Error::new(ErrorKind::InvalidUsage, message);
    if path.is_empty() {
        error
    } else {
        error.at(path)
    }
}

fn format_names() -> String {
    let names: Vec<&str> = UsageFormat::ALL.iter().map(|f| f.as_str()).collect();
    names.join(", ")
}

/// At most this many characters of a value or key go into a message.
const SHOWN_CHARS: usize = 60;
/// At most this many keys go into a message.
const SHOWN_KEYS: usize = 16;

fn short(text: &str) -> String {
    truncate(text.to_owned(), SHOWN_CHARS)
}

fn truncate(mut text: String, max_chars: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(max_chars) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

fn list_keys<'a, O: JsonObject<'a>>(object: O) -> String {
    if object.len() == 0 {
        return "none (the object is empty)".to_owned();
    }
    let mut keys: Vec<String> = object.keys().take(SHOWN_KEYS).map(short).collect();
    if object.len() > SHOWN_KEYS {
        keys.push(format!("and {} more", object.len() - SHOWN_KEYS));
    }
    keys.join(", ")
}

/// A value as short JSON text for a message; bounded in size and depth whatever the input.
fn describe(value: &Value) -> String {
    let mut out = String::new();
    render(value, 0, &mut out);
    truncate(out, SHOWN_CHARS)
}

fn render(value: &Value, depth: usize, out: &mut String) {
    const MAX_DEPTH: usize = 3;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&Value::String(short(s)).to_string()),
        Value::Array(items) if depth >= MAX_DEPTH && !items.is_empty() => out.push_str("[…]"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if out.len() > SHOWN_CHARS {
                    out.push('…');
                    break;
                }
                if i > 0 {
                    out.push(',');
                }
                render(item, depth + 1, out);
            }
            out.push(']');
        }
        Value::Object(map) if depth >= MAX_DEPTH && !map.is_empty() => out.push_str("{…}"),
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if out.len() > SHOWN_CHARS {
                    out.push('…');
                    break;
                }
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(short(key)).to_string());
                out.push(':');
                render(item, depth + 1, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_found_by_its_name_in_its_own_slot() {
        for (at, &key) in Key::ALL.iter().enumerate() {
            assert_eq!(key as usize, at);
            assert_eq!(Key::from_name(key.name()), Some(key));
            // No key was moved along by another: a lookup is one comparison.
            assert_eq!(
                usize::from(KEY_TABLE[key_hash(key.name().as_bytes())]),
                at + 1,
                "{}",
                key.name()
            );
        }
        for name in [
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "abcdefghijklmnopq",
        ]
        .into_iter()
        .chain(Key::ALL.iter().map(|k| k.name()))
        {
            assert_eq!(key_hash(name.as_bytes()), key_hash_const(name.as_bytes()));
        }
        for name in [
            "",
            "m",
            "at ",
            "Model",
            "phase",
            "run",
            "input_token",
            "input_tokens_",
            "cached",
            "promptTokenCounts",
            "ephemeral_5h_input_tokens",
            "é",
            "tags\u{0}",
        ] {
            assert_eq!(Key::from_name(name), None, "{name:?}");
        }
    }

    #[test]
    fn key_sets_read_as_the_key_lists_they_replace() {
        for &key in Key::ALL {
            let named = NORMALIZED_FIELDS.contains(&key.name());
            assert_eq!(NORMALIZED_KEYS & key.bit() != 0, named, "{}", key.name());
            for shape in UsageFormat::ALL {
                let votes = SHAPE_KEYS[shape as usize] & key.bit() != 0;
                assert_eq!(votes, key.shape() == Some(shape), "{}", key.name());
            }
        }
    }
}
