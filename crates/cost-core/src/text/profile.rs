//! The text profile, built in slices: sizes, units, and tokens per unit per encoding.

use serde::{Deserialize, Serialize};

use super::book::{Book, BookFormat, Gutenberg};
use super::chunk::{ChunkOptions, Chunker};
use super::decode::Source;
use super::split::{Chapter, Segmenter, Units};
use super::{CountTokens, Span, TextWarning};
use crate::error::{Error, ErrorKind, Result};

/// A named token counter: one encoding (`o200k_base`, `cl100k_base`, …).
pub struct NamedCounter<'c> {
    /// The encoding's name, as the profile reports it. Unique within a profile.
    pub name: String,
    /// What counts its tokens.
    pub counter: Box<dyn CountTokens + 'c>,
}

impl<'c> NamedCounter<'c> {
    /// An encoding named `name` counted by `counter` (owned, or borrowed as `&counter`).
    pub fn new(name: impl Into<String>, counter: impl CountTokens + 'c) -> NamedCounter<'c> {
        NamedCounter {
            name: name.into(),
            counter: Box::new(counter),
        }
    }
}

impl std::fmt::Debug for NamedCounter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedCounter")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What to profile besides the units every profile has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// Also cut the text into token chunks, per encoding, and profile them.
    pub chunks: Option<ChunkOptions>,
}

/// How far a [`ProfileBuilder`] has got, in bytes of work: each pass over the text (split,
/// then per encoding: sentences, paragraphs, chapters, the whole text, chunks) is worth the
/// text's length. `done_bytes` only grows, and equals `total_bytes` exactly when done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Work done.
    pub done_bytes: u64,
    /// All the work. Fixed when the builder is made.
    pub total_bytes: u64,
}

impl Progress {
    /// Whether the work is finished.
    pub fn is_done(self) -> bool {
        self.done_bytes == self.total_bytes
    }
}

/// Token statistics of one kind of unit in one encoding.
///
/// The mean is exactly `total / units`; `mean_tenths` is that in tenths of a token, rounded
/// half up, for display. `p95` is the nearest-rank 95th percentile: the smallest count that
/// at least 95 % of units are at or below. All are 0 when there are no units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenStats {
    /// How many units.
    pub units: u64,
    /// Their tokens added up (each unit counted on its own).
    pub total: u64,
    /// The smallest unit's tokens.
    pub min: u64,
    /// The mean, in tenths of a token: 125 is 12.5 tokens.
    pub mean_tenths: u64,
    /// The 95th percentile (nearest rank).
    pub p95: u64,
    /// The largest unit's tokens.
    pub max: u64,
}

impl TokenStats {
    /// The statistics of these per-unit counts.
    pub fn of(counts: &[u64]) -> TokenStats {
        if counts.is_empty() {
            return TokenStats::default();
        }
        let n = counts.len() as u64;
        let total: u64 = counts.iter().sum();
        let mut sorted = counts.to_vec();
        sorted.sort_unstable();
        let rank = (95 * n).div_ceil(100) as usize;
        TokenStats {
            units: n,
            total,
            min: sorted[0],
            mean_tenths: (20 * total + n) / (2 * n),
            p95: sorted[rank.max(1) - 1],
            max: sorted[sorted.len() - 1],
        }
    }
}

/// The tokens of each unit of one kind, in order, and their statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTokens {
    /// One count per unit, in text order (the same order as [`Units`]).
    pub per_unit: Vec<u64>,
    /// Their statistics.
    pub stats: TokenStats,
}

impl UnitTokens {
    fn new(per_unit: Vec<u64>) -> UnitTokens {
        UnitTokens {
            stats: TokenStats::of(&per_unit),
            per_unit,
        }
    }
}

/// The chunks of one encoding: the options they were cut with and their tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkTokens {
    /// Chunk size and overlap.
    pub options: ChunkOptions,
    /// Each chunk's tokens.
    pub tokens: UnitTokens,
}

/// A text's tokens in one encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodingProfile {
    /// The encoding's name.
    pub encoding: String,
    /// The whole text counted as one string: what sending the book in one request costs.
    /// (Per-unit totals differ slightly: a tokenizer may merge across unit boundaries.)
    pub total_tokens: u64,
    /// The front matter's tokens, when there is front matter.
    pub front_matter_tokens: Option<u64>,
    /// Each chapter's tokens (heading included).
    pub chapters: UnitTokens,
    /// Each paragraph's tokens.
    pub paragraphs: UnitTokens,
    /// Each sentence's tokens.
    pub sentences: UnitTokens,
    /// The chunks' tokens, when chunks were asked for.
    pub chunks: Option<ChunkTokens>,
}

/// How many units of each kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCounts {
    /// 1 when there is front matter, else 0.
    pub front_matter: u64,
    /// Chapters.
    pub chapters: u64,
    /// Paragraphs (headings included).
    pub paragraphs: u64,
    /// Sentences.
    pub sentences: u64,
}

/// One chapter's (or the front matter's) size, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterSummary {
    /// Its title, when it has a heading.
    pub title: Option<String>,
    /// Its bytes of text (UTF-8).
    pub bytes: u64,
    /// Its words (runs of non-whitespace).
    pub words: u64,
    /// Its paragraphs.
    pub paragraphs: u64,
    /// Its sentences.
    pub sentences: u64,
}

/// Everything cost estimates need to know about a text, and nothing of the text itself:
/// small enough to store in history, and counted once for every encoding asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextProfile {
    /// The book's title, when the input names it.
    pub title: Option<String>,
    /// What kind of document it was.
    pub format: BookFormat,
    /// Input size, encoding, replaced bytes.
    pub source: Source,
    /// The Project Gutenberg boilerplate, when found, and whether it was excluded.
    pub gutenberg: Option<Gutenberg>,
    /// Warnings from reading the book.
    pub warnings: Vec<TextWarning>,
    /// Bytes of the profiled text (UTF-8, LF line endings).
    pub bytes: u64,
    /// Its characters (Unicode scalar values).
    pub chars: u64,
    /// Its words (runs of non-whitespace).
    pub words: u64,
    /// How many units of each kind.
    pub units: UnitCounts,
    /// The front matter's size, when there is front matter.
    pub front_matter: Option<ChapterSummary>,
    /// Each chapter's size, in order.
    pub chapters: Vec<ChapterSummary>,
    /// Tokens per encoding, in the order the encodings were given.
    pub encodings: Vec<EncodingProfile>,
}

impl TextProfile {
    /// The tokens in the encoding named `name`.
    pub fn encoding(&self, name: &str) -> Option<&EncodingProfile> {
        self.encodings.iter().find(|e| e.encoding == name)
    }
}

/// A finished profile, with the book and units it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiled {
    /// The book (its text is what the spans index).
    pub book: Book,
    /// Its units.
    pub units: Units,
    /// The profile.
    pub profile: TextProfile,
}

/// Which units a counting pass is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sentences,
    Paragraphs,
    /// The front matter (if any) then the chapters.
    Chapters,
    Whole,
}

#[derive(Debug, Clone)]
enum Phase {
    Split(Box<Segmenter>),
    Count {
        encoding: usize,
        kind: Kind,
        next: usize,
    },
    Chunk {
        encoding: usize,
        chunker: Box<Chunker>,
    },
    Done,
}

/// Counts per encoding, as they accumulate.
#[derive(Debug, Clone, Default)]
struct Counts {
    sentences: Vec<u64>,
    paragraphs: Vec<u64>,
    chapters: Vec<u64>,
    front_matter: Option<u64>,
    total: u64,
    chunks: Vec<u64>,
}

/// Profiles a book a slice at a time: call [`step`](Self::step) until it reports done (an
/// app updates its progress bar in between, and cancels by no longer calling it), then
/// [`finish`](Self::finish). `ProfileBuilder::new(..)?.finish()` is the one-shot path and
/// gives the same profile.
///
/// Memory: the book's text once, plus a span (16 bytes) per unit and a count (8 bytes) per
/// unit and encoding. With the input bytes the caller holds, the peak for 50 MB of English
/// prose, two encodings and chunks is 2.7× the input (`tests/text.rs` measures it).
///
/// # Example
///
/// ```
/// use cost_core::{Book, CountTokens, NamedCounter, ProfileBuilder, ProfileOptions, ReadOptions};
///
/// struct Words;
/// impl CountTokens for Words {
///     fn count(&self, text: &str) -> usize {
///         text.split_whitespace().count()
///     }
/// }
///
/// let bytes = b"CHAPTER I.\n\nIt is a truth. Mr. Darcy agreed!\n\nCHAPTER II.\n\nThe end.\n";
/// let book = Book::read(bytes, &ReadOptions::default()).unwrap();
/// let mut builder =
///     ProfileBuilder::new(book, vec![NamedCounter::new("words", Words)], ProfileOptions::default())
///         .unwrap();
/// while !builder.step(16).is_done() {} // an app would update a progress bar here
/// let done = builder.finish();
/// assert_eq!(done.profile.units.chapters, 2);
/// assert_eq!(done.profile.units.sentences, 5);
/// assert_eq!(done.profile.encodings[0].chapters.per_unit, vec![9, 4]);
/// ```
pub struct ProfileBuilder<'c> {
    book: Book,
    encodings: Vec<NamedCounter<'c>>,
    options: ProfileOptions,
    phase: Phase,
    units: Units,
    counts: Vec<Counts>,
    words: u64,
    chars: u64,
    paragraph_words: Vec<u64>,
    /// Passes finished, and progress (a text position) in the current one.
    passes_done: u64,
    position: u64,
}

impl std::fmt::Debug for ProfileBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileBuilder")
            .field("encodings", &self.encodings)
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl<'c> ProfileBuilder<'c> {
    /// A builder that will profile `book` in each of `encodings`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] when two encodings share a name, or the chunk options
    /// are invalid ([`ChunkOptions::check`]).
    pub fn new(
        book: Book,
        encodings: Vec<NamedCounter<'c>>,
        options: ProfileOptions,
    ) -> Result<Self> {
        for (i, e) in encodings.iter().enumerate() {
            if encodings[..i].iter().any(|o| o.name == e.name) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("encoding {} is given twice", e.name),
                ));
            }
        }
        if let Some(chunks) = options.chunks {
            chunks.check()?;
        }
        let counts = vec![Counts::default(); encodings.len()];
        let segmenter = Segmenter::new(&book);
        Ok(ProfileBuilder {
            book,
            encodings,
            options,
            phase: Phase::Split(Box::new(segmenter)),
            units: Units::default(),
            counts,
            words: 0,
            chars: 0,
            paragraph_words: Vec::new(),
            passes_done: 0,
            position: 0,
        })
    }

    fn passes(&self) -> u64 {
        let per_encoding = 4 + u64::from(self.options.chunks.is_some());
        1 + self.encodings.len() as u64 * per_encoding
    }

    /// How far it has got.
    pub fn progress(&self) -> Progress {
        let len = self.book.text.len() as u64;
        Progress {
            done_bytes: if matches!(self.phase, Phase::Done) {
                len * self.passes()
            } else {
                len * self.passes_done + self.position.min(len)
            },
            total_bytes: len * self.passes(),
        }
    }

    /// Whether every pass is finished.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// Does about `budget_bytes` of work (at least one paragraph, unit or chunk; a unit is
    /// never split, so one step takes at least as long as counting the largest unit in the
    /// current pass, the whole text in the "whole" pass) and says how far it has got.
    pub fn step(&mut self, budget_bytes: usize) -> Progress {
        let mut left = budget_bytes.max(1);
        while left > 0 && !self.is_done() {
            let spent = self.advance(left);
            left = left.saturating_sub(spent.max(1));
        }
        self.progress()
    }

    /// Finishes the remaining work and returns the book, its units and the profile.
    pub fn finish(mut self) -> Profiled {
        while !self.is_done() {
            self.step(usize::MAX);
        }
        let profile = self.profile();
        Profiled {
            book: self.book,
            units: self.units,
            profile,
        }
    }

    fn next_pass(&mut self, phase: Phase) {
        self.passes_done += 1;
        self.position = 0;
        self.phase = phase;
    }

    /// The pass after counting `kind` for `encoding`.
    fn after(&self, encoding: usize, kind: Kind) -> Phase {
        let count = |encoding, kind| Phase::Count {
            encoding,
            kind,
            next: 0,
        };
        match kind {
            Kind::Sentences => count(encoding, Kind::Paragraphs),
            Kind::Paragraphs => count(encoding, Kind::Chapters),
            Kind::Chapters => count(encoding, Kind::Whole),
            Kind::Whole => match self.options.chunks {
                Some(options) => Phase::Chunk {
                    encoding,
                    chunker: Box::new(Chunker::new(options)),
                },
                None => self.after_encoding(encoding),
            },
        }
    }

    fn after_encoding(&self, encoding: usize) -> Phase {
        if encoding + 1 < self.encodings.len() {
            Phase::Count {
                encoding: encoding + 1,
                kind: Kind::Sentences,
                next: 0,
            }
        } else {
            Phase::Done
        }
    }

    /// One slice of the current pass; returns the bytes it covered.
    fn advance(&mut self, budget: usize) -> usize {
        let text = &self.book.text;
        match &mut self.phase {
            Phase::Done => 0,
            Phase::Split(segmenter) => {
                let before = segmenter.pos;
                let more = segmenter.step(text, budget);
                let spent = segmenter.pos - before;
                self.position = segmenter.pos as u64;
                if !more {
                    let Phase::Split(mut segmenter) =
                        std::mem::replace(&mut self.phase, Phase::Done)
                    else {
                        unreachable!("the phase was Split a moment ago")
                    };
                    self.words = segmenter.words;
                    self.chars = segmenter.chars;
                    self.paragraph_words = std::mem::take(&mut segmenter.paragraph_words);
                    self.units = segmenter.finish(&self.book);
                    let first = if self.encodings.is_empty() {
                        Phase::Done
                    } else {
                        Phase::Count {
                            encoding: 0,
                            kind: Kind::Sentences,
                            next: 0,
                        }
                    };
                    self.next_pass(first);
                }
                spent
            }
            Phase::Count {
                encoding,
                kind,
                next,
            } => {
                let (encoding, kind) = (*encoding, *kind);
                let units = &self.units;
                let fm = usize::from(units.front_matter.is_some());
                let span_of = |i: usize| -> Option<Span> {
                    match kind {
                        Kind::Sentences => units.sentences.get(i).copied(),
                        Kind::Paragraphs => units.paragraphs.get(i).copied(),
                        Kind::Chapters if i < fm => units.front_matter.as_ref().map(|c| c.span),
                        Kind::Chapters => units.chapters.get(i - fm).map(|c| c.span),
                        Kind::Whole => (i == 0).then(|| Span::new(0, text.len())),
                    }
                };
                let counter = &self.encodings[encoding].counter;
                let counts = &mut self.counts[encoding];
                let mut spent = 0;
                while spent < budget {
                    let Some(span) = span_of(*next) else { break };
                    let tokens = counter.count(&text[span.range()]) as u64;
                    match kind {
                        Kind::Sentences => counts.sentences.push(tokens),
                        Kind::Paragraphs => counts.paragraphs.push(tokens),
                        Kind::Chapters if *next < fm => counts.front_matter = Some(tokens),
                        Kind::Chapters => counts.chapters.push(tokens),
                        Kind::Whole => counts.total = tokens,
                    }
                    *next += 1;
                    spent += span.len().max(1);
                    self.position = span.end as u64;
                }
                if span_of(*next).is_none() {
                    let phase = self.after(encoding, kind);
                    self.next_pass(phase);
                }
                spent
            }
            Phase::Chunk { encoding, chunker } => {
                let encoding = *encoding;
                let counter = &self.encodings[encoding].counter;
                let counts = &mut self.counts[encoding];
                let mut spent = 0;
                let mut finished = false;
                while spent < budget {
                    match chunker.next(
                        text,
                        &self.units.sentences,
                        Some(&counts.sentences),
                        counter,
                    ) {
                        Some(chunk) => {
                            counts.chunks.push(chunk.tokens);
                            spent += chunk.span.len().max(1);
                            self.position = chunk.span.end as u64;
                        }
                        None => {
                            finished = true;
                            break;
                        }
                    }
                }
                if finished {
                    let phase = self.after_encoding(encoding);
                    self.next_pass(phase);
                }
                spent
            }
        }
    }

    fn summary(&self, c: &Chapter) -> ChapterSummary {
        ChapterSummary {
            title: c.title.clone(),
            bytes: c.span.len() as u64,
            words: self.paragraph_words[c.paragraphs.clone()].iter().sum(),
            paragraphs: c.paragraphs.len() as u64,
            sentences: c.sentences.len() as u64,
        }
    }

    fn profile(&mut self) -> TextProfile {
        let units = &self.units;
        let encodings = self
            .encodings
            .iter()
            .zip(std::mem::take(&mut self.counts))
            .map(|(e, c)| EncodingProfile {
                encoding: e.name.clone(),
                total_tokens: c.total,
                front_matter_tokens: c.front_matter,
                chapters: UnitTokens::new(c.chapters),
                paragraphs: UnitTokens::new(c.paragraphs),
                sentences: UnitTokens::new(c.sentences),
                chunks: self.options.chunks.map(|options| ChunkTokens {
                    options,
                    tokens: UnitTokens::new(c.chunks),
                }),
            })
            .collect();
        TextProfile {
            title: self.book.title.clone(),
            format: self.book.format,
            source: self.book.source,
            gutenberg: self.book.gutenberg.clone(),
            warnings: self.book.warnings.clone(),
            bytes: self.book.text.len() as u64,
            chars: self.chars,
            words: self.words,
            units: UnitCounts {
                front_matter: u64::from(units.front_matter.is_some()),
                chapters: units.chapters.len() as u64,
                paragraphs: units.paragraphs.len() as u64,
                sentences: units.sentences.len() as u64,
            },
            front_matter: units.front_matter.as_ref().map(|c| self.summary(c)),
            chapters: units.chapters.iter().map(|c| self.summary(c)).collect(),
            encodings,
        }
    }
}

/// Profiles a book in one go: `ProfileBuilder::new(book, encodings, options)?.finish()`.
///
/// # Errors
///
/// As [`ProfileBuilder::new`].
pub fn profile_book<'c>(
    book: Book,
    encodings: Vec<NamedCounter<'c>>,
    options: ProfileOptions,
) -> Result<Profiled> {
    Ok(ProfileBuilder::new(book, encodings, options)?.finish())
}
