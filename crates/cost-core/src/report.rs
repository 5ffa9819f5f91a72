//! What runs cost: usage logs read back, grouped into reports, set beside their estimates,
//! and turned into recommendations that name the money they would have saved.
//!
//! A usage log is a stream of [`PricedRecord`]s, one JSON object a line (what `llmcost cost`
//! prints; its extra `"line"` field is ignored); a [`LogReader`] given a
//! [`RequestPricer`](crate::RequestPricer) also reads request lines and prices them. Everything
//! here streams: a [`ReportBuilder`] or a [`Recommender`] is fed one record at a time with
//! `add` and holds memory in proportion to the number of groups, never to the number of
//! records.
//!
//! # Exports
//!
//! [`Report::to_csv`], [`EstimateComparison::to_csv`] and [`Recommendations::to_csv`] write
//! CSV whose columns ([`REPORT_CSV_COLUMNS`], [`COMPARISON_CSV_COLUMNS`],
//! [`RECOMMENDATION_CSV_COLUMNS`]) are stable: scripts depend on them, and a test pins them.
//! Amounts are exact decimal strings of US dollars (`"0.00084"`), token counts whole numbers;
//! a missing value is an empty cell. The JSON exports ([`Report::to_json`] and the `Serialize`
//! implementations) use the same names.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::str::FromStr;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::{CachingStyle, Catalog, Model};
use crate::date::Date;
use crate::error::{Error, ErrorKind, Result};
use crate::money::{Usd, UsdPerMtok};
use crate::price::{cost_of, PriceOptions};
use crate::record::{CanonicalReader, PricedRecord, RequestPricer};
use crate::response::Key;
use crate::tape::{same_bytes, Json, Tape};
use crate::usage::Usage;

// ------------------------------------------------------------------------------------------
// Reading a log

/// A log line that could not be read; the lines around it are still counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// The 1-based line number in the log text.
    pub line: usize,
    /// Why the line was not counted, for people.
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// Reads one line of a usage log: `Ok(None)` for a blank line.
///
/// Besides decoding, the record is checked: its usage must satisfy [`Usage`]'s invariants, each
/// component must be its tokens times its price, and `cost_usd` must be the sum of the
/// components, so a hand-edited line that no longer adds up is caught.
///
/// To read many lines, a [`LogReader`] reuses its buffer (and can price request lines).
///
/// # Errors
///
/// The reason the line is not a priced record, for people. A line `llmcost cost` wrote for a
/// request it could not price (`{"line": N, "error": ...}`) is such a line.
pub fn parse_log_line(text: &str) -> std::result::Result<Option<PricedRecord>, String> {
    LogReader::new().read_line(text)
}

/// Reads a usage log line by line: priced records (what `llmcost cost` prints), and, given a
/// [`RequestPricer`], request lines (what `llmcost cost` reads), priced on the way.
///
/// A line is a request when it has a `usage` or `response` and no `cost_usd`. A reader
/// reuses one buffer for every line and reads the usual lines without building a
/// `serde_json::Value` tree; other lines are read the slower way, with the same results.
///
/// ```
/// use cost_core::{Catalog, Date, LogReader, RequestPricer};
///
/// let catalog = Catalog::bundled();
/// let today: Date = "2026-11-23".parse().unwrap();
/// let mut reader = LogReader::pricing(RequestPricer::new(&catalog, today));
/// let line = r#"{"model": "claude-3-5-haiku", "usage": {"input_tokens": 550, "output_tokens": 100}}"#;
/// let record = reader.read_line(line).unwrap().unwrap();
/// assert_eq!(record.cost_usd.to_decimal_string(), "0.00084");
/// assert_eq!(reader.read_line("  ").unwrap(), None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct LogReader<'c> {
    canonical: CanonicalReader,
    tape: Tape,
    pricer: Option<RequestPricer<'c>>,
    /// The record of the last line read, or one handed back: the next canonical record is
    /// decoded into it, and a request line is priced with its allocations.
    record: Option<PricedRecord>,
    /// Whether the last line the fast paths took was a request line, whose reader is then
    /// tried first.
    requests_first: bool,
}

impl LogReader<'static> {
    /// A reader of priced records only: a request line is not one, as for [`parse_log_line`].
    pub fn new() -> LogReader<'static> {
        LogReader::default()
    }
}

impl<'c> LogReader<'c> {
    /// A reader that also prices request lines with `pricer` (its date is that of requests
    /// without `at`).
    pub fn pricing(pricer: RequestPricer<'c>) -> LogReader<'c> {
        LogReader {
            pricer: Some(pricer),
            ..LogReader::default()
        }
    }

    /// Takes back a record this reader gave, once the caller is done with it, so that the
    /// next line reuses its allocations (see [`RequestPricer::recycle`]). Optional: it only
    /// saves time.
    pub fn recycle(&mut self, record: PricedRecord) {
        self.record = Some(record);
    }

    /// Reads one line: `Ok(None)` for a blank line.
    ///
    /// # Errors
    ///
    /// As [`parse_log_line`]; for a request line, why it could not be priced.
    pub fn read_line(&mut self, text: &str) -> std::result::Result<Option<PricedRecord>, String> {
        Ok(match self.read(text)? {
            true => self.record.take(),
            false => None,
        })
    }

    /// [`LogReader::read_line`], lending the record instead of giving it: it is the
    /// reader's own, read in place and reused by the next line, so a log is read without
    /// moving or allocating a record per line.
    ///
    /// # Errors
    ///
    /// As [`LogReader::read_line`].
    pub fn read_line_ref(
        &mut self,
        text: &str,
    ) -> std::result::Result<Option<&PricedRecord>, String> {
        Ok(match self.read(text)? {
            true => self.record.as_ref(),
            false => None,
        })
    }

    /// Reads one line into `self.record`: `Ok(false)` for a blank line.
    fn read(&mut self, text: &str) -> std::result::Result<bool, String> {
        let text = trim(text);
        if text.is_empty() {
            return Ok(false);
        }
        // The usual lines of a log first, read into the last record: request lines the
        // one-pass reader takes, and records as `llmcost cost` writes them, the kind the last
        // line was first. (No line is both: a request line has no `provider`, and the
        // one-pass reader declines a line with one.)
        if self.requests_first {
            if let Some(read) = self.read_request(text) {
                return read;
            }
        }
        if CanonicalReader::looks_canonical(text) {
            let record = self.record.get_or_insert_with(PricedRecord::blank);
            if self.canonical.read_into(text, record).is_some() {
                self.requests_first = false;
                check_record(record)?;
                return Ok(true);
            }
        }
        if !self.requests_first {
            if let Some(read) = self.read_request(text) {
                return read;
            }
        }
        let doc = self.tape.parse(text);
        if let Some(pricer) = &mut self.pricer {
            let request = match doc.map(|doc| doc.root()) {
                Some(Json::Object(object)) => {
                    object.find(Key::CostUsd).is_none()
                        && (object.find(Key::Usage).is_some()
                            || object.find(Key::Response).is_some())
                }
                Some(_) => false,
                None => match serde_json::from_str(text) {
                    Ok(serde_json::Value::Object(map)) => {
                        !map.contains_key("cost_usd")
                            && (map.contains_key("usage") || map.contains_key("response"))
                    }
                    _ => false,
                },
            };
            if request {
                let record = self.record.get_or_insert_with(PricedRecord::blank);
                return Self::priced(pricer.price_parsed(doc, text, record));
            }
        }
        let record = decode_record_slowly(text)?;
        check_record(&record)?;
        self.record = Some(record);
        Ok(true)
    }

    /// Whether a request line was priced into the record, or why not.
    /// `text` as a request line the one-pass reader takes, priced into the last record;
    /// `None` when it declines the line (or there is no pricer).
    fn read_request(&mut self, text: &str) -> Option<std::result::Result<bool, String>> {
        let pricer = self.pricer.as_mut()?;
        let record = self.record.get_or_insert_with(PricedRecord::blank);
        let priced = pricer.price_read(text, record)?;
        self.requests_first = true;
        Some(Self::priced(priced))
    }

    fn priced(priced: Result<()>) -> std::result::Result<bool, String> {
        priced
            .map(|()| true)
            .map_err(|error| format!("the request on this line could not be priced: {error}"))
    }
}

/// `text.trim()`, without looking at characters when both ends are ASCII, as a log's lines'
/// are.
fn trim(text: &str) -> &str {
    // The ASCII characters `char::is_whitespace` takes.
    let space = |byte: &u8| matches!(byte, b'\t'..=b'\r' | b' ');
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |last| last + 1);
    let trimmed = &bytes[start..end];
    match (trimmed.first(), trimmed.last()) {
        // Cut at ASCII bytes, so at character boundaries.
        (Some(first), Some(last)) if first.is_ascii() && last.is_ascii() => &text[start..end],
        (None, _) => "",
        // Other whitespace, maybe.
        _ => text.trim(),
    }
}

/// [`LogReader::read_line`] without a pricer, through serde only: the reference the fast
/// path agrees with.
#[cfg(test)]
pub(crate) fn read_line_slowly(text: &str) -> std::result::Result<Option<PricedRecord>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let record = decode_record_slowly(text)?;
    check_record(&record)?;
    Ok(Some(record))
}

/// A priced record through serde: the reference the canonical reader agrees with.
fn decode_record_slowly(text: &str) -> std::result::Result<PricedRecord, String> {
    serde_json::from_str(text).map_err(|error| {
        // Say what `llmcost cost` said about a request it could not price.
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) {
            if let Some(serde_json::Value::String(message)) = map.get("error") {
                return format!("the request on this line was not priced: {message}");
            }
        }
        format!("not a priced record: {error}")
    })
}

/// Checks that a decoded record adds up (see [`parse_log_line`]).
fn check_record(record: &PricedRecord) -> std::result::Result<(), String> {
    record.usage.validate().map_err(|e| format!("usage.{e}"))?;
    let mut sum = Usd::ZERO;
    for (name, component) in record.components.named() {
        let product = Usd::for_tokens(component.tokens, component.usd_per_mtok);
        if product != component.usd {
            return Err(format!(
                "components.{name}: {} tokens at ${}/MTok is ${}, not ${}",
                component.tokens, component.usd_per_mtok, product, component.usd
            ));
        }
        // Each product fits i128, but six of the largest do not.
        sum = sum.checked_add(component.usd).ok_or_else(|| {
            "the components add up to more than llmcost can count (about $1.7 × 10^23)".to_string()
        })?;
    }
    if sum != record.cost_usd {
        return Err(format!(
            "cost_usd is ${} but its components add up to ${sum}",
            record.cost_usd
        ));
    }
    Ok(())
}

/// What the records counted so far add up to, kept below [`LogTotal::MAX_FEMTO`]: a reader
/// adds each record here before counting it, and skips (with the error) a record that would
/// pass the bound, so no sum over the records counted can overflow.
///
/// No real log comes near the bound, and every sum a report, a budget or a comparison makes
/// of the records it counts (and the percentages and projections of those sums) stays well
/// inside `i128` below it. A hostile log could otherwise pass `i128` in a few thousand
/// lines: one record may claim up to about 10^38 femto-dollars and still add up.
///
/// ```
/// use cost_core::{LogTotal, Usd};
///
/// let mut total = LogTotal::default();
/// assert!(total.add(Usd::from_femto(5), [Usd::from_femto(5)]).is_ok());
/// let huge = Usd::from_femto(i128::MAX / 2);
/// assert!(total.add(huge, [huge]).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogTotal {
    /// The sum of every amount counted, each taken without its sign.
    femto: u128,
}

impl LogTotal {
    /// The most the costs of the records counted may add up to: a quintillion dollars
    /// (10^33 femto-dollars). Their components' costs may add up to as much again.
    pub const MAX_FEMTO: i128 = 1_000_000_000_000_000_000 * 1_000_000_000_000_000;

    /// Counts a record by its cost and its components' costs (which add up to its cost in
    /// a checked record, and which a report sums apart).
    ///
    /// # Errors
    ///
    /// Why the record is not counted, for people: its amounts would take the total past
    /// [`LogTotal::MAX_FEMTO`]. Nothing is counted then.
    pub fn add(
        &mut self,
        cost_usd: Usd,
        components_usd: impl IntoIterator<Item = Usd>,
    ) -> std::result::Result<(), String> {
        let limit = 2 * LogTotal::MAX_FEMTO.unsigned_abs();
        let mut amounts = std::iter::once(cost_usd).chain(components_usd);
        let total = amounts
            .try_fold(self.femto, |total, amount| {
                total.checked_add(amount.femto().unsigned_abs())
            })
            .filter(|&total| total <= limit);
        match total {
            Some(total) => {
                self.femto = total;
                Ok(())
            }
            None => Err(format!(
                "its cost_usd (${cost_usd}) would take the records counted past {}, \
                 more than llmcost adds up",
                Usd::from_femto(LogTotal::MAX_FEMTO).display()
            )),
        }
    }

    /// Counts a priced record (see [`LogTotal::add`]).
    ///
    /// # Errors
    ///
    /// As [`LogTotal::add`].
    pub fn add_record(&mut self, record: &PricedRecord) -> std::result::Result<(), String> {
        let c = &record.components;
        let components = [
            c.input.usd,
            c.cache_write_5m.usd,
            c.cache_write_1h.usd,
            c.cache_read.usd,
            c.output.usd,
            c.cache_storage.usd,
        ];
        // The usual record: every amount non-negative and below 2^96 femto-dollars (about
        // $7.9 × 10^13), so that they add up without checks (the total stays below 2^112).
        let amounts = std::iter::once(record.cost_usd).chain(components);
        if amounts.clone().all(|amount| amount.femto() >> 96 == 0) {
            let sum: i128 = amounts.map(Usd::femto).sum();
            let total = self.femto + sum.unsigned_abs();
            if total <= 2 * LogTotal::MAX_FEMTO.unsigned_abs() {
                self.femto = total;
                return Ok(());
            }
        }
        self.add(record.cost_usd, components)
    }
}

/// The records of a usage log, one result per non-blank line, in order.
///
/// This streams over `text`: pair it with a [`ReportBuilder`] to report on a log without
/// holding its records.
pub fn log_records(
    text: &str,
) -> impl Iterator<Item = std::result::Result<PricedRecord, LineError>> + '_ {
    let mut reader = LogReader::new();
    text.lines()
        .enumerate()
        .filter_map(move |(index, line)| match reader.read_line(line) {
            Ok(None) => None,
            Ok(Some(record)) => Some(Ok(record)),
            Err(reason) => Some(Err(LineError {
                line: index + 1,
                reason,
            })),
        })
}

/// Reads a whole usage log (JSON Lines): the records that read, and the lines that did not.
///
/// A malformed line never stops the others. Blank lines are skipped.
pub fn read_log(text: &str) -> (Vec<PricedRecord>, Vec<LineError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for item in log_records(text) {
        match item {
            Ok(record) => records.push(record),
            Err(error) => errors.push(error),
        }
    }
    (records, errors)
}

// ------------------------------------------------------------------------------------------
// Group keys and filters

/// The names a tag may not be shown under, because a built-in key or a column has them.
const RESERVED_NAMES: &[&str] = &["model", "provider", "day", "week", "month", "batch", "key"];

/// What to group records by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    /// The model's canonical id (`claude-haiku-4-5`).
    Model,
    /// The provider's id (`anthropic`).
    Provider,
    /// The UTC day, `2026-11-23`.
    Day,
    /// The ISO 8601 week, `2026-W48` (weeks start on Monday; week 1 holds the year's first
    /// Thursday, so 2026-12-31 is in `2026-W53` and 2027-01-04 in `2027-W01`).
    Week,
    /// The calendar month, `2026-11`.
    Month,
    /// `batch` or `sync`: whether batch prices applied.
    Batch,
    /// A tag's value (`phase`, `category`, `run`, `book`, or any other); a record without the
    /// tag is in the group whose value is missing (`null` in JSON, an empty CSV cell).
    Tag(String),
}

impl GroupKey {
    /// The tag key for `name` (`GroupKey::tag("phase")`).
    pub fn tag(name: impl Into<String>) -> GroupKey {
        GroupKey::Tag(name.into())
    }

    /// Parses a comma-separated list: `"model,phase,day"`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for an empty name or a key named twice.
    pub fn parse_list(text: &str) -> Result<Vec<GroupKey>> {
        let keys = text
            .split(',')
            .map(|name| name.parse::<GroupKey>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::new(ErrorKind::InvalidRequest, e).at("by"))?;
        check_keys(&keys)?;
        Ok(keys)
    }
}

impl FromStr for GroupKey {
    type Err = String;

    /// `model`, `provider`, `day`, `week`, `month` and `batch` are built in; `tag:NAME` is
    /// the tag `NAME`; any other name is a tag (`phase`, `category`, `run`, `book`).
    fn from_str(text: &str) -> std::result::Result<GroupKey, String> {
        let text = text.trim();
        if let Some(tag) = text.strip_prefix("tag:") {
            if tag.is_empty() {
                return Err("`tag:` needs a tag name".to_string());
            }
            return Ok(GroupKey::Tag(tag.to_string()));
        }
        Ok(match text {
            "" => return Err("an empty group key".to_string()),
            "model" => GroupKey::Model,
            "provider" => GroupKey::Provider,
            "day" => GroupKey::Day,
            "week" => GroupKey::Week,
            "month" => GroupKey::Month,
            "batch" => GroupKey::Batch,
            tag => GroupKey::Tag(tag.to_string()),
        })
    }
}

impl fmt::Display for GroupKey {
    /// The key's column name: the built-in name, or the tag's name (`tag:NAME` when the
    /// name is also a built-in key or a column, such as a tag called `batch` or `calls`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupKey::Model => f.write_str("model"),
            GroupKey::Provider => f.write_str("provider"),
            GroupKey::Day => f.write_str("day"),
            GroupKey::Week => f.write_str("week"),
            GroupKey::Month => f.write_str("month"),
            GroupKey::Batch => f.write_str("batch"),
            GroupKey::Tag(name)
                if RESERVED_NAMES.contains(&name.as_str())
                    || SPEND_COLUMNS.contains(&name.as_str())
                    || name.starts_with("tag:") =>
            {
                write!(f, "tag:{name}")
            }
            GroupKey::Tag(name) => f.write_str(name),
        }
    }
}

impl Serialize for GroupKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GroupKey {
    fn deserialize<D: Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<GroupKey, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn check_keys(keys: &[GroupKey]) -> Result<()> {
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) {
            return Err(
                Error::new(ErrorKind::InvalidRequest, format!("`{key}` is named twice")).at("by"),
            );
        }
    }
    Ok(())
}

/// Which records count. Every condition given must hold; the default keeps everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// The first day counted (inclusive).
    #[serde(default)]
    pub since: Option<Date>,
    /// The last day counted (inclusive).
    #[serde(default)]
    pub until: Option<Date>,
    /// Only this model (its canonical id).
    #[serde(default)]
    pub model: Option<String>,
    /// Only this provider (its id).
    #[serde(default)]
    pub provider: Option<String>,
    /// Tags the record must carry, each with exactly this value (`{"run": "2026-11-23-a"}`).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl Filter {
    /// Whether `record` passes.
    pub fn matches(&self, record: &PricedRecord) -> bool {
        self.since.is_none_or(|since| record.at >= since)
            && self.until.is_none_or(|until| record.at <= until)
            && self.model.as_ref().is_none_or(|m| *m == record.model)
            && self.provider.as_ref().is_none_or(|p| *p == record.provider)
            && self
                .tags
                .iter()
                .all(|(key, value)| record.tags.get(key) == Some(value))
    }

    fn validate(&self) -> Result<()> {
        if let (Some(since), Some(until)) = (self.since, self.until) {
            if since > until {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("`since` ({since}) is after `until` ({until})"),
                )
                .at("since"));
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------
// Spend: what a group of records used and cost

/// The spend columns of [`REPORT_CSV_COLUMNS`], after the key columns.
const SPEND_COLUMNS: &[&str] = &[
    "calls",
    "batch_calls",
    "input_tokens",
    "uncached_input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cache_storage_token_hours",
    "input_usd",
    "cache_write_5m_usd",
    "cache_write_1h_usd",
    "cache_read_usd",
    "output_usd",
    "cache_storage_usd",
    "cost_usd",
];

/// The columns of [`Report::to_csv`]: one column per group key, named as the key displays
/// (`model`, `phase`, `day`, ...), then these, always in this order.
pub const REPORT_CSV_COLUMNS: &[&str] = SPEND_COLUMNS;

/// What a group of records used and cost. Every field is a sum over the group's records, so
/// the spends of any partition of a log add up to the spend of the whole log, exactly.
///
/// Token counts follow [`Usage`]: `input_tokens` is the whole prompt, and the cache counts and
/// `uncached_input_tokens` are parts of it; `reasoning_tokens` is a part of `output_tokens`.
/// Sums are `u128`, which no log can overflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Spend {
    /// Records (API calls).
    pub calls: u64,
    /// Of those, calls priced at batch prices.
    pub batch_calls: u64,
    /// Every prompt token.
    pub input_tokens: u128,
    /// Prompt tokens neither read from nor written to a cache.
    pub uncached_input_tokens: u128,
    /// Prompt tokens read from a cache.
    pub cache_read_tokens: u128,
    /// Prompt tokens written to a 5-minute cache.
    pub cache_write_5m_tokens: u128,
    /// Prompt tokens written to a 1-hour cache.
    pub cache_write_1h_tokens: u128,
    /// Every output token, reasoning included.
    pub output_tokens: u128,
    /// Reasoning tokens.
    pub reasoning_tokens: u128,
    /// Explicit context-cache storage, in token-hours.
    pub cache_storage_token_hours: u128,
    /// The cost of uncached input.
    pub input_usd: Usd,
    /// The cost of 5-minute cache writes.
    pub cache_write_5m_usd: Usd,
    /// The cost of 1-hour cache writes.
    pub cache_write_1h_usd: Usd,
    /// The cost of cache reads.
    pub cache_read_usd: Usd,
    /// The cost of output.
    pub output_usd: Usd,
    /// The cost of context-cache storage.
    pub cache_storage_usd: Usd,
    /// The whole cost: the sum of the records' `cost_usd`.
    pub cost_usd: Usd,
}

impl Spend {
    /// Counts one record.
    pub fn add(&mut self, record: &PricedRecord) {
        let usage = &record.usage;
        let c = &record.components;
        self.calls += 1;
        self.batch_calls += u64::from(record.batch);
        self.input_tokens += u128::from(usage.input_tokens);
        self.uncached_input_tokens += u128::from(usage.uncached_input_tokens());
        self.cache_read_tokens += u128::from(usage.cache_read_tokens);
        self.cache_write_5m_tokens += u128::from(usage.cache_write_5m_tokens);
        self.cache_write_1h_tokens += u128::from(usage.cache_write_1h_tokens);
        self.output_tokens += u128::from(usage.output_tokens);
        self.reasoning_tokens += u128::from(usage.reasoning_tokens);
        self.cache_storage_token_hours += u128::from(usage.cache_storage_token_hours);
        self.input_usd += c.input.usd;
        self.cache_write_5m_usd += c.cache_write_5m.usd;
        self.cache_write_1h_usd += c.cache_write_1h.usd;
        self.cache_read_usd += c.cache_read.usd;
        self.output_usd += c.output.usd;
        self.cache_storage_usd += c.cache_storage.usd;
        self.cost_usd += record.cost_usd;
    }

    /// Adds another spend to this one.
    pub fn merge(&mut self, other: &Spend) {
        self.calls += other.calls;
        self.batch_calls += other.batch_calls;
        self.input_tokens += other.input_tokens;
        self.uncached_input_tokens += other.uncached_input_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_5m_tokens += other.cache_write_5m_tokens;
        self.cache_write_1h_tokens += other.cache_write_1h_tokens;
        self.output_tokens += other.output_tokens;
        self.reasoning_tokens += other.reasoning_tokens;
        self.cache_storage_token_hours += other.cache_storage_token_hours;
        self.input_usd += other.input_usd;
        self.cache_write_5m_usd += other.cache_write_5m_usd;
        self.cache_write_1h_usd += other.cache_write_1h_usd;
        self.cache_read_usd += other.cache_read_usd;
        self.output_usd += other.output_usd;
        self.cache_storage_usd += other.cache_storage_usd;
        self.cost_usd += other.cost_usd;
    }

    fn csv_cells(&self, out: &mut Vec<String>) {
        out.extend([
            self.calls.to_string(),
            self.batch_calls.to_string(),
            self.input_tokens.to_string(),
            self.uncached_input_tokens.to_string(),
            self.cache_read_tokens.to_string(),
            self.cache_write_5m_tokens.to_string(),
            self.cache_write_1h_tokens.to_string(),
            self.output_tokens.to_string(),
            self.reasoning_tokens.to_string(),
            self.cache_storage_token_hours.to_string(),
            self.input_usd.to_decimal_string(),
            self.cache_write_5m_usd.to_decimal_string(),
            self.cache_write_1h_usd.to_decimal_string(),
            self.cache_read_usd.to_decimal_string(),
            self.output_usd.to_decimal_string(),
            self.cache_storage_usd.to_decimal_string(),
            self.cost_usd.to_decimal_string(),
        ]);
    }
}

// ------------------------------------------------------------------------------------------
// Reports

/// What a report groups by and which records it counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportOptions {
    /// The group keys, in column order. Empty: one group, the whole log.
    #[serde(default)]
    pub by: Vec<GroupKey>,
    /// Which records count.
    #[serde(default, rename = "where")]
    pub filter: Filter,
}

/// One group of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's value for each of [`Report::by`], in order; `None` for a missing tag.
    pub key: Vec<Option<String>>,
    /// What the group used and cost.
    pub spend: Spend,
}

/// Spend grouped by keys, sorted by cost, with the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The group keys, in column order.
    pub by: Vec<GroupKey>,
    /// The filter applied.
    pub filter: Filter,
    /// Sorted by `spend.cost_usd`, descending; equal costs by key, ascending (a missing tag
    /// first).
    pub groups: Vec<Group>,
    /// The sum of every group: the spend of every record counted.
    pub total: Spend,
    /// Records given to the report, counted or not.
    pub records_seen: u64,
    /// Records the filter left out.
    pub records_filtered_out: u64,
}

/// Builds a [`Report`] from a stream of records, in memory proportional to the number of
/// groups.
///
/// Group keys are interned: each distinct model, provider and tag value is stored once, and a
/// record's group is found by a short integer key, so adding a record allocates nothing unless
/// it starts a new group.
///
/// ```
/// use cost_core::{GroupKey, ReportBuilder, ReportOptions, read_log};
///
/// let log = r#"{"model":"claude-3-5-haiku-latest","provider":"anthropic","cost_usd":"0.00084","components":{"input":{"tokens":550,"usd_per_mtok":"0.8","usd":"0.00044"},"cache_write_5m":{"tokens":0,"usd_per_mtok":"1","usd":"0"},"cache_write_1h":{"tokens":0,"usd_per_mtok":"1.6","usd":"0"},"cache_read":{"tokens":0,"usd_per_mtok":"0.08","usd":"0"},"output":{"tokens":100,"usd_per_mtok":"4","usd":"0.0004"},"cache_storage":{"tokens":0,"usd_per_mtok":"0","usd":"0"}},"tier":null,"batch":false,"at":"2026-11-23","prices_from":null,"usage":{"input_tokens":550,"output_tokens":100},"tags":{"phase":"image-prompts"},"warnings":[]}"#;
/// let (records, errors) = read_log(log);
/// assert!(errors.is_empty());
/// let options = ReportOptions { by: vec![GroupKey::tag("phase")], ..ReportOptions::default() };
/// let mut builder = ReportBuilder::new(options).unwrap();
/// for record in &records {
///     builder.add(record);
/// }
/// let report = builder.finish();
/// assert_eq!(report.groups[0].key, vec![Some("image-prompts".to_string())]);
/// assert_eq!(report.total.cost_usd.to_decimal_string(), "0.00084");
/// ```
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    by: Vec<GroupKey>,
    filter: Filter,
    /// One interner per string key (unused for the date keys).
    interners: Vec<Interner>,
    index: FastMap<Box<[u64]>, u32>,
    keys: Vec<Box<[u64]>>,
    spends: Vec<Spend>,
    scratch: Vec<u64>,
    /// By a hash of a record's codes, the last group of codes of that hash: most records
    /// find their group here, by comparing their codes, without a lookup in `index`.
    recent_groups: [u32; RECENT],
    /// Whether the filter lets every record through.
    unfiltered: bool,
    /// The last date seen, with its day, week and month codes.
    last_date: Option<(Date, [u64; 3])>,
    records_seen: u64,
    records_filtered_out: u64,
}

impl ReportBuilder {
    /// A builder for a report with these options.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for a key named twice or `since` after `until`.
    pub fn new(options: ReportOptions) -> Result<ReportBuilder> {
        check_keys(&options.by)?;
        options.filter.validate()?;
        Ok(ReportBuilder {
            interners: options.by.iter().map(|_| Interner::default()).collect(),
            scratch: Vec::with_capacity(options.by.len()),
            by: options.by,
            unfiltered: options.filter == Filter::default(),
            filter: options.filter,
            index: FastMap::default(),
            keys: Vec::new(),
            spends: Vec::new(),
            recent_groups: [u32::MAX; RECENT],
            last_date: None,
            records_seen: 0,
            records_filtered_out: 0,
        })
    }

    /// Counts one record (or counts it as filtered out).
    pub fn add(&mut self, record: &PricedRecord) {
        self.records_seen += 1;
        if !self.unfiltered && !self.filter.matches(record) {
            self.records_filtered_out += 1;
            return;
        }
        self.scratch.clear();
        let mut hash = 0u64;
        for (key, interner) in self.by.iter().zip(&mut self.interners) {
            let code = match key {
                GroupKey::Model => interner.intern(&record.model),
                GroupKey::Provider => interner.intern(&record.provider),
                GroupKey::Tag(name) => record.tags.get(name).map_or(0, |v| interner.intern(v)),
                GroupKey::Batch => u64::from(record.batch),
                GroupKey::Day | GroupKey::Week | GroupKey::Month => {
                    let codes = match self.last_date {
                        Some((date, codes)) if date == record.at => codes,
                        _ => {
                            let codes = date_codes(record.at);
                            self.last_date = Some((record.at, codes));
                            codes
                        }
                    };
                    match key {
                        GroupKey::Day => codes[0],
                        GroupKey::Week => codes[1],
                        _ => codes[2],
                    }
                }
            };
            hash = (hash.rotate_left(17) ^ code).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            self.scratch.push(code);
        }
        let recent = &mut self.recent_groups[(hash >> (64 - RECENT.trailing_zeros())) as usize];
        let group = match self.keys.get(*recent as usize) {
            Some(key) if **key == *self.scratch => *recent,
            _ => {
                let group = match self.index.get(self.scratch.as_slice()) {
                    Some(&group) => group,
                    None => {
                        let group = self.keys.len() as u32;
                        let key: Box<[u64]> = self.scratch.as_slice().into();
                        self.keys.push(key.clone());
                        self.index.insert(key, group);
                        self.spends.push(Spend::default());
                        group
                    }
                };
                *recent = group;
                group
            }
        };
        self.spends[group as usize].add(record);
    }

    /// The report: groups decoded and sorted, and their total.
    pub fn finish(self) -> Report {
        let mut total = Spend::default();
        for spend in &self.spends {
            total.merge(spend);
        }
        let mut groups: Vec<Group> = self
            .keys
            .iter()
            .zip(self.spends)
            .map(|(codes, spend)| Group {
                key: self
                    .by
                    .iter()
                    .zip(codes.iter())
                    .zip(&self.interners)
                    .map(|((key, &code), interner)| decode(key, code, interner))
                    .collect(),
                spend,
            })
            .collect();
        groups.sort_by(|a, b| {
            b.spend
                .cost_usd
                .cmp(&a.spend.cost_usd)
                .then_with(|| a.key.cmp(&b.key))
        });
        Report {
            by: self.by,
            filter: self.filter,
            groups,
            total,
            records_seen: self.records_seen,
            records_filtered_out: self.records_filtered_out,
        }
    }
}

impl Report {
    /// Groups `records` in one call (see [`ReportBuilder`] to stream).
    ///
    /// # Errors
    ///
    /// As [`ReportBuilder::new`].
    pub fn build<'a>(
        options: ReportOptions,
        records: impl IntoIterator<Item = &'a PricedRecord>,
    ) -> Result<Report> {
        let mut builder = ReportBuilder::new(options)?;
        for record in records {
            builder.add(record);
        }
        Ok(builder.finish())
    }

    /// The CSV export: a header of the key columns then [`REPORT_CSV_COLUMNS`], and one row
    /// per group in report order. The total is not a row (group by nothing to get it as one).
    pub fn to_csv(&self) -> String {
        let mut header: Vec<String> = self.by.iter().map(ToString::to_string).collect();
        header.extend(REPORT_CSV_COLUMNS.iter().map(|c| c.to_string()));
        let mut out = String::new();
        push_csv_row(&mut out, &header);
        let mut cells = Vec::with_capacity(header.len());
        for group in &self.groups {
            cells.clear();
            cells.extend(group.key.iter().map(|v| v.clone().unwrap_or_default()));
            group.spend.csv_cells(&mut cells);
            push_csv_row(&mut out, &cells);
        }
        out
    }

    /// The JSON export, pretty-printed (see the `Serialize` implementation for the shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serializes")
    }
}

/// `{"by": ["model", "phase"], "where": {...}, "records_seen", "records_filtered_out",
/// "groups": [{"key": {"model": "...", "phase": null}, "calls", ..., "cost_usd"}], "total":
/// {"calls", ..., "cost_usd"}}`: each group's spend fields sit beside its `key`, named as the
/// CSV columns.
impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct KeyMap<'a>(&'a [GroupKey], &'a [Option<String>]);
        impl Serialize for KeyMap<'_> {
            fn serialize<S: Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (key, value) in self.0.iter().zip(self.1) {
                    map.serialize_entry(&key.to_string(), value)?;
                }
                map.end()
            }
        }
        #[derive(Serialize)]
        struct GroupOut<'a> {
            key: KeyMap<'a>,
            #[serde(flatten)]
            spend: &'a Spend,
        }
        let groups: Vec<GroupOut<'_>> = self
            .groups
            .iter()
            .map(|g| GroupOut {
                key: KeyMap(&self.by, &g.key),
                spend: &g.spend,
            })
            .collect();
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("by", &self.by)?;
        map.serialize_entry("where", &self.filter)?;
        map.serialize_entry("records_seen", &self.records_seen)?;
        map.serialize_entry("records_filtered_out", &self.records_filtered_out)?;
        map.serialize_entry("groups", &groups)?;
        map.serialize_entry("total", &self.total)?;
        map.end()
    }
}

fn decode(key: &GroupKey, code: u64, interner: &Interner) -> Option<String> {
    match key {
        GroupKey::Model | GroupKey::Provider | GroupKey::Tag(_) => interner.name(code),
        GroupKey::Batch => Some(if code == 1 { "batch" } else { "sync" }.to_string()),
        GroupKey::Day => Some(date_of_days(code as u32 as i32).to_string()),
        GroupKey::Week => Some(format!("{:04}-W{:02}", code / 100, code % 100)),
        GroupKey::Month => Some(format!("{:04}-{:02}", code / 12, code % 12 + 1)),
    }
}

/// A day's day, week and month codes. Out of line: inlined, the compiler works them out
/// for every record, though only a report by date needs them, and rarely (the last date's
/// are remembered).
#[inline(never)]
fn date_codes(at: Date) -> [u64; 3] {
    [day_code(at), week_code(at), month_code(at)]
}

fn day_code(date: Date) -> u64 {
    u64::from(date.days_since_epoch() as u32)
}

fn month_code(date: Date) -> u64 {
    let (year, month, _) = date.ymd();
    year as u64 * 12 + u64::from(month - 1)
}

fn week_code(date: Date) -> u64 {
    let (year, week) = iso_week(date);
    year as u64 * 100 + u64::from(week)
}

/// The ISO 8601 week-numbering year and week of `date`.
pub(crate) fn iso_week(date: Date) -> (i32, u32) {
    let days = date.days_since_epoch();
    // 1970-01-01 was a Thursday: Monday is 1, Sunday 7.
    let weekday = (days + 3).rem_euclid(7) + 1;
    let thursday = date_of_days(days + (4 - weekday));
    let (year, _, _) = thursday.ymd();
    let jan_1 = Date::from_ymd(year, 1, 1).map_or(0, Date::days_since_epoch);
    let week = (thursday.days_since_epoch() - jan_1) / 7 + 1;
    (year, week as u32)
}

pub(crate) fn date_of_days(days: i32) -> Date {
    Date::from_unix_seconds(i64::from(days) * 86_400)
}

/// Days in the month of `date`.
pub(crate) fn days_in_month(date: Date) -> u32 {
    let (year, month, _) = date.ymd();
    (28..=31)
        .rev()
        .find(|&day| Date::from_ymd(year, month, day).is_some())
        .unwrap_or(28)
}

/// Slots in the direct-mapped caches in front of a [`ReportBuilder`]'s hash maps.
const RECENT: usize = 64;

/// Distinct strings, numbered from 1 (0 is "missing").
#[derive(Debug, Clone)]
struct Interner {
    ids: FastMap<Box<str>, u64>,
    names: Vec<Box<str>>,
    /// By [`quick_hash`] of a text, the id of the last text of that hash (`0`: none). A
    /// log names a few models, phases and runs, which are found here by one comparison
    /// rather than a lookup in `ids`.
    recent: [u32; RECENT],
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            ids: FastMap::default(),
            names: Vec::new(),
            recent: [0; RECENT],
        }
    }
}

impl Interner {
    fn intern(&mut self, text: &str) -> u64 {
        let slot = (quick_hash(text.as_bytes()) >> (64 - RECENT.trailing_zeros())) as usize;
        let recent = self.recent[slot] as usize;
        if let Some(name) = recent.checked_sub(1).and_then(|at| self.names.get(at)) {
            if same_bytes(name.as_bytes(), text.as_bytes()) {
                return recent as u64;
            }
        }
        let id = match self.ids.get(text) {
            Some(&id) => id,
            None => {
                self.names.push(text.into());
                let id = self.names.len() as u64;
                self.ids.insert(text.into(), id);
                id
            }
        };
        // Past `u32`, the cache holds no id.
        self.recent[slot] = u32::try_from(id).unwrap_or(0);
        id
    }

    fn name(&self, id: u64) -> Option<String> {
        (id > 0).then(|| self.names[id as usize - 1].to_string())
    }
}

/// A hash of `bytes` from their length and their first and last eight bytes, for the
/// caches in front of hash maps (whose entries are then compared whole): a few
/// instructions, where hashing a string through `Hasher` mixes every word of it.
#[inline]
pub(crate) fn quick_hash(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let load8 = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let load4 = |at: usize| {
        u64::from(u32::from_le_bytes(
            bytes[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    // The two loads of a short text overlap, and cover it.
    let mixed = if len >= 8 {
        load8(0) ^ load8(len - 8).rotate_left(29)
    } else if len >= 4 {
        load4(0) | load4(len - 4) << 32
    } else {
        bytes
            .iter()
            .fold(0, |word, &byte| word << 8 | u64::from(byte))
    };
    (mixed ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The multiply-rotate hash of rustc's `FxHasher`: a few cycles per word, several times
/// faster than SipHash on short keys. It does not resist deliberately colliding keys, which a
/// user's own usage log has no reason to contain.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

// ------------------------------------------------------------------------------------------
// CSV and exact ratios

fn push_csv_row(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

fn div_round_half_away(value: i128, divisor: i128) -> i128 {
    let quotient = value / divisor;
    let remainder = value % divisor;
    if remainder.unsigned_abs() * 2 >= divisor.unsigned_abs() {
        quotient + value.signum() * divisor.signum()
    } else {
        quotient
    }
}

/// `numerator / denominator × scale`, rounded half away from zero to `places` decimals, as
/// text with exactly that many places; `None` when the denominator is zero, or the ratio is
/// beyond `i128` (only amounts no real log reaches). Integer arithmetic only:
/// `ratio_text(Usd 1.07, Usd 1, 1, 2) == "1.07"`.
pub(crate) fn ratio_text(
    numerator: Usd,
    denominator: Usd,
    scale: i128,
    places: u32,
) -> Option<String> {
    if denominator == Usd::ZERO {
        return None;
    }
    let unit = 10i128.pow(places);
    let factor = scale * unit;
    let (n, d) = (numerator.femto(), denominator.femto());
    // A log's costs are far below 10^34 femto-dollars, where `n × factor` leaves i128; a
    // hostile one (a record at the largest price) is split as (n / d) × factor + the rest.
    let value = match n.checked_mul(factor) {
        Some(product) => div_round_half_away(product, d),
        None => (n / d)
            .checked_mul(factor)?
            .checked_add(div_round_half_away((n % d).checked_mul(factor)?, d))?,
    };
    let sign = if value < 0 { "-" } else { "" };
    let value = value.unsigned_abs();
    let unit = unit.unsigned_abs();
    if places == 0 {
        return Some(format!("{sign}{value}"));
    }
    Some(format!(
        "{sign}{}.{:0width$}",
        value / unit,
        value % unit,
        width = places as usize
    ))
}

// ------------------------------------------------------------------------------------------
// Estimates beside actual costs

/// The largest estimated cost accepted (a run's phase, a budget's expected job): ten
/// quadrillion dollars, far above any estimate, and low enough that sums and percentages of
/// such amounts stay inside `i128`.
pub(crate) const MAX_ESTIMATE_FEMTO: i128 = 10_000_000_000_000_000 * 1_000_000_000_000_000;

/// A phase's estimated cost, as the estimate gave it. Kept apart from the estimate module's
/// own types so a report can be checked against any estimate, saved or fresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseEstimate {
    /// The phase name, as the records' `phase` tag spells it.
    pub phase: String,
    /// The low end of the estimate.
    pub low_usd: Usd,
    /// The expected cost.
    pub expected_usd: Usd,
    /// The high end of the estimate.
    pub high_usd: Usd,
}

/// A run's estimate, phase by phase: what [`EstimateComparison`] sets the actual cost beside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunEstimate {
    /// The run's `run` tag: only records carrying it are compared. `None`: every record.
    #[serde(default)]
    pub run: Option<String>,
    /// The estimated phases, in the order to show them.
    pub phases: Vec<PhaseEstimate>,
}

impl RunEstimate {
    /// Checks that every phase has `0 ≤ low ≤ expected ≤ high ≤ $10^16` and that no phase is
    /// named twice.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] naming the bad phase.
    pub fn validate(&self) -> Result<()> {
        for (i, phase) in self.phases.iter().enumerate() {
            let at = format!("phases[{i}]");
            if self.phases[..i].iter().any(|p| p.phase == phase.phase) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("phase `{}` is estimated twice", phase.phase),
                )
                .at(at));
            }
            if phase.low_usd < Usd::ZERO {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("phase `{}`: a negative estimate", phase.phase),
                )
                .at(format!("{at}.low_usd")));
            }
            if !(phase.low_usd <= phase.expected_usd && phase.expected_usd <= phase.high_usd) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "phase `{}`: expected low ≤ expected ≤ high, got {} / {} / {}",
                        phase.phase, phase.low_usd, phase.expected_usd, phase.high_usd
                    ),
                )
                .at(at));
            }
            if phase.high_usd.femto() > MAX_ESTIMATE_FEMTO {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!(
                        "phase `{}`: an estimate of ${} is more than the \
                         $10,000,000,000,000,000 this tool accepts",
                        phase.phase, phase.high_usd
                    ),
                )
                .at(format!("{at}.high_usd")));
            }
        }
        Ok(())
    }

    /// The report options that collect this run's actual costs: grouped by the `phase` tag,
    /// only records tagged with this run.
    pub fn report_options(&self) -> ReportOptions {
        let mut filter = Filter::default();
        if let Some(run) = &self.run {
            filter.tags.insert("run".to_string(), run.clone());
        }
        ReportOptions {
            by: vec![GroupKey::tag("phase")],
            filter,
        }
    }

    /// Sets `actual` (a report built with [`RunEstimate::report_options`]) beside this estimate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] when the estimate is invalid or the report is not grouped
    /// by exactly the `phase` tag.
    pub fn compare(&self, actual: &Report) -> Result<EstimateComparison> {
        self.validate()?;
        if actual.by != [GroupKey::tag("phase")] {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "an estimate is compared with a report grouped by `phase` alone",
            )
            .at("by"));
        }
        let mut rows = Vec::new();
        let mut total_estimate = EstimateRange::default();
        for estimate in &self.phases {
            let spend = actual
                .groups
                .iter()
                .find(|g| g.key[0].as_deref() == Some(estimate.phase.as_str()))
                .map(|g| g.spend)
                .unwrap_or_default();
            let range = EstimateRange {
                low_usd: estimate.low_usd,
                expected_usd: estimate.expected_usd,
                high_usd: estimate.high_usd,
            };
            total_estimate.low_usd += range.low_usd;
            total_estimate.expected_usd += range.expected_usd;
            total_estimate.high_usd += range.high_usd;
            rows.push(PhaseComparison::new(
                Some(estimate.phase.clone()),
                Some(range),
                &spend,
            ));
        }
        // Phases that ran without an estimate, in report order (by cost).
        for group in &actual.groups {
            let phase = group.key[0].clone();
            let estimated = phase
                .as_deref()
                .is_some_and(|p| self.phases.iter().any(|e| e.phase == p));
            if !estimated {
                rows.push(PhaseComparison::new(phase, None, &group.spend));
            }
        }
        let total = PhaseComparison::new(None, Some(total_estimate), &actual.total);
        Ok(EstimateComparison {
            run: self.run.clone(),
            phases: rows,
            total,
        })
    }
}

/// An estimate's low, expected and high cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EstimateRange {
    /// The low end.
    pub low_usd: Usd,
    /// The expected cost.
    pub expected_usd: Usd,
    /// The high end.
    pub high_usd: Usd,
}

/// Where an actual cost fell against its estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Below the estimate's low end.
    Below,
    /// Between low and high, both included.
    Within,
    /// Above the estimate's high end.
    Above,
    /// The phase ran but was not estimated.
    Unestimated,
}

impl Verdict {
    /// The snake_case name the exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Below => "below",
            Verdict::Within => "within",
            Verdict::Above => "above",
            Verdict::Unestimated => "unestimated",
        }
    }
}

/// One phase's estimate beside its actual cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseComparison {
    /// The phase (`None`: records with no `phase` tag; in [`EstimateComparison::total`], the run).
    pub phase: Option<String>,
    /// The estimate, when the phase was estimated.
    pub estimate: Option<EstimateRange>,
    /// Calls made.
    pub calls: u64,
    /// What they cost.
    pub actual_usd: Usd,
    /// `actual − expected` (negative: cheaper than expected); `None` without an estimate.
    pub difference_usd: Option<Usd>,
    /// `actual ÷ expected`, exact, rounded half away from zero to 2 decimals (`"1.07"`);
    /// `None` without an estimate or when the expected cost is zero.
    pub ratio: Option<String>,
    /// Where the actual cost fell.
    pub verdict: Verdict,
}

impl PhaseComparison {
    fn new(phase: Option<String>, estimate: Option<EstimateRange>, spend: &Spend) -> Self {
        let actual = spend.cost_usd;
        let verdict = match estimate {
            None => Verdict::Unestimated,
            Some(e) if actual < e.low_usd => Verdict::Below,
            Some(e) if actual > e.high_usd => Verdict::Above,
            Some(_) => Verdict::Within,
        };
        PhaseComparison {
            phase,
            estimate,
            calls: spend.calls,
            actual_usd: actual,
            difference_usd: estimate.map(|e| actual - e.expected_usd),
            ratio: estimate.and_then(|e| ratio_text(actual, e.expected_usd, 1, 2)),
            verdict,
        }
    }
}

/// The columns of [`EstimateComparison::to_csv`], in order.
pub const COMPARISON_CSV_COLUMNS: &[&str] = &[
    "phase",
    "estimate_low_usd",
    "estimate_expected_usd",
    "estimate_high_usd",
    "actual_usd",
    "calls",
    "difference_usd",
    "ratio",
    "verdict",
];

/// A run's estimate beside its actual cost, per phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EstimateComparison {
    /// The run compared (`None`: every record).
    pub run: Option<String>,
    /// The estimated phases in the estimate's order, then phases that ran unestimated, by cost.
    pub phases: Vec<PhaseComparison>,
    /// The whole run: the estimates summed beside every record counted.
    pub total: PhaseComparison,
}

impl EstimateComparison {
    /// The CSV export: [`COMPARISON_CSV_COLUMNS`], one row per phase (the total is not a row).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = COMPARISON_CSV_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect();
        push_csv_row(&mut out, &header);
        let usd = |u: Option<Usd>| u.map(Usd::to_decimal_string).unwrap_or_default();
        for row in &self.phases {
            let cells = vec![
                row.phase.clone().unwrap_or_default(),
                usd(row.estimate.map(|e| e.low_usd)),
                usd(row.estimate.map(|e| e.expected_usd)),
                usd(row.estimate.map(|e| e.high_usd)),
                row.actual_usd.to_decimal_string(),
                row.calls.to_string(),
                usd(row.difference_usd),
                row.ratio.clone().unwrap_or_default(),
                row.verdict.as_str().to_string(),
            ];
            push_csv_row(&mut out, &cells);
        }
        out
    }
}

// ------------------------------------------------------------------------------------------
// Recommendations from actual usage

/// When the recommendations speak up, and what the caching one assumes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecommendOptions {
    /// Which records count (`where` in JSON, as in [`ReportOptions`]).
    #[serde(rename = "where")]
    pub filter: Filter,
    /// The fewest calls without any cache read or write, of one model in one phase, before
    /// caching is suggested. Default 10.
    pub cache_min_calls: u64,
    /// Caching is suggested only when cache reads are below this percentage of the group's
    /// prompt tokens. Default 10.
    pub cache_low_hit_percent: u32,
    /// The share, in percent, of the smallest uncached prompt of the group that is assumed to
    /// be a prefix every call repeats (system prompt, instructions, examples). Default 50.
    pub cache_prefix_percent: u32,
    /// The shortest prefix a provider caches when the catalog does not say
    /// ([`Model::cache_min_tokens`]). Default 1,024, the smallest any provider documents.
    pub cache_default_min_tokens: u64,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        RecommendOptions {
            filter: Filter::default(),
            cache_min_calls: 10,
            cache_low_hit_percent: 10,
            cache_prefix_percent: 50,
            cache_default_min_tokens: 1024,
        }
    }
}

/// What a [`Recommendation`] suggests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// Send the phase's synchronous calls through the batch API.
    UseBatch,
    /// Cache the prefix the phase's calls repeat.
    CachePrefix,
    /// Run the phase on a cheaper model of the same provider.
    CheaperModel,
}

impl RecommendationKind {
    /// The snake_case name the exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationKind::UseBatch => "use_batch",
            RecommendationKind::CachePrefix => "cache_prefix",
            RecommendationKind::CheaperModel => "cheaper_model",
        }
    }
}

/// A change that would have made the logged calls cheaper, with the money it would have saved.
///
/// Each saving is measured against the actual usage alone: savings of different
/// recommendations for the same calls do not add up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// What it suggests.
    pub kind: RecommendationKind,
    /// The phase (`None`: calls with no `phase` tag).
    pub phase: Option<String>,
    /// The provider of the calls.
    pub provider: String,
    /// The model the calls ran on.
    pub model: String,
    /// The model suggested instead ([`RecommendationKind::CheaperModel`]).
    pub suggested_model: Option<String>,
    /// The calls the recommendation concerns.
    pub calls: u64,
    /// What those calls cost.
    pub actual_usd: Usd,
    /// What they would have cost.
    pub alternative_usd: Usd,
    /// `actual_usd − alternative_usd`, always above zero.
    pub saving_usd: Usd,
    /// The repeated prefix assumed, in tokens per call ([`RecommendationKind::CachePrefix`]).
    pub assumed_prefix_tokens: Option<u64>,
    /// The recommendation in words.
    pub message: String,
}

/// The columns of [`Recommendations::to_csv`], in order.
pub const RECOMMENDATION_CSV_COLUMNS: &[&str] = &[
    "kind",
    "phase",
    "provider",
    "model",
    "suggested_model",
    "calls",
    "actual_usd",
    "alternative_usd",
    "saving_usd",
    "assumed_prefix_tokens",
    "message",
];

/// Recommendations, largest saving first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recommendations {
    /// Sorted by `saving_usd`, descending; then by kind, phase and model.
    pub items: Vec<Recommendation>,
    /// Records counted.
    pub records_counted: u64,
    /// Records whose model the catalog does not have: they were not considered.
    pub records_not_in_catalog: u64,
}

impl Recommendations {
    /// The CSV export: [`RECOMMENDATION_CSV_COLUMNS`], one row per recommendation.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = RECOMMENDATION_CSV_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect();
        push_csv_row(&mut out, &header);
        for r in &self.items {
            let cells = vec![
                r.kind.as_str().to_string(),
                r.phase.clone().unwrap_or_default(),
                r.provider.clone(),
                r.model.clone(),
                r.suggested_model.clone().unwrap_or_default(),
                r.calls.to_string(),
                r.actual_usd.to_decimal_string(),
                r.alternative_usd.to_decimal_string(),
                r.saving_usd.to_decimal_string(),
                r.assumed_prefix_tokens
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                r.message.clone(),
            ];
            push_csv_row(&mut out, &cells);
        }
        out
    }
}

/// Records of one model in one phase that are priced alike on every model of the provider:
/// the same day (so the same price set), batch or not, the same side of every long-context
/// threshold the provider uses, with or without cache storage. Costs are linear in token
/// counts at fixed prices, so a bucket is repriced exactly from its summed usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct BucketKey {
    group: u32,
    day: i32,
    batch: bool,
    tier_class: u8,
    storage: bool,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Summed usage, in `u128` so no log overflows it.
    tokens: [u128; 6],
    /// One record's usage: it picks the tier, and its price components are the bucket's.
    representative: Usage,
    calls: u64,
    actual_usd: Usd,
    /// Calls with no cache read or write.
    plain_calls: u64,
    plain_actual_usd: Usd,
}

/// One model in one phase.
#[derive(Debug, Clone)]
struct PhaseModel {
    phase: Option<Box<str>>,
    model: usize,
    calls: u64,
    input_tokens: u128,
    cache_read_tokens: u128,
    /// The smallest prompt among calls with no cache read or write.
    min_plain_input: Option<u64>,
    /// The largest prompt plus output of one call.
    max_call_tokens: u64,
    max_output_tokens: u64,
}

/// Builds [`Recommendations`] from a stream of records, repricing them on `catalog`.
///
/// The rules, each per phase (the `phase` tag) and model:
///
/// - **Batch** ([`RecommendationKind::UseBatch`]): the phase's synchronous calls, on a model
///   with batch prices on the call's day, repriced at those batch prices (same usage, same
///   date, same tier rules). Saving: actual − batch cost.
/// - **Caching** ([`RecommendationKind::CachePrefix`]): when the provider caches prompts, the
///   model has a cache-read price below its input price, at least
///   [`RecommendOptions::cache_min_calls`] calls used no cache at all, and cache reads are
///   below [`RecommendOptions::cache_low_hit_percent`] of the prompt tokens. Assumed: every
///   uncached call repeats a prefix of `cache_prefix_percent` of the group's smallest uncached
///   prompt (rounded down), and that prefix is cacheable (at least the model's
///   [`Model::cache_min_tokens`], or `cache_default_min_tokens`). Calls are assumed close
///   enough together to keep the cache warm all day: per day (and per batch mode and
///   long-context tier) the first call writes the prefix (at the 5-minute cache-write price,
///   which is the input price where the model has none) and every later call reads it at the
///   cache-read price instead of the input price. Saving: reads saved − write premium.
/// - **Cheaper model** ([`RecommendationKind::CheaperModel`]): every current (not deprecated)
///   model of the same provider whose context window holds the phase's largest call (prompt
///   plus output), whose maximum output holds its largest output and that had prices on every
///   day the phase ran, repriced with the same usage, dates and batch mode. Saving: actual −
///   the cheapest. Whether its quality is enough is for the user to judge.
///
/// Records of a model the catalog does not have are counted in
/// [`Recommendations::records_not_in_catalog`] and otherwise ignored.
#[derive(Debug, Clone)]
pub struct Recommender<'c> {
    catalog: &'c Catalog,
    options: RecommendOptions,
    /// provider → model id → index into `catalog.models()`.
    models: FastMap<Box<str>, FastMap<Box<str>, Option<usize>>>,
    /// provider → (its long-context thresholds, sorted, deduplicated; inclusive?).
    thresholds: FastMap<Box<str>, (Vec<u64>, bool)>,
    /// (phase id, model index) → index into `groups`.
    group_index: FastMap<(u64, usize), u32>,
    groups: Vec<PhaseModel>,
    phases: Interner,
    buckets: FastMap<BucketKey, Bucket>,
    records_counted: u64,
    records_not_in_catalog: u64,
}

impl<'c> Recommender<'c> {
    /// A recommender that reprices on `catalog`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] for an invalid filter or a prefix share above 100 %.
    pub fn new(catalog: &'c Catalog, options: RecommendOptions) -> Result<Recommender<'c>> {
        options.filter.validate()?;
        if options.cache_prefix_percent > 100 {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!(
                    "a prefix cannot be {} % of a prompt",
                    options.cache_prefix_percent
                ),
            )
            .at("cache_prefix_percent"));
        }
        let mut thresholds: FastMap<Box<str>, (Vec<u64>, bool)> = FastMap::default();
        for model in catalog.models() {
            let entry = thresholds
                .entry(model.provider.as_str().into())
                .or_insert_with(|| {
                    let inclusive = catalog
                        .provider(&model.provider)
                        .is_some_and(|p| p.tier_threshold_inclusive);
                    (Vec::new(), inclusive)
                });
            for set in &model.prices {
                for rates in std::iter::once(&set.standard).chain(set.batch.as_ref()) {
                    entry.0.extend(rates.tiers.iter().map(|t| t.above_tokens));
                }
            }
        }
        for (list, _) in thresholds.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        Ok(Recommender {
            catalog,
            options,
            models: FastMap::default(),
            thresholds,
            group_index: FastMap::default(),
            groups: Vec::new(),
            phases: Interner::default(),
            buckets: FastMap::default(),
            records_counted: 0,
            records_not_in_catalog: 0,
        })
    }

    fn model_index(&mut self, provider: &str, model: &str) -> Option<usize> {
        let catalog = self.catalog;
        let by_model = match self.models.get_mut(provider) {
            Some(map) => map,
            None => self.models.entry(provider.into()).or_default(),
        };
        if let Some(&index) = by_model.get(model) {
            return index;
        }
        let index = catalog
            .models()
            .iter()
            .position(|m| m.provider == provider && m.id == model);
        by_model.insert(model.into(), index);
        index
    }

    /// Counts one record (records the filter leaves out are ignored).
    pub fn add(&mut self, record: &PricedRecord) {
        if !self.options.filter.matches(record) {
            return;
        }
        self.records_counted += 1;
        let Some(model) = self.model_index(&record.provider, &record.model) else {
            self.records_not_in_catalog += 1;
            return;
        };
        let phase = record
            .tags
            .get("phase")
            .map_or(0, |p| self.phases.intern(p));
        let group = match self.group_index.get(&(phase, model)) {
            Some(&group) => group,
            None => {
                let group = self.groups.len() as u32;
                self.groups.push(PhaseModel {
                    phase: self.phases.name(phase).map(Into::into),
                    model,
                    calls: 0,
                    input_tokens: 0,
                    cache_read_tokens: 0,
                    min_plain_input: None,
                    max_call_tokens: 0,
                    max_output_tokens: 0,
                });
                self.group_index.insert((phase, model), group);
                group
            }
        };
        let usage = &record.usage;
        let plain = usage.cache_read_tokens == 0
            && usage.cache_write_5m_tokens == 0
            && usage.cache_write_1h_tokens == 0;
        let stats = &mut self.groups[group as usize];
        stats.calls += 1;
        stats.input_tokens += u128::from(usage.input_tokens);
        stats.cache_read_tokens += u128::from(usage.cache_read_tokens);
        if plain {
            stats.min_plain_input = Some(
                stats
                    .min_plain_input
                    .map_or(usage.input_tokens, |m| m.min(usage.input_tokens)),
            );
        }
        stats.max_call_tokens = stats
            .max_call_tokens
            .max(usage.input_tokens.saturating_add(usage.output_tokens));
        stats.max_output_tokens = stats.max_output_tokens.max(usage.output_tokens);

        let tier_class =
            self.thresholds
                .get(record.provider.as_str())
                .map_or(0, |(list, inclusive)| {
                    list.iter()
                        .filter(|&&t| {
                            if *inclusive {
                                usage.input_tokens >= t
                            } else {
                                usage.input_tokens > t
                            }
                        })
                        .count() as u8
                });
        let key = BucketKey {
            group,
            day: record.at.days_since_epoch(),
            batch: record.batch,
            tier_class,
            storage: usage.cache_storage_token_hours > 0,
        };
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            tokens: [0; 6],
            representative: *usage,
            calls: 0,
            actual_usd: Usd::ZERO,
            plain_calls: 0,
            plain_actual_usd: Usd::ZERO,
        });
        for (sum, tokens) in bucket.tokens.iter_mut().zip(component_tokens(usage)) {
            *sum += u128::from(tokens);
        }
        bucket.calls += 1;
        bucket.actual_usd += record.cost_usd;
        if plain {
            bucket.plain_calls += 1;
            bucket.plain_actual_usd += record.cost_usd;
        }
    }

    /// The recommendations.
    pub fn finish(self) -> Recommendations {
        let mut by_group: Vec<Vec<(BucketKey, Bucket)>> = vec![Vec::new(); self.groups.len()];
        for (key, bucket) in &self.buckets {
            by_group[key.group as usize].push((*key, *bucket));
        }
        let mut items = Vec::new();
        for (group, mut buckets) in self.groups.iter().zip(by_group) {
            buckets.sort_by_key(|(k, _)| (k.day, k.batch, k.tier_class, k.storage));
            let model = &self.catalog.models()[group.model];
            items.extend(self.batch(group, model, &buckets));
            items.extend(self.cache(group, model, &buckets));
            items.extend(self.cheaper(group, model, &buckets));
        }
        items.sort_by(|a: &Recommendation, b| {
            b.saving_usd
                .cmp(&a.saving_usd)
                .then_with(|| a.kind.cmp(&b.kind))
                .then_with(|| a.phase.cmp(&b.phase))
                .then_with(|| a.model.cmp(&b.model))
        });
        Recommendations {
            items,
            records_counted: self.records_counted,
            records_not_in_catalog: self.records_not_in_catalog,
        }
    }

    fn inclusive(&self, model: &Model) -> bool {
        self.catalog
            .provider(&model.provider)
            .is_some_and(|p| p.tier_threshold_inclusive)
    }

    /// The unit prices of `bucket` on `model` (input, cache write 5m, cache write 1h, cache
    /// read, output, storage), or `None` when the model cannot price it.
    fn unit_prices(
        &self,
        model: &Model,
        key: &BucketKey,
        bucket: &Bucket,
        batch: bool,
    ) -> Option<([UsdPerMtok; 6], bool)> {
        let options = PriceOptions {
            at: date_of_days(key.day),
            batch,
        };
        let cost = cost_of(
            model,
            self.inclusive(model),
            &bucket.representative,
            options,
        )
        .ok()?;
        let c = &cost.components;
        Some((
            [
                c.input.usd_per_mtok,
                c.cache_write_5m.usd_per_mtok,
                c.cache_write_1h.usd_per_mtok,
                c.cache_read.usd_per_mtok,
                c.output.usd_per_mtok,
                c.cache_storage.usd_per_mtok,
            ],
            cost.batch,
        ))
    }

    fn batch(
        &self,
        group: &PhaseModel,
        model: &Model,
        buckets: &[(BucketKey, Bucket)],
    ) -> Option<Recommendation> {
        let (mut calls, mut actual, mut alternative) = (0, Usd::ZERO, Usd::ZERO);
        for (key, bucket) in buckets.iter().filter(|(k, _)| !k.batch) {
            let Some((prices, true)) = self.unit_prices(model, key, bucket, true) else {
                continue;
            };
            calls += bucket.calls;
            actual += bucket.actual_usd;
            alternative = alternative.checked_add(price_tokens(&bucket.tokens, &prices)?)?;
        }
        let saving = actual - alternative;
        (saving > Usd::ZERO).then(|| Recommendation {
            kind: RecommendationKind::UseBatch,
            message: format!(
                "{calls} synchronous calls of {}{} cost {}; through the batch API they would have cost {}, saving {}",
                model.id,
                phase_words(&group.phase),
                actual.display(),
                alternative.display(),
                saving.display()
            ),
            phase: group.phase.as_deref().map(Into::into),
            provider: model.provider.clone(),
            model: model.id.clone(),
            suggested_model: None,
            calls,
            actual_usd: actual,
            alternative_usd: alternative,
            saving_usd: saving,
            assumed_prefix_tokens: None,
        })
    }

    fn cache(
        &self,
        group: &PhaseModel,
        model: &Model,
        buckets: &[(BucketKey, Bucket)],
    ) -> Option<Recommendation> {
        let options = &self.options;
        let caching = self
            .catalog
            .provider(&model.provider)
            .map_or(CachingStyle::default(), |p| p.caching);
        if caching == CachingStyle::None {
            return None;
        }
        let plain_calls: u64 = buckets.iter().map(|(_, b)| b.plain_calls).sum();
        if plain_calls < options.cache_min_calls.max(2) {
            return None;
        }
        // Few cache reads: reads < low% of the prompt tokens.
        if group.cache_read_tokens * 100
            >= u128::from(options.cache_low_hit_percent) * group.input_tokens
        {
            return None;
        }
        let prefix = group.min_plain_input? * u64::from(options.cache_prefix_percent) / 100;
        let minimum = model
            .cache_min_tokens
            .unwrap_or(options.cache_default_min_tokens);
        if prefix == 0 || prefix < minimum {
            return None;
        }
        let (mut calls, mut actual, mut saving) = (0, Usd::ZERO, Usd::ZERO);
        for (key, bucket) in buckets {
            if bucket.plain_calls < 2 {
                continue;
            }
            let Some((prices, _)) = self.unit_prices(model, key, bucket, key.batch) else {
                continue;
            };
            let [input, write_5m, _, read, _, _] = prices.map(|p| i128::from(p.nano()));
            // Checked: the catalog's prices (a user's price file) may be absurd.
            let reads = i128::from(prefix)
                .checked_mul(i128::from(bucket.plain_calls - 1))?
                .checked_mul(input - read)?;
            let write_premium = i128::from(prefix).checked_mul(write_5m - input)?;
            let bucket_saving = Usd::from_femto(reads.checked_sub(write_premium)?);
            if bucket_saving > Usd::ZERO {
                calls += bucket.plain_calls;
                actual += bucket.plain_actual_usd;
                saving = saving.checked_add(bucket_saving)?;
            }
        }
        (saving > Usd::ZERO).then(|| Recommendation {
            kind: RecommendationKind::CachePrefix,
            message: format!(
                "{calls} calls of {}{} read nothing from the cache; if each repeated a {prefix}-token prefix and it were cached (written once a day, read by every later call), they would have cost {} instead of {}, saving {}",
                model.id,
                phase_words(&group.phase),
                (actual - saving).display(),
                actual.display(),
                saving.display()
            ),
            phase: group.phase.as_deref().map(Into::into),
            provider: model.provider.clone(),
            model: model.id.clone(),
            suggested_model: None,
            calls,
            actual_usd: actual,
            alternative_usd: actual - saving,
            saving_usd: saving,
            assumed_prefix_tokens: Some(prefix),
        })
    }

    fn cheaper(
        &self,
        group: &PhaseModel,
        model: &Model,
        buckets: &[(BucketKey, Bucket)],
    ) -> Option<Recommendation> {
        let actual: Usd = buckets.iter().map(|(_, b)| b.actual_usd).sum();
        let calls: u64 = buckets.iter().map(|(_, b)| b.calls).sum();
        let mut best: Option<(Usd, &Model)> = None;
        'candidates: for candidate in self.catalog.models() {
            if candidate.provider != model.provider
                || candidate.id == model.id
                || candidate.deprecated
                || candidate
                    .context_window
                    .is_none_or(|w| w < group.max_call_tokens)
                || candidate
                    .max_output_tokens
                    .is_some_and(|m| m < group.max_output_tokens)
            {
                continue;
            }
            let mut total = Usd::ZERO;
            for (key, bucket) in buckets {
                if candidate
                    .price_set_known_at(date_of_days(key.day))
                    .is_none()
                {
                    continue 'candidates;
                }
                let Some((prices, _)) = self.unit_prices(candidate, key, bucket, key.batch) else {
                    continue 'candidates;
                };
                let Some(sum) =
                    price_tokens(&bucket.tokens, &prices).and_then(|cost| total.checked_add(cost))
                else {
                    continue 'candidates;
                };
                total = sum;
            }
            let better = match best {
                None => true,
                Some((cost, chosen)) => total < cost || (total == cost && candidate.id < chosen.id),
            };
            if better {
                best = Some((total, candidate));
            }
        }
        let (alternative, cheapest) = best?;
        let saving = actual - alternative;
        (saving > Usd::ZERO).then(|| Recommendation {
            kind: RecommendationKind::CheaperModel,
            message: format!(
                "{calls} calls of {}{} cost {}; on {}, the cheapest {} model that fits them, they would have cost {}, saving {} (if its quality is enough)",
                model.id,
                phase_words(&group.phase),
                actual.display(),
                cheapest.id,
                model.provider,
                alternative.display(),
                saving.display()
            ),
            phase: group.phase.as_deref().map(Into::into),
            provider: model.provider.clone(),
            model: model.id.clone(),
            suggested_model: Some(cheapest.id.clone()),
            calls,
            actual_usd: actual,
            alternative_usd: alternative,
            saving_usd: saving,
            assumed_prefix_tokens: None,
        })
    }
}

/// The token counts of `usage` in the order of the unit prices: uncached input, cache writes
/// (5 minutes, 1 hour), cache reads, output, storage token-hours.
fn component_tokens(usage: &Usage) -> [u64; 6] {
    [
        usage.uncached_input_tokens(),
        usage.cache_write_5m_tokens,
        usage.cache_write_1h_tokens,
        usage.cache_read_tokens,
        usage.output_tokens,
        usage.cache_storage_token_hours,
    ]
}

/// The cost of summed token counts at unit prices; `None` beyond `i128` (only absurd prices
/// on a hostile log get there: the records' own costs are bounded by [`LogTotal`]).
fn price_tokens(tokens: &[u128; 6], prices: &[UsdPerMtok; 6]) -> Option<Usd> {
    tokens
        .iter()
        .zip(prices)
        .try_fold(Usd::ZERO, |sum, (&t, p)| {
            let cost = i128::try_from(t).ok()?.checked_mul(i128::from(p.nano()))?;
            sum.checked_add(Usd::from_femto(cost))
        })
}

fn phase_words(phase: &Option<Box<str>>) -> String {
    match phase {
        Some(p) => format!(" in phase `{p}`"),
        None => " with no phase tag".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The reader's `trim` is `str::trim`, whatever the whitespace at either end.
        #[test]
        fn lines_trim_as_str_trim(
            text in prop::collection::vec(
                prop::sample::select(vec![
                    ' ', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{1c}', '\u{85}', '\u{a0}',
                    '\u{2003}', '\u{3000}', '\u{feff}', 'a', '{', '}', '\u{e9}', '\u{1f600}',
                ]),
                0..8,
            )
            .prop_map(|chars| chars.into_iter().collect::<String>())
        ) {
            prop_assert_eq!(trim(&text), text.trim());
        }
    }
}
