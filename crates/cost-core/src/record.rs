//! One priced API call: the request-line format of `llmcost cost` (and of usage logs), and
//! the priced record it becomes.
//!
//! A request line is `{"model", "usage", "usage_format"?, "batch"?, "at"?, "tags"?}`, or
//! `{"response": <whole API response body>, ...}` instead of model and usage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::Catalog;
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::Usd;
use crate::price::{AppliedTier, Components, PriceOptions, Warning};
use crate::response::{parse_response, parse_usage, UsageFormat};
use crate::usage::Usage;

/// A request to price, decoded from a request line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The model name as given (any name [`Catalog::find`] accepts).
    pub model: String,
    /// The normalized usage.
    pub usage: Usage,
    /// The shape the usage was given in.
    pub usage_format: UsageFormat,
    /// Whether the call went through the batch API.
    pub batch: bool,
    /// The day of the call; `None` means the caller's "now".
    pub at: Option<Date>,
    /// Free-form labels (`phase`, `run`, `book`, ...), kept on the priced record.
    pub tags: BTreeMap<String, String>,
}

const FIELDS: &[&str] = &[
    "model",
    "usage",
    "usage_format",
    "response",
    "batch",
    "at",
    "tags",
];

impl Request {
    /// Decodes one request line.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] (or [`ErrorKind::InvalidUsage`]) naming the bad field.
    pub fn from_json(line: &str) -> Result<Request> {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("not valid JSON: {e}")))?;
        Request::from_value(&value)
    }

    /// Decodes one request from a JSON value.
    ///
    /// # Errors
    ///
    /// As [`Request::from_json`].
    pub fn from_value(value: &Value) -> Result<Request> {
        let invalid = |message: String| Error::new(ErrorKind::InvalidRequest, message);
        let object = value
            .as_object()
            .ok_or_else(|| invalid(format!("expected a JSON object, got {}", kind_of(value))))?;
        if let Some(unknown) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(invalid(format!(
                "unknown field `{unknown}` (expected {})",
                FIELDS.join(", ")
            ))
            .at(unknown.clone()));
        }
        let format = match object.get("usage_format") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(
                name.parse::<UsageFormat>()
                    .map_err(|e| invalid(e.to_string()).at("usage_format"))?,
            ),
            Some(other) => {
                return Err(
                    invalid(format!("expected a format name, got {}", kind_of(other)))
                        .at("usage_format"),
                )
            }
        };
        let model_field = match object.get("model") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) if !m.trim().is_empty() => Some(m.trim().to_string()),
            Some(other) => {
                return Err(
                    invalid(format!("expected a model name, got {}", kind_of(other))).at("model"),
                )
            }
        };
        let (model, usage, usage_format) = match (object.get("response"), object.get("usage")) {
            (Some(_), Some(_)) => {
                return Err(
                    invalid("give either `response` or `usage`, not both".to_string())
                        .at("response"),
                )
            }
            (Some(body), None) => {
                let parsed = parse_response(body, format).map_err(|e| prefixed(e, "response"))?;
                let model = model_field.or(parsed.model).ok_or_else(|| {
                    invalid("the response names no model; add a `model` field".to_string())
                        .at("model")
                })?;
                (model, parsed.usage, parsed.format)
            }
            (None, Some(usage)) => {
                let model = model_field
                    .ok_or_else(|| invalid("missing `model`".to_string()).at("model"))?;
                let (usage, format) =
                    parse_usage(usage, format).map_err(|e| prefixed(e, "usage"))?;
                (model, usage, format)
            }
            (None, None) => {
                return Err(invalid(
                    "missing `usage` (or `response` with a whole API response)".to_string(),
                ))
            }
        };
        let batch = match object.get("batch") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(
                    invalid(format!("expected true or false, got {}", kind_of(other))).at("batch"),
                )
            }
        };
        let at = match object.get("at") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => {
                Some(text.parse::<Date>().map_err(|e| invalid(e).at("at"))?)
            }
            Some(other) => {
                return Err(
                    invalid(format!("expected a date string, got {}", kind_of(other))).at("at"),
                )
            }
        };
        let mut tags = BTreeMap::new();
        match object.get("tags") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (key, value) in map {
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        Value::Bool(b) => b.to_string(),
                        other => {
                            return Err(invalid(format!(
                                "expected a text label, got {}",
                                kind_of(other)
                            ))
                            .at(format!("tags.{key}")))
                        }
                    };
                    tags.insert(key.clone(), text);
                }
            }
            Some(other) => {
                return Err(invalid(format!(
                    "expected an object of labels, got {}",
                    kind_of(other)
                ))
                .at("tags"))
            }
        }
        Ok(Request {
            model,
            usage,
            usage_format,
            batch,
            at,
            tags,
        })
    }
}

fn prefixed(error: Error, prefix: &str) -> Error {
    match error.path() {
        Some(path) if path.starts_with(prefix) => error,
        Some(path) => {
            let path = format!("{prefix}.{path}");
            error.at(path)
        }
        None => error.at(prefix),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A priced call: what `llmcost cost` prints per line and what usage logs store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedRecord {
    /// The model's canonical id.
    pub model: String,
    /// The provider's id.
    pub provider: String,
    /// The exact cost in USD.
    pub cost_usd: Usd,
    /// The breakdown by component.
    pub components: Components,
    /// The long-context tier applied, if any.
    pub tier: Option<AppliedTier>,
    /// Whether batch prices applied.
    pub batch: bool,
    /// The day used to pick prices.
    pub at: Date,
    /// The first day of the price set applied (`None`: the model's original prices).
    pub prices_from: Option<Date>,
    /// The normalized usage.
    pub usage: Usage,
    /// The request's labels.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Fallbacks, tiers and limits the user should know about.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

impl Catalog {
    /// Prices a decoded request; `today` is used when the request has no date.
    ///
    /// # Errors
    ///
    /// An unknown or ambiguous model, or a usage that cannot be priced.
    pub fn price_request(&self, request: &Request, today: Date) -> Result<PricedRecord> {
        let at = request.at.unwrap_or(today);
        let cost = self.price(
            &request.model,
            &request.usage,
            PriceOptions {
                at,
                batch: request.batch,
            },
        )?;
        Ok(PricedRecord {
            model: cost.model,
            provider: cost.provider,
            cost_usd: cost.total_usd,
            components: cost.components,
            tier: cost.tier,
            batch: cost.batch,
            at,
            prices_from: cost.prices_from,
            usage: request.usage,
            tags: request.tags.clone(),
            warnings: cost.warnings,
        })
    }
}
