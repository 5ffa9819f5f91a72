//! Splitting a text into paragraphs, sentences and chapters, as spans of the one string.
//!
//! # Sentences
//!
//! A sentence ends at a paragraph's end, or at a run of terminal punctuation (`.`, `!`,
//! `?`, `…`, `‽`, and a spaced ellipsis `. . .`) when all of these hold:
//!
//! 1. Closing quotes and brackets right after it belong to the sentence (`."`, `!'`, `?)`,
//!    `.”`, `._`) and then whitespace follows. So `3.14`, `e.g.x` and `U.S.A.,` do not end
//!    one. CJK `。！？` end a sentence without whitespace.
//! 2. The next word (after any opening quotes or brackets) does not start with a lowercase
//!    letter: `“Oh!” said she` and `etc. and` stay one sentence, and so does an ellipsis
//!    inside a sentence (`Well... perhaps`).
//! 3. A lone `.` does not end a sentence after a title or Latin abbreviation (`Mr.`, `Mrs.`,
//!    `Dr.`, `St.`, `Col.`, `e.g.`, `i.e.`, `viz.`, …, see `NEVER_END`), after an initial
//!    (`J. R. R. Tolkien`: one capital letter, or capitals joined by dots, `U.S.`), after
//!    `No.`, `p.`, `vol.`, `ch.`, `fig.` when a digit follows, or after a list number that
//!    starts its sentence (`1. First`, `a. Apples`). With closing quotes (`Mr.”`) rules 1–2
//!    alone decide.
//!
//! Known misses, all rare in novels: a sentence that ends with an initial or a title
//! (`in Plan B. Then`), and one whose next sentence starts with a lowercase letter.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use super::book::{Book, BookFormat, Section};
use super::headings::{self, Heading};
use super::Span;

/// A chapter: where it is, its title, and which paragraphs and sentences it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chapter {
    /// Its text, heading included: from its first paragraph's start to its last one's end.
    pub span: Span,
    /// Its heading's text (`Chapter I.`), the EPUB item's first heading, or `None` (a book
    /// without headings, front matter).
    pub title: Option<String>,
    /// Indices into [`Units::paragraphs`].
    pub paragraphs: Range<usize>,
    /// Indices into [`Units::sentences`].
    pub sentences: Range<usize>,
}

/// A text split into units. Every span is a byte range of the one text; nothing is copied.
///
/// Paragraphs and sentences are in text order; chapters partition the paragraphs that
/// follow the front matter, and each paragraph's sentences partition it.
///
/// # Paragraphs
///
/// Runs of non-blank lines; blank lines (whitespace only) separate them. A heading is a
/// paragraph too. In Markdown an ATX heading line (`## Title`) is always its own paragraph.
///
/// # Sentences
///
/// A sentence ends at its paragraph's end, or at terminal punctuation (`.` `!` `?` `…` `‽`,
/// runs of them, a spaced `. . .`) followed by closing quotes or brackets (`."` `!'` `?)`
/// `.”` `._`), then whitespace, then a word that does not start with a lowercase letter.
/// So `3.14`, `“Oh!” said she` and `Well... perhaps` stay whole. A lone `.` does not end a
/// sentence after a title or Latin abbreviation (`Mr.` `Mrs.` `Dr.` `St.` `e.g.` `i.e.` …),
/// an initial (`J. R. R. Tolkien`, `U.S.`), `No.`/`p.`/`vol.`/`Sept.` before a number, or a
/// list number opening its sentence (`1. First`). CJK `。！？` end sentences directly.
///
/// # Chapters
///
/// - Plain text: a paragraph of at most 3 lines whose first line is a keyword (`Chapter`,
///   `CHAPTER`, `Chap.`, `Book`, `Part`, `Volume`, `Stave`, `Letter`) and a number (Arabic,
///   canonical Roman, a number word, `the First`), then nothing, punctuation, or a title in
///   capitals: `CHAPTER I`, `Chapter 12`, `CHAPTER XLII.`, `BOOK ONE`, `Chapter 3: The Boy`;
///   or `Prologue` / `Epilogue` alone. `BOOK ONE` followed by `CHAPTER I` is one chapter.
/// - Markdown: `#` headings (and `===`/`---` underlined ones); the chapter level is the one
///   whose headings read like chapters, else the shallowest used twice.
/// - EPUB: each spine item with text (see [`Book::sections`]).
/// - Consecutive headings that repeat a level (a table of contents) start no chapter.
/// - A book without headings is one chapter; text before the first heading is the
///   `front_matter`, kept as its own unit and not counted as a chapter.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Units {
    /// What comes before the first chapter heading, if anything (not a chapter).
    pub front_matter: Option<Chapter>,
    /// The chapters, in order. At least one when the text has any paragraph.
    pub chapters: Vec<Chapter>,
    /// Every paragraph, without its surrounding whitespace.
    pub paragraphs: Vec<Span>,
    /// Every sentence, without surrounding whitespace.
    pub sentences: Vec<Span>,
}

impl Units {
    /// Splits a book into units, in one go. [`ProfileBuilder`](super::ProfileBuilder) does
    /// the same in slices.
    pub fn of(book: &Book) -> Units {
        let mut s = Segmenter::new(book);
        while s.step(&book.text, usize::MAX) {}
        s.finish(book)
    }
}

/// Paragraphs, sentences and heading candidates, found a slice at a time.
#[derive(Debug, Clone)]
pub(crate) struct Segmenter {
    markdown: bool,
    epub: bool,
    /// Where the next paragraph search starts.
    pub pos: usize,
    paragraphs: Vec<Span>,
    /// For each paragraph, the index of its first sentence.
    first_sentence: Vec<usize>,
    sentences: Vec<Span>,
    headings: Vec<Heading>,
    /// Words in the paragraphs seen so far, and in each one (for chapter summaries).
    pub words: u64,
    pub paragraph_words: Vec<u64>,
    /// Characters in `..pos`.
    pub chars: u64,
}

impl Segmenter {
    pub(crate) fn new(book: &Book) -> Segmenter {
        Segmenter {
            markdown: book.format == BookFormat::Markdown,
            epub: book.format == BookFormat::Epub,
            pos: 0,
            paragraphs: Vec::new(),
            first_sentence: Vec::new(),
            sentences: Vec::new(),
            headings: Vec::new(),
            words: 0,
            paragraph_words: Vec::new(),
            chars: 0,
        }
    }

    /// Splits paragraphs until at least `budget` bytes are consumed (at least one
    /// paragraph). Returns whether text remains.
    pub(crate) fn step(&mut self, text: &str, budget: usize) -> bool {
        let stop = self.pos.saturating_add(budget.max(1));
        while self.pos < text.len() && self.pos < stop {
            let from = self.pos;
            let Some((span, next)) = next_paragraph(text, self.pos, self.markdown) else {
                self.chars += text[from..].chars().count() as u64;
                self.pos = text.len();
                break;
            };
            self.chars += text[from..next].chars().count() as u64;
            self.pos = next;
            let p = &text[span.range()];
            let index = self.paragraphs.len();
            self.paragraphs.push(span);
            self.first_sentence.push(self.sentences.len());
            split_sentences(p, span.start, &mut self.sentences);
            let words = count_words(p);
            self.words += words;
            self.paragraph_words.push(words);
            if !self.epub {
                let found = if self.markdown {
                    headings::markdown_heading(p)
                } else {
                    headings::keyword_heading(p)
                };
                if let Some((rank, title)) = found {
                    let chapter_word = !self.markdown
                        || headings::keyword_heading(&title).is_some_and(|(r, _)| r == 2);
                    self.headings.push(Heading {
                        paragraph: index,
                        rank,
                        chapter_word,
                        title,
                    });
                }
            }
        }
        self.pos < text.len()
    }

    /// The units, once every paragraph has been found.
    pub(crate) fn finish(self, book: &Book) -> Units {
        let n = self.paragraphs.len();
        let chapter = |paragraphs: Range<usize>, title: Option<String>| Chapter {
            span: Span::new(
                self.paragraphs[paragraphs.start].start,
                self.paragraphs[paragraphs.end - 1].end,
            ),
            title,
            sentences: self.first_sentence[paragraphs.start]
                ..self
                    .first_sentence
                    .get(paragraphs.end)
                    .copied()
                    .unwrap_or(self.sentences.len()),
            paragraphs,
        };
        let mut starts: Vec<(usize, Option<String>)> = if self.epub {
            section_starts(&book.sections, &self.paragraphs)
        } else {
            headings::chapter_starts(self.headings.clone(), self.markdown)
                .into_iter()
                .map(|s| (s.paragraph, Some(s.title)))
                .collect()
        };
        let mut front_matter = None;
        if n > 0 {
            match starts.first() {
                None => starts.push((0, None)),
                Some(&(0, _)) => {}
                Some(_) if self.epub => starts[0].0 = 0,
                Some(&(first, _)) => front_matter = Some(chapter(0..first, None)),
            }
        }
        let chapters = starts
            .iter()
            .enumerate()
            .map(|(i, (first, title))| {
                let end = starts.get(i + 1).map_or(n, |s| s.0);
                chapter(*first..end, title.clone())
            })
            .collect();
        Units {
            front_matter,
            chapters,
            paragraphs: self.paragraphs,
            sentences: self.sentences,
        }
    }
}

/// The first paragraph of each EPUB section, with its title.
fn section_starts(sections: &[Section], paragraphs: &[Span]) -> Vec<(usize, Option<String>)> {
    let mut starts = Vec::with_capacity(sections.len());
    let mut p = 0;
    for section in sections {
        while p < paragraphs.len() && paragraphs[p].end <= section.span.start {
            p += 1;
        }
        if p < paragraphs.len() && paragraphs[p].start < section.span.end {
            if starts.last().is_some_and(|&(last, _)| last == p) {
                continue;
            }
            starts.push((p, section.title.clone()));
        }
    }
    starts
}

/// Words: runs of non-whitespace, as `split_whitespace` finds them, a byte at a time.
pub(crate) fn count_words(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (space, len) = if b < 0x80 {
            (
                matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r'),
                1,
            )
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            (c.is_whitespace(), c.len_utf8())
        };
        if !space && !in_word {
            words += 1;
        }
        in_word = !space;
        i += len;
    }
    words
}

/// The end of the line starting at `at` (the index of its `\n`, or the text's end).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// The next paragraph at or after `pos`: its span (without surrounding whitespace) and
/// where to look for the one after it. In Markdown an ATX heading line is a paragraph.
pub(crate) fn next_paragraph(text: &str, mut pos: usize, markdown: bool) -> Option<(Span, usize)> {
    // Skip blank lines.
    let first_end = loop {
        if pos >= text.len() {
            return None;
        }
        let end = line_end(text, pos);
        if !text[pos..end].trim().is_empty() {
            break end;
        }
        pos = end + 1;
    };
    let line = &text[pos..first_end];
    let start = pos + (line.len() - line.trim_start().len());
    let mut end = pos + line.trim_end().len();
    let mut next = first_end + 1;
    let heading = |l: &str| markdown && headings::atx_level(l).is_some();
    if !heading(line) {
        while next < text.len() {
            let e = line_end(text, next);
            let l = &text[next..e];
            if l.trim().is_empty() || heading(l) {
                break;
            }
            end = next + l.trim_end().len();
            next = e + 1;
        }
    }
    Some((Span::new(start, end), next.min(text.len())))
}

/// Titles and Latin abbreviations after which a `.` never ends a sentence.
const NEVER_END: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Mme", "Mlle", "Dr", "Drs", "St", "Ste", "Prof", "Rev", "Revd",
    "Hon", "Capt", "Col", "Gen", "Lt", "Sgt", "Maj", "Cpl", "Adm", "Cmdr", "Gov", "Sen", "Rep",
    "Pres", "Fr", "Sr", "Jr", "Mt", "Ft", "e.g", "i.e", "cf", "viz", "vs", "al", "approx", "Esq",
];

/// Abbreviations that do not end a sentence when a number follows (`No. 5`, `p. 12`).
const BEFORE_NUMBER: &[&str] = &[
    "No", "no", "Nos", "nos", "p", "pp", "vol", "Vol", "ch", "Ch", "fig", "Fig", "art", "Art",
    "sec", "Sec", "op", "Op", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept",
    "Oct", "Nov", "Dec",
];

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‽' | '。' | '！' | '？')
}

fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | '›' | ')' | ']' | '}' | '_' | '*' | '」' | '』'
    )
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '‹' | '(' | '[' | '{' | '_' | '*' | '¿' | '¡' | '—' | '-'
    )
}

/// Whether `word` (what precedes a `.`) is an initial: `J`, `U.S`, `J.R.R`.
fn is_initials(word: &str) -> bool {
    !word.is_empty()
        && word.split('.').all(|part| {
            let mut cs = part.chars();
            matches!((cs.next(), cs.next()), (Some(c), None) if c.is_uppercase())
        })
}

/// Splits the paragraph `p` (which starts at byte `base` of the text) into sentences.
pub(crate) fn split_sentences(p: &str, base: usize, out: &mut Vec<Span>) {
    let mut start = 0; // the current sentence's first byte
    let mut i = 0;
    // Terminal punctuation starts with one of these bytes (`…‽` with E2, `。` with E3,
    // `！？` with EF); skipping to them keeps the scan a byte search.
    let candidate = |b: &u8| matches!(b, b'.' | b'!' | b'?' | 0xE2 | 0xE3 | 0xEF);
    while let Some(k) = p.as_bytes()[i..].iter().position(candidate) {
        i += k;
        let Some(c) = p[i..].chars().next() else {
            break;
        };
        if !is_terminal(c) {
            i += c.len_utf8();
            continue;
        }
        let cjk = matches!(c, '。' | '！' | '？');
        // The run of terminal punctuation, spaced ellipses included.
        let run_start = i;
        let mut j = i;
        loop {
            match p[j..].chars().next() {
                Some(t) if is_terminal(t) => j += t.len_utf8(),
                Some(' ') if p[..j].ends_with('.') && p[j..].starts_with(" .") => j += 2,
                _ => break,
            }
        }
        let run_end = j;
        while let Some(t) = p[j..].chars().next().filter(|&t| is_closer(t)) {
            j += t.len_utf8();
        }
        i = j;
        let after = &p[j..];
        if after.is_empty() {
            break;
        }
        let gap = after.len() - after.trim_start().len();
        if gap == 0 && !cjk {
            continue;
        }
        let next = j + gap;
        if !ends_sentence(p, start, run_start, run_end, j, &p[next..]) {
            continue;
        }
        out.push(Span::new(base + start, base + j));
        start = next;
        i = next;
    }
    if start < p.len() {
        out.push(Span::new(base + start, base + p.len()));
    }
}

/// Whether the terminal run `p[run_start..run_end]` (closers up to `closed`) ends the
/// sentence that starts at `start`, given the text after the whitespace (`rest`).
fn ends_sentence(
    p: &str,
    start: usize,
    run_start: usize,
    run_end: usize,
    closed: usize,
    rest: &str,
) -> bool {
    let first = rest.trim_start_matches(is_opener).chars().next();
    if first.is_some_and(char::is_lowercase) {
        return false;
    }
    if &p[run_start..run_end] != "." || closed > run_end {
        return true;
    }
    let before = &p[start..run_start];
    // The word is the letters, digits and inner dots before the `.`: `Mr` in `--“Mr.`.
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '.')
        .last()
        .map_or(before.len(), |(k, _)| k);
    let word = &before[word_start..];
    if word.is_empty() {
        return true;
    }
    if NEVER_END.contains(&word) || is_initials(word) {
        return false;
    }
    let digit_next = first.is_some_and(|c| c.is_ascii_digit());
    if digit_next && BEFORE_NUMBER.contains(&word) {
        return false;
    }
    // A list number or letter that opens its sentence: `1. First`, `a. Apples`, `iv. Four`.
    let opens = before[..word_start]
        .trim_start_matches(is_opener)
        .is_empty();
    let enumerator = (word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit()))
        || (word.chars().count() == 1 && word.chars().all(char::is_alphabetic));
    !(opens && enumerator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(p: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split_sentences(p, 0, &mut out);
        out.iter().map(|s| &p[s.range()]).collect()
    }

    #[test]
    fn rules() {
        assert_eq!(
            sentences("Mr. Darcy came. He left."),
            ["Mr. Darcy came.", "He left."]
        );
        assert_eq!(
            sentences("J. R. R. Tolkien wrote it. Yes."),
            ["J. R. R. Tolkien wrote it.", "Yes."]
        );
        assert_eq!(sentences("Pi is 3.14. Really!"), ["Pi is 3.14.", "Really!"]);
        assert_eq!(
            sentences("Wait... what? No... It was."),
            ["Wait... what?", "No...", "It was."]
        );
        assert_eq!(
            sentences("“Oh!” said she. “Go.” He went."),
            ["“Oh!” said she.", "“Go.”", "He went."]
        );
        assert_eq!(sentences("(See above.) Then."), ["(See above.)", "Then."]);
        assert_eq!(
            sentences("It was. . . . Nothing."),
            ["It was. . . .", "Nothing."]
        );
        assert_eq!(
            sentences("See No. 5 and p. 12. Done."),
            ["See No. 5 and p. 12.", "Done."]
        );
        assert_eq!(sentences("1. First item"), ["1. First item"]);
        assert_eq!(sentences("一。二！三"), ["一。", "二！", "三"]);
    }

    #[test]
    fn words_as_split_whitespace_counts_them() {
        for s in [
            "",
            " ",
            "a",
            " a  b\tc\n",
            "na\u{a0}ïve\u{3000}x",
            "\u{2028}y\u{85}",
        ] {
            assert_eq!(count_words(s), s.split_whitespace().count() as u64, "{s:?}");
        }
    }

    #[test]
    fn paragraphs_skip_blank_lines() {
        let t = "  a\nb  \n \n\nc\n";
        let (p1, next) = next_paragraph(t, 0, false).unwrap();
        assert_eq!(&t[p1.range()], "a\nb");
        let (p2, next) = next_paragraph(t, next, false).unwrap();
        assert_eq!(&t[p2.range()], "c");
        assert_eq!(next_paragraph(t, next, false), None);
    }

    #[test]
    fn markdown_heading_lines_are_paragraphs() {
        let t = "# Title\ntext\n## Next";
        let (p1, next) = next_paragraph(t, 0, true).unwrap();
        assert_eq!(&t[p1.range()], "# Title");
        let (p2, next) = next_paragraph(t, next, true).unwrap();
        assert_eq!(&t[p2.range()], "text");
        let (p3, _) = next_paragraph(t, next, true).unwrap();
        assert_eq!(&t[p3.range()], "## Next");
    }
}
