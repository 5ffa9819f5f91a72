//! The character classes tiktoken's regexes use, one flag byte per character.
//!
//! `\p{L}`, `\p{N}`, `\s` and o200k's `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and
//! `[\p{Ll}\p{Lm}\p{Lo}\p{M}]` are bits of one byte, so each test in the pre-tokenizer is a
//! mask. ASCII comes from a 128-entry table; other code points from the two-level table that
//! `cargo xtask vocab` generates from regex-syntax (the Unicode tables tiktoken matches with).

use super::tables::{BLOCKS, BLOCK_INDEX, BLOCK_SHIFT};

/// `\p{L}`: a letter.
pub(super) const L: u8 = 1;
/// `\p{N}`: a number.
pub(super) const N: u8 = 2;
/// `\s`: Unicode White_Space.
pub(super) const S: u8 = 4;
/// `\r` or `\n`.
pub(super) const NL: u8 = 8;
/// o200k's "upper" set: `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
pub(super) const UP: u8 = 16;
/// o200k's "lower" set: `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
pub(super) const LO: u8 = 32;
/// Past the end of the text: in no class, not even the negated ones.
pub(super) const END: u8 = 64;

/// Flags of the generated table's classes: 0 other, 1 Lu/Lt, 2 Ll, 3 Lm/Lo, 4 M, 5 N,
/// 6 White_Space.
const CLASS_FLAGS: [u8; 16] = [
    0,
    L | UP,
    L | LO,
    L | UP | LO,
    UP | LO,
    N,
    S,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
];

/// Flags of each ASCII byte (ASCII has no marks and no Lm/Lo letters).
static ASCII: [u8; 128] = ascii_flags();

const fn ascii_flags() -> [u8; 128] {
    let mut flags = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        flags[b] = match c {
            b'A'..=b'Z' => L | UP,
            b'a'..=b'z' => L | LO,
            b'0'..=b'9' => N,
            b'\r' | b'\n' => S | NL,
            b'\t' | 0x0b | 0x0c | b' ' => S,
            _ => 0,
        };
        b += 1;
    }
    flags
}

/// `[^\r\n\p{L}\p{N}]`: the optional first character of a word.
#[inline(always)]
pub(super) fn is_prefix(flags: u8) -> bool {
    flags & (NL | L | N | END) == 0
}

/// `[^\s\p{L}\p{N}]`: punctuation, symbols, marks, controls.
#[inline(always)]
pub(super) fn is_other(flags: u8) -> bool {
    flags & (S | L | N | END) == 0
}

/// The flags and UTF-8 length of the character at byte `i` of `text` (a char boundary), or
/// `(END, 0)` at the end.
#[inline(always)]
pub(super) fn at(text: &[u8], i: usize) -> (u8, usize) {
    match text.get(i) {
        None => (END, 0),
        Some(&b) if b < 0x80 => (ASCII[b as usize], 1),
        Some(&b) => non_ascii(text, i, b),
    }
}

#[inline]
fn non_ascii(text: &[u8], i: usize, b0: u8) -> (u8, usize) {
    // `text` is valid UTF-8 (it came from a `&str`) and `i` is a char boundary.
    let cont = |k: usize| u32::from(text[i + k] & 0x3f);
    let (cp, len) = if b0 < 0xe0 {
        ((u32::from(b0 & 0x1f) << 6) | cont(1), 2)
    } else if b0 < 0xf0 {
        ((u32::from(b0 & 0x0f) << 12) | (cont(1) << 6) | cont(2), 3)
    } else {
        (
            (u32::from(b0 & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
            4,
        )
    };
    (CLASS_FLAGS[class(cp) as usize], len)
}

/// The generated table's class of a code point (0 to 6).
pub(super) fn class(cp: u32) -> u8 {
    let Some(&block) = BLOCK_INDEX.get((cp >> BLOCK_SHIFT) as usize) else {
        return 0;
    };
    let offset = (cp & ((1 << BLOCK_SHIFT) - 1)) as usize;
    let byte = BLOCKS[(usize::from(block) << (BLOCK_SHIFT - 1)) + offset / 2];
    (byte >> (4 * (offset % 2))) & 0x0f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_table_agrees_with_the_generated_table() {
        for b in 0u8..128 {
            let mut expected = CLASS_FLAGS[class(u32::from(b)) as usize];
            if b == b'\r' || b == b'\n' {
                expected |= NL;
            }
            assert_eq!(ASCII[b as usize], expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn classes_of_sample_code_points() {
        let flags = |c: char| at(c.to_string().as_bytes(), 0).0;
        assert_eq!(flags('É'), L | UP);
        assert_eq!(flags('ß'), L | LO);
        assert_eq!(flags('ǅ'), L | UP); // Lt
        assert_eq!(flags('ʰ'), L | UP | LO); // Lm
        assert_eq!(flags('中'), L | UP | LO); // Lo
        assert_eq!(flags('\u{301}'), UP | LO); // combining acute
        assert_eq!(flags('٣'), N);
        assert_eq!(flags('Ⅻ'), N); // Nl
        assert_eq!(flags('\u{3000}'), S);
        assert_eq!(flags('\u{85}'), S);
        assert_eq!(flags('\u{200b}'), 0); // zero width space is a format char, not \s
        assert_eq!(flags('😀'), 0);
        assert_eq!(flags('\u{10ffff}'), 0);
        assert_eq!(flags('\u{e0100}'), UP | LO); // variation selector 17 (Mn)
    }
}
