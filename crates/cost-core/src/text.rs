//! Whole books as text: read them from bytes, split them into units, and profile them.
//!
//! The pipeline is `bytes → Book → Units → TextProfile`:
//!
//! 1. [`Book::read`] decodes the bytes (UTF-8 with or without BOM, UTF-16 with a BOM, CRLF
//!    and CR made LF, invalid UTF-8 replaced with a warning that counts the bytes), reads an
//!    EPUB when the bytes are a zip archive (spine order, XHTML to paragraphs), and removes
//!    the Project Gutenberg header and licence unless told to keep them.
//! 2. [`Units::of`] splits the text into front matter, chapters, paragraphs and sentences,
//!    all as byte [`Span`]s into the one decoded string, never copies.
//! 3. [`ProfileBuilder`] counts tokens for every unit with each [`CountTokens`] encoding,
//!    in slices so an app can show progress and cancel, and [`ProfileBuilder::finish`]
//!    returns a serializable [`TextProfile`]: sizes, unit counts, and per-unit token counts
//!    with their statistics, per encoding. A book is read and counted once, not per model.
//!
//! # Units
//!
//! The rules are documented on [`Units`] (for users) and in detail in `split.rs`
//! (sentences) and `headings.rs` (chapters). In short: paragraphs are separated by blank
//! lines; sentences never cross a paragraph; chapters start at headings or EPUB spine
//! items; what comes before the first heading is front matter, its own unit and not a
//! chapter, because merging it into the first chapter would make that chapter many times
//! its real size (the preface of *Pride and Prejudice* is 35 KB) and per-chapter estimates
//! wrong.
//!
//! # Numbers
//!
//! Token counts are integers. Means are given in whole tenths (`mean_tenths`, rounded half
//! up) next to the exact `total` and `units` they come from; nothing here is `f64`.
//!
//! # Example
//!
//! On [`ProfileBuilder`], the entry point most callers want.

mod book;
mod chunk;
mod decode;
mod epub;
mod gutenberg;
mod headings;
mod profile;
mod split;
mod xhtml;

use serde::{Deserialize, Serialize};

pub use book::{Book, BookFormat, Gutenberg, GutenbergPart, Limits, ReadOptions, Section};
pub use chunk::{chunk, Chunk, ChunkOptions};
pub use decode::{Source, SourceEncoding};
pub use profile::{
    profile_book, ChapterSummary, ChunkTokens, EncodingProfile, NamedCounter, ProfileBuilder,
    ProfileOptions, Profiled, Progress, TextProfile, TokenStats, UnitCounts, UnitTokens,
};
pub use split::{Chapter, Units};

/// Counts the tokens of a text in one encoding.
///
/// The tokenizers implement this; tests use simple counters (words separated by
/// whitespace). A count must depend only on the text.
pub trait CountTokens {
    /// The number of tokens in `text`.
    fn count(&self, text: &str) -> usize;
}

/// The exact tokenizer counts for profiles and chunks.
impl CountTokens for crate::tokens::Tokenizer {
    fn count(&self, text: &str) -> usize {
        crate::tokens::Tokenizer::count(self, text)
    }
}

impl<T: CountTokens + ?Sized> CountTokens for &T {
    fn count(&self, text: &str) -> usize {
        (**self).count(text)
    }
}

impl<T: CountTokens + ?Sized> CountTokens for Box<T> {
    fn count(&self, text: &str) -> usize {
        (**self).count(text)
    }
}

/// A byte range of [`Book::text`]: `&book.text[span.range()]`. Always on `char` boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte. `start <= end`.
    pub end: usize,
}

impl Span {
    /// The span of bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// As a range, to index the text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// Its length in bytes.
    pub fn len(self) -> usize {
        self.end - self.start
    }

    /// Whether it covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Something about a text that the user should know but that does not stop it being read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextWarning {
    /// What kind, to match on.
    pub kind: TextWarningKind,
    /// What happened, for people.
    pub message: String,
}

impl TextWarning {
    pub(crate) fn new(kind: TextWarningKind, message: impl Into<String>) -> TextWarning {
        TextWarning {
            kind,
            message: message.into(),
        }
    }
}

/// The kinds of [`TextWarning`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TextWarningKind {
    /// Bytes that are not valid UTF-8 (or unpaired UTF-16 surrogates) became U+FFFD.
    InvalidEncoding,
    /// The text had no byte-order mark and was read as UTF-16 from its NUL-byte pattern.
    GuessedEncoding,
    /// Only one of the Project Gutenberg markers (start, end) was found.
    IncompleteGutenberg,
    /// An EPUB item was skipped: no text (images only), missing, or not XHTML.
    SkippedItem,
}

impl TextWarningKind {
    /// The snake_case name JSON outputs and fixtures use: `invalid_encoding`.
    pub fn as_str(self) -> &'static str {
        match self {
            TextWarningKind::InvalidEncoding => "invalid_encoding",
            TextWarningKind::GuessedEncoding => "guessed_encoding",
            TextWarningKind::IncompleteGutenberg => "incomplete_gutenberg",
            TextWarningKind::SkippedItem => "skipped_item",
        }
    }
}

/// `bytes` for people: `1 byte`, `312 bytes`, `4.2 MB` (decimal megabytes, truncated to tenths).
pub(crate) fn human_bytes(bytes: u64) -> String {
    if bytes == 1 {
        "1 byte".to_string()
    } else if bytes < 1_000_000 {
        format!("{bytes} bytes")
    } else {
        format!("{}.{} MB", bytes / 1_000_000, bytes % 1_000_000 / 100_000)
    }
}
