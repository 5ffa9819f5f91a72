//! Request lines read in one pass: the first and fastest of the usage-log decoders.
//!
//! [`LineReader::read`] reads a request line of the usual shape straight from its text: the
//! top-level fields by name, the usage object's members into slots by [`Key`] (its nested
//! `*_details` and `cache_creation` objects too), and the tags as ranges of the line.
//! The shape readers of `response.rs` then read the usage through [`JsonObject`], exactly as
//! they read serde_json's map or the tape, so the rules of each shape are written once.
//! Nothing is allocated, and no value is read twice.
//!
//! It declines (`None`) every line it does not read exactly as the serde_json path does: a
//! whole `response` body, an unknown or repeated field, a repeated usage key, a count that
//! is not a plain whole number (`100.0`, `-1`), a string with an escape, a number with an
//! exponent, and every line in error. Such a line goes to the tape (`tape.rs`), then to
//! serde_json, which decides every error. A test in `record.rs` runs every fixture, variants
//! of them and random usage objects through all three and compares the results.
//!
//! A log's lines are mostly of a few layouts, differing only in their values, so the reader
//! remembers the layouts of the lines it read (`layout.rs`) and reads a line of a known
//! layout by comparing the bytes between its values and reading only the values.

use crate::response::{parse_usage_object, Item, JsonObject, Key, KeySet, UsageFormat};
use crate::tape::{digits, number_end, plain_u64, skip_value, skip_whitespace, string_end};
use crate::usage::Usage;

mod layout;

use layout::Layouts;

/// At most this many objects are read in a usage (itself and those nested in it).
const MAX_OBJECTS: usize = 8;

/// At most this many members are read in one of them.
const MAX_KEYS: usize = 32;

/// A member's value, as far as the shape readers tell values apart (see [`Item`]).
#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Whole(u64),
    /// A non-negative fraction (`100.0`, OpenRouter's `0.0012` dollars), as `str::parse`
    /// reads it: the nearest `f64`, as serde_json reads it.
    Float(f64),
    /// The index of a nested object in [`LineReader::objects`].
    Object(u8),
    /// Anything else: a negative number, an integer above `u64`, a string, a bool, an
    /// array, or an object where no reader reads one. Every reader rejects it where it
    /// reads it (serde_json might read a negative number or a huge integer differently).
    Other,
}

/// The members of one object of a usage.
#[derive(Debug, Clone)]
struct Members {
    keys: KeySet,
    /// Every key, as a range of the line, in document order (for error messages).
    names: [(u32, u32); MAX_KEYS],
    len: usize,
    /// The value of each key in `keys`, by its number; the other slots hold stale values.
    values: [Slot; Key::ALL.len()],
}

impl Members {
    const EMPTY: Members = Members {
        keys: KeySet::EMPTY,
        names: [(0, 0); MAX_KEYS],
        len: 0,
        values: [Slot::Null; Key::ALL.len()],
    };
}

/// Reads request lines one after another, reusing its buffers; see the module
/// documentation.
#[derive(Debug, Clone)]
pub(crate) struct LineReader {
    /// `MAX_OBJECTS` of them, the usage first; `used` are this line's.
    objects: Vec<Members>,
    used: usize,
    /// Each label's key and value, as ranges of the line (`start, end, start, end`).
    labels: Vec<[u32; 4]>,
    /// The values of the line read last, in order: what a layout learned from it leaves
    /// out.
    holes: Vec<Hole>,
    /// The layouts of lines read before.
    layouts: Layouts,
}

impl Default for LineReader {
    fn default() -> LineReader {
        LineReader {
            objects: vec![Members::EMPTY; MAX_OBJECTS],
            used: 0,
            labels: Vec::new(),
            holes: Vec::new(),
            layouts: Layouts::default(),
        }
    }
}

/// A value that differs from line to line among lines of one layout: where it is in the
/// line, and what it is.
#[derive(Debug, Clone, Copy)]
struct Hole {
    /// The range of the value's text in the line (a string's without its quotes).
    start: u32,
    end: u32,
    kind: HoleKind,
}

/// What a [`Hole`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoleKind {
    /// The model's name: a string without escapes.
    Model,
    /// The `at` text: a string without escapes.
    At,
    /// A tag's string value, without escapes.
    Label,
    /// A plain count (digits, no leading zero, at most 19 of them) in the usage object
    /// `object` (an index in [`LineReader::objects`]), under `key` (`None`: a key no reader
    /// reads).
    Count { object: u8, key: Option<Key> },
}

/// A request line as it was read, but for its labels (which the reader holds).
#[derive(Debug, Clone, Copy)]
struct Read<'a> {
    model: &'a str,
    usage: Usage,
    usage_format: UsageFormat,
    batch: bool,
    at: Option<&'a str>,
}

/// A request line as [`LineReader::read`] read it, borrowing from the line (and the reader).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestLine<'r, 'a> {
    /// Trimmed, not empty.
    pub(crate) model: &'a str,
    pub(crate) usage: Usage,
    pub(crate) usage_format: UsageFormat,
    pub(crate) batch: bool,
    /// The `at` text, not yet read as a date.
    pub(crate) at: Option<&'a str>,
    pub(crate) labels: Labels<'r, 'a>,
}

/// The labels of a request line, in document order (a repeated key keeps its last value
/// once they are put in a map, as serde_json's map keeps the last).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Labels<'r, 'a> {
    ranges: &'r [[u32; 4]],
    line: &'a str,
}

impl<'r, 'a> Labels<'r, 'a> {
    /// Each key and its value as `Request::from_value` writes it.
    pub(crate) fn iter(self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone + use<'r, 'a> {
        let line = self.line;
        self.ranges
            .iter()
            .map(move |&[key, key_end, value, value_end]| {
                (
                    &line[key as usize..key_end as usize],
                    &line[value as usize..value_end as usize],
                )
            })
    }
}

/// The usage keys whose value a shape reader reads as an object.
fn is_nested(key: Key) -> bool {
    matches!(
        key,
        Key::CacheCreation
            | Key::PromptTokensDetails
            | Key::CompletionTokensDetails
            | Key::InputTokensDetails
            | Key::OutputTokensDetails
    )
}

impl LineReader {
    /// Reads a request line with a usage object (what `Request::from_value` would accept),
    /// or declines it.
    pub(crate) fn read<'r, 'a>(&'r mut self, line: &'a str) -> Option<RequestLine<'r, 'a>> {
        if u32::try_from(line.len()).is_err() {
            return None;
        }
        let read = match self.layouts.read(line, &mut self.labels) {
            Some(read) => read,
            None => {
                let read = self.read_anew(line)?;
                self.layouts.learn(
                    line,
                    &self.holes,
                    &self.objects[..self.used],
                    &self.labels,
                    read,
                );
                read
            }
        };
        Some(RequestLine {
            model: read.model,
            usage: read.usage,
            usage_format: read.usage_format,
            batch: read.batch,
            at: read.at,
            labels: Labels {
                ranges: &self.labels,
                line,
            },
        })
    }

    /// [`LineReader::read`] without the layouts: the reader that learns them. The values it
    /// read are left in `holes`.
    fn read_anew<'a>(&mut self, line: &'a str) -> Option<Read<'a>> {
        self.used = 0;
        self.labels.clear();
        self.holes.clear();
        let bytes = line.as_bytes();
        let mut pos = skip_whitespace(bytes, 0);
        if bytes.get(pos) != Some(&b'{') {
            return None;
        }
        pos = skip_whitespace(bytes, pos + 1);
        let (mut model, mut usage, mut format, mut batch, mut at) =
            (None, false, None, false, None);
        let mut seen = 0u8;
        loop {
            if bytes.get(pos) != Some(&b'"') {
                return None;
            }
            let end = string_end(bytes, pos + 1)?;
            let field: u8 = match &bytes[pos + 1..end] {
                b"model" => 0,
                b"usage" => 1,
                b"usage_format" => 2,
                b"batch" => 3,
                b"at" => 4,
                b"tags" => 5,
                // `response` and unknown fields.
                _ => return None,
            };
            if seen & 1 << field != 0 {
                return None;
            }
            seen |= 1 << field;
            pos = skip_whitespace(bytes, end + 1);
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_whitespace(bytes, pos + 1);
            let first = *bytes.get(pos)?;
            let holes = &mut self.holes;
            let mut string = |pos: usize, kind: HoleKind| {
                let end = (first == b'"').then(|| string_end(bytes, pos + 1))??;
                // The line's length fits u32.
                holes.push(Hole {
                    start: (pos + 1) as u32,
                    end: end as u32,
                    kind,
                });
                Some((&line[pos + 1..end], end + 1))
            };
            // `null` means absent, as in `from_value`; a `null` model or usage is an error.
            if first == b'n' && field != 0 && field != 1 {
                if !bytes[pos..].starts_with(b"null") {
                    return None;
                }
                pos += 4;
            } else {
                pos = match field {
                    0 => {
                        let (text, end) = string(pos, HoleKind::Model)?;
                        model = Some(text);
                        end
                    }
                    1 if first == b'{' => {
                        usage = true;
                        self.object(bytes, pos, 1)?.0
                    }
                    2 => {
                        // The format is no hole: its text is part of the layout.
                        let end = (first == b'"').then(|| string_end(bytes, pos + 1))??;
                        format = Some(line[pos + 1..end].parse::<UsageFormat>().ok()?);
                        end + 1
                    }
                    3 if bytes[pos..].starts_with(b"true") => {
                        batch = true;
                        pos + 4
                    }
                    3 if bytes[pos..].starts_with(b"false") => pos + 5,
                    4 => {
                        let (text, end) = string(pos, HoleKind::At)?;
                        at = Some(text);
                        end
                    }
                    5 if first == b'{' => self.tags(bytes, pos)?,
                    _ => return None,
                };
            }
            pos = skip_whitespace(bytes, pos);
            match bytes.get(pos) {
                Some(b',') => pos = skip_whitespace(bytes, pos + 1),
                Some(b'}') => break,
                _ => return None,
            }
        }
        if skip_whitespace(bytes, pos + 1) != bytes.len() {
            return None;
        }
        let model = model?.trim();
        if model.is_empty() || !usage {
            return None;
        }
        // The usage was the first object read.
        let object = UsageObject {
            objects: &self.objects[..self.used],
            at: 0,
            line,
        };
        let (usage, usage_format) = parse_usage_object(object, format).ok()?;
        Some(Read {
            model,
            usage,
            usage_format,
            batch,
            at,
        })
    }

    /// Reads the usage object (or an object nested in it) at `pos`, whose own depth (as the
    /// tape counts it) is `depth`: the position after it, and its index.
    fn object(&mut self, bytes: &[u8], pos: usize, depth: usize) -> Option<(usize, u8)> {
        let index = self.used;
        if index == MAX_OBJECTS {
            return None;
        }
        self.used += 1;
        self.objects[index].keys = KeySet::EMPTY;
        self.objects[index].len = 0;
        let mut pos = skip_whitespace(bytes, pos + 1);
        if bytes.get(pos) == Some(&b'}') {
            return Some((pos + 1, index as u8));
        }
        loop {
            if bytes.get(pos) != Some(&b'"') {
                return None;
            }
            let start = pos + 1;
            let end = string_end(bytes, start)?;
            let key = Key::from_bytes(&bytes[start..end]);
            pos = skip_whitespace(bytes, end + 1);
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_whitespace(bytes, pos + 1);
            let (next, slot) = match *bytes.get(pos)? {
                b'0'..=b'9' => {
                    // The usual count, read here: digits, then no fraction or exponent.
                    let (end, value) = digits(bytes, pos);
                    let digits = end - pos;
                    // Nineteen digits cannot overflow; JSON has no leading zeros.
                    let plain = digits <= 19
                        && (digits == 1 || bytes[pos] != b'0')
                        && !matches!(bytes.get(end), Some(b'.' | b'e' | b'E'));
                    if plain {
                        // The line's length fits u32; an object's index fits u8.
                        self.holes.push(Hole {
                            start: pos as u32,
                            end: end as u32,
                            kind: HoleKind::Count {
                                object: index as u8,
                                key,
                            },
                        });
                        (end, Slot::Whole(value))
                    } else {
                        let (end, whole) = number_end(bytes, pos)?;
                        (end, number(whole, &bytes[pos..end]))
                    }
                }
                b'n' if bytes[pos..].starts_with(b"null") => (pos + 4, Slot::Null),
                // The readers read objects nested one level in the usage, no deeper.
                b'{' if depth == 1 && key.is_some_and(is_nested) => {
                    let (end, nested) = self.object(bytes, pos, depth + 1)?;
                    (end, Slot::Object(nested))
                }
                _ => (skip_value(bytes, pos, depth + 1)?, Slot::Other),
            };
            let members = &mut self.objects[index];
            if members.len == MAX_KEYS {
                return None;
            }
            // The line's length fits u32.
            members.names[members.len] = (start as u32, end as u32);
            members.len += 1;
            if let Some(key) = key {
                if members.keys.has(key) {
                    return None;
                }
                members.values[key as usize] = slot;
            }
            members.keys.add(key);
            pos = skip_whitespace(bytes, next);
            match bytes.get(pos) {
                Some(b',') => pos = skip_whitespace(bytes, pos + 1),
                Some(b'}') => return Some((pos + 1, index as u8)),
                _ => return None,
            }
        }
    }

    /// Reads the `tags` object at `pos`, each value a label (a string, a bool or a plain
    /// whole number, as `from_value` takes them): the position after it.
    fn tags(&mut self, bytes: &[u8], pos: usize) -> Option<usize> {
        let mut pos = skip_whitespace(bytes, pos + 1);
        if bytes.get(pos) == Some(&b'}') {
            return Some(pos + 1);
        }
        loop {
            if bytes.get(pos) != Some(&b'"') {
                return None;
            }
            let key = pos + 1;
            let key_end = string_end(bytes, key)?;
            pos = skip_whitespace(bytes, key_end + 1);
            if bytes.get(pos) != Some(&b':') {
                return None;
            }
            pos = skip_whitespace(bytes, pos + 1);
            let (value, value_end, next) = match *bytes.get(pos)? {
                b'"' => {
                    let end = string_end(bytes, pos + 1)?;
                    // The line's length fits u32.
                    self.holes.push(Hole {
                        start: (pos + 1) as u32,
                        end: end as u32,
                        kind: HoleKind::Label,
                    });
                    (pos + 1, end, end + 1)
                }
                b't' if bytes[pos..].starts_with(b"true") => (pos, pos + 4, pos + 4),
                b'f' if bytes[pos..].starts_with(b"false") => (pos, pos + 5, pos + 5),
                b'0'..=b'9' => {
                    let (end, whole) = number_end(bytes, pos)?;
                    // Twenty digits may still fit u64; the text is what serde_json prints.
                    let text = std::str::from_utf8(&bytes[pos..end]).ok()?;
                    if whole.is_none() && plain_u64(text).is_none() {
                        return None;
                    }
                    (pos, end, end)
                }
                _ => return None,
            };
            // The line's length fits u32.
            self.labels
                .push([key, key_end, value, value_end].map(|at| at as u32));
            pos = skip_whitespace(bytes, next);
            match bytes.get(pos) {
                Some(b',') => pos = skip_whitespace(bytes, pos + 1),
                Some(b'}') => return Some(pos + 1),
                _ => return None,
            }
        }
    }
}

/// The slot of a non-negative number (`whole`: its value if it is a plain whole number of
/// at most 19 digits), as the tape's [`JsonObject::get`] reads it.
fn number(whole: Option<u64>, text: &[u8]) -> Slot {
    if let Some(whole) = whole {
        return Slot::Whole(whole);
    }
    // ASCII digits and a dot.
    let text = std::str::from_utf8(text).unwrap_or_default();
    if text.contains('.') {
        text.parse().map_or(Slot::Other, Slot::Float)
    } else {
        plain_u64(text).map_or(Slot::Other, Slot::Whole)
    }
}

/// An object of a usage as [`LineReader`] read it.
#[derive(Debug, Clone, Copy)]
struct UsageObject<'r, 'a> {
    objects: &'r [Members],
    at: usize,
    line: &'a str,
}

/// The shape readers see the slots as serde_json's map: the same [`Item`] for every value
/// they accept. A repeated key was declined, so each slot is the only value of its key.
impl<'r, 'a> JsonObject<'a> for UsageObject<'r, 'a> {
    #[inline]
    fn get(self, key: Key) -> Option<Item<Self>> {
        let members = &self.objects[self.at];
        if !members.keys.has(key) {
            return None;
        }
        Some(match members.values[key as usize] {
            Slot::Null => Item::Null,
            Slot::Whole(whole) => Item::Whole(whole),
            Slot::Float(float) => Item::Float(float),
            Slot::Object(at) => Item::Object(UsageObject {
                at: usize::from(at),
                ..self
            }),
            Slot::Other => Item::Other,
        })
    }

    fn keys(self) -> impl Iterator<Item = &'a str> {
        let members = &self.objects[self.at];
        let line = self.line;
        members.names[..members.len]
            .iter()
            .map(move |&(start, end)| &line[start as usize..end as usize])
    }

    fn len(self) -> usize {
        self.objects[self.at].len
    }

    fn describe(self, _key: Key) -> String {
        // Only errors describe values, and the fast path leaves errors to serde_json.
        String::new()
    }

    #[inline]
    fn contains_key(self, key: Key) -> bool {
        self.objects[self.at].keys.has(key)
    }

    #[inline]
    fn key_set(self) -> KeySet {
        self.objects[self.at].keys
    }
}

/// A request line as [`LineReader::read`] gives it, owned, for tests to compare.
#[cfg(test)]
pub(crate) type OwnedLine = (
    String,
    Usage,
    UsageFormat,
    bool,
    Option<String>,
    Vec<(String, String)>,
);

#[cfg(test)]
impl LineReader {
    /// `line` read through the layouts learned so far (`None` when none fits it, or the
    /// reader declines it), and read anew; then its layout is learned, as
    /// [`LineReader::read`] learns it.
    pub(crate) fn read_both(&mut self, line: &str) -> (Option<OwnedLine>, Option<OwnedLine>) {
        let owned = |read: Read<'_>, labels: &[[u32; 4]]| {
            let labels = Labels {
                ranges: labels,
                line,
            };
            (
                read.model.to_owned(),
                read.usage,
                read.usage_format,
                read.batch,
                read.at.map(str::to_owned),
                labels
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_owned()))
                    .collect(),
            )
        };
        if u32::try_from(line.len()).is_err() {
            return (None, None);
        }
        let by_layout = self
            .layouts
            .read(line, &mut self.labels)
            .map(|read| owned(read, &self.labels));
        let anew = self.read_anew(line);
        let anew = anew.map(|read| {
            if by_layout.is_none() {
                self.layouts.learn(
                    line,
                    &self.holes,
                    &self.objects[..self.used],
                    &self.labels,
                    read,
                );
            }
            owned(read, &self.labels)
        });
        (by_layout, anew)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_line_and_declines_the_rest() {
        let mut reader = LineReader::default();
        let line = r#" {"model":" gpt-4o ","usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":40,"audio_tokens":[0]}},"at":"2026-01-15","batch":true,"tags":{"phase":"edit","n":3,"ok":false}}"#;
        let request = reader.read(line).expect("read");
        assert_eq!(request.model, "gpt-4o");
        assert_eq!(request.usage_format, UsageFormat::OpenaiChat);
        assert_eq!(request.usage.input_tokens, 100);
        assert_eq!(request.usage.cache_read_tokens, 40);
        assert!(request.batch);
        assert_eq!(request.at, Some("2026-01-15"));
        let labels: Vec<_> = request.labels.iter().collect();
        assert_eq!(labels, [("phase", "edit"), ("n", "3"), ("ok", "false")]);
        for declined in [
            r#"{"model":"gpt-4o","usage":{"input_tokens":1,"input_tokens":2}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":-1}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":1},"model":"x"}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":1},"note":1}"#,
            r#"{"model":"gpt-4o","response":{}}"#,
            r#"{"model":null,"usage":{"input_tokens":1}}"#,
            r#"{"model":"gpt-4o","usage":null}"#,
            r#"{"model":"gpt\u002d4o","usage":{"input_tokens":1}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":1}} x"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":1,"x":1e3}}"#,
            r#"{"model":"gpt-4o","usage":{"input_tokens":1},"tags":{"n":-1}}"#,
            r#"{"model":"gpt-4o","usage":{"prompt_tokens":1,"reasoning_tokens":1}}"#,
        ] {
            assert!(reader.read(declined).is_none(), "{declined}");
        }
    }
}
