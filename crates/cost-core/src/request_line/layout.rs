//! The layouts of request lines already read: a line of a known layout is read by comparing
//! the bytes between its values, and reading only the values.
//!
//! A program writes its log lines with one `format!` or serializer call, so they differ in
//! their values only: the model, `at`, the tags' string values and the usage's counts (the
//! [`Hole`]s the reader finds). A [`Layout`] is a line the one-pass reader read, with those
//! values marked. Another line fits it when its bytes between the values are the layout's,
//! and each value is of the same kind (a string without escapes, a plain count); the reader
//! would then take every step it took on the layout's line, so the line reads as the
//! layout's line did but for those values, which are read here. The usage's members are in
//! the layout's own objects, whose counts each line rewrites; detection is not redone, since
//! it only weighs the keys.
//!
//! Reading a line this way is checked against reading it anew in the tests below and in
//! `record.rs` (where one pricer reads every fixture and variant in turn).

use super::{parse_usage_object, HoleKind, Members, Read, Slot, UsageObject};
use crate::request_line::Hole;
use crate::response::UsageFormat;
use crate::tape::{digits, same_bytes, string_end};

/// At most this many layouts are remembered, the most recently used first.
const MAX_LAYOUTS: usize = 8;

/// After this many lines in a row that fitted no layout, only the layouts their first bytes
/// hint at are tried, and one line in this many is learned: a log whose every line is laid
/// out differently (keys in any order) then costs little more than it did without layouts.
const GIVE_UP: u32 = 32;

/// Where a label's key or value is in a line of a layout.
#[derive(Debug, Clone, Copy)]
enum Piece {
    /// In the bytes before hole `segment` (after the last hole: `segment` is the number of
    /// holes), `offset` bytes after their start.
    Literal { segment: u32, offset: u32, len: u32 },
    /// The value of this hole.
    Hole(u32),
}

/// A line read before, with its values marked.
#[derive(Debug, Clone)]
struct Layout {
    /// The line.
    line: String,
    /// Its values, in order.
    holes: Vec<Hole>,
    /// The usage's objects as the line was read (its keys' names are ranges of `line`,
    /// which every line of the layout spells the same); the counts are rewritten by each
    /// line read.
    objects: Vec<Members>,
    /// Each label's key and value.
    labels: Vec<[Piece; 2]>,
    /// The usage's format (given or detected).
    format: UsageFormat,
    batch: bool,
    /// The holes of the model and of `at` (whose absence, or `null`, is part of the
    /// layout).
    model: u32,
    at: Option<u32>,
}

impl Layout {
    /// Reads `line` if it has this layout, into `labels` and `spans`; see the module
    /// documentation.
    fn read<'a>(
        &mut self,
        line: &'a str,
        labels: &mut Vec<[u32; 4]>,
        spans: &mut Vec<(u32, u32)>,
    ) -> Option<Read<'a>> {
        let bytes = line.as_bytes();
        let text = self.line.as_bytes();
        spans.resize(self.holes.len(), (0, 0));
        let (mut pos, mut from) = (0, 0);
        for (hole, span) in self.holes.iter().zip(spans.iter_mut()) {
            let literal = &text[from..hole.start as usize];
            let start = pos + literal.len();
            if !bytes
                .get(pos..start)
                .is_some_and(|b| same_bytes(b, literal))
            {
                return None;
            }
            pos = match hole.kind {
                HoleKind::Count { object, key } => {
                    let (end, value) = count(bytes, start)?;
                    if let Some(key) = key {
                        self.objects[usize::from(object)].values[key as usize] = Slot::Whole(value);
                    }
                    end
                }
                HoleKind::Model | HoleKind::At | HoleKind::Label => string_end(bytes, start)?,
            };
            // The line's length fits u32 (the reader checked).
            *span = (start as u32, pos as u32);
            from = hole.end as usize;
        }
        let tail = &text[from..];
        if bytes.len() - pos != tail.len() || !same_bytes(&bytes[pos..], tail) {
            return None;
        }
        let span = |hole: u32| {
            let (start, end) = spans[hole as usize];
            &line[start as usize..end as usize]
        };
        let model = trim(span(self.model));
        if model.is_empty() {
            return None;
        }
        let object = UsageObject {
            objects: &self.objects,
            at: 0,
            line: &self.line,
        };
        let (usage, usage_format) = parse_usage_object(object, Some(self.format)).ok()?;
        labels.clear();
        let place = |piece: Piece| match piece {
            Piece::Literal {
                segment,
                offset,
                len,
            } => {
                let start = match segment.checked_sub(1) {
                    Some(before) => spans[before as usize].1,
                    None => 0,
                } + offset;
                (start, start + len)
            }
            Piece::Hole(hole) => spans[hole as usize],
        };
        for &[key, value] in &self.labels {
            let (key, key_end) = place(key);
            let (value, value_end) = place(value);
            labels.push([key, key_end, value, value_end]);
        }
        Some(Read {
            model,
            usage,
            usage_format,
            batch: self.batch,
            at: self.at.map(span),
        })
    }

    /// Makes this the layout of `line`, which the reader read as `read`, finding `holes`,
    /// the usage's `objects` and the `labels`.
    fn learn(
        &mut self,
        line: &str,
        holes: &[Hole],
        objects: &[Members],
        labels: &[[u32; 4]],
        read: Read<'_>,
    ) {
        self.line.clear();
        self.line.push_str(line);
        self.holes.clear();
        self.holes.extend_from_slice(holes);
        self.objects.clear();
        self.objects.extend_from_slice(objects);
        let hole_at = |kind: HoleKind| holes.iter().position(|h| h.kind == kind);
        // The reader found the model's string (it took the line).
        self.model = hole_at(HoleKind::Model).map_or(0, |at| at as u32);
        self.at = hole_at(HoleKind::At).map(|at| at as u32);
        let piece = |start: u32, end: u32| match holes
            .iter()
            .position(|h| h.kind == HoleKind::Label && h.start == start)
        {
            Some(hole) => Piece::Hole(hole as u32),
            None => {
                let segment = holes.partition_point(|h| h.end <= start);
                let segment_start = segment.checked_sub(1).map_or(0, |before| holes[before].end);
                Piece::Literal {
                    segment: segment as u32,
                    offset: start - segment_start,
                    len: end - start,
                }
            }
        };
        self.labels.clear();
        self.labels
            .extend(labels.iter().map(|&[key, key_end, value, value_end]| {
                [piece(key, key_end), piece(value, value_end)]
            }));
        self.format = read.usage_format;
        self.batch = read.batch;
    }
}

/// The plain count at `at` (what the reader reads as one: one to nineteen digits, no
/// leading zero) and where it ends; `None` for anything else.
///
/// Up to seven digits, the usual count, are read from one word: the first byte that is no
/// digit is the lowest flagged by `word - '0'` (below `'0'`), `word + 0x46` (above `'9'`)
/// or `word` itself (not ASCII), since borrows and carries only spread upwards; the digits,
/// moved to the top of the word behind zeros, are then combined in pairs, fours and
/// eights by three multiplications.
#[inline]
fn count(bytes: &[u8], at: usize) -> Option<(usize, u64)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    if let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let digits = word.wrapping_sub(ONES * u64::from(b'0'));
        let other = (digits | word.wrapping_add(ONES * 0x46) | word) & (ONES * 0x80);
        if other != 0 {
            let len = (other.trailing_zeros() / 8) as usize;
            if len == 0 || (len > 1 && chunk[0] == b'0') {
                return None;
            }
            // Byte `i` of the word is digit `i`, the first the most significant; after the
            // shift the digits are preceded by zeros.
            let digits = digits << (8 * (8 - len));
            let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
            let value = (pairs & 0x0000_00ff_0000_00ff)
                .wrapping_mul(100 + (1_000_000 << 32))
                .wrapping_add(
                    ((pairs >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32)),
                )
                >> 32;
            return Some((at + len, value));
        }
    }
    let (end, value) = digits(bytes, at);
    let len = end - at;
    if len == 0 || len > 19 || (len > 1 && bytes[at] == b'0') {
        return None;
    }
    Some((end, value))
}

/// `text.trim()`, without looking at characters when both ends are ASCII and no space.
fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(&first), Some(&last))
            if (b'!'..=b'~').contains(&first) && (b'!'..=b'~').contains(&last) =>
        {
            text
        }
        _ => text.trim(),
    }
}

/// Slots in [`Layouts::hints`], a power of two.
const HINTS: usize = 128;

/// How many of a line's first bytes its hint slot is chosen by: they usually name the
/// model and the first key of its usage, which is what tells the layouts of a log apart.
const HINT_BYTES: usize = 32;

/// The layouts a reader has learned.
#[derive(Debug, Clone)]
pub(super) struct Layouts {
    layouts: Vec<Layout>,
    /// Indices into `layouts`, the most recently used first.
    order: Vec<u8>,
    /// By a hash of a line's first bytes, the layouts of the last two lines read that
    /// started with bytes of that slot, the last first: each the hash's next bits above
    /// the layout's index plus one (`0`: none). A layout whose bits match the line's is
    /// tried first.
    hints: [[u32; 2]; HINTS],
    /// The values of the line being read, as ranges of it.
    spans: Vec<(u32, u32)>,
    /// How many lines in a row fitted no layout (and were read anew).
    missed: u32,
}

impl Default for Layouts {
    fn default() -> Layouts {
        Layouts {
            layouts: Vec::new(),
            order: Vec::new(),
            hints: [[0; 2]; HINTS],
            spans: Vec::new(),
            missed: 0,
        }
    }
}

/// The hash of a line starting with `bytes`: its top bits choose its slot in
/// [`Layouts::hints`], the next ones tell its hints from those of other lines of the slot.
fn hint_hash(bytes: &[u8]) -> u64 {
    let word = |at: usize| match bytes.get(at..at + 8) {
        Some(word) => u64::from_le_bytes(word.try_into().expect("8 bytes")),
        None => bytes
            .iter()
            .skip(at)
            .take(8)
            .fold(0, |word, &byte| word << 8 | u64::from(byte)),
    };
    let mixed = word(0)
        ^ word(8).rotate_left(16)
        ^ word(16).rotate_left(32)
        ^ word(HINT_BYTES - 8).rotate_left(48);
    mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A line's slot in [`Layouts::hints`], and the bits that tell it from other lines of
/// the slot, from its [`hint_hash`].
fn split(hash: u64) -> (usize, u32) {
    let slot = (hash >> (64 - HINTS.trailing_zeros())) as usize;
    (slot, (hash >> 8) as u32 >> 8)
}

impl Layouts {
    /// Reads `line` if it has a layout read before, with its labels in `labels`; `None`
    /// otherwise (and for a line of a known layout that the reader declines).
    ///
    /// The layout its first bytes hint at is tried first, then the others, the most
    /// recently used first.
    pub(super) fn read<'a>(
        &mut self,
        line: &'a str,
        labels: &mut Vec<[u32; 4]>,
    ) -> Option<Read<'a>> {
        let hash = hint_hash(line.as_bytes());
        let (slot, check) = split(hash);
        let hinted = self.hints[slot].map(|hint| {
            (hint >> 8 == check)
                .then(|| usize::from(hint as u8).checked_sub(1))
                .flatten()
        });
        for index in hinted.into_iter().flatten() {
            if let Some(read) = self.layouts[index].read(line, labels, &mut self.spans) {
                self.missed = 0;
                return Some(read);
            }
        }
        if self.missed >= GIVE_UP {
            return None;
        }
        for n in 0..self.order.len() {
            let index = usize::from(self.order[n]);
            if hinted.contains(&Some(index)) {
                continue;
            }
            if let Some(read) = self.layouts[index].read(line, labels, &mut self.spans) {
                self.hint(hash, index as u8);
                // To the front, the others a place back.
                self.order.copy_within(..n, 1);
                self.order[0] = index as u8;
                self.missed = 0;
                return Some(read);
            }
        }
        None
    }

    /// Makes layout `index` the first hint for lines of `hash`.
    fn hint(&mut self, hash: u64, index: u8) {
        let (slot, check) = split(hash);
        let hints = &mut self.hints[slot];
        if hints[0] >> 8 != check {
            hints[1] = hints[0];
        }
        hints[0] = check << 8 | u32::from(index + 1);
    }

    /// Remembers the layout of `line`, which fitted none, in place of the least recently
    /// used when there are [`MAX_LAYOUTS`] (but for one line in [`GIVE_UP`] after as many
    /// fitted none in a row).
    pub(super) fn learn(
        &mut self,
        line: &str,
        holes: &[Hole],
        objects: &[Members],
        labels: &[[u32; 4]],
        read: Read<'_>,
    ) {
        self.missed = self.missed.saturating_add(1);
        if self.missed > GIVE_UP && self.missed % GIVE_UP != 0 {
            return;
        }
        if self.layouts.len() < MAX_LAYOUTS {
            self.order.push(self.layouts.len() as u8);
            self.layouts.push(Layout {
                line: String::new(),
                holes: Vec::new(),
                objects: Vec::new(),
                labels: Vec::new(),
                format: read.usage_format,
                batch: false,
                model: 0,
                at: None,
            });
        }
        // The new layout, or the least recently used, goes first.
        self.order.rotate_right(1);
        let index = self.order[0];
        self.layouts[usize::from(index)].learn(line, holes, objects, labels, read);
        self.hint(hint_hash(line.as_bytes()), index);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tape::digits;

    /// The count the one-pass reader takes at `at`, by its own rule, a byte at a time.
    fn read_plainly(bytes: &[u8], at: usize) -> Option<(usize, u64)> {
        let (end, value) = digits(bytes, at);
        let len = end - at;
        (1..=19).contains(&len).then_some(())?;
        (len == 1 || bytes[at] != b'0').then_some((end, value))
    }

    #[test]
    fn counts_read_a_word_at_a_time_as_a_byte_at_a_time() {
        let numbers = [
            "",
            "0",
            "00",
            "01",
            "7",
            "10",
            "99",
            "123",
            "4096",
            "65535",
            "999999",
            "1000000",
            "9999999",
            "10000000",
            "12345678",
            "123456789",
            "1000000000000000",
            "9999999999999999999",
            "10000000000000000000",
            "18446744073709551616",
        ];
        let after = [
            "", ",", "}", " ", ".5", "e3", "x", "/", ":", "\u{e9}", "\u{0}", "\u{7f}", "\u{b0}",
        ];
        for number in numbers {
            for next in after {
                // Near the end of the text and far from it, at every offset in a word.
                for before in 0..9 {
                    for tail in [0, 1, 8] {
                        let text =
                            format!("{}{number}{next}{}", " ".repeat(before), ",".repeat(tail));
                        let bytes = text.as_bytes();
                        assert_eq!(
                            count(bytes, before),
                            read_plainly(bytes, before),
                            "{text:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn model_names_trim_as_str_trim() {
        for name in [
            "gpt-4o",
            " gpt-4o ",
            "\tgpt-4o\n",
            "\u{a0}gpt-4o",
            "gpt-4o\u{3000}",
            "\u{85}",
            "é",
            "x",
            "",
            " ",
            "a b",
        ] {
            assert_eq!(trim(name), name.trim(), "{name:?}");
        }
    }

    proptest! {
        #[test]
        fn counts_in_any_bytes_read_as_a_byte_at_a_time(
            bytes in prop::collection::vec(
                prop_oneof![4 => b'0'..=b'9', 1 => any::<u8>()],
                0..24,
            )
        ) {
            for at in 0..=bytes.len() {
                prop_assert_eq!(count(&bytes, at), read_plainly(&bytes, at), "{:?} at {}", bytes, at);
            }
        }
    }
}
