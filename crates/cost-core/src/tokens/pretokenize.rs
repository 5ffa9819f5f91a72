//! The pre-tokenizers: tiktoken's two split regexes, hand-compiled into state machines.
//!
//! Each function returns where the piece starting at byte `p` ends, exactly where the regex's
//! leftmost-first match (Perl semantics, as fancy-regex and Rust's `regex` implement it) would.
//! Every position starts some alternative, so the pieces tile the text. The patterns, from
//! tiktoken (`tiktoken_ext/openai_public.py`, mirrored by tiktoken-rs 0.12.1):
//!
//! ```text
//! cl100k_base: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+
//!              | ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
//!
//! o200k_base:  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+SUFFIX?
//!              |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*SUFFIX?
//!              |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//!              where SUFFIX = (?i:'s|'t|'re|'ve|'m|'ll|'d)
//! ```
//!
//! Under `(?i)`, `s` also matches `ſ` (U+017F, its Unicode simple case folding); the other
//! contraction letters fold only to their ASCII pair.

use super::unicode::{at, is_other, is_prefix, L, LO, N, NL, S, UP};

/// The end of the `o200k_base` piece that starts at `p < text.len()`.
#[inline(never)]
pub(super) fn o200k_piece_end(text: &[u8], p: usize) -> usize {
    let (f, len) = at(text, p);
    // Fast path: an ASCII word, alone or after one ASCII prefix character (most of prose).
    if len == 1 {
        let s = if f & L != 0 {
            Some(p)
        } else if is_prefix(f) {
            Some(p + 1)
        } else {
            None
        };
        if let Some(end) = s.and_then(|s| ascii_word(text, s)) {
            return contraction_suffix(text, end);
        }
    }
    if f & L != 0 {
        // A letter: the first alternative without its optional prefix, else the second.
        let end = match upper_then_lower(text, p) {
            Ok(end) | Err(end) => end,
        };
        return contraction_suffix(text, end);
    }
    if is_prefix(f) {
        let s = p + len;
        match upper_then_lower(text, s) {
            Ok(end) => return contraction_suffix(text, end),
            // A mark is in both letter sets: the first alternative matches it without the
            // prefix (backtracking `[^\r\n\p{L}\p{N}]?` to empty) before the second is tried.
            Err(_) if f & UP != 0 => {
                let end = match upper_then_lower(text, p) {
                    Ok(end) | Err(end) => end,
                };
                return contraction_suffix(text, end);
            }
            Err(u) if u > s => return contraction_suffix(text, u),
            Err(_) => {}
        }
    }
    if f & N != 0 {
        return digits_end(text, p + len);
    }
    if let Some(start) = punctuation_start(text, p, f) {
        let mut i = other_run_end(text, start);
        while let Some(b'\r' | b'\n' | b'/') = text.get(i) {
            i += 1;
        }
        return i;
    }
    // Whitespace: `\s*[\r\n]+`, then `\s+(?!\S)`, then `\s+`.
    let run = whitespace_run(text, p);
    if let Some(end) = run.last_newline_end {
        end
    } else if run.end == text.len() {
        run.end
    } else if run.last_start > p {
        run.last_start
    } else {
        run.end
    }
}

/// The end of the `cl100k_base` piece that starts at `p < text.len()`.
#[inline(never)]
pub(super) fn cl100k_piece_end(text: &[u8], p: usize) -> usize {
    if text[p] == b'\'' {
        if let Some(end) = contraction(text, p + 1) {
            return end;
        }
    }
    let (f, len) = at(text, p);
    if f & L != 0 {
        return letter_run_end(text, p + len);
    }
    if is_prefix(f) {
        let (f1, len1) = at(text, p + len);
        if f1 & L != 0 {
            return letter_run_end(text, p + len + len1);
        }
    }
    if f & N != 0 {
        return digits_end(text, p + len);
    }
    if let Some(start) = punctuation_start(text, p, f) {
        let mut i = other_run_end(text, start);
        while let Some(b'\r' | b'\n') = text.get(i) {
            i += 1;
        }
        return i;
    }
    // Whitespace: `\s++$`, then `\s*[\r\n]`, then `\s+(?!\S)`, then `\s`.
    let run = whitespace_run(text, p);
    if run.end == text.len() {
        run.end
    } else if let Some(end) = run.last_newline_end {
        end
    } else if run.last_start > p {
        run.last_start
    } else {
        run.end
    }
}

/// Both o200k letter alternatives from `s` when the word is all ASCII: uppercase letters
/// then lowercase ones (`None` when there is no letter, or a non-ASCII character follows,
/// which may continue the word: the general path decides then). ASCII has no character in
/// both of o200k's letter sets, so no backtracking is needed.
#[inline(always)]
fn ascii_word(text: &[u8], s: usize) -> Option<usize> {
    let mut i = s;
    while let Some(b'A'..=b'Z') = text.get(i) {
        i += 1;
    }
    while let Some(b'a'..=b'z') = text.get(i) {
        i += 1;
    }
    match text.get(i) {
        _ if i == s => None,
        Some(&b) if b >= 0x80 => None,
        _ => Some(i),
    }
}

/// o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` from `s`, with its
/// backtracking: `Ok(end)` of the match, or `Err(u)` where the upper run from `s` ends when
/// it does not match (then `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+` matches `s..u` if `u > s`,
/// and no lower-set character follows it).
#[inline]
fn upper_then_lower(text: &[u8], s: usize) -> Result<usize, usize> {
    let mut i = s;
    let mut last_both_end = None;
    let (mut f, mut len) = at(text, i);
    while f & UP != 0 {
        i += len;
        if f & LO != 0 {
            last_both_end = Some(i);
        }
        (f, len) = at(text, i);
    }
    if f & LO != 0 {
        // A lowercase letter follows the upper run: the lower run is greedy from here.
        while f & LO != 0 {
            i += len;
            (f, len) = at(text, i);
        }
        return Ok(i);
    }
    // Backtrack the upper run to its last character that is also in the lower set.
    last_both_end.ok_or(i)
}

/// o200k's optional `(?i:'s|'t|'re|'ve|'m|'ll|'d)` after a word ending at `end`.
#[inline]
fn contraction_suffix(text: &[u8], end: usize) -> usize {
    if text.get(end) == Some(&b'\'') {
        if let Some(e) = contraction(text, end + 1) {
            return e;
        }
    }
    end
}

/// The end of a contraction starting at `i`, after an apostrophe: `s t m d ll ve re` in any
/// case, or `ſ` (both patterns accept the same set).
#[inline]
fn contraction(text: &[u8], i: usize) -> Option<usize> {
    let lower = |k: usize| text.get(i + k).map(|b| b.to_ascii_lowercase());
    match lower(0)? {
        b's' | b't' | b'm' | b'd' => Some(i + 1),
        b'l' if lower(1) == Some(b'l') => Some(i + 2),
        b'v' | b'r' if lower(1) == Some(b'e') => Some(i + 2),
        0xc5 if text.get(i + 1) == Some(&0xbf) => Some(i + 2), // ſ
        _ => None,
    }
}

/// `\p{N}{1,3}` after a first number character ending at `i`.
#[inline]
fn digits_end(text: &[u8], mut i: usize) -> usize {
    for _ in 0..2 {
        let (f, len) = at(text, i);
        if f & N == 0 {
            break;
        }
        i += len;
    }
    i
}

/// `\p{L}+` from `i`.
#[inline]
fn letter_run_end(text: &[u8], mut i: usize) -> usize {
    while let Some(b'a'..=b'z' | b'A'..=b'Z') = text.get(i) {
        i += 1;
    }
    loop {
        let (f, len) = at(text, i);
        if f & L == 0 {
            return i;
        }
        i += len;
    }
}

/// Where ` ?[^\s\p{L}\p{N}]+` starts its run of "other" characters, if it matches at `p`.
#[inline]
fn punctuation_start(text: &[u8], p: usize, f: u8) -> Option<usize> {
    if is_other(f) {
        Some(p)
    } else if text[p] == b' ' && is_other(at(text, p + 1).0) {
        Some(p + 1)
    } else {
        None
    }
}

/// `[^\s\p{L}\p{N}]+` from `i` (which starts one).
#[inline]
fn other_run_end(text: &[u8], mut i: usize) -> usize {
    loop {
        let (f, len) = at(text, i);
        if !is_other(f) {
            return i;
        }
        i += len;
    }
}

/// The maximal run of whitespace from `p` (which is whitespace).
struct WhitespaceRun {
    /// End of the run.
    end: usize,
    /// Start of the run's last character.
    last_start: usize,
    /// End of the run's last `\r` or `\n`, if it has one.
    last_newline_end: Option<usize>,
}

#[inline]
fn whitespace_run(text: &[u8], p: usize) -> WhitespaceRun {
    let mut run = WhitespaceRun {
        end: p,
        last_start: p,
        last_newline_end: None,
    };
    loop {
        let (f, len) = at(text, run.end);
        if f & S == 0 {
            return run;
        }
        run.last_start = run.end;
        run.end += len;
        if f & NL != 0 {
            run.last_newline_end = Some(run.end);
        }
    }
}
