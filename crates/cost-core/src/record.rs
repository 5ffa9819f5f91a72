//! One priced API call: the request-line format of `llmcost cost` (and of usage logs), and
//! the priced record it becomes.
//!
//! A request line is `{"model", "usage", "usage_format"?, "batch"?, "at"?, "tags"?}`, or
//! `{"response": <whole API response body>, ...}` instead of model and usage.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::{Catalog, Model};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::{Usd, UsdPerMtok};
use crate::price::{AppliedTier, Components, Plan, PriceOptions, PricedInto, Warning, WarningKind};
use crate::report::{quick_hash, FastMap};
use crate::request_line::{LineReader, RequestLine};
use crate::response::{parse_response, parse_usage, parse_usage_object, Key, UsageFormat};
use crate::tape::{digits, plain_u64, same_bytes, string_end, Doc, Json, Obj, Tape};
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
        let read = |request: RequestLine<'_, '_>| {
            Some(Request {
                model: request.model.to_owned(),
                usage: request.usage,
                usage_format: request.usage_format,
                batch: request.batch,
                at: Dates::default().read(request.at)?,
                tags: request
                    .labels
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_owned()))
                    .collect(),
            })
        };
        let fast = LineReader::default().read(line).and_then(read).or_else(|| {
            Tape::default()
                .parse(line)
                .and_then(RequestRef::decode)
                .and_then(|request| request.to_request(&mut Dates::default()))
        });
        match fast {
            Some(request) => Ok(request),
            None => Request::from_json_slowly(line),
        }
    }

    /// [`Request::from_json`] through a `serde_json::Value` tree: the reference the fast
    /// path ([`RequestRef::decode`]) must agree with, and what decides every error.
    fn from_json_slowly(line: &str) -> Result<Request> {
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

/// A request line as the fast path reads it, borrowing from the line.
struct RequestRef<'t, 'a> {
    model: &'a str,
    usage: Usage,
    usage_format: UsageFormat,
    batch: bool,
    /// The `at` text, not yet read (see [`Dates`]).
    at: Option<&'a str>,
    /// Checked: every value is a [`label`]. A repeated key keeps its last value, as in
    /// serde_json's map.
    tags: Option<Obj<'t, 'a>>,
}

impl<'t, 'a> RequestRef<'t, 'a> {
    /// Decodes a request line that [`Request::from_value`] accepts, into what it would
    /// give; `None` for any other line (an error, a whole `response`, a repeated key, an
    /// unusual value), which the serde_json path then reads. The usage is read by the same
    /// readers as [`parse_usage`].
    fn decode(doc: Doc<'t, 'a>) -> Option<RequestRef<'t, 'a>> {
        let Json::Object(object) = doc.root() else {
            return None;
        };
        let mut fields: [Option<usize>; 6] = [None; 6];
        for (key, at) in object.members() {
            let slot = match key? {
                Key::Model => 0,
                Key::Usage => 1,
                Key::Format => 2,
                Key::Batch => 3,
                Key::At => 4,
                Key::Tags => 5,
                _ => return None,
            };
            if fields[slot].replace(at).is_some() {
                return None;
            }
        }
        // `null` means absent, as in `from_value`.
        let field = |slot: usize| match fields[slot].map(|at| doc.get(at)) {
            Some(Json::Null) | None => None,
            value => value,
        };
        let format = match field(2) {
            None => None,
            Some(Json::Str(name)) => Some(name.parse::<UsageFormat>().ok()?),
            Some(_) => return None,
        };
        let model = match field(0) {
            Some(Json::Str(name)) => name.trim(),
            _ => return None,
        };
        if model.is_empty() {
            return None;
        }
        let Some(Json::Object(usage)) = field(1) else {
            return None;
        };
        // Repeated keys read as serde_json's map reads them: see `tape`.
        let (usage, usage_format) = parse_usage_object(usage, format).ok()?;
        let batch = match field(3) {
            None => false,
            Some(Json::True) => true,
            Some(Json::False) => false,
            Some(_) => return None,
        };
        let at = match field(4) {
            None => None,
            Some(Json::Str(text)) => Some(text),
            Some(_) => return None,
        };
        let tags = match field(5) {
            None => None,
            Some(Json::Object(tags))
                if tags.entries().all(|(_, at)| label(doc.get(at)).is_some()) =>
            {
                Some(tags)
            }
            Some(_) => return None,
        };
        Some(RequestRef {
            model,
            usage,
            usage_format,
            batch,
            at,
            tags,
        })
    }

    /// The request, or `None` if its `at` is not a date.
    fn to_request(&self, dates: &mut Dates) -> Option<Request> {
        Some(Request {
            model: self.model.to_owned(),
            usage: self.usage,
            usage_format: self.usage_format,
            batch: self.batch,
            at: dates.read(self.at)?,
            tags: labels(tag_entries(self.tags)),
        })
    }
}

/// Reads `at` texts, remembering the last: a log's lines are mostly of one day.
#[derive(Debug, Clone, Default)]
struct Dates {
    last: Option<(Box<str>, Date)>,
}

impl Dates {
    /// `Some(None)` without a date, `None` for text that is not one.
    fn read(&mut self, text: Option<&str>) -> Option<Option<Date>> {
        let Some(text) = text else {
            return Some(None);
        };
        if let Some((last, date)) = &self.last {
            if same_bytes(last.as_bytes(), text.as_bytes()) {
                return Some(Some(*date));
            }
        }
        let date = text.parse::<Date>().ok()?;
        self.last = Some((text.into(), date));
        Some(Some(date))
    }
}

/// A tag value as `from_value` writes it: a string, a bool, or a whole number (whose text
/// serde_json would print back unchanged). Other values are left to serde_json.
fn label<'a>(value: Json<'_, 'a>) -> Option<&'a str> {
    match value {
        Json::Str(text) => Some(text),
        Json::True => Some("true"),
        Json::False => Some("false"),
        Json::Number(text) if plain_u64(text).is_some() => Some(text),
        _ => None,
    }
}

/// The labels of a checked `tags` object, in document order.
fn tag_entries<'t, 'a>(
    tags: Option<Obj<'t, 'a>>,
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + use<'t, 'a> {
    tags.into_iter().flat_map(|tags| {
        tags.entries()
            .map(move |(key, at)| (key, label(tags.doc().get(at)).unwrap_or_default()))
    })
}

/// Labels in a map (a repeated key keeps its last value, as in serde_json's map).
fn labels<'a>(entries: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    entries
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// Writes `entries` into `spare` when they have exactly its keys, in its (sorted) order, as
/// a log written by a program usually has them, rewriting only the values that changed;
/// `false` otherwise, when `spare` may be left with some of the values and is to be
/// rebuilt. (Entries equal one by one to a map's keys are sorted and each once, as the
/// map's are.)
fn relabel<'a>(
    spare: &mut BTreeMap<String, String>,
    entries: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> bool {
    let len = match entries.size_hint() {
        (lower, Some(upper)) if lower == upper => lower,
        _ => entries.clone().count(),
    };
    if spare.len() != len {
        return false;
    }
    for ((key, value), (new_key, label)) in spare.iter_mut().zip(entries) {
        if !same_bytes(key.as_bytes(), new_key.as_bytes()) {
            return false;
        }
        if !same_bytes(value.as_bytes(), label.as_bytes()) {
            value.clear();
            value.push_str(label);
        }
    }
    true
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

/// A model name resolved once per run: what [`Catalog::price`] looks up for every call.
#[derive(Debug, Clone)]
struct Resolved<'c> {
    model: &'c Model,
    /// The snapshot suffix dropped from the name to find the model, when it is reported.
    dropped: Option<String>,
    /// The provider's long-context threshold rule.
    inclusive: bool,
}

/// At most this many distinct model names are remembered; a log naming more still prices,
/// looking the others up each time.
const MODEL_NAMES_REMEMBERED: usize = 4096;

/// Prices request lines one after another: `llmcost cost`, `log` and `report` on a usage log.
///
/// [`RequestPricer::price_line`] gives exactly what [`Request::from_json`] then
/// [`Catalog::price_request`] give, faster: a line is decoded without building a
/// `serde_json::Value` tree (an unusual line, and every line in error, still goes through
/// [`Request::from_json`]'s own path), each distinct model name is looked up in the
/// catalog once per pricer rather than once per line, and what its day and batch decide
/// (the price set and tables) is worked out once per change of them.
///
/// ```
/// use cost_core::{Catalog, Date, RequestPricer};
///
/// let catalog = Catalog::bundled();
/// let today: Date = "2026-11-23".parse().unwrap();
/// let mut pricer = RequestPricer::new(&catalog, today);
/// let line = r#"{"model": "claude-3-5-haiku", "usage": {"input_tokens": 550, "output_tokens": 100}}"#;
/// let record = pricer.price_line(line).unwrap();
/// assert_eq!(record.cost_usd.to_decimal_string(), "0.00084");
/// assert_eq!(record.at, today);
/// ```
#[derive(Debug, Clone)]
pub struct RequestPricer<'c> {
    pricing: Pricing<'c>,
    lines: LineReader,
    tape: Tape,
    /// The record of the last line priced, or one handed back with
    /// [`RequestPricer::recycle`]: the next line is priced into it, reusing its strings
    /// and labels.
    record: Option<PricedRecord>,
}

/// The pricer's state apart from its line buffers, so a line borrowed from a buffer can
/// be priced while the model cache is updated.
#[derive(Debug, Clone)]
struct Pricing<'c> {
    catalog: &'c Catalog,
    today: Date,
    default_tags: BTreeMap<String, String>,
    /// Each model name looked up (at most [`MODEL_NAMES_REMEMBERED`]): its index in
    /// `models`.
    names: FastMap<Box<str>, u32>,
    models: Vec<NamedModel<'c>>,
    /// By [`quick_hash`] of a name, the index in `models` (plus one) of the last name of that
    /// hash looked up: a log names a few models, found here by one comparison.
    recent: [u32; RECENT_NAMES],
    dates: Dates,
}

/// Slots in [`Pricing::recent`], a power of two.
const RECENT_NAMES: usize = 64;

/// A model name as a pricer found it, with the plan of its last call.
#[derive(Debug, Clone)]
struct NamedModel<'c> {
    name: Box<str>,
    found: Result<Resolved<'c>>,
    /// The plan for the day and batch of the last call priced on it.
    plan: Option<(Date, bool, Plan<'c>)>,
}

impl<'c> RequestPricer<'c> {
    /// A pricer over `catalog`; `today` is the day of requests without `at`.
    pub fn new(catalog: &'c Catalog, today: Date) -> RequestPricer<'c> {
        RequestPricer {
            pricing: Pricing {
                catalog,
                today,
                default_tags: BTreeMap::new(),
                names: FastMap::default(),
                models: Vec::new(),
                recent: [0; RECENT_NAMES],
                dates: Dates::default(),
            },
            lines: LineReader::default(),
            tape: Tape::default(),
            record: None,
        }
    }

    /// The same pricer, adding these labels to every request that lacks them.
    pub fn with_default_tags(mut self, tags: BTreeMap<String, String>) -> RequestPricer<'c> {
        self.pricing.default_tags = tags;
        self
    }

    /// Decodes and prices one request line.
    ///
    /// # Errors
    ///
    /// Exactly those of [`Request::from_json`], then of [`Catalog::price_request`].
    pub fn price_line(&mut self, line: &str) -> Result<PricedRecord> {
        let mut record = self.record.take().unwrap_or_else(PricedRecord::blank);
        let priced = Self::price_into(
            &mut self.pricing,
            &mut self.lines,
            &mut self.tape,
            line,
            &mut record,
        );
        match priced {
            Ok(()) => Ok(record),
            Err(error) => {
                self.record = Some(record);
                Err(error)
            }
        }
    }

    /// [`RequestPricer::price_line`], lending the record instead of giving it: it is the
    /// pricer's own, priced in place and reused by the next line, so a log is priced
    /// without moving or allocating a record per line.
    ///
    /// # Errors
    ///
    /// As [`RequestPricer::price_line`].
    pub fn price_line_ref(&mut self, line: &str) -> Result<&PricedRecord> {
        // In place: a record is a few hundred bytes, and moving it costs a `memcpy`.
        let record = self.record.get_or_insert_with(PricedRecord::blank);
        Self::price_into(
            &mut self.pricing,
            &mut self.lines,
            &mut self.tape,
            line,
            record,
        )?;
        Ok(record)
    }

    /// Prices `line` into `record`, through the first of the three decoders that takes it.
    fn price_into(
        pricing: &mut Pricing<'c>,
        lines: &mut LineReader,
        tape: &mut Tape,
        line: &str,
        record: &mut PricedRecord,
    ) -> Result<()> {
        if let Some(priced) = pricing.price_read(lines, line, record) {
            return priced;
        }
        let doc = tape.parse(line);
        pricing.price_doc(doc, line, record)
    }

    /// Prices `line` into `record` if the one-pass reader (`request_line.rs`) takes it and
    /// its `at` is a date; `None` otherwise.
    pub(crate) fn price_read(
        &mut self,
        line: &str,
        record: &mut PricedRecord,
    ) -> Option<Result<()>> {
        self.pricing.price_read(&mut self.lines, line, record)
    }

    /// Takes back a record this pricer made, once its caller is done with it, so that the
    /// next line reuses its allocations (the names, and the labels when the next line has
    /// the same keys). Optional: it only saves time.
    pub fn recycle(&mut self, record: PricedRecord) {
        self.record = Some(record);
    }

    /// Prices a decoded request (with the default labels it lacks).
    ///
    /// # Errors
    ///
    /// As [`Catalog::price_request`].
    pub fn price_request(&mut self, request: &Request) -> Result<PricedRecord> {
        let mut record = PricedRecord::blank();
        self.pricing.price_request(request, &mut record)?;
        Ok(record)
    }

    /// Prices `line`, already parsed into `doc` (`None`: the tape declined it), into
    /// `record`.
    pub(crate) fn price_parsed(
        &mut self,
        doc: Option<Doc<'_, '_>>,
        line: &str,
        record: &mut PricedRecord,
    ) -> Result<()> {
        self.pricing.price_doc(doc, line, record)
    }
}

impl<'c> Pricing<'c> {
    /// See [`RequestPricer::price_read`].
    fn price_read(
        &mut self,
        lines: &mut LineReader,
        line: &str,
        record: &mut PricedRecord,
    ) -> Option<Result<()>> {
        let request = lines.read(line)?;
        let at = self.dates.read(request.at)?;
        self.set_labels(&mut record.tags, request.labels.iter());
        Some(self.price(
            request.model,
            CallUsage::Read(request.usage),
            request.batch,
            at,
            record,
        ))
    }

    fn price_doc(
        &mut self,
        doc: Option<Doc<'_, '_>>,
        line: &str,
        record: &mut PricedRecord,
    ) -> Result<()> {
        let fast = doc.and_then(RequestRef::decode).and_then(|request| {
            let at = self.dates.read(request.at)?;
            Some((request, at))
        });
        match fast {
            Some((request, at)) => {
                self.set_labels(&mut record.tags, tag_entries(request.tags));
                self.price(
                    request.model,
                    CallUsage::Read(request.usage),
                    request.batch,
                    at,
                    record,
                )
            }
            None => self.price_request(&Request::from_json_slowly(line)?, record),
        }
    }

    /// Sets `tags` to the labels and the default labels they lack, in place when they have
    /// its keys.
    fn set_labels<'a>(
        &self,
        tags: &mut BTreeMap<String, String>,
        entries: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) {
        if self.default_tags.is_empty() && relabel(tags, entries.clone()) {
            return;
        }
        *tags = labels(entries);
        self.add_default_tags(tags);
    }

    fn price_request(&mut self, request: &Request, record: &mut PricedRecord) -> Result<()> {
        record.tags.clone_from(&request.tags);
        self.add_default_tags(&mut record.tags);
        self.price(
            &request.model,
            CallUsage::Given(request.usage),
            request.batch,
            request.at,
            record,
        )
    }

    fn add_default_tags(&self, tags: &mut BTreeMap<String, String>) {
        for (key, value) in &self.default_tags {
            if !tags.contains_key(key) {
                tags.insert(key.clone(), value.clone());
            }
        }
    }

    /// [`Catalog::price_request`] into `record`, whose labels are already set, with the
    /// model looked up once per name (and its plan made once per day and batch). On an
    /// error, `record` is left as it was but for its labels.
    fn price(
        &mut self,
        model: &str,
        usage: CallUsage,
        batch: bool,
        at: Option<Date>,
        record: &mut PricedRecord,
    ) -> Result<()> {
        let at = at.unwrap_or(self.today);
        // Errors in `Catalog::price`'s order: the model, then the usage.
        let check = |usage: CallUsage| match usage {
            CallUsage::Read(usage) => Ok(usage),
            CallUsage::Given(usage) => usage.validate().map(|()| usage),
        };
        let Some(index) = self.look_up(model) else {
            // More names than are remembered: as `Catalog::price` does it.
            let found = self.resolve(model)?;
            let usage = check(usage)?;
            let plan = Plan::new(found.model, found.inclusive, PriceOptions { at, batch });
            plan.price_into(&usage, priced_into(record))?;
            fill(record, model, &found, usage, at);
            return Ok(());
        };
        let entry = &mut self.models[index];
        let found = entry.found.as_ref().map_err(Error::clone)?;
        let usage = check(usage)?;
        let plan = match &mut entry.plan {
            Some((day, at_batch, plan)) if *day == at && *at_batch == batch => plan,
            plan => {
                let options = PriceOptions { at, batch };
                &mut plan
                    .insert((at, batch, Plan::new(found.model, found.inclusive, options)))
                    .2
            }
        };
        plan.price_into(&usage, priced_into(record))?;
        fill(record, model, found, usage, at);
        Ok(())
    }

    /// The index in `models` of `name`, looked up and remembered if it is new; `None` past
    /// [`MODEL_NAMES_REMEMBERED`] names.
    fn look_up(&mut self, name: &str) -> Option<usize> {
        let slot = (quick_hash(name.as_bytes()) >> (64 - RECENT_NAMES.trailing_zeros())) as usize;
        let recent = self.recent[slot] as usize;
        if let Some(model) = recent.checked_sub(1).and_then(|at| self.models.get(at)) {
            if same_bytes(model.name.as_bytes(), name.as_bytes()) {
                return Some(recent - 1);
            }
        }
        let index = match self.names.get(name) {
            Some(&index) => index as usize,
            None if self.models.len() < MODEL_NAMES_REMEMBERED => {
                let index = self.models.len();
                self.models.push(NamedModel {
                    name: name.into(),
                    found: self.resolve(name),
                    plan: None,
                });
                self.names.insert(name.into(), index as u32);
                index
            }
            None => return None,
        };
        self.recent[slot] = index as u32 + 1;
        Some(index)
    }

    /// The model `name` finds, as [`Catalog::price`] finds it (errors included).
    fn resolve(&self, name: &str) -> Result<Resolved<'c>> {
        let catalog = self.catalog;
        catalog
            .find_with_dropped_suffix(name)
            .map(|(model, dropped)| Resolved {
                model,
                dropped,
                inclusive: catalog
                    .provider(&model.provider)
                    .is_some_and(|p| p.tier_threshold_inclusive),
            })
    }
}

/// A call's usage, and whether it is known to keep [`Usage`]'s invariants.
#[derive(Debug, Clone, Copy)]
enum CallUsage {
    /// Given by a shape reader, which checks them.
    Read(Usage),
    /// From a [`Request`] made by hand, checked when it is priced.
    Given(Usage),
}

/// Where a plan prices a call into `record`.
fn priced_into(record: &mut PricedRecord) -> PricedInto<'_> {
    PricedInto {
        total_usd: &mut record.cost_usd,
        components: &mut record.components,
        tier: &mut record.tier,
        batch: &mut record.batch,
        prices_from: &mut record.prices_from,
        warnings: &mut record.warnings,
    }
}

/// The rest of what `Catalog::price` gives once it has found the model, written into
/// `record`, which a plan priced: the call to `model` (as named) found as `found`.
#[inline(always)]
fn fill(record: &mut PricedRecord, model: &str, found: &Resolved<'_>, usage: Usage, at: Date) {
    if let Some(suffix) = &found.dropped {
        record.warnings.push(Warning {
            kind: WarningKind::SnapshotNotListed,
            message: format!(
                "the catalog does not list the snapshot `{model}`; priced as {} (without `{suffix}`), which a dated snapshot may not cost",
                found.model.id
            ),
        });
    }
    // The names are rewritten in place (no allocation), and only when they change.
    for (name, value) in [
        (&mut record.model, &found.model.id),
        (&mut record.provider, &found.model.provider),
    ] {
        if !same_bytes(name.as_bytes(), value.as_bytes()) {
            name.clear();
            name.push_str(value);
        }
    }
    record.at = at;
    record.usage = usage;
}

// ---------------------------------------------------------------------------------------
// Priced records, fast

impl PricedRecord {
    /// Decodes a priced record written the way `llmcost cost` (and serde) write them: see
    /// [`CanonicalReader::read_into`]. `None` for any other line, which serde then reads.
    #[cfg(test)]
    pub(crate) fn decode_canonical(text: &str) -> Option<PricedRecord> {
        let mut record = PricedRecord::blank();
        CanonicalReader::default().read_into(text, &mut record)?;
        Some(record)
    }

    /// A record to decode into.
    pub(crate) fn blank() -> PricedRecord {
        PricedRecord {
            model: String::new(),
            provider: String::new(),
            cost_usd: Usd::ZERO,
            components: Components::FREE,
            tier: None,
            batch: false,
            at: Date::from_unix_seconds(0),
            prices_from: None,
            usage: Usage::default(),
            tags: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }
}

/// Reads priced records in the canonical form into a record whose strings, labels and
/// warnings it reuses (see [`CanonicalReader::read_into`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct CanonicalReader {
    dates: Dates,
    /// This line's labels, as ranges of it (`key, key end, value, value end`).
    labels: Vec<[u32; 4]>,
}

impl CanonicalReader {
    /// Whether `text` may be a record in the canonical form: it starts as one does. A
    /// cheap test, so that other lines leave the record to be read into alone.
    pub(crate) fn looks_canonical(text: &str) -> bool {
        text.starts_with("{\"line\":") || text.starts_with("{\"model\":\"")
    }

    /// Decodes a priced record written the way `llmcost cost` (and serde) write them: these
    /// keys in this order, compact, strings without escapes, optionally after `llmcost
    /// cost`'s `"line": N`. Such a line is read field by field, with no JSON tree, into
    /// `record`; it gives what `Deserialize` gives. `None` for any other line, which serde
    /// then reads, and `record` is left holding parts of this line and of what it held.
    pub(crate) fn read_into(&mut self, text: &str, record: &mut PricedRecord) -> Option<()> {
        if u32::try_from(text.len()).is_err() {
            return None;
        }
        let mut c = Cursor { text, at: 0 };
        c.expect("{")?;
        if c.take("\"line\":") {
            c.whole()?;
            c.expect(",")?;
        }
        c.expect("\"model\":\"")?;
        let model = c.string()?;
        c.expect(",\"provider\":\"")?;
        let provider = c.string()?;
        c.expect(",\"cost_usd\":\"")?;
        record.cost_usd = c.amount()?;
        let c_ = &mut c;
        let components = &mut record.components;
        for (part, opening) in [
            (
                &mut components.input,
                ",\"components\":{\"input\":{\"tokens\":",
            ),
            (
                &mut components.cache_write_5m,
                "},\"cache_write_5m\":{\"tokens\":",
            ),
            (
                &mut components.cache_write_1h,
                "},\"cache_write_1h\":{\"tokens\":",
            ),
            (&mut components.cache_read, "},\"cache_read\":{\"tokens\":"),
            (&mut components.output, "},\"output\":{\"tokens\":"),
            (
                &mut components.cache_storage,
                "},\"cache_storage\":{\"tokens\":",
            ),
        ] {
            c_.expect(opening)?;
            part.tokens = c_.whole()?;
            c_.expect(",\"usd_per_mtok\":\"")?;
            part.usd_per_mtok = c_.price()?;
            c_.expect(",\"usd\":\"")?;
            part.usd = c_.amount()?;
        }
        c.expect("}},\"tier\":")?;
        record.tier = if c.take("null") {
            None
        } else {
            c.expect("{\"above_tokens\":")?;
            let above_tokens = c.whole()?;
            c.expect(",\"inclusive\":")?;
            let inclusive = c.boolean()?;
            c.expect(",\"prompt_tokens\":")?;
            let prompt_tokens = c.whole()?;
            c.expect("}")?;
            Some(AppliedTier {
                above_tokens,
                inclusive,
                prompt_tokens,
            })
        };
        c.expect(",\"batch\":")?;
        record.batch = c.boolean()?;
        c.expect(",\"at\":\"")?;
        record.at = self.dates.read(Some(c.string()?))??;
        c.expect(",\"prices_from\":")?;
        record.prices_from = if c.take("null") {
            None
        } else {
            c.expect("\"")?;
            Some(c.string()?.parse().ok()?)
        };
        let usage = &mut record.usage;
        c.expect(",\"usage\":{\"input_tokens\":")?;
        usage.input_tokens = c.whole()?;
        c.expect(",\"cache_read_tokens\":")?;
        usage.cache_read_tokens = c.whole()?;
        c.expect(",\"cache_write_5m_tokens\":")?;
        usage.cache_write_5m_tokens = c.whole()?;
        c.expect(",\"cache_write_1h_tokens\":")?;
        usage.cache_write_1h_tokens = c.whole()?;
        c.expect(",\"output_tokens\":")?;
        usage.output_tokens = c.whole()?;
        c.expect(",\"reasoning_tokens\":")?;
        usage.reasoning_tokens = c.whole()?;
        usage.cache_storage_token_hours = if c.take(",\"cache_storage_token_hours\":") {
            c.whole()?
        } else {
            0
        };
        c.expect("},\"tags\":{")?;
        self.labels.clear();
        if !c.take("}") {
            loop {
                c.expect("\"")?;
                let key = c.at;
                let key_end = key + c.string()?.len();
                c.expect(":\"")?;
                let value = c.at;
                let value_end = value + c.string()?.len();
                // The line's length fits u32.
                self.labels
                    .push([key, key_end, value, value_end].map(|at| at as u32));
                if !c.take(",") {
                    c.expect("}")?;
                    break;
                }
            }
        }
        c.expect(",\"warnings\":[")?;
        record.warnings.clear();
        if !c.take("]") {
            loop {
                use serde::de::value::{Error as PlainError, StrDeserializer};
                c.expect("{\"kind\":\"")?;
                let kind = StrDeserializer::<PlainError>::new(c.string()?);
                let kind = WarningKind::deserialize(kind).ok()?;
                c.expect(",\"message\":\"")?;
                let message = c.string()?.to_owned();
                c.expect("}")?;
                record.warnings.push(Warning { kind, message });
                if !c.take(",") {
                    c.expect("]")?;
                    break;
                }
            }
        }
        c.expect("}")?;
        if c.at != text.len() {
            return None;
        }
        record.model.clear();
        record.model.push_str(model);
        record.provider.clear();
        record.provider.push_str(provider);
        // A repeated key keeps its last value, as serde's map does.
        let labels = self.labels.iter().map(|&[key, key_end, value, value_end]| {
            (
                &text[key as usize..key_end as usize],
                &text[value as usize..value_end as usize],
            )
        });
        if !relabel(&mut record.tags, labels.clone()) {
            record.tags = self::labels(labels);
        }
        Some(())
    }
}

/// A position in a line being matched against the canonical record.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Steps over `literal` if the text continues with it. Inlined, so that each literal's
    /// length is a constant and the comparison a few word loads rather than a `memcmp`
    /// call.
    #[inline(always)]
    fn take(&mut self, literal: &str) -> bool {
        let bytes = self.text.as_bytes();
        let end = self.at + literal.len();
        let found = end <= bytes.len() && same_bytes(&bytes[self.at..end], literal.as_bytes());
        if found {
            self.at = end;
        }
        found
    }

    #[inline(always)]
    fn expect(&mut self, literal: &str) -> Option<()> {
        self.take(literal).then_some(())
    }

    /// A string's text after its opening quote, up to and past its closing quote; `None`
    /// if it has an escape or a control character.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        let end = string_end(self.text.as_bytes(), self.at)?;
        let text = self.text.get(self.at..end)?;
        self.at = end + 1;
        Some(text)
    }

    /// A JSON integer (`0`, or digits without a leading zero) that fits `u64`.
    #[inline]
    fn whole(&mut self) -> Option<u64> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let (end, value) = digits(bytes, start);
        let value = match end - start {
            0 => return None,
            len if len > 1 && bytes[start] == b'0' => return None,
            // Nineteen digits cannot overflow.
            len if len <= 19 => value,
            _ => plain_u64(self.text.get(start..end)?)?,
        };
        self.at = end;
        Some(value)
    }

    fn boolean(&mut self) -> Option<bool> {
        if self.take("true") {
            Some(true)
        } else {
            self.take("false").then_some(false)
        }
    }

    /// An amount's text and its closing quote, as `Usd`'s `Deserialize` reads it.
    #[inline]
    fn amount(&mut self) -> Option<Usd> {
        match self.decimal::<15>() {
            Some(femto) => Some(Usd::from_femto(femto)),
            None => self.string()?.parse().ok(),
        }
    }

    /// A price's text and its closing quote, as `UsdPerMtok`'s `Deserialize` reads it.
    #[inline]
    fn price(&mut self) -> Option<UsdPerMtok> {
        match self.decimal::<9>().map(i64::try_from) {
            Some(Ok(nano)) => Some(UsdPerMtok::from_nano(nano)),
            _ => self.string()?.parse().ok(),
        }
    }

    /// `digits[.digits]` and the closing quote, with at most 19 whole digits and `SCALE`
    /// (up to 19) decimals, as an integer of 10^-`SCALE` units: what the money parser gives
    /// such text, without its generality. `None`, without moving, for anything else.
    #[inline]
    fn decimal<const SCALE: usize>(&mut self) -> Option<i128> {
        let bytes = self.text.as_bytes();
        let (whole_end, whole) = digits(bytes, self.at);
        let whole_len = whole_end - self.at;
        if whole_len == 0 || whole_len > 19 {
            return None;
        }
        let whole = i128::from(whole) * i128::from(POWERS_OF_TEN[SCALE]);
        let (end, value) = if bytes.get(whole_end) == Some(&b'.') {
            let (end, fraction) = digits(bytes, whole_end + 1);
            let places = end - whole_end - 1;
            if places == 0 || places > SCALE {
                return None;
            }
            // Below 10^SCALE: fits u64.
            (
                end,
                whole + i128::from(fraction * POWERS_OF_TEN[SCALE - places]),
            )
        } else {
            (whole_end, whole)
        };
        if bytes.get(end) != Some(&b'"') {
            return None;
        }
        self.at = end + 1;
        Some(value)
    }
}

/// Powers of ten that fit `u64`.
const POWERS_OF_TEN: [u64; 20] = {
    let mut powers = [1u64; 20];
    let mut n = 1;
    while n < 20 {
        powers[n] = powers[n - 1] * 10;
        n += 1;
    }
    powers
};

#[cfg(test)]
mod tests {
    //! The fast paths against the serde_json paths they shortcut: every request line and
    //! priced record in the fixtures, variants of them built to hit each reason to decline,
    //! and random usage objects. Whatever the fast path takes, it must read exactly as the
    //! slow path does; whatever it declines, the slow path decides.

    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::*;
    use crate::report::{read_line_slowly, LogReader};

    const USAGE_CASES: &str = include_str!("../../../tests/fixtures/usage.json");
    const SAMPLE_REQUESTS: &str = include_str!("../../../tests/fixtures/sample-requests.jsonl");
    const USAGE_LOG: &str = include_str!("../../../tests/fixtures/usage-log.jsonl");
    const REPORTS: &str = include_str!("../../../tests/fixtures/reports.json");
    const BUDGETS: &str = include_str!("../../../tests/fixtures/budgets.json");

    fn today() -> Date {
        "2026-11-23".parse().unwrap()
    }

    /// The request the tape path decodes from `line`, if it takes it.
    fn fast_request(line: &str) -> Option<Request> {
        Tape::default()
            .parse(line)
            .and_then(RequestRef::decode)
            .and_then(|request| request.to_request(&mut Dates::default()))
    }

    /// The request the one-pass reader decodes from `line`, if it takes it.
    fn read_request(line: &str) -> Option<Request> {
        let mut reader = LineReader::default();
        let request = reader.read(line)?;
        Some(Request {
            model: request.model.to_owned(),
            usage: request.usage,
            usage_format: request.usage_format,
            batch: request.batch,
            at: Dates::default().read(request.at)?,
            tags: labels(request.labels.iter()),
        })
    }

    /// Checks one request line through the three paths; returns whether each fast path (the
    /// tape, the one-pass reader) took it.
    fn check_request_line(
        line: &str,
        catalog: &Catalog,
        pricer: &mut RequestPricer<'_>,
    ) -> (bool, bool) {
        let slow = Request::from_json_slowly(line);
        let fast = fast_request(line);
        if let Some(fast) = &fast {
            assert_eq!(Ok(fast), slow.as_ref(), "the fast path misread {line}");
        }
        let read = read_request(line);
        if let Some(read) = &read {
            assert_eq!(
                Ok(read),
                slow.as_ref(),
                "the one-pass reader misread {line}"
            );
        }
        assert_eq!(Request::from_json(line), slow, "{line}");
        let priced = slow.and_then(|request| catalog.price_request(&request, today()));
        // Priced in place into the last record, then as a record of its own.
        assert_eq!(pricer.price_line_ref(line).cloned(), priced, "{line}");
        assert_eq!(pricer.price_line(line), priced, "{line}");
        if let Ok(record) = priced {
            pricer.recycle(record);
        }
        (fast.is_some(), read.is_some())
    }

    /// A JSON object written with its keys in this order (serde_json's map sorts them).
    fn object(members: &[(&str, String)]) -> String {
        let members: Vec<String> = members
            .iter()
            .map(|(key, value)| format!("{}:{value}", Value::from(*key)))
            .collect();
        format!("{{{}}}", members.join(","))
    }

    /// Request lines for every usage fixture (bodies and bare usage objects) and every sample
    /// request, each with variants.
    fn request_lines() -> Vec<String> {
        let cases: Vec<Value> = serde_json::from_str(USAGE_CASES).unwrap();
        let mut bases: Vec<Value> = Vec::new();
        for case in &cases {
            let input = &case["input"];
            let format = input.get("format").cloned();
            let mut push = |usage: &Value| {
                let mut line = json!({"model": "gpt-4o", "usage": usage});
                if let Some(format) = &format {
                    line["usage_format"] = format.clone();
                }
                bases.push(line);
            };
            if let Some(usage) = input.get("usage") {
                push(usage);
            }
            if let Some(body) = input.get("body") {
                for key in ["usage", "usageMetadata"] {
                    if let Some(usage) = body.get(key) {
                        push(usage);
                    }
                }
                bases.push(json!({"response": body, "model": "gpt-4o"}));
            }
        }
        for line in SAMPLE_REQUESTS.lines().filter(|l| !l.trim().is_empty()) {
            bases.push(serde_json::from_str(line).unwrap());
        }
        let mut lines = Vec::new();
        for base in &bases {
            lines.extend(variants(base));
        }
        lines
    }

    /// `base` as it is, laid out differently, and changed in the ways the fast path must
    /// either read as serde_json does or decline.
    fn variants(base: &Value) -> Vec<String> {
        let compact = base.to_string();
        let members: Vec<(&str, String)> = base
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_string()))
            .collect();
        let mut reversed = members.clone();
        reversed.reverse();
        let mut out = vec![
            compact.clone(),
            serde_json::to_string_pretty(base).unwrap(),
            object(&reversed),
            format!(" \t{compact}\r\n"),
            format!("{compact} x"),
            format!("\u{feff}{compact}"),
            compact.replacen('{', "{\"model\":\"claude-haiku-4-5\",", 1),
            compact.replacen('{', "{\"note\":1,", 1),
            compact.replacen('{', "{\"at\":null,\"batch\":null,\"tags\":null,", 1),
            compact.replace("gpt-4o", "gpt\\u002d4o"),
            compact.replace("gpt-4o", "gpt-4o-2099-01-01"),
            compact.replace("gpt-4o", "openai/gpt-4o"),
            compact.replace("gpt-4o", "gpt-4o-latest"),
            compact.replace("gpt-4o", "gpt-4p"),
            compact.replace("gpt-4o", "  gpt-4o  "),
            compact.replace("gpt-4o", ""),
        ];
        let with = |key: &str, value: Value| {
            let mut line = base.clone();
            line[key] = value;
            line.to_string()
        };
        for (key, value) in [
            ("batch", json!(true)),
            ("batch", json!("yes")),
            ("at", json!("2026-01-15")),
            ("at", json!("2026-11-23T23:30:00-02:00")),
            ("at", json!("2026-02-30")),
            ("at", json!(20260115)),
            ("usage_format", json!("OpenAI")),
            ("usage_format", json!("anthropic")),
            ("usage_format", json!("gemini")),
            ("usage_format", json!("normalized")),
            ("usage_format", json!("nope")),
            ("usage_format", json!(3)),
            ("model", json!(4)),
            ("model", json!(null)),
            ("usage", json!(null)),
            ("usage", json!([1])),
            (
                "tags",
                json!({"phase": "edit", "n": 3, "ok": true, "book": "Les Misérables"}),
            ),
            ("tags", json!({"n": -3})),
            ("tags", json!({"n": 1.5})),
            ("tags", json!({"n": null})),
            ("tags", json!({"n": {"m": 1}})),
            ("tags", json!(["phase"])),
        ] {
            out.push(with(key, value));
        }
        out.push(compact.replacen(
            "\"tags\":{",
            "\"tags\":{\"phase\":\"x\",\"phase\":\"y\",",
            1,
        ));
        out.push(compact.replacen("\"tags\":{", "\"tags\":{\"phase\":[1],\"phase\":\"y\",", 1));
        if let Some(usage) = base.get("usage").and_then(Value::as_object) {
            for (key, value) in usage {
                let mut changed = |value: Value| {
                    let mut line = base.clone();
                    line["usage"][key] = value;
                    out.push(line.to_string());
                };
                if let Some(n) = value.as_u64() {
                    changed(json!(n as f64));
                    changed(json!(-(n as i64) - 1));
                    changed(json!(n.to_string()));
                    changed(json!(n + 1_000_000_000_000_000));
                    changed(json!(u64::MAX));
                    changed(json!(0.5));
                }
                changed(json!(null));
                changed(json!({"cached_tokens": 1, "reasoning_tokens": 1}));
                let mut line = base.clone();
                line["usage"].as_object_mut().unwrap().remove(key.as_str());
                out.push(line.to_string());
                // A key given twice: serde_json's map keeps the last.
                let text = format!("{}", base["usage"]);
                let twice = text.replacen(
                    '{',
                    &format!("{{{}:{},", Value::from(key.as_str()), json!(7)),
                    1,
                );
                out.push(compact.replacen(&text, &twice, 1));
            }
            for (key, value) in [
                ("total_tokens", json!(10)),
                ("audio_tokens", json!([1, {"a": null}])),
                ("reasoning_tokens", json!(1)),
                ("cache_read_tokens", json!(1)),
                ("prompt_tokens", json!(5)),
                ("cost", json!(0.0012)),
                ("cost", json!(-0.5)),
                ("cost", json!(3)),
                ("is_byok", json!(false)),
                ("promptTokenCount", json!(5)),
                ("unknown", json!("x")),
            ] {
                let mut line = base.clone();
                line["usage"][key] = value;
                out.push(line.to_string());
            }
            let text = base["usage"].to_string();
            for (from, to) in [(":1", ":1e0"), (":1", ":01"), (":1", ":1.00"), (":", ": ")] {
                out.push(compact.replacen(&text, &text.replacen(from, to, 1), 1));
            }
        }
        out
    }

    #[test]
    fn every_request_fixture_reads_the_same_through_both_paths() {
        let catalog = Catalog::bundled();
        let mut pricer = RequestPricer::new(&catalog, today());
        let lines = request_lines();
        let (mut fast, mut read) = (0, 0);
        for line in &lines {
            let (tape, one_pass) = check_request_line(line, &catalog, &mut pricer);
            fast += usize::from(tape);
            read += usize::from(one_pass);
        }
        let decoded = lines
            .iter()
            .filter(|line| Request::from_json_slowly(line).is_ok())
            .count();
        assert!(lines.len() > 2_000, "{} lines", lines.len());
        // Most lines that decode at all take the fast path (the rest have a whole
        // `response`, floats, escapes, repeated keys: the variants look for those).
        assert!(
            fast * 5 > decoded * 3,
            "the fast path took {fast} of {decoded} good lines"
        );
        // The one-pass reader leaves repeated keys to the tape as well.
        assert!(
            read * 2 > decoded,
            "the one-pass reader took {read} of {decoded} good lines"
        );
    }

    #[test]
    fn default_labels_and_recycled_records_change_nothing() {
        let catalog = Catalog::bundled();
        let defaults: BTreeMap<String, String> = [("phase", "flag"), ("run", "r1")]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let mut pricer = RequestPricer::new(&catalog, today()).with_default_tags(defaults.clone());
        let mut plain = RequestPricer::new(&catalog, today());
        for line in SAMPLE_REQUESTS.lines().chain([
            r#"{"model":"gpt-4o","usage":{"input_tokens":5},"tags":{"phase":"a","run":"b"}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":5},"tags":{"phase":"c","run":"d"}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":5},"tags":{"phase":"c","other":"d"}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":5},"tags":{"phase":"e"}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":5}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":5},"tags":{"phase":"f","phase":"g"}}"#,
        ]) {
            let want = Request::from_json_slowly(line).and_then(|mut request| {
                for (key, value) in &defaults {
                    request
                        .tags
                        .entry(key.clone())
                        .or_insert_with(|| value.clone());
                }
                catalog.price_request(&request, today())
            });
            let got = pricer.price_line(line);
            assert_eq!(got, want, "{line}");
            let want = Request::from_json_slowly(line)
                .and_then(|request| catalog.price_request(&request, today()));
            let got = plain.price_line(line);
            assert_eq!(got, want, "{line}");
            if let Ok(record) = got {
                plain.recycle(record);
            }
        }
    }

    /// Priced records: the fixtures' logs, what the sample requests price to, and each of
    /// them changed.
    fn priced_lines() -> Vec<String> {
        let mut lines: Vec<String> = USAGE_LOG.lines().map(str::to_owned).collect();
        for fixtures in [REPORTS, BUDGETS] {
            let cases: Vec<Value> = serde_json::from_str(fixtures).unwrap();
            for case in cases {
                if let Some(Value::Array(log)) = case["input"].get("lines") {
                    lines.extend(log.iter().map(|l| l.as_str().unwrap().to_owned()));
                }
            }
        }
        let catalog = Catalog::bundled();
        for line in request_lines().iter().step_by(7) {
            if let Ok(record) =
                Request::from_json_slowly(line).and_then(|r| catalog.price_request(&r, today()))
            {
                lines.push(serde_json::to_string(&record).unwrap());
            }
        }
        let mut out = Vec::new();
        for line in lines {
            out.push(line.clone());
            let Ok(Value::Object(record)) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let value = Value::Object(record.clone());
            out.push(serde_json::to_string_pretty(&value).unwrap());
            out.push(line.replacen('{', "{\"line\":12,", 1));
            out.push(line.replacen('{', "{\"line\":012,", 1));
            out.push(line.replacen('{', "{\"id\":3,", 1));
            out.push(line.replacen('{', "{\"model\":\"gpt-4o\",", 1));
            out.push(format!("{line}\n"));
            out.push(format!("{line}}}"));
            let members: Vec<(&str, String)> = record
                .iter()
                .map(|(k, v)| (k.as_str(), v.to_string()))
                .collect();
            out.push(object(&members));
            for (from, to) in [
                ("\"tokens\":", "\"tokens\":0"),
                ("\"tokens\":", "\"tokens\":-"),
                ("\"input_tokens\":", "\"input_tokens\":1.0"),
                ("\"usd\":\"", "\"usd\":\"0"),
                ("\"usd\":\"", "\"usd\":\"-"),
                ("\"usd\":\"0\"", "\"usd\":0"),
                ("\"usd\":\"0\"", "\"usd\":\"0.0000000000000000\""),
                ("\"usd_per_mtok\":\"", "\"usd_per_mtok\":\"1e"),
                ("\"cost_usd\":\"", "\"cost_usd\":\"00"),
                ("\"at\":\"", "\"at\":\"x"),
                ("\"prices_from\":null", "\"prices_from\":\"2025-01-01\""),
                (
                    "\"tier\":null",
                    "\"tier\":{\"above_tokens\":5,\"inclusive\":false,\"prompt_tokens\":9}",
                ),
                (
                    "\"tier\":null",
                    "\"tier\":{\"above_tokens\":5,\"prompt_tokens\":9}",
                ),
                ("\"tags\":{", "\"tags\":{\"a\":\"b\",\"a\":\"c\","),
                ("\"tags\":{", "\"tags\":{\"a\":1,"),
                ("\"tags\":{}", "\"tags\":{\"say\":\"\\\"hi\\\"\"}"),
                (
                    "\"warnings\":[]",
                    "\"warnings\":[{\"kind\":\"price_fallback\",\"message\":\"m\"}]",
                ),
                (
                    "\"warnings\":[]",
                    "\"warnings\":[{\"kind\":\"nope\",\"message\":\"m\"}]",
                ),
                (
                    "\"reasoning_tokens\":",
                    "\"cache_storage_token_hours\":0,\"reasoning_tokens\":",
                ),
                (
                    "\"reasoning_tokens\":0",
                    "\"reasoning_tokens\":0,\"cache_storage_token_hours\":3",
                ),
                (
                    "\"reasoning_tokens\":0",
                    "\"reasoning_tokens\":0,\"extra\":3",
                ),
                ("\"batch\":false", "\"batch\":null"),
                ("\"model\":\"", "\"model\":\"\\u0041"),
                (",\"warnings\":[]", ""),
                (",\"tags\":{}", ""),
                (":", " : "),
            ] {
                if line.contains(from) {
                    out.push(line.replacen(from, to, 1));
                }
            }
        }
        out
    }

    #[test]
    fn every_priced_fixture_reads_the_same_through_both_paths() {
        let mut reader = LogReader::new();
        let mut lending = LogReader::new();
        let (mut fast, mut good) = (0, 0);
        for line in priced_lines() {
            let slow = read_line_slowly(&line);
            if let Some(record) = PricedRecord::decode_canonical(line.trim()) {
                fast += 1;
                let decoded: PricedRecord = serde_json::from_str(line.trim()).unwrap();
                assert_eq!(record, decoded, "the fast path misread {line}");
            }
            good += usize::from(matches!(slow, Ok(Some(_))));
            assert_eq!(
                lending.read_line_ref(&line).map(Option::<&_>::cloned),
                slow,
                "{line}"
            );
            let read = reader.read_line(&line);
            assert_eq!(read, slow, "{line}");
            // The next line is read into this record's allocations.
            if let Ok(Some(record)) = read {
                reader.recycle(record);
            }
        }
        assert!(good > 1_000, "{good} good lines");
        assert!(
            fast * 2 > good,
            "the fast path took {fast} of {good} good lines"
        );
    }

    /// What a pricing log reader must give for `line`, through serde_json: a request line
    /// (an object with a usage or a response and no `cost_usd`) priced, any other line read
    /// as a priced record.
    fn read_pricing_slowly(
        pricer: &mut RequestPricer,
        line: &str,
    ) -> std::result::Result<Option<PricedRecord>, String> {
        let request = serde_json::from_str::<Value>(line.trim())
            .ok()
            .and_then(|value| {
                let object = value.as_object()?;
                Some(
                    !object.contains_key("cost_usd")
                        && (object.contains_key("usage") || object.contains_key("response")),
                )
            })
            .unwrap_or(false);
        if request {
            pricer
                .price_line(line.trim())
                .map(Some)
                .map_err(|error| format!("the request on this line could not be priced: {error}"))
        } else {
            read_line_slowly(line)
        }
    }

    #[test]
    fn a_pricing_log_reader_prices_request_lines_and_reads_records_as_before() {
        let catalog = Catalog::bundled();
        let mut reader = LogReader::pricing(RequestPricer::new(&catalog, today()));
        let mut lending = LogReader::pricing(RequestPricer::new(&catalog, today()));
        let mut pricer = RequestPricer::new(&catalog, today());
        // Request lines and priced records mixed, so each kind is read into the other's
        // record.
        let requests = request_lines();
        let records = priced_lines();
        let mixed = requests.iter().step_by(3).zip(records.iter().step_by(5));
        for (line, record_line) in mixed {
            let want = read_line_slowly(record_line);
            assert_eq!(
                lending.read_line_ref(record_line).map(Option::<&_>::cloned),
                want,
                "{record_line}"
            );
            let want = read_pricing_slowly(&mut pricer, line);
            assert_eq!(
                lending.read_line_ref(line).map(Option::<&_>::cloned),
                want,
                "{line}"
            );
        }
        for line in request_lines().iter().step_by(3) {
            let want = read_pricing_slowly(&mut pricer, line);
            let read = reader.read_line(line);
            assert_eq!(read, want, "{line}");
            if let Ok(Some(record)) = read {
                reader.recycle(record);
            }
        }
        for line in priced_lines().iter().step_by(5) {
            let read = reader.read_line(line);
            assert_eq!(read, read_line_slowly(line), "{line}");
            if let Ok(Some(record)) = read {
                reader.recycle(record);
            }
        }
    }

    /// Request lines with random usage objects: keys of every shape, repeated or not, with
    /// values of every kind.
    fn random_line() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "input_tokens",
            "output_tokens",
            "total_tokens",
            "cache_read_tokens",
            "cache_write_5m_tokens",
            "reasoning_tokens",
            "cache_storage_token_hours",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "cache_creation",
            "prompt_tokens",
            "completion_tokens",
            "prompt_tokens_details",
            "completion_tokens_details",
            "input_tokens_details",
            "output_tokens_details",
            "promptTokenCount",
            "candidatesTokenCount",
            "thoughtsTokenCount",
            "totalTokenCount",
            "cachedContentTokenCount",
            "toolUsePromptTokenCount",
            "cost",
            "is_byok",
            "service_tier",
            "other",
        ]);
        let nested_key = prop::sample::select(vec![
            "cached_tokens",
            "cache_write_tokens",
            "reasoning_tokens",
            "ephemeral_5m_input_tokens",
            "ephemeral_1h_input_tokens",
            "audio_tokens",
        ]);
        let scalar = prop_oneof![
            (0u64..5_000).prop_map(|n| n.to_string()),
            (0u64..5_000).prop_map(|n| format!("{n}.0")),
            Just("0.25".to_string()),
            Just("-3".to_string()),
            Just("1000000000000001".to_string()),
            Just("null".to_string()),
            Just("\"7\"".to_string()),
            Just("true".to_string()),
        ];
        let nested = prop::collection::vec((nested_key, scalar.clone()), 0..3).prop_map(|m| {
            let members: Vec<String> = m.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", members.join(","))
        });
        let value = prop_oneof![4 => scalar, 1 => nested];
        let format = prop::sample::select(vec![
            "",
            ",\"usage_format\":\"anthropic\"",
            ",\"usage_format\":\"openai\"",
            ",\"usage_format\":\"openai-responses\"",
            ",\"usage_format\":\"gemini\"",
            ",\"usage_format\":\"openrouter\"",
            ",\"usage_format\":\"normalized\"",
        ]);
        let model =
            prop::sample::select(vec!["gpt-4o", "claude-haiku-4-5", "gemini-2.5-pro", "nope"]);
        (prop::collection::vec((key, value), 0..6), format, model).prop_map(
            |(members, format, model)| {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect();
                format!(
                    "{{\"model\":\"{model}\",\"usage\":{{{}}}{format},\"at\":\"2026-01-15\"}}",
                    members.join(",")
                )
            },
        )
    }

    /// The one-pass reader reads a line of a layout it learned (`request_line/layout.rs`)
    /// as it reads the line anew: every fixture line and variant, in order (each variant
    /// follows its base, whose layout it mostly has) and in reverse.
    #[test]
    fn a_line_of_a_known_layout_reads_as_it_reads_anew() {
        let lines = request_lines();
        let mut reader = LineReader::default();
        let (mut by_layout, mut read) = (0, 0);
        for line in lines.iter().chain(lines.iter().rev()) {
            let (layout, anew) = reader.read_both(line);
            if let Some(layout) = &layout {
                by_layout += 1;
                assert_eq!(Some(layout), anew.as_ref(), "{line}");
            }
            read += usize::from(anew.is_some());
        }
        // Many of the lines the reader takes come after a line of their layout (a variant
        // of a base changes its layout as often as not).
        assert!(
            by_layout * 4 > read,
            "the layouts read {by_layout} of {read} lines"
        );
    }

    /// A log whose lines are each laid out differently makes the reader give up on layouts
    /// for a while, reading each line anew as before; lines of one layout then fit layouts
    /// again.
    #[test]
    fn lines_laid_out_every_which_way_read_anew_then_layouts_return() {
        let keys = [
            r#""input_tokens":5"#,
            r#""output_tokens":7"#,
            r#""cache_read_input_tokens":2"#,
            r#""cache_creation_input_tokens":1"#,
        ];
        let mut reader = LineReader::default();
        let mut by_layout_after = 0;
        for n in 0..250usize {
            let line = if n < 150 {
                // Keys in one of 24 orders, and one of ten tags: no layout repeats for a while.
                let mut order = keys.to_vec();
                order.rotate_left(n % 4);
                order.swap(n / 4 % 4, (n / 16 + 1) % 4);
                format!(
                    r#"{{"model":"claude-haiku-4-5","usage":{{{}}},"tags":{{"t{}":"x"}}}}"#,
                    order.join(","),
                    n % 10
                )
            } else {
                format!(
                    r#"{{"model":"claude-haiku-4-5","usage":{{"input_tokens":{n},"output_tokens":7}},"tags":{{"phase":"p{}"}}}}"#,
                    n % 3
                )
            };
            let (layout, anew) = reader.read_both(&line);
            assert!(anew.is_some(), "{line}");
            if layout.is_some() {
                assert_eq!(layout, anew, "{line}");
                by_layout_after += usize::from(n >= 150);
            }
        }
        // Within a few dozen lines of the first, the regular lines fit a layout.
        assert!(by_layout_after > 50, "{by_layout_after}");
    }

    /// Lines of a few layouts, interleaved, with values of every kind in their places.
    fn lines_of_a_few_layouts() -> impl Strategy<Value = Vec<String>> {
        const LAYOUTS: [&str; 7] = [
            r#"{"model":"$M","usage":{"prompt_tokens":$N,"completion_tokens":$N,"total_tokens":$N,"prompt_tokens_details":{"cached_tokens":$N}},"at":"$A","tags":{"phase":"$T","run":"bench"}}"#,
            r#"{"model":"$M","usage":{"input_tokens":$N,"cache_creation_input_tokens":$N,"cache_read_input_tokens":$N,"output_tokens":$N},"at":"$A","tags":{"phase":"$T","run":"$T"}}"#,
            r#"{"model":"$M","usage":{"promptTokenCount":$N,"cachedContentTokenCount":$N,"candidatesTokenCount":$N,"thoughtsTokenCount":$N,"totalTokenCount":$N},"at":"$A","tags":{"phase":"$T"}}"#,
            r#"{"model":"$M","usage":{"input_tokens":$N,"input_tokens_details":{"cached_tokens":$N},"output_tokens":$N,"output_tokens_details":{"reasoning_tokens":$N},"total_tokens":$N},"at":"$A","tags":{"phase":"$T","n":$N,"ok":true}}"#,
            r#" {"usage": {"input_tokens": $N, "output_tokens": $N}, "model": "$M", "batch": true, "usage_format": "normalized"}"#,
            r#"{"model":"$M","usage":{"input_tokens":$N,"cache_creation":{"ephemeral_5m_input_tokens":$N,"ephemeral_1h_input_tokens":$N},"cache_creation_input_tokens":$N,"output_tokens":$N},"at":null,"tags":{}}"#,
            r#"{"tags":{"b":"$T","a":"$T"},"at":"$A","usage":{"prompt_tokens":$N,"completion_tokens":$N,"cost":0.5},"model":"$M"}"#,
        ];
        let model = prop::sample::select(vec![
            "gpt-4o",
            "gpt-4o-mini",
            "claude-haiku-4-5",
            "gemini-2.5-pro",
            "gpt-5-mini",
            r" gpt-4o\t",
            "",
            " ",
            r"gpt\u002d4o",
            "gpt-4o-2099-01-01",
            "\u{e9}",
            "nope",
        ]);
        let at = prop::sample::select(vec![
            "2026-01-15",
            "2026-02-01",
            "2026-02-30",
            "2026-11-23T23:30:00-02:00",
            "x",
            "2020-01-01",
        ]);
        let tag = prop::sample::select(vec!["edit", "summaries", "", r#"a\"b"#, "\u{e9}", "x y"]);
        let count = prop_oneof![
            6 => (0u64..10).prop_map(|n| n.to_string()),
            6 => (0u64..10_000_000).prop_map(|n| n.to_string()),
            1 => (0u64..1_000_000_000_000_000).prop_map(|n| n.to_string()),
            1 => prop::sample::select(vec![
                "00", "01", "1.0", "1e3", "-1", r#""5""#, "null", "true", "[1]", "{}",
                "99999999999999999999", "1000000000000001", "18446744073709551615",
            ])
            .prop_map(str::to_owned),
        ];
        let line = (
            0..LAYOUTS.len(),
            model,
            at,
            prop::collection::vec(tag, 2),
            prop::collection::vec(count, 6),
        )
            .prop_map(|(layout, model, at, tags, counts)| {
                let mut line = LAYOUTS[layout].replace("$M", model).replace("$A", at);
                for tag in tags {
                    line = line.replacen("$T", tag, 1);
                }
                for count in counts {
                    line = line.replacen("$N", &count, 1);
                }
                line.replace("$N", "7")
            });
        prop::collection::vec(line, 1..24)
    }

    proptest! {
        #[test]
        fn random_usage_reads_the_same_through_both_paths(line in random_line()) {
            let catalog = Catalog::bundled();
            let mut pricer = RequestPricer::new(&catalog, today());
            check_request_line(&line, &catalog, &mut pricer);
        }

        /// What a layout takes is what the reader would; and one pricer prices each line as
        /// a line alone.
        #[test]
        fn lines_of_known_layouts_read_and_price_as_alone(lines in lines_of_a_few_layouts()) {
            let catalog = Catalog::bundled();
            let mut reader = LineReader::default();
            let mut pricer = RequestPricer::new(&catalog, today());
            for line in &lines {
                let (layout, anew) = reader.read_both(line);
                if layout.is_some() {
                    prop_assert_eq!(&layout, &anew, "{}", line);
                }
                let alone = Request::from_json_slowly(line)
                    .and_then(|request| catalog.price_request(&request, today()));
                prop_assert_eq!(pricer.price_line_ref(line).cloned(), alone, "{}", line);
            }
        }
    }

    /// A pricer remembers each model's lookup, its plan for the day and batch, the last `at`
    /// and the labels' keys: lines that change each of them in turn price as they would alone.
    #[test]
    fn lines_changing_model_day_batch_and_labels_price_as_alone() {
        let catalog = Catalog::bundled();
        let mut pricer = RequestPricer::new(&catalog, today());
        let mut reader = LogReader::pricing(RequestPricer::new(&catalog, today()));
        let models = [
            "gpt-4o",
            "claude-sonnet-4-5",
            "gemini-2.5-pro",
            "gpt-4o-2099-01-01",
            "nope",
        ];
        let days = [
            None,
            Some("2026-01-15"),
            Some("2024-01-01"),
            Some("2026-11-23"),
        ];
        let tags = [
            r#"{"phase":"edit"}"#,
            r#"{"phase":"summaries","run":"a"}"#,
            r#"{"phase":"edit","run":"b"}"#,
            r#"{}"#,
        ];
        let mut n = 0usize;
        for round in 0..3 {
            for (i, model) in models.iter().enumerate() {
                for (j, day) in days.iter().enumerate() {
                    n += 1;
                    let batch = (n + round) % 3 == 0;
                    let tags = tags[(i + j + round) % tags.len()];
                    let at = day.map_or(String::new(), |day| format!(r#","at":"{day}""#));
                    let line = format!(
                        r#"{{"model":"{model}","usage":{{"input_tokens":{},"output_tokens":{n}}},"batch":{batch}{at},"tags":{tags}}}"#,
                        300_000 * (n % 3),
                    );
                    let alone = Request::from_json_slowly(&line)
                        .and_then(|request| catalog.price_request(&request, today()));
                    assert_eq!(pricer.price_line_ref(&line).cloned(), alone, "{line}");
                    let fresh = &mut RequestPricer::new(&catalog, today());
                    let read = read_pricing_slowly(fresh, &line);
                    assert_eq!(
                        reader.read_line_ref(&line).map(Option::<&_>::cloned),
                        read,
                        "{line}"
                    );
                }
            }
        }
    }
}
