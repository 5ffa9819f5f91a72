//! Text profiles as JS objects: what `tokenizer.profile(text)` returns and `estimate` takes.
//!
//! A profile is data the core itself stores and reads back (the llmcost app keeps it in
//! history, `llmcost tokens --json` prints it), so these shapes spell exactly the core's
//! `TextProfile` JSON and `estimate` reads a profile with the core's own decoder: one
//! decoder, no second copy of it in the module, and a profile from the CLI or the app works
//! unchanged. The tests pass every profile `profile` returns back to `estimate`, which fails
//! if the two ever differ.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// How to read and profile a text.
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ProfileOptions {
    /// Also cut the text into chunks and count them: a chunk phase whose `chunk` matches
    /// (`tokens` = `max_tokens`, `overlap` = `overlap_tokens`) is then estimated exactly.
    #[serde(default)]
    #[tsify(optional)]
    pub chunks: Option<ChunkOptions>,
    /// The file's name, as a hint only: `.md` makes `#` headings chapters, `.txt` makes them
    /// plain text; otherwise Markdown is detected from the text. The bytes decide EPUB.
    #[serde(default)]
    #[tsify(optional)]
    pub name: Option<String>,
    /// Keep the Project Gutenberg header and licence in the text (default false: they are
    /// found, reported in `gutenberg`, and excluded).
    #[serde(default)]
    #[tsify(optional)]
    pub keep_gutenberg: Option<bool>,
}

/// How to cut a text into chunks of tokens, at sentence ends.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Tsify)]
#[serde(deny_unknown_fields)]
pub struct ChunkOptions {
    /// The most tokens in a chunk. At least 1.
    pub max_tokens: u64,
    /// The most tokens a chunk repeats from the end of the one before. Below `max_tokens`.
    pub overlap_tokens: u64,
}

impl ChunkOptions {
    pub(crate) fn to_core(self) -> cost_core::ChunkOptions {
        cost_core::ChunkOptions {
            max_tokens: self.max_tokens,
            overlap_tokens: self.overlap_tokens,
        }
    }

    fn of(c: cost_core::ChunkOptions) -> ChunkOptions {
        ChunkOptions {
            max_tokens: c.max_tokens,
            overlap_tokens: c.overlap_tokens,
        }
    }
}

/// What kind of document a text was read as.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
#[serde(rename_all = "snake_case")]
pub enum BookFormat {
    /// Plain text: chapters from headings such as `CHAPTER I`.
    Text,
    /// Markdown: chapters from `#` headings.
    Markdown,
    /// EPUB: chapters are the spine items that have text.
    Epub,
}

/// How the bytes were decoded.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark (JS strings are given as UTF-8).
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 with a byte-order mark, which is dropped.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-16, little-endian.
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16, big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// An EPUB.
    #[serde(rename = "epub")]
    Epub,
}

/// Where a text came from.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
pub struct TextSource {
    /// Size of the input, in bytes (UTF-8 for a string).
    pub input_bytes: u64,
    /// How the bytes were decoded.
    pub encoding: SourceEncoding,
    /// Input bytes that were not valid text and became U+FFFD.
    pub replaced_bytes: u64,
}

/// One part of the Project Gutenberg boilerplate.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct GutenbergPart {
    /// Its size in bytes of decoded text.
    pub bytes: u64,
    /// The marker line that bounds it.
    pub marker: String,
}

/// The Project Gutenberg header and licence found around a book.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct Gutenberg {
    /// The book's title from the header, when it has one.
    pub title: Option<String>,
    /// The header, up to and including the start marker line.
    pub header: Option<GutenbergPart>,
    /// The licence, from the end marker line on.
    pub licence: Option<GutenbergPart>,
    /// Whether they were left out of the profiled text (the default).
    pub excluded: bool,
}

/// Something about a text worth knowing that did not stop it being read.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct TextWarning {
    /// What kind, to match on.
    #[tsify(type = "TextWarningKind")]
    pub kind: String,
    /// What happened, for people.
    pub message: String,
}

/// How many units of each kind.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
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

/// One chapter's (or the front matter's) size.
#[derive(Debug, Clone, Serialize, Tsify)]
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

/// Token statistics of one kind of unit; all 0 when there are no units.
#[derive(Debug, Clone, Copy, Serialize, Tsify)]
pub struct TokenStats {
    /// How many units.
    pub units: u64,
    /// Their tokens added up (each unit counted on its own).
    pub total: u64,
    /// The smallest unit's tokens.
    pub min: u64,
    /// The mean in tenths of a token (125 is 12.5), rounded half up.
    pub mean_tenths: u64,
    /// The 95th percentile (nearest rank).
    pub p95: u64,
    /// The largest unit's tokens.
    pub max: u64,
}

/// The tokens of each unit of one kind, in text order, and their statistics.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct UnitTokens {
    /// One count per unit, in text order.
    pub per_unit: Vec<u64>,
    /// Their statistics.
    pub stats: TokenStats,
}

/// The chunks of one encoding: the options they were cut with and their tokens.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct ChunkTokens {
    /// Chunk size and overlap.
    pub options: ChunkOptions,
    /// Each chunk's tokens.
    pub tokens: UnitTokens,
}

/// A text's tokens in one encoding.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct EncodingProfile {
    /// The encoding's name (`o200k_base`).
    pub encoding: String,
    /// The whole text counted as one string: what sending it in one request costs.
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

/// Everything an estimate needs to know about a text, and nothing of the text itself.
#[derive(Debug, Clone, Serialize, Tsify)]
pub struct TextProfile {
    /// The book's title, when the input names it (EPUB metadata, Gutenberg header).
    pub title: Option<String>,
    /// What kind of document it was.
    pub format: BookFormat,
    /// Input size, encoding, replaced bytes.
    pub source: TextSource,
    /// The Project Gutenberg boilerplate, when found.
    pub gutenberg: Option<Gutenberg>,
    /// Warnings from reading the text.
    pub warnings: Vec<TextWarning>,
    /// Bytes of the profiled text (UTF-8, LF line endings).
    pub bytes: u64,
    /// Its characters (Unicode scalar values).
    pub chars: u64,
    /// Its words (runs of non-whitespace).
    pub words: u64,
    /// How many units of each kind.
    pub units: UnitCounts,
    /// The front matter's size, when there is front matter (it is not a chapter).
    pub front_matter: Option<ChapterSummary>,
    /// Each chapter's size, in order.
    pub chapters: Vec<ChapterSummary>,
    /// Tokens per encoding.
    pub encodings: Vec<EncodingProfile>,
}

impl TextProfile {
    pub(crate) fn of(p: &cost_core::TextProfile) -> TextProfile {
        TextProfile {
            title: p.title.clone(),
            format: match p.format {
                cost_core::BookFormat::Text => BookFormat::Text,
                cost_core::BookFormat::Markdown => BookFormat::Markdown,
                cost_core::BookFormat::Epub => BookFormat::Epub,
            },
            source: TextSource {
                input_bytes: p.source.input_bytes,
                encoding: match p.source.encoding {
                    cost_core::SourceEncoding::Utf8 => SourceEncoding::Utf8,
                    cost_core::SourceEncoding::Utf8Bom => SourceEncoding::Utf8Bom,
                    cost_core::SourceEncoding::Utf16Le => SourceEncoding::Utf16Le,
                    cost_core::SourceEncoding::Utf16Be => SourceEncoding::Utf16Be,
                    cost_core::SourceEncoding::Epub => SourceEncoding::Epub,
                },
                replaced_bytes: p.source.replaced_bytes,
            },
            gutenberg: p.gutenberg.as_ref().map(|g| Gutenberg {
                title: g.title.clone(),
                header: g.header.as_ref().map(GutenbergPart::of),
                licence: g.licence.as_ref().map(GutenbergPart::of),
                excluded: g.excluded,
            }),
            warnings: p
                .warnings
                .iter()
                .map(|w| TextWarning {
                    kind: w.kind.as_str().to_string(),
                    message: w.message.clone(),
                })
                .collect(),
            bytes: p.bytes,
            chars: p.chars,
            words: p.words,
            units: UnitCounts {
                front_matter: p.units.front_matter,
                chapters: p.units.chapters,
                paragraphs: p.units.paragraphs,
                sentences: p.units.sentences,
            },
            front_matter: p.front_matter.as_ref().map(ChapterSummary::of),
            chapters: p.chapters.iter().map(ChapterSummary::of).collect(),
            encodings: p
                .encodings
                .iter()
                .map(|e| EncodingProfile {
                    encoding: e.encoding.clone(),
                    total_tokens: e.total_tokens,
                    front_matter_tokens: e.front_matter_tokens,
                    chapters: UnitTokens::of(&e.chapters),
                    paragraphs: UnitTokens::of(&e.paragraphs),
                    sentences: UnitTokens::of(&e.sentences),
                    chunks: e.chunks.as_ref().map(|c| ChunkTokens {
                        options: ChunkOptions::of(c.options),
                        tokens: UnitTokens::of(&c.tokens),
                    }),
                })
                .collect(),
        }
    }
}

impl GutenbergPart {
    fn of(p: &cost_core::GutenbergPart) -> GutenbergPart {
        GutenbergPart {
            bytes: p.bytes,
            marker: p.marker.clone(),
        }
    }
}

impl ChapterSummary {
    fn of(c: &cost_core::ChapterSummary) -> ChapterSummary {
        ChapterSummary {
            title: c.title.clone(),
            bytes: c.bytes,
            words: c.words,
            paragraphs: c.paragraphs,
            sentences: c.sentences,
        }
    }
}

impl UnitTokens {
    fn of(u: &cost_core::UnitTokens) -> UnitTokens {
        let s = u.stats;
        UnitTokens {
            per_unit: u.per_unit.clone(),
            stats: TokenStats {
                units: s.units,
                total: s.total,
                min: s.min,
                mean_tenths: s.mean_tenths,
                p95: s.p95,
                max: s.max,
            },
        }
    }
}
