//! A validating JSON reader that borrows from its line: the fast path of usage-log decoding.
//!
//! [`Tape::parse`] reads one JSON document into a flat list of nodes in document order (an
//! object or array first, then its members, each composite knowing where it ends), reusing
//! its buffer from line to line, so a line is read without allocating and without building
//! a `serde_json::Value` tree. Each key is named as it is read (a [`Key`], or none), so the
//! readers find members by comparing a byte rather than text, and a small whole number
//! keeps its value.
//!
//! It accepts only documents it reads exactly as serde_json does, and declines (`None`)
//! everything else: a string with an escape or a control character, a number with an
//! exponent or longer than [`MAX_NUMBER_LEN`] characters, nesting deeper than
//! [`MAX_DEPTH`], and anything that is not JSON. A declined line goes to the serde_json
//! path, which stays the reference: the fast path never decides an error, it only
//! shortcuts lines that would succeed.

use crate::response::{Item, JsonObject, Key, KeySet};

/// Deeper documents are declined (serde_json's own limit is 128).
const MAX_DEPTH: usize = 64;

/// Longer numbers are declined, so none can overflow `f64` (which serde_json rejects).
const MAX_NUMBER_LEN: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Null,
    True,
    False,
    /// `start..end` is the number's text; `link` is its value plus one when it is a plain
    /// whole number below `u32::MAX`, else 0.
    Number,
    /// `start..end` is the string's text, without the quotes (it has no escapes).
    String,
    /// A member's key, `start..end` its text and `key` its [`code`]; its value is the next
    /// node, and `link` is the index of the object's next key (or the object's `end`).
    Key,
    /// `end` is the index of the node after the object's last member; bit `c % 32` of
    /// `link` is set when a key has the [`code`] `c`, so most absent keys are told at once,
    /// and of `start` when two keys do: a key whose bit is clear there is found by its first
    /// match, without looking for a later one.
    Object,
    /// `end` is the index of the node after the array's last item.
    Array,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    kind: Kind,
    /// A key's [`code`] (0 for other nodes).
    key: u8,
    start: u32,
    end: u32,
    link: u32,
}

/// A key's code: 0 for a key that is no [`Key`], else the key's number plus one.
fn code(key: Option<Key>) -> u8 {
    key.map_or(0, |key| key as u8 + 1)
}

/// The [`Key`] of a code.
fn key_of(code: u8) -> Option<Key> {
    Key::ALL.get(usize::from(code).checked_sub(1)?).copied()
}

/// The bit of [`Kind::Object`]'s `link` for keys of this code.
fn code_bit(code: u8) -> u32 {
    1 << (code % 32)
}

/// A reusable buffer of nodes; see the module documentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tape {
    nodes: Vec<Node>,
}

impl Tape {
    /// Reads `text` as one JSON document, or declines it.
    pub(crate) fn parse<'t, 'a>(&'t mut self, text: &'a str) -> Option<Doc<'t, 'a>> {
        self.nodes.clear();
        if u32::try_from(text.len()).is_err() {
            return None;
        }
        let mut parser = Parser {
            bytes: text.as_bytes(),
            pos: 0,
            nodes: &mut self.nodes,
        };
        parser.whitespace();
        parser.value(0)?;
        parser.whitespace();
        if parser.pos != text.len() {
            return None;
        }
        Some(Doc {
            nodes: &self.nodes,
            text,
        })
    }
}

struct Parser<'b> {
    bytes: &'b [u8],
    pos: usize,
    nodes: &'b mut Vec<Node>,
}

impl Parser<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn whitespace(&mut self) {
        // Compact JSON has none: a byte above the space is never whitespace.
        if self.bytes.get(self.pos).is_some_and(|&b| b > b' ') {
            return;
        }
        let (bytes, mut pos) = (self.bytes, self.pos);
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
            pos += 1;
        }
        self.pos = pos;
    }

    #[inline]
    fn push(&mut self, kind: Kind, start: usize, end: usize, link: u32) {
        // Both fit: the text's length was checked against u32.
        self.nodes.push(Node {
            kind,
            key: 0,
            start: start as u32,
            end: end as u32,
            link,
        });
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let (start, end) = self.string()?;
                self.push(Kind::String, start, end, 0);
                Some(())
            }
            b't' => self.literal(b"true", Kind::True),
            b'f' => self.literal(b"false", Kind::False),
            b'n' => self.literal(b"null", Kind::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Option<()> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end)? != word {
            return None;
        }
        self.push(kind, self.pos, end, 0);
        self.pos = end;
        Some(())
    }

    /// A string at `pos` (its opening quote): the range of its text.
    #[inline]
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.pos + 1;
        let end = string_end(self.bytes, start)?;
        self.pos = end + 1;
        Some((start, end))
    }

    /// A number at `pos` (see [`number_end`]).
    #[inline]
    fn number(&mut self) -> Option<()> {
        let start = self.pos;
        let (end, whole) = number_end(self.bytes, start)?;
        self.pos = end;
        // The value plus one fits `link` below u32::MAX.
        let small = whole
            .filter(|&n| n < u64::from(u32::MAX))
            .map_or(0, |n| n as u32 + 1);
        self.push(Kind::Number, start, end, small);
        Some(())
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let at = self.nodes.len();
        self.push(Kind::Object, self.pos, 0, 0);
        self.pos += 1;
        self.whitespace();
        let (mut codes, mut repeated) = (0, 0);
        if self.peek()? == b'}' {
            self.pos += 1;
        } else {
            let mut previous_key: Option<usize> = None;
            loop {
                if self.peek()? != b'"' {
                    return None;
                }
                let (start, end) = self.string()?;
                let key = self.nodes.len();
                if let Some(previous) = previous_key {
                    self.nodes[previous].link = key as u32;
                }
                previous_key = Some(key);
                let key_code = code(Key::from_bytes(&self.bytes[start..end]));
                let bit = code_bit(key_code);
                repeated |= codes & bit;
                codes |= bit;
                self.nodes.push(Node {
                    kind: Kind::Key,
                    key: key_code,
                    start: start as u32,
                    end: end as u32,
                    link: 0,
                });
                self.whitespace();
                if self.peek()? != b':' {
                    return None;
                }
                self.pos += 1;
                self.whitespace();
                // Most values are strings and numbers: read here, without a call.
                match self.peek()? {
                    b'"' => {
                        let (start, end) = self.string()?;
                        self.push(Kind::String, start, end, 0);
                    }
                    b'0'..=b'9' => self.number()?,
                    _ => self.value(depth + 1)?,
                }
                self.whitespace();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.whitespace();
                    }
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
            if let Some(last) = previous_key {
                self.nodes[last].link = self.nodes.len() as u32;
            }
        }
        let end = self.nodes.len() as u32;
        self.nodes[at].end = end;
        self.nodes[at].link = codes;
        self.nodes[at].start = repeated;
        Some(())
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let at = self.nodes.len();
        self.push(Kind::Array, self.pos, 0, 0);
        self.pos += 1;
        self.whitespace();
        if self.peek()? == b']' {
            self.pos += 1;
        } else {
            loop {
                self.value(depth + 1)?;
                self.whitespace();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.whitespace();
                    }
                    b']' => {
                        self.pos += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.nodes[at].end = self.nodes.len() as u32;
        Some(())
    }
}

/// The end of the JSON number at `start`, `-?(0|[1-9][0-9]*)(\.[0-9]+)?`, and its value when
/// it is a plain whole number of at most 19 digits (which cannot overflow `u64`); `None` for
/// anything else, an exponent included, and a number longer than [`MAX_NUMBER_LEN`].
#[inline]
pub(crate) fn number_end(bytes: &[u8], start: usize) -> Option<(usize, Option<u64>)> {
    let mut pos = start;
    let negative = bytes.get(pos) == Some(&b'-');
    if negative {
        pos += 1;
    }
    let mut value = 0u64;
    match *bytes.get(pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => (pos, value) = digits(bytes, pos),
        _ => return None,
    }
    let whole_end = pos;
    if bytes.get(pos) == Some(&b'.') {
        if !bytes.get(pos + 1)?.is_ascii_digit() {
            return None;
        }
        pos = digits(bytes, pos + 1).0;
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) || pos - start > MAX_NUMBER_LEN {
        return None;
    }
    let whole = !negative && pos == whole_end && pos - start <= 19;
    Some((pos, whole.then_some(value)))
}

/// The run of ASCII digits at `at`: where it ends, and its value (wrapped past `u64`, so
/// only a run of at most 19 digits has its true value).
///
/// One byte after another: the counts and prices of a log are a few digits long, for which
/// this beats reading eight bytes at a time (measured).
#[inline(always)]
pub(crate) fn digits(bytes: &[u8], mut at: usize) -> (usize, u64) {
    let mut value = 0u64;
    while let Some(&digit @ b'0'..=b'9') = bytes.get(at) {
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit - b'0'));
        at += 1;
    }
    (at, value)
}

/// Skips the JSON value at `pos` (after any whitespace before it), checking it as
/// [`Tape::parse`] does, and declining what it declines; the position after the value.
/// `depth` is the value's own depth, as [`Tape::parse`] counts it (the document's root is at
/// 0, and an object or array at [`MAX_DEPTH`] is declined).
pub(crate) fn skip_value(bytes: &[u8], pos: usize, depth: usize) -> Option<usize> {
    let mut pos = skip_whitespace(bytes, pos);
    match *bytes.get(pos)? {
        b'"' => string_end(bytes, pos + 1).map(|end| end + 1),
        b't' => bytes[pos..].starts_with(b"true").then_some(pos + 4),
        b'f' => bytes[pos..].starts_with(b"false").then_some(pos + 5),
        b'n' => bytes[pos..].starts_with(b"null").then_some(pos + 4),
        b'-' | b'0'..=b'9' => number_end(bytes, pos).map(|(end, _)| end),
        open @ (b'{' | b'[') => {
            if depth >= MAX_DEPTH {
                return None;
            }
            let close = if open == b'{' { b'}' } else { b']' };
            pos = skip_whitespace(bytes, pos + 1);
            if bytes.get(pos) == Some(&close) {
                return Some(pos + 1);
            }
            loop {
                if open == b'{' {
                    if bytes.get(pos) != Some(&b'"') {
                        return None;
                    }
                    pos = skip_whitespace(bytes, string_end(bytes, pos + 1)? + 1);
                    if bytes.get(pos) != Some(&b':') {
                        return None;
                    }
                    pos += 1;
                }
                pos = skip_whitespace(bytes, skip_value(bytes, pos, depth + 1)?);
                match *bytes.get(pos)? {
                    b',' => pos = skip_whitespace(bytes, pos + 1),
                    byte if byte == close => return Some(pos + 1),
                    _ => return None,
                }
            }
        }
        _ => None,
    }
}

/// `a == b`, compared a word at a time (on short strings such as keys, `==` calls `memcmp`,
/// and with a constant length this unrolls into a few loads).
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    let load8 = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().expect("8"));
    let load4 = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().expect("4"));
    if len >= 8 {
        let mut at = 0;
        while at + 8 < len {
            if load8(a, at) != load8(b, at) {
                return false;
            }
            at += 8;
        }
        // The last word may overlap the one before.
        load8(a, len - 8) == load8(b, len - 8)
    } else if len >= 4 {
        load4(a, 0) == load4(b, 0) && load4(a, len - 4) == load4(b, len - 4)
    } else {
        a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// The position of the first byte at or after `pos` that is not JSON whitespace.
#[inline]
pub(crate) fn skip_whitespace(bytes: &[u8], mut pos: usize) -> usize {
    // Compact JSON has none: a byte above the space is never whitespace.
    if bytes.get(pos).is_some_and(|&b| b > b' ') {
        return pos;
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// The index of the quote that closes a string whose text starts at `at`; `None` at an
/// escape, a control character or the end of the text.
///
/// Eight bytes at a time: a quote or a backslash is a zero byte of the word XOR that byte
/// repeated, found with the usual `(x - 0x01..) & !x & 0x80..` test, and a byte below 0x20
/// with `(x - 0x20..) & !x & 0x80..`. The lowest flagged byte is always a real match (a
/// borrow only spreads upwards), which is all this needs: the bytes from there on are
/// looked at one by one.
#[inline]
pub(crate) fn string_end(bytes: &[u8], mut at: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let flagged = (zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word))
            & HIGHS;
        if flagged != 0 {
            at += (flagged.trailing_zeros() / 8) as usize;
            break;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => return Some(at),
            b'\\' | 0..=0x1f => return None,
            _ => at += 1,
        }
    }
    None
}

/// A parsed document: the nodes and the text they point into.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'t, 'a> {
    nodes: &'t [Node],
    text: &'a str,
}

/// One value of a [`Doc`].
///
/// No variant holds a `bool`: a byte right after the tag makes copies of the enum load
/// unaligned pieces of what was just stored, which stalls store forwarding.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Json<'t, 'a> {
    Null,
    True,
    False,
    /// The number's text: valid JSON, no exponent.
    Number(&'a str),
    /// The string's text (it had no escapes).
    Str(&'a str),
    Object(Obj<'t, 'a>),
    /// An array (none of the fast paths reads one).
    Array,
}

impl<'t, 'a> Doc<'t, 'a> {
    /// The document's value.
    pub(crate) fn root(self) -> Json<'t, 'a> {
        self.get(0)
    }

    fn text_of(self, node: Node) -> &'a str {
        &self.text[node.start as usize..node.end as usize]
    }

    /// The value of node `at` (an index an iterator or [`Obj::find`] gave).
    ///
    /// Iterators give indices rather than values: a `Json` returned through an iterator is
    /// stored and reloaded in pieces, which stalls the CPU's store forwarding.
    #[inline]
    pub(crate) fn get(self, at: usize) -> Json<'t, 'a> {
        let node = self.nodes[at];
        match node.kind {
            Kind::Null => Json::Null,
            Kind::True => Json::True,
            Kind::False => Json::False,
            Kind::Number => Json::Number(self.text_of(node)),
            Kind::String | Kind::Key => Json::Str(self.text_of(node)),
            Kind::Object => Json::Object(Obj { doc: self, at }),
            Kind::Array => Json::Array,
        }
    }

    /// The value of node `at` if it is a plain non-negative whole number that fits `u64`.
    #[inline]
    pub(crate) fn whole(self, at: usize) -> Option<u64> {
        let node = self.nodes[at];
        match (node.kind, node.link) {
            (Kind::Number, 0) => plain_u64(self.text_of(node)),
            (Kind::Number, small) => Some(u64::from(small - 1)),
            _ => None,
        }
    }
}

/// An object of a [`Doc`]. Its keys may repeat.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'t, 'a> {
    doc: Doc<'t, 'a>,
    at: usize,
}

impl<'t, 'a> Obj<'t, 'a> {
    /// The document the object is in.
    pub(crate) fn doc(self) -> Doc<'t, 'a> {
        self.doc
    }

    /// The index of each key node, in document order (its value is the next node).
    fn key_nodes(self) -> impl Iterator<Item = usize> + Clone + 't {
        let nodes = self.doc.nodes;
        let end = nodes[self.at].end as usize;
        let mut at = self.at + 1;
        std::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            let key = at;
            at = nodes[at].link as usize;
            Some(key)
        })
    }

    /// The members, in document order: each key and the index of its value (see
    /// [`Doc::get`]).
    pub(crate) fn entries(self) -> impl Iterator<Item = (&'a str, usize)> + Clone + use<'t, 'a> {
        let doc = self.doc;
        self.key_nodes()
            .map(move |at| (doc.text_of(doc.nodes[at]), at + 1))
    }

    /// The members, in document order: each key as a [`Key`] (`None` for any other) and
    /// the index of its value.
    pub(crate) fn members(self) -> impl Iterator<Item = (Option<Key>, usize)> + 't {
        let nodes = self.doc.nodes;
        self.key_nodes()
            .map(move |at| (key_of(nodes[at].key), at + 1))
    }

    /// The keys, in document order.
    pub(crate) fn keys(self) -> impl Iterator<Item = &'a str> + use<'t, 'a> {
        let doc = self.doc;
        self.key_nodes().map(move |at| doc.text_of(doc.nodes[at]))
    }

    /// How many members (a repeated key counts each time).
    pub(crate) fn len(self) -> usize {
        self.key_nodes().count()
    }

    /// The index of the value under `key`; of the last one if the key repeats, as
    /// serde_json's map keeps the last.
    #[inline]
    pub(crate) fn find(self, key: Key) -> Option<usize> {
        let nodes = self.doc.nodes;
        let object = nodes[self.at];
        let key = code(Some(key));
        let bit = code_bit(key);
        if object.link & bit == 0 {
            return None;
        }
        let mut found = None;
        let mut at = self.at + 1;
        while at < object.end as usize {
            let node = nodes[at];
            if node.key == key {
                found = Some(at + 1);
                if object.start & bit == 0 {
                    break;
                }
            }
            at = node.link as usize;
        }
        found
    }

    /// The value under `key` (the last one if the key repeats).
    pub(crate) fn value(self, key: Key) -> Option<Json<'t, 'a>> {
        self.find(key).map(|at| self.doc.get(at))
    }
}

/// A number's text as a `u64`, when it is a plain non-negative integer in range.
pub(crate) fn plain_u64(text: &str) -> Option<u64> {
    let digits = text.as_bytes();
    if digits.is_empty() || digits.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = |digits: &[u8]| {
        digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'))
    };
    match digits.split_first_chunk::<19>() {
        // Twenty digits may pass u64::MAX.
        Some((head, [last])) => value(head)
            .checked_mul(10)?
            .checked_add(u64::from(last - b'0')),
        // Nineteen cannot.
        _ => Some(value(digits)),
    }
}

/// The usage readers see a tape object as serde_json's map: the same [`Item`] for every
/// value they accept, and the last value of a repeated key (serde_json's map keeps the
/// last; repeated keys change neither detection nor emptiness). A value they would reject,
/// or that serde_json might read differently (a negative number, an integer above u64), is
/// [`Item::Other`], which every reader rejects, so the line goes to the serde_json path.
impl<'t, 'a> JsonObject<'a> for Obj<'t, 'a> {
    #[inline]
    fn get(self, key: Key) -> Option<Item<Self>> {
        let at = self.find(key)?;
        if let Some(whole) = self.doc.whole(at) {
            return Some(Item::Whole(whole));
        }
        Some(match self.doc.get(at) {
            Json::Null => Item::Null,
            // A fraction such as `100.0`: serde_json reads it as the nearest f64, and so
            // does `str::parse` (both round correctly). Negative numbers and integers above
            // u64 are left to serde_json.
            Json::Number(text) if !text.starts_with('-') && text.contains('.') => {
                text.parse().map_or(Item::Other, Item::Float)
            }
            Json::Object(object) => Item::Object(object),
            _ => Item::Other,
        })
    }

    fn keys(self) -> impl Iterator<Item = &'a str> {
        Obj::keys(self)
    }

    fn len(self) -> usize {
        Obj::len(self)
    }

    fn contains_key(self, key: Key) -> bool {
        self.find(key).is_some()
    }

    fn key_set(self) -> KeySet {
        let mut set = KeySet::default();
        for (key, _) in self.members() {
            set.add(key);
        }
        set
    }

    fn describe(self, key: Key) -> String {
        // Only errors describe values, and the fast path leaves errors to serde_json.
        match self.value(key) {
            Some(Json::Number(text) | Json::Str(text)) => text.to_owned(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value under the key named `name` (the last if it repeats).
    fn find_name(object: Obj<'_, '_>, name: &str) -> Option<usize> {
        object
            .entries()
            .filter(|(key, _)| *key == name)
            .last()
            .map(|(_, at)| at)
    }

    /// Whether the tape reads `text`, checking that [`skip_value`] agrees.
    fn parses(text: &str) -> bool {
        let parsed = Tape::default().parse(text).is_some();
        let bytes = text.as_bytes();
        let skipped =
            skip_value(bytes, 0, 0).is_some_and(|end| skip_whitespace(bytes, end) == bytes.len());
        assert_eq!(parsed, skipped, "{text:?}");
        parsed
    }

    #[test]
    fn accepts_what_serde_json_reads_the_same_way() {
        for text in [
            "{}",
            " {\"a\" : [1, 2.5, -3, 0, true, false, null, {\"b\": \"c\"}, []] }\n",
            "[]",
            "\"x\"",
            "0",
            "-0.0",
            "123456789012345678901234567890",
            "{\"a\":1,\"a\":2}",
        ] {
            assert!(parses(text), "{text}");
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn declines_invalid_json_and_what_it_does_not_read() {
        for text in [
            "",
            " ",
            "{",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1,]",
            "01",
            "1.",
            "-",
            ".5",
            "1e3",
            "1E-3",
            "\"a\\nb\"",
            "\"tab\there\"",
            "tru",
            "nul",
            "{\"a\":1} x",
            "{'a':1}",
            "\u{feff}{}",
            "1234567890123456789012345678901234567890123",
        ] {
            assert!(!parses(text), "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(!parses(&deep));
        let shallow = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parses(&shallow));
    }

    #[test]
    fn objects_iterate_members_and_skip_nested_values() {
        let mut tape = Tape::default();
        let doc = tape
            .parse(r#"{"a":{"x":[1,{"y":2}]},"b":"t","c":[],"d":null}"#)
            .unwrap();
        let Json::Object(root) = doc.root() else {
            panic!("an object")
        };
        let keys: Vec<&str> = root.keys().collect();
        assert_eq!(keys, ["a", "b", "c", "d"]);
        assert_eq!(
            root.entries().map(|(_, at)| at).collect::<Vec<_>>(),
            [2, 10, 12, 14]
        );
        let value = |name| find_name(root, name).map(|at| doc.get(at));
        assert!(matches!(value("b"), Some(Json::Str("t"))));
        assert!(matches!(value("d"), Some(Json::Null)));
        let Some(Json::Object(a)) = value("a") else {
            panic!("a is an object")
        };
        assert!(matches!(
            find_name(a, "x").map(|at| doc.get(at)),
            Some(Json::Array)
        ));
        assert_eq!(
            root.entries().map(|(key, _)| key).collect::<Vec<_>>(),
            ["a", "b", "c", "d"]
        );
    }

    #[test]
    fn a_repeated_key_means_its_last_value() {
        let mut tape = Tape::default();
        let line = r#"{"cost":1,"usage":{"c":2},"a":4,"cost":3,"a":5,"model":1234567890}"#;
        let doc = tape.parse(line).unwrap();
        let Json::Object(root) = doc.root() else {
            panic!("an object")
        };
        assert!(matches!(root.value(Key::Cost), Some(Json::Number("3"))));
        assert!(matches!(root.get(Key::Cost), Some(Item::Whole(3))));
        assert!(matches!(root.value(Key::Usage), Some(Json::Object(_))));
        assert_eq!(find_name(root, "cost"), root.find(Key::Cost));
        assert!(matches!(
            find_name(root, "a").map(|at| doc.get(at)),
            Some(Json::Number("5"))
        ));
        assert!(find_name(root, "c").is_none());
        assert!(root.value(Key::At).is_none());
        // Ten digits are read from the text, not kept in the node.
        assert!(matches!(
            root.get(Key::Model),
            Some(Item::Whole(1_234_567_890))
        ));
        assert_eq!(JsonObject::len(root), 6);
        let mut keys = KeySet::default();
        for key in [Key::Cost, Key::Usage, Key::Model] {
            keys.add(Some(key));
        }
        keys.add(None);
        assert_eq!(root.key_set(), keys);
    }

    #[test]
    fn plain_integers_fit_u64() {
        assert_eq!(plain_u64("0"), Some(0));
        assert_eq!(plain_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(plain_u64("18446744073709551616"), None);
        assert_eq!(plain_u64("-1"), None);
        assert_eq!(plain_u64("1.0"), None);
    }
}
