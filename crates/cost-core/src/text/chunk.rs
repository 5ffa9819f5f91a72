//! Fixed token chunks with overlap, cut at sentence ends (so at paragraph ends too).
//!
//! Sentences are packed greedily, in order, while their token counts add up to at most
//! `max_tokens`; the chunk's own text (sentences and the whitespace between them) is then
//! counted, and its last sentence dropped while that count is over `max_tokens` (a
//! tokenizer may count a joined text differently from its parts). The next chunk starts
//! with the last whole sentences of the previous one whose counts add up to at most
//! `overlap_tokens`, but never with all of them, and always with room for one new sentence.
//!
//! A sentence over `max_tokens` on its own is cut at word boundaries into the longest
//! pieces of at most `overlap_tokens` tokens (but at least `max_tokens / 64`, and
//! `max_tokens` when there is no overlap), so that chunks inside it overlap too; the pieces
//! are found by galloping then binary search over word ends, so the work stays proportional
//! to the piece. A single word over the piece size is cut between characters. So no chunk
//! exceeds `max_tokens`, unless one character alone does.

use serde::{Deserialize, Serialize};

use super::{CountTokens, Span};
use crate::error::{Error, ErrorKind, Result};

/// How to cut a text into chunks of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChunkOptions {
    /// The most tokens in a chunk. At least 1.
    pub max_tokens: u64,
    /// The most tokens a chunk repeats from the end of the one before. Below `max_tokens`.
    pub overlap_tokens: u64,
}

impl ChunkOptions {
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`] when `max_tokens` is 0 or the overlap is not below it.
    pub fn check(self) -> Result<()> {
        if self.max_tokens == 0 {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                "chunks must allow at least 1 token",
            ));
        }
        if self.overlap_tokens >= self.max_tokens {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!(
                    "the chunk overlap ({} tokens) must be below the chunk size ({} tokens)",
                    self.overlap_tokens, self.max_tokens
                ),
            ));
        }
        Ok(())
    }
}

/// One chunk: its span of the text and its exact token count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chunk {
    /// Where it is. Chunks are in order; consecutive ones overlap by at most the overlap.
    pub span: Span,
    /// `counter.count(&text[span])`.
    pub tokens: u64,
}

/// Cuts `text` into chunks (see the module docs), from its sentences (as
/// [`Units::sentences`](super::Units::sentences)).
///
/// # Errors
///
/// [`ErrorKind::InvalidRequest`] for options that [`ChunkOptions::check`] refuses.
pub fn chunk(
    text: &str,
    sentences: &[Span],
    counter: &dyn CountTokens,
    options: ChunkOptions,
) -> Result<Vec<Chunk>> {
    options.check()?;
    let mut chunker = Chunker::new(options);
    let mut out = Vec::new();
    while let Some(c) = chunker.next(text, sentences, None, counter) {
        out.push(c);
    }
    Ok(out)
}

/// A run of text no chunk cuts inside: a sentence, or part of one too long for a chunk.
#[derive(Debug, Clone, Copy)]
struct Piece {
    span: Span,
    tokens: u64,
}

/// Makes chunks one at a time, so a builder can stop between any two.
#[derive(Debug, Clone)]
pub(crate) struct Chunker {
    options: ChunkOptions,
    /// Pieces not yet dropped by `compact`; indices below are into this.
    pieces: Vec<Piece>,
    /// The next sentence to make pieces of.
    next_sentence: usize,
    /// The first piece of the next chunk, and the end of the last chunk (piece indices).
    start: usize,
    last_end: usize,
    done: bool,
}

fn count(counter: &dyn CountTokens, text: &str) -> u64 {
    counter.count(text) as u64
}

impl Chunker {
    pub(crate) fn new(options: ChunkOptions) -> Chunker {
        Chunker {
            options,
            pieces: Vec::new(),
            next_sentence: 0,
            start: 0,
            last_end: 0,
            done: false,
        }
    }

    /// The size of the pieces a sentence over `max_tokens` is cut into (see the module docs).
    fn long_piece_tokens(&self) -> u64 {
        let ChunkOptions {
            max_tokens: n,
            overlap_tokens: m,
        } = self.options;
        if m == 0 {
            n
        } else {
            m.max(n.div_ceil(64)).min(n)
        }
    }

    /// Makes sure piece `k` exists, from the next sentences; false when the text has no more.
    fn ensure(
        &mut self,
        k: usize,
        text: &str,
        sentences: &[Span],
        known: Option<&[u64]>,
        counter: &dyn CountTokens,
    ) -> bool {
        while self.pieces.len() <= k {
            let Some(&span) = sentences.get(self.next_sentence) else {
                return false;
            };
            let tokens = match known.and_then(|k| k.get(self.next_sentence)) {
                Some(&t) => t,
                None => count(counter, &text[span.range()]),
            };
            self.next_sentence += 1;
            if tokens <= self.options.max_tokens {
                self.pieces.push(Piece { span, tokens });
            } else {
                let size = self.long_piece_tokens();
                split_long(text, span, counter, size, &mut self.pieces);
            }
        }
        true
    }

    /// The next chunk, or `None` after the last.
    pub(crate) fn next(
        &mut self,
        text: &str,
        sentences: &[Span],
        known: Option<&[u64]>,
        counter: &dyn CountTokens,
    ) -> Option<Chunk> {
        let n = self.options.max_tokens;
        loop {
            if self.done || !self.ensure(self.start, text, sentences, known, counter) {
                self.done = true;
                return None;
            }
            let start = self.start;
            let mut end = start;
            let mut sum = 0;
            while self.ensure(end, text, sentences, known, counter)
                && sum + self.pieces[end].tokens <= n
            {
                sum += self.pieces[end].tokens;
                end += 1;
            }
            end = end.max(start + 1); // a piece over the limit (one character) goes alone
            let (span, tokens) = loop {
                let span = Span::new(self.pieces[start].span.start, self.pieces[end - 1].span.end);
                let tokens = if end == start + 1 {
                    self.pieces[start].tokens
                } else {
                    count(counter, &text[span.range()])
                };
                if tokens <= n || end == start + 1 {
                    break (span, tokens);
                }
                end -= 1;
            };
            if end <= self.last_end {
                // The overlap left no room for new text: start after the last chunk instead.
                self.start = self.last_end;
                continue;
            }
            self.last_end = end;
            if !self.ensure(end, text, sentences, known, counter) {
                self.done = true;
            } else {
                let mut k = end;
                let mut overlap = 0;
                while k > start + 1
                    && overlap + self.pieces[k - 1].tokens <= self.options.overlap_tokens
                {
                    overlap += self.pieces[k - 1].tokens;
                    k -= 1;
                }
                while k < end && overlap + self.pieces[end].tokens > n {
                    overlap -= self.pieces[k].tokens;
                    k += 1;
                }
                self.start = k;
                self.compact();
            }
            return Some(Chunk { span, tokens });
        }
    }

    /// Drops the pieces no later chunk can use.
    fn compact(&mut self) {
        if self.start >= 1024 && self.start * 2 >= self.pieces.len() {
            self.pieces.drain(..self.start);
            self.last_end -= self.start;
            self.start = 0;
        }
    }
}

/// Cuts the sentence at `span`, over `max` tokens, into pieces of at most `max` tokens at
/// word boundaries (between characters inside a word longer than that).
fn split_long(text: &str, span: Span, counter: &dyn CountTokens, max: u64, out: &mut Vec<Piece>) {
    let mut at = span.start;
    while at < span.end {
        let seg = &text[at..span.end];
        let trimmed = seg.trim_start();
        at += seg.len() - trimmed.len();
        if trimmed.is_empty() {
            break;
        }
        let base = trimmed.as_ptr() as usize;
        let word_ends = trimmed
            .split_whitespace()
            .map(|w| w.as_ptr() as usize - base + w.len());
        let (mut len, mut tokens) = longest_fit(trimmed, word_ends, counter, max);
        if len == 0 {
            let word = trimmed.split_whitespace().next().unwrap_or(trimmed);
            let char_ends = word.char_indices().map(|(i, c)| i + c.len_utf8());
            (len, tokens) = longest_fit(trimmed, char_ends, counter, max);
            if len == 0 {
                len = word.chars().next().map_or(word.len(), char::len_utf8);
                tokens = count(counter, &trimmed[..len]);
            }
        }
        out.push(Piece {
            span: Span::new(at, at + len),
            tokens,
        });
        at += len;
    }
}

/// The longest prefix of `seg` ending at one of `ends` (ascending) with at most `max`
/// tokens, and its count; `(0, 0)` if none fits. Gallops (1, 2, 4, … ends), then
/// bisects, so the work is proportional to the answer, not to `seg`.
fn longest_fit(
    seg: &str,
    mut ends: impl Iterator<Item = usize>,
    counter: &dyn CountTokens,
    max: u64,
) -> (usize, u64) {
    let mut seen: Vec<usize> = Vec::new();
    let mut best: Option<(usize, u64)> = None; // (index into seen, tokens)
    let mut over: Option<usize> = None;
    let mut probe = 0;
    loop {
        while seen.len() <= probe {
            match ends.next() {
                Some(e) => seen.push(e),
                None => break,
            }
        }
        if seen.is_empty() {
            return (0, 0);
        }
        let last = probe >= seen.len();
        let probe_at = probe.min(seen.len() - 1);
        if best.is_some_and(|(b, _)| b == probe_at) {
            break;
        }
        let tokens = count(counter, &seg[..seen[probe_at]]);
        if tokens <= max {
            best = Some((probe_at, tokens));
            if last {
                break;
            }
            probe = probe * 2 + 1;
        } else {
            over = Some(probe_at);
            break;
        }
    }
    let (mut lo, mut hi) = (best.map_or(0, |(b, _)| b + 1), over.unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi) / 2;
        let tokens = count(counter, &seg[..seen[mid]]);
        if tokens <= max {
            best = Some((mid, tokens));
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    best.map_or((0, 0), |(i, t)| (seen[i], t))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Words;
    impl CountTokens for Words {
        fn count(&self, text: &str) -> usize {
            text.split_whitespace().count()
        }
    }

    #[test]
    fn longest_fit_gallops_and_bisects() {
        let seg = "a b c d e f g h i j";
        let ends = || seg.match_indices(|c: char| c != ' ').map(|(i, _)| i + 1);
        for max in 0..12 {
            let (len, tokens) = longest_fit(seg, ends(), &Words, max);
            assert_eq!(tokens, max.min(10), "{max}");
            assert_eq!(len, (2 * max.min(10) as usize).saturating_sub(1));
        }
    }

    #[test]
    fn long_sentence_is_cut_at_words() {
        let text = "one two three four five six seven";
        let mut out = Vec::new();
        split_long(text, Span::new(0, text.len()), &Words, 3, &mut out);
        let got: Vec<&str> = out.iter().map(|p| &text[p.span.range()]).collect();
        assert_eq!(got, ["one two three", "four five six", "seven"]);
    }
}
