//! A book read from bytes: its text, its format, what was excluded, and what to warn about.

use serde::{Deserialize, Serialize};

use super::decode::{decode, Source, SourceEncoding};
use super::{epub, gutenberg, human_bytes, Span, TextWarning, TextWarningKind};
use crate::error::{Error, ErrorKind, Result};

/// How to read a book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The file's name, as a hint only: `.md` / `.markdown` make Markdown headings count,
    /// `.txt` makes `#` lines plain text. The bytes decide whether it is an EPUB.
    pub name: Option<String>,
    /// Keep the Project Gutenberg header and licence in the text (default: exclude them).
    pub keep_gutenberg: bool,
    /// Size limits.
    pub limits: Limits,
}

/// Size limits, so that a hostile or mistaken input fails clearly instead of exhausting
/// memory (a web page has a few GB at most).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input accepted, in bytes. Default 256 MiB.
    pub max_input_bytes: u64,
    /// The most an EPUB's entries may inflate to, together, in bytes, by their declared
    /// sizes and by what they actually inflate to. Default 64 MiB.
    pub max_inflated_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 256 << 20,
            max_inflated_bytes: 64 << 20,
        }
    }
}

/// What kind of document a book came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookFormat {
    /// Plain text: chapters from headings such as `CHAPTER I`.
    Text,
    /// Markdown: chapters from `#` headings. Chosen by a `.md` name, or, with no telling
    /// name, by a line starting with `# `…`###### ` at the start of a paragraph.
    Markdown,
    /// EPUB: chapters are the spine items that have text.
    Epub,
}

impl BookFormat {
    /// The snake_case name used in JSON: `text`, `markdown`, `epub`.
    pub fn as_str(self) -> &'static str {
        match self {
            BookFormat::Text => "text",
            BookFormat::Markdown => "markdown",
            BookFormat::Epub => "epub",
        }
    }
}

/// One part of the Project Gutenberg boilerplate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GutenbergPart {
    /// Its size in bytes of decoded text.
    pub bytes: u64,
    /// The marker line that bounds it (`*** START OF THE PROJECT GUTENBERG EBOOK ... ***`).
    pub marker: String,
}

/// The Project Gutenberg header and licence found around a book, and whether they were
/// excluded from its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gutenberg {
    /// The book's title from the header, when it has one.
    pub title: Option<String>,
    /// The header: everything up to and including the start marker line.
    pub header: Option<GutenbergPart>,
    /// The licence: everything from the end marker line (or the older closing line just
    /// before it) on.
    pub licence: Option<GutenbergPart>,
    /// Whether they were removed from [`Book::text`] (the default).
    pub excluded: bool,
}

/// An EPUB spine item that has text: its span of [`Book::text`], its title (its first
/// heading) and its path in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Where its text is in the book. Sections do not overlap and are in spine order.
    pub span: Span,
    /// The text of its first `h1`–`h6`, if any.
    pub title: Option<String>,
    /// Its path in the archive (`OEBPS/chapter-3.xhtml`).
    pub source: String,
}

/// A book's text, ready to be split into units and profiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// The text: decoded, LF line endings, boilerplate excluded unless kept.
    pub text: String,
    /// What kind of document it was.
    pub format: BookFormat,
    /// The input's size and encoding, and how many bytes decoding replaced.
    pub source: Source,
    /// The book's title, when the input names it (EPUB metadata, Gutenberg header).
    pub title: Option<String>,
    /// The Project Gutenberg boilerplate, when found.
    pub gutenberg: Option<Gutenberg>,
    /// For an EPUB, its spine items with text, in order; empty otherwise.
    pub sections: Vec<Section>,
    /// What the reader should know (lossy decoding, skipped EPUB items).
    pub warnings: Vec<TextWarning>,
}

impl Book {
    /// Reads a book from the bytes of a `.txt`, `.md` or `.epub` file.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidText`] when the input is empty, too large, binary, or nothing
    /// but whitespace (after removing the Gutenberg boilerplate); [`ErrorKind::InvalidBook`]
    /// for a zip archive that is not a readable EPUB (see [`Limits`] for zip bombs). The
    /// message says which, for people.
    pub fn read(bytes: &[u8], options: &ReadOptions) -> Result<Book> {
        let input_bytes = bytes.len() as u64;
        if input_bytes > options.limits.max_input_bytes {
            return Err(Error::new(
                ErrorKind::InvalidText,
                format!(
                    "the file is too large: {}, and the limit is {}",
                    human_bytes(input_bytes),
                    human_bytes(options.limits.max_input_bytes)
                ),
            ));
        }
        let name = options.name.as_deref().unwrap_or("").to_ascii_lowercase();
        let mut warnings = Vec::new();
        let mut book = if epub::is_zip(bytes) {
            let read = epub::read(bytes, &options.limits, &mut warnings)?;
            Book {
                text: read.text,
                format: BookFormat::Epub,
                source: Source {
                    input_bytes,
                    encoding: SourceEncoding::Epub,
                    replaced_bytes: read.replaced_bytes,
                },
                title: read.title,
                gutenberg: None,
                sections: read.sections,
                warnings: Vec::new(),
            }
        } else if name.ends_with(".epub") {
            return Err(Error::new(
                ErrorKind::InvalidBook,
                "this is not an EPUB: an EPUB is a zip archive, and these bytes are not one",
            ));
        } else {
            let decoded = decode(bytes, &mut warnings)?;
            let markdown = if name.ends_with(".md") || name.ends_with(".markdown") {
                true
            } else if name.ends_with(".txt") || name.ends_with(".text") {
                false
            } else {
                super::headings::looks_like_markdown(&decoded.text)
            };
            Book {
                text: decoded.text,
                format: if markdown {
                    BookFormat::Markdown
                } else {
                    BookFormat::Text
                },
                source: Source {
                    input_bytes,
                    encoding: decoded.encoding,
                    replaced_bytes: decoded.replaced_bytes,
                },
                title: None,
                gutenberg: None,
                sections: Vec::new(),
                warnings: Vec::new(),
            }
        };
        book.exclude_gutenberg(!options.keep_gutenberg, &mut warnings);
        // Decoding warnings of EPUB entries repeat per entry; say each once.
        warnings.dedup();
        book.warnings = warnings;
        if book.text.trim().is_empty() {
            let why = if book.gutenberg.as_ref().is_some_and(|g| g.excluded) {
                "there is no text between the Project Gutenberg header and licence"
            } else {
                "the file has no text, only whitespace"
            };
            return Err(Error::new(ErrorKind::InvalidText, why));
        }
        Ok(book)
    }

    /// Finds the Gutenberg boilerplate and, if `exclude`, removes it from the text (in
    /// place: no second copy of a large text) and clips the EPUB sections to what remains.
    fn exclude_gutenberg(&mut self, exclude: bool, warnings: &mut Vec<TextWarning>) {
        let Some(found) = gutenberg::find(&self.text) else {
            return;
        };
        let len = self.text.len();
        let header_end = found.header.as_ref().map_or(0, |h| h.0);
        let licence_start = found.licence.as_ref().map_or(len, |l| l.0).max(header_end);
        if found.header.is_none() || found.licence.is_none() {
            warnings.push(TextWarning::new(
                TextWarningKind::IncompleteGutenberg,
                if found.header.is_none() {
                    "found the Project Gutenberg licence but no start marker; the header (if any) is kept"
                } else {
                    "found the Project Gutenberg start marker but no end marker; the licence (if any) is kept"
                },
            ));
        }
        self.gutenberg = Some(Gutenberg {
            title: found.title.clone(),
            header: found.header.map(|(_, marker)| GutenbergPart {
                bytes: header_end as u64,
                marker,
            }),
            licence: found.licence.map(|(_, marker)| GutenbergPart {
                bytes: (len - licence_start) as u64,
                marker,
            }),
            excluded: exclude,
        });
        if self.title.is_none() {
            self.title = found.title;
        }
        if !exclude {
            return;
        }
        self.text.truncate(licence_start);
        self.text.drain(..header_end);
        let kept = Span::new(header_end, licence_start);
        self.sections.retain_mut(|s| {
            let start = s.span.start.clamp(kept.start, kept.end) - kept.start;
            let end = s.span.end.clamp(kept.start, kept.end) - kept.start;
            s.span = Span::new(start, end);
            let inside = &self.text[start..end];
            let trimmed_start = end - inside.trim_start().len();
            s.span = Span::new(trimmed_start, start + inside.trim_end().len());
            s.span.start < s.span.end
        });
    }
}
