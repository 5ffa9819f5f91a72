//! Books as text: the data-driven cases of `tests/fixtures/text-cases.json` (decoding,
//! Gutenberg boilerplate, chapters, sentences, EPUB, Pride and Prejudice) through one
//! `check`, then chunking, the incremental builder against the one-shot path, and a large
//! generated text within a memory bound.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

use cost_core::{
    chunk, profile_book, Book, ChunkOptions, CountTokens, ErrorKind, NamedCounter, ProfileBuilder,
    ProfileOptions, Profiled, ReadOptions, TextProfile, Units,
};
use proptest::prelude::*;
use serde::Deserialize;

// ---------------------------------------------------------------------------------------
// Counters and inputs.

/// Tokens = words: runs of non-whitespace. Additive, so chunk sums can be checked exactly.
struct Words;

impl CountTokens for Words {
    fn count(&self, text: &str) -> usize {
        text.split_whitespace().count()
    }
}

/// A second, different encoding: about four bytes a token, at least one per word.
struct Quarters;

impl CountTokens for Quarters {
    fn count(&self, text: &str) -> usize {
        text.split_whitespace().map(|w| w.len().div_ceil(4)).sum()
    }
}

const NOVEL: &[u8] = include_bytes!("../../../tests/fixtures/pride-and-prejudice-pg1342.txt");

/// Files the cases may name, embedded so the same cases can run where there is no file
/// system (wasm).
fn fixture_file(name: &str) -> &'static [u8] {
    match name {
        "pride-and-prejudice-pg1342.txt" => NOVEL,
        "books/tiny.epub" => include_bytes!("../../../tests/fixtures/books/tiny.epub"),
        other => panic!("no fixture file {other}"),
    }
}

fn read_novel() -> Book {
    Book::read(NOVEL, &ReadOptions::default()).unwrap()
}

fn base64(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = s.bytes().filter(|&c| c != b'=').map(value).collect();
    digits
        .chunks(4)
        .flat_map(|q| {
            let n = q.iter().fold(0u32, |n, &d| n << 6 | u32::from(d)) << (6 * (4 - q.len()));
            let bytes = n.to_be_bytes();
            bytes[1..q.len()].to_vec()
        })
        .collect()
}

/// CRC-32 (IEEE), bit by bit: the test's own, independent of the reader's table.
fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// One file of a zip the test builds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ZipEntry {
    path: String,
    #[serde(default)]
    text: Option<String>,
    /// Content of this many zero bytes instead of `text`.
    #[serde(default)]
    zeros: Option<usize>,
    /// Stored instead of deflated.
    #[serde(default)]
    stored: bool,
    /// A lie about the inflated size (for zip bombs).
    #[serde(default)]
    declared_size: Option<u32>,
    /// A wrong CRC-32 (for damaged entries).
    #[serde(default)]
    crc: Option<u32>,
}

/// A minimal zip writer: local headers, data, central directory, end record.
fn zip(entries: &[ZipEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let data = match (&e.text, e.zeros) {
            (Some(t), _) => t.as_bytes().to_vec(),
            (None, Some(n)) => vec![0; n],
            (None, None) => Vec::new(),
        };
        let (method, packed) = if e.stored {
            (0u16, data.clone())
        } else {
            (8, miniz_oxide::deflate::compress_to_vec(&data, 6))
        };
        let crc = e.crc.unwrap_or_else(|| crc32(&data));
        let size = e.declared_size.unwrap_or(data.len() as u32);
        let offset = out.len() as u32;
        let name = e.path.as_bytes();
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&method.to_le_bytes());
            v.extend_from_slice(&0u32.to_le_bytes()); // time, date
            v.extend_from_slice(&crc.to_le_bytes());
            v.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            v.extend_from_slice(&size.to_le_bytes());
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(&packed);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let central_at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

// ---------------------------------------------------------------------------------------
// The cases.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[allow(dead_code)]
    source: String,
    input: Input,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    base64: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    epub: Option<Vec<ZipEntry>>,
    /// Keep only this many bytes of the built zip.
    #[serde(default)]
    truncate: Option<usize>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    options: Options,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    #[serde(default)]
    keep_gutenberg: bool,
    #[serde(default)]
    max_input_bytes: Option<u64>,
    #[serde(default)]
    max_inflated_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedError {
    kind: String,
    contains: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedGutenberg {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    header_bytes: Option<u64>,
    #[serde(default)]
    licence_bytes: Option<u64>,
    #[serde(default)]
    header_marker: Option<String>,
    excluded: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Count<T> {
    Exactly(u64),
    Range { min: u64, max: u64 },
    Items(Vec<T>),
}

/// `null` in JSON is `Some(None)`: "there is none"; absent is `None`: "not checked".
fn some_null<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(default)]
    error: Option<ExpectedError>,
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    replaced_bytes: Option<u64>,
    #[serde(default)]
    warnings: Option<Vec<String>>,
    #[serde(default)]
    warning_contains: Option<String>,
    #[serde(default)]
    gutenberg: Option<ExpectedGutenberg>,
    #[serde(default, deserialize_with = "some_null")]
    front_matter: Option<Option<String>>,
    #[serde(default)]
    front_matter_starts_with: Option<String>,
    #[serde(default)]
    chapters: Option<u64>,
    #[serde(default)]
    chapter_titles: Option<Vec<Option<String>>>,
    #[serde(default)]
    chapter_titles_start: Option<Vec<String>>,
    #[serde(default)]
    chapter_texts: Option<Vec<String>>,
    /// The text after the first chapter's heading paragraph starts with this.
    #[serde(default)]
    first_chapter_body_starts_with: Option<String>,
    #[serde(default)]
    paragraphs: Option<Count<String>>,
    #[serde(default)]
    sentences: Option<Count<String>>,
    /// Sentences in chapters (front matter left out).
    #[serde(default)]
    chapter_sentences: Option<Count<String>>,
    #[serde(default)]
    words: Option<u64>,
    #[serde(default)]
    chars: Option<u64>,
    #[serde(default)]
    bytes: Option<u64>,
}

fn cases() -> Vec<Case> {
    let json = include_str!("../../../tests/fixtures/text-cases.json");
    serde_json::from_str(json).expect("text-cases.json is malformed")
}

fn input_bytes(input: &Input) -> Vec<u8> {
    let mut bytes = match (&input.text, &input.base64, &input.file, &input.epub) {
        (Some(t), None, None, None) => t.as_bytes().to_vec(),
        (None, Some(b), None, None) => base64(b),
        (None, None, Some(f), None) => fixture_file(f).to_vec(),
        (None, None, None, Some(entries)) => zip(entries),
        _ => panic!("input needs exactly one of text, base64, file, epub"),
    };
    if let Some(n) = input.truncate {
        bytes.truncate(n);
    }
    bytes
}

fn check_count(what: &str, expected: &Count<String>, got: &[&str]) {
    match expected {
        Count::Exactly(n) => assert_eq!(got.len() as u64, *n, "{what}"),
        Count::Range { min, max } => {
            let n = got.len() as u64;
            assert!(
                (*min..=*max).contains(&n),
                "{what}: {n} not in {min}..={max}"
            );
        }
        Count::Items(items) => assert_eq!(got, items.as_slice(), "{what}"),
    }
}

/// Reads, splits and profiles one case's input and compares what the case expects.
fn check(case: &Case) {
    let input = &case.input;
    let mut options = ReadOptions {
        name: input.name.clone(),
        keep_gutenberg: input.options.keep_gutenberg,
        ..ReadOptions::default()
    };
    if let Some(max) = input.options.max_input_bytes {
        options.limits.max_input_bytes = max;
    }
    if let Some(max) = input.options.max_inflated_bytes {
        options.limits.max_inflated_bytes = max;
    }
    let e = &case.expected;
    let read = Book::read(&input_bytes(input), &options);
    if let Some(expected) = &e.error {
        let err = read.expect_err("expected an error");
        assert_eq!(err.kind().as_str(), expected.kind, "{err}");
        let shown = err.to_string();
        assert!(
            shown.contains(&expected.contains),
            "{shown:?} lacks {:?}",
            expected.contains
        );
        assert!(!shown.ends_with('.'), "{shown:?}: no trailing period");
        return;
    }
    let book = read.unwrap_or_else(|err| panic!("unexpected error: {err}"));
    let done = profile_book(
        book,
        vec![NamedCounter::new("words", Words)],
        ProfileOptions::default(),
    )
    .unwrap();
    let Profiled {
        book,
        units,
        profile,
    } = &done;
    let text = book.text.as_str();
    let slice = |span: cost_core::Span| &text[span.range()];
    if let Some(format) = &e.format {
        assert_eq!(book.format.as_str(), format);
    }
    if let Some(encoding) = &e.encoding {
        assert_eq!(book.source.encoding.as_str(), encoding);
    }
    if let Some(title) = &e.title {
        assert_eq!(book.title.as_ref(), Some(title));
    }
    if let Some(expected) = &e.text {
        assert_eq!(text, expected);
    }
    if let Some(n) = e.replaced_bytes {
        assert_eq!(book.source.replaced_bytes, n);
    }
    if let Some(kinds) = &e.warnings {
        let got: Vec<&str> = book.warnings.iter().map(|w| w.kind.as_str()).collect();
        assert_eq!(&got, kinds, "{:?}", book.warnings);
    }
    if let Some(part) = &e.warning_contains {
        assert!(
            book.warnings
                .iter()
                .any(|w| w.message.contains(part.as_str())),
            "no warning says {part:?}: {:?}",
            book.warnings
        );
    }
    if let Some(g) = &e.gutenberg {
        let got = book
            .gutenberg
            .as_ref()
            .expect("Gutenberg boilerplate not found");
        assert_eq!(got.excluded, g.excluded);
        if g.title.is_some() {
            assert_eq!(got.title, g.title);
        }
        if let Some(n) = g.header_bytes {
            assert_eq!(got.header.as_ref().map(|h| h.bytes), Some(n));
        }
        if let Some(n) = g.licence_bytes {
            assert_eq!(got.licence.as_ref().map(|l| l.bytes), Some(n));
        }
        if let Some(m) = &g.header_marker {
            assert_eq!(got.header.as_ref().map(|h| &h.marker), Some(m));
        }
    }
    if let Some(front) = &e.front_matter {
        assert_eq!(
            units.front_matter.as_ref().map(|f| slice(f.span)),
            front.as_deref()
        );
    }
    if let Some(start) = &e.front_matter_starts_with {
        let front = units.front_matter.as_ref().expect("no front matter");
        assert!(
            slice(front.span).starts_with(start.as_str()),
            "{:?}",
            &slice(front.span)[..60]
        );
    }
    if let Some(n) = e.chapters {
        assert_eq!(units.chapters.len() as u64, n);
    }
    let titles: Vec<Option<&str>> = units.chapters.iter().map(|c| c.title.as_deref()).collect();
    if let Some(expected) = &e.chapter_titles {
        let expected: Vec<Option<&str>> = expected.iter().map(Option::as_deref).collect();
        assert_eq!(titles, expected);
    }
    if let Some(expected) = &e.chapter_titles_start {
        let got: Vec<Option<&str>> = titles.iter().take(expected.len()).copied().collect();
        let expected: Vec<Option<&str>> = expected.iter().map(|t| Some(t.as_str())).collect();
        assert_eq!(got, expected);
    }
    if let Some(expected) = &e.chapter_texts {
        let got: Vec<&str> = units.chapters.iter().map(|c| slice(c.span)).collect();
        assert_eq!(&got, expected);
    }
    if let Some(start) = &e.first_chapter_body_starts_with {
        let first = &units.chapters[0];
        let body = units.paragraphs[first.paragraphs.start + 1];
        let body = &text[body.start..first.span.end];
        assert!(body.starts_with(start.as_str()), "{:?}", &body[..80]);
    }
    if let Some(expected) = &e.paragraphs {
        let got: Vec<&str> = units.paragraphs.iter().map(|&s| slice(s)).collect();
        check_count("paragraphs", expected, &got);
    }
    if let Some(expected) = &e.sentences {
        let got: Vec<&str> = units.sentences.iter().map(|&s| slice(s)).collect();
        check_count("sentences", expected, &got);
    }
    if let Some(expected) = &e.chapter_sentences {
        let from = units.chapters.first().map_or(0, |c| c.sentences.start);
        let got: Vec<&str> = units.sentences[from..].iter().map(|&s| slice(s)).collect();
        check_count("sentences in chapters", expected, &got);
    }
    if let Some(n) = e.words {
        assert_eq!(profile.words, n);
    }
    if let Some(n) = e.chars {
        assert_eq!(profile.chars, n);
    }
    if let Some(n) = e.bytes {
        assert_eq!(profile.bytes, n);
    }
    check_invariants(&done);
}

/// What holds for every book: units tile the text in order, counts agree.
fn check_invariants(done: &Profiled) {
    let Profiled {
        book,
        units,
        profile,
    } = done;
    let text = &book.text;
    for pair in units.paragraphs.windows(2) {
        assert!(pair[0].end < pair[1].start);
    }
    for s in units.paragraphs.iter().chain(&units.sentences) {
        let t = &text[s.range()];
        assert!(!t.is_empty() && t.trim() == t, "untrimmed unit {t:?}");
    }
    let all = units.front_matter.iter().chain(&units.chapters);
    let mut next_paragraph = 0;
    let mut next_sentence = 0;
    for c in all {
        assert_eq!(c.paragraphs.start, next_paragraph);
        assert_eq!(c.sentences.start, next_sentence);
        next_paragraph = c.paragraphs.end;
        next_sentence = c.sentences.end;
        assert_eq!(c.span.start, units.paragraphs[c.paragraphs.start].start);
        assert_eq!(c.span.end, units.paragraphs[c.paragraphs.end - 1].end);
    }
    assert_eq!(next_paragraph, units.paragraphs.len());
    assert_eq!(next_sentence, units.sentences.len());
    let words = &profile.encodings[0];
    assert_eq!(words.total_tokens, profile.words, "words are additive");
    // A sentence may end inside a word (CJK `。`), so sentences can only add words.
    assert!(words.sentences.stats.total >= profile.words);
    assert_eq!(words.paragraphs.stats.total, profile.words);
    assert_eq!(
        words.chapters.stats.total + words.front_matter_tokens.unwrap_or(0),
        profile.words
    );
    assert_eq!(profile.units.chapters as usize, units.chapters.len());
    assert_eq!(profile.chapters.len(), units.chapters.len());
    assert_eq!(profile.chars, text.chars().count() as u64);
    assert_eq!(profile.bytes, text.len() as u64);
    assert_eq!(*units, Units::of(book), "Units::of and the builder agree");
}

#[test]
fn text_cases() {
    let cases = cases();
    let mut failed = Vec::new();
    for case in &cases {
        if let Err(panic) = std::panic::catch_unwind(|| check(case)) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {why}", case.name));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} cases failed:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// The novel's profile.

#[test]
fn novel_profile_is_counted_once_per_encoding() {
    let done = profile_book(
        read_novel(),
        vec![
            NamedCounter::new("words", Words),
            NamedCounter::new("quarters", &Quarters),
        ],
        ProfileOptions::default(),
    )
    .unwrap();
    let p = &done.profile;
    assert_eq!(p.units.chapters, 61);
    assert_eq!(p.units.front_matter, 1);
    assert_eq!(p.encodings.len(), 2);
    let q = p.encoding("quarters").unwrap();
    assert_eq!(q.chapters.per_unit.len(), 61);
    assert_eq!(q.sentences.per_unit.len() as u64, p.units.sentences);
    let stats = q.chapters.stats;
    assert!(stats.min <= stats.p95 && stats.p95 <= stats.max);
    assert_eq!(stats.mean_tenths, (20 * stats.total + 61) / (2 * 61));
    assert_eq!(p.chapters[0].title.as_deref(), Some("Chapter I."));
    // Chapter I, counted by hand: 885 words (the `wc -w` of lines 701–837 of the file).
    assert_eq!(p.chapters[0].words, 885);
    // The profile is what history stores: it survives JSON.
    let json = serde_json::to_string(p).unwrap();
    let back: TextProfile = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, p);
}

// ---------------------------------------------------------------------------------------
// Chunks.

fn words_of(text: &str) -> u64 {
    Words.count(text) as u64
}

/// Every property chunks promise, with the additive word counter.
fn check_chunks(text: &str, units: &Units, max: u64, overlap: u64) {
    let options = ChunkOptions {
        max_tokens: max,
        overlap_tokens: overlap,
    };
    let chunks = chunk(text, &units.sentences, &Words, options).unwrap();
    assert!(!chunks.is_empty());
    let sentence_ends: std::collections::HashSet<usize> =
        units.sentences.iter().map(|s| s.end).collect();
    let long_sentences = units
        .sentences
        .iter()
        .filter(|s| words_of(&text[s.range()]) > max)
        .count();
    let mut cut_inside = 0;
    for (i, c) in chunks.iter().enumerate() {
        let body = &text[c.span.range()];
        assert_eq!(c.tokens, words_of(body));
        assert!(c.tokens <= max, "chunk {i} has {} tokens", c.tokens);
        if !sentence_ends.contains(&c.span.end) {
            cut_inside += 1;
        }
        if let Some(next) = chunks.get(i + 1) {
            assert!(next.span.start > c.span.start && next.span.end > c.span.end);
            if next.span.start < c.span.end {
                let shared = words_of(&text[next.span.start..c.span.end]);
                assert!(
                    shared <= overlap,
                    "chunks {i} and {} share {shared} tokens",
                    i + 1
                );
            }
            // No gap: the text between chunks is whitespace only.
            if next.span.start > c.span.end {
                assert!(text[c.span.end..next.span.start].trim().is_empty());
            }
        }
    }
    // Only sentences longer than a chunk are cut inside (at a word boundary).
    if long_sentences == 0 {
        assert_eq!(cut_inside, 0);
    }
    let first = units.sentences.first().unwrap();
    let last = units.sentences.last().unwrap();
    assert_eq!(chunks[0].span.start, first.start);
    assert_eq!(chunks.last().unwrap().span.end, last.end);
}

#[test]
fn novel_chunks_respect_size_overlap_and_sentence_ends() {
    let book = read_novel();
    let units = Units::of(&book);
    for (max, overlap) in [(512, 64), (200, 0), (100, 99), (1000, 500)] {
        check_chunks(&book.text, &units, max, overlap);
    }
    // With an overlap, consecutive chunks do share text when a sentence fits in it.
    let chunks = chunk(
        &book.text,
        &units.sentences,
        &Words,
        ChunkOptions {
            max_tokens: 512,
            overlap_tokens: 64,
        },
    )
    .unwrap();
    let overlapping = chunks
        .windows(2)
        .filter(|w| w[1].span.start < w[0].span.end)
        .count();
    assert!(
        overlapping * 10 > chunks.len() * 9,
        "{overlapping} of {}",
        chunks.len()
    );
}

#[test]
fn a_sentence_longer_than_a_chunk_is_cut_at_words() {
    let text = format!(
        "Short one. {} End.",
        (0..50)
            .map(|i| format!("W{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let book = Book::read(text.as_bytes(), &ReadOptions::default()).unwrap();
    let units = Units::of(&book);
    assert_eq!(units.sentences.len(), 2);
    let options = ChunkOptions {
        max_tokens: 8,
        overlap_tokens: 2,
    };
    let chunks = chunk(&book.text, &units.sentences, &Words, options).unwrap();
    for c in &chunks {
        let body = &book.text[c.span.range()];
        assert!(c.tokens <= 8);
        assert!(!body.starts_with(' ') && !body.ends_with(' '), "{body:?}");
    }
    assert_eq!(chunks[0].span.start, 0);
    assert_eq!(chunks.last().unwrap().span.end, book.text.len());
    check_chunks(&book.text, &units, 8, 2);
    // A word longer than a chunk is cut between characters.
    let long = chunk(
        "abcdef",
        &[cost_core::Span::new(0, 6)],
        &Quarters,
        ChunkOptions {
            max_tokens: 1,
            overlap_tokens: 0,
        },
    )
    .unwrap();
    let parts: Vec<&str> = long.iter().map(|c| &"abcdef"[c.span.range()]).collect();
    assert_eq!(parts, ["abcd", "ef"]);
}

#[test]
fn bad_chunk_options_are_refused() {
    let book = read_novel();
    for (max, overlap) in [(0, 0), (10, 10), (10, 11)] {
        let options = ProfileOptions {
            chunks: Some(ChunkOptions {
                max_tokens: max,
                overlap_tokens: overlap,
            }),
        };
        let err = ProfileBuilder::new(book.clone(), vec![NamedCounter::new("w", Words)], options)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    }
    let twice = vec![
        NamedCounter::new("w", Words),
        NamedCounter::new("w", Quarters),
    ];
    let err = ProfileBuilder::new(book, twice, ProfileOptions::default()).unwrap_err();
    assert_eq!(err.to_string(), "encoding w is given twice");
}

// ---------------------------------------------------------------------------------------
// The incremental builder.

fn counters() -> Vec<NamedCounter<'static>> {
    vec![
        NamedCounter::new("words", Words),
        NamedCounter::new("quarters", Quarters),
    ]
}

fn with_chunks() -> ProfileOptions {
    ProfileOptions {
        chunks: Some(ChunkOptions {
            max_tokens: 300,
            overlap_tokens: 40,
        }),
    }
}

/// The first chapters of the novel: enough for every pass, quick enough for many cases.
fn novel_start() -> Book {
    let mut book = read_novel();
    let cut = book.text.find("CHAPTER VII.").unwrap();
    book.text.truncate(cut);
    book
}

fn one_shot(book: Book) -> Profiled {
    profile_book(book, counters(), with_chunks()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn builder_in_slices_equals_one_shot(budgets in prop::collection::vec(1usize..20_000, 1..40)) {
        static EXPECTED: OnceLock<Profiled> = OnceLock::new();
        let expected = EXPECTED.get_or_init(|| one_shot(novel_start()));
        let mut builder = ProfileBuilder::new(novel_start(), counters(), with_chunks()).unwrap();
        let mut last = builder.progress();
        prop_assert_eq!(last.done_bytes, 0);
        let mut i = 0;
        while !builder.is_done() {
            let p = builder.step(budgets[i % budgets.len()]);
            prop_assert!(p.done_bytes >= last.done_bytes, "progress went back");
            prop_assert_eq!(p.total_bytes, last.total_bytes);
            prop_assert!(p.done_bytes <= p.total_bytes);
            last = p;
            i += 1;
        }
        prop_assert!(last.is_done());
        prop_assert!(i > 1);
        let got = builder.finish();
        prop_assert_eq!(&got.profile, &expected.profile);
        prop_assert_eq!(&got.units, &expected.units);
    }
}

#[test]
fn cancelling_is_just_not_stepping() {
    let mut builder = ProfileBuilder::new(novel_start(), counters(), with_chunks()).unwrap();
    let p = builder.step(1000);
    assert!(p.done_bytes > 0 && !p.is_done());
    drop(builder); // nothing else to do, nothing leaks
}

#[test]
fn a_book_without_encodings_still_has_units_and_sizes() {
    let done = profile_book(novel_start(), Vec::new(), ProfileOptions::default()).unwrap();
    assert!(done.profile.encodings.is_empty());
    assert_eq!(done.profile.units.chapters, 6);
}

// ---------------------------------------------------------------------------------------
// A large text, in bounded memory.

/// Bytes this thread has allocated and not freed, and the most it has had at once.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only thread-local
// counters (const-initialized, no destructor, so usable here) are updated on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            track(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// 50 MB in release builds (`cargo test --release -p cost-core --test text`); 8 MB in
/// debug builds, which are about 15× slower, so `cargo test` stays quick.
const LARGE_BYTES: usize = if cfg!(debug_assertions) {
    8 << 20
} else {
    50 << 20
};

#[test]
fn a_large_text_is_profiled_in_bounded_memory() {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    // The novel's body over and over, with CRLF line endings: realistic chapters,
    // paragraphs and sentences, and a decoding step that has work to do.
    let body = read_novel().text;
    let mut bytes = Vec::with_capacity(LARGE_BYTES + 2 * body.len());
    let mut copies = 0;
    while bytes.len() < LARGE_BYTES {
        for line in body.split_inclusive('\n') {
            bytes.extend_from_slice(line.trim_end_matches('\n').as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        copies += 1;
    }
    let input = bytes.len() as isize;

    let book = Book::read(&bytes, &ReadOptions::default()).unwrap();
    // Constant-time counters, so this measures the crate, not a test tokenizer.
    let counters = vec![
        NamedCounter::new("bytes/4", ByteRatio(4)),
        NamedCounter::new("bytes/3", ByteRatio(3)),
    ];
    let mut builder = ProfileBuilder::new(book, counters, with_chunks()).unwrap();
    let mut steps = 0;
    while !builder.step(4 << 20).is_done() {
        steps += 1;
    }
    let done = builder.finish();

    let peak = PEAK.with(Cell::get) - base;
    assert_eq!(done.profile.units.chapters as usize, 61 * copies);
    assert!(
        steps > 10,
        "progress is reported along the way ({steps} steps)"
    );
    // The input, the decoded text, a span for every unit, counts for two encodings and the
    // chunking state, at their peak together: under 4× the input (2.8× when measured).
    assert!(
        peak < 4 * input,
        "peak {peak} bytes for a {input}-byte input"
    );
    eprintln!("peak {:.2}× the input", peak as f64 / input as f64);
    drop(done);
}

/// Tokens = bytes / N, rounded up: a counter that costs nothing.
struct ByteRatio(usize);

impl CountTokens for ByteRatio {
    fn count(&self, text: &str) -> usize {
        text.len().div_ceil(self.0)
    }
}

#[test]
fn a_long_line_without_punctuation_is_one_paragraph_and_chunks_fast() {
    // 270 KB of words and no full stop, no newline: one paragraph, one sentence, cut at
    // words, in time proportional to the text (galloping, not scanning the rest each time).
    let text = "lorem ipsum dolor sit amet ".repeat(10_000);
    let book = Book::read(text.as_bytes(), &ReadOptions::default()).unwrap();
    let done = profile_book(book, vec![NamedCounter::new("words", Words)], with_chunks()).unwrap();
    let p = &done.profile;
    assert_eq!(
        (p.units.paragraphs, p.units.sentences, p.units.chapters),
        (1, 1, 1)
    );
    assert_eq!(p.encodings[0].sentences.per_unit, vec![50_000]);
    // Pieces of 40 words (the overlap): chunks of 7 pieces, each repeating the last one.
    let chunks = &p.encodings[0].chunks.as_ref().unwrap().tokens;
    assert_eq!(chunks.stats.max, 280);
    assert_eq!(chunks.stats.units, (50_000_u64 - 40).div_ceil(240));
    check_chunks(&done.book.text, &done.units, 300, 40);
}
