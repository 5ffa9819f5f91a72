//! Bytes to text: byte-order marks, UTF-8 and UTF-16, lossy decoding that counts what it
//! replaced, line endings made LF, and a clear refusal of files that are not text.

use serde::{Deserialize, Serialize};

use super::{human_bytes, TextWarning, TextWarningKind};
use crate::error::{Error, ErrorKind, Result};

/// The encoding a text was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceEncoding {
    /// UTF-8 without a byte-order mark (also plain ASCII).
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 with a byte-order mark (`EF BB BF`), which is dropped.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// UTF-16, little-endian (`FF FE`, or guessed without a mark).
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16, big-endian (`FE FF`, or guessed without a mark).
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// An EPUB: a zip archive of XHTML documents, each decoded on its own.
    #[serde(rename = "epub")]
    Epub,
}

impl SourceEncoding {
    /// The name used in JSON: `utf-8`, `utf-16le`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceEncoding::Utf8 => "utf-8",
            SourceEncoding::Utf8Bom => "utf-8-bom",
            SourceEncoding::Utf16Le => "utf-16le",
            SourceEncoding::Utf16Be => "utf-16be",
            SourceEncoding::Epub => "epub",
        }
    }
}

/// Where a text came from: how many bytes, in which encoding, and what decoding replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Size of the input, in bytes.
    pub input_bytes: u64,
    /// How the bytes were decoded.
    pub encoding: SourceEncoding,
    /// Input bytes that were not valid text and became U+FFFD (one U+FFFD per invalid
    /// sequence). Zero for a clean file.
    pub replaced_bytes: u64,
}

/// Decoded text and how it was decoded.
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: SourceEncoding,
    pub replaced_bytes: u64,
}

/// Magic numbers of common binary formats, for a better message than "not text".
const MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF-", "a PDF document; convert it to text or EPUB first"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\0asm", "a WebAssembly module"),
    (b"\x7fELF", "an executable"),
];

fn not_text(why: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidText,
        format!("this is not a text file: {why}"),
    )
}

/// Decodes `bytes` as text. `what` names the input in messages (`the file`, an EPUB entry).
///
/// # Errors
///
/// [`ErrorKind::InvalidText`] for an empty input, a known binary format, NUL bytes that do
/// not look like UTF-16, UTF-32, or text that is mostly invalid or control characters.
pub(crate) fn decode(bytes: &[u8], warnings: &mut Vec<TextWarning>) -> Result<Decoded> {
    if bytes.is_empty() {
        return Err(Error::new(ErrorKind::InvalidText, "the file is empty"));
    }
    for (magic, what) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(not_text(format!("it is {what}")));
        }
    }
    let (encoding, decoded) = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        (SourceEncoding::Utf8Bom, utf8(rest))
    } else if bytes.starts_with(b"\xff\xfe\0\0") || bytes.starts_with(b"\0\0\xfe\xff") {
        return Err(not_text("UTF-32 is not supported; save it as UTF-8"));
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        (SourceEncoding::Utf16Le, utf16(rest, u16::from_le_bytes))
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        (SourceEncoding::Utf16Be, utf16(rest, u16::from_be_bytes))
    } else if let Some(at) = bytes.iter().position(|&b| b == 0) {
        match guess_utf16(bytes) {
            Some(SourceEncoding::Utf16Le) => {
                warnings.push(guessed("UTF-16LE"));
                (SourceEncoding::Utf16Le, utf16(bytes, u16::from_le_bytes))
            }
            Some(_) => {
                warnings.push(guessed("UTF-16BE"));
                (SourceEncoding::Utf16Be, utf16(bytes, u16::from_be_bytes))
            }
            None => return Err(not_text(format!("it has a NUL byte at offset {at}"))),
        }
    } else {
        (SourceEncoding::Utf8, utf8(bytes))
    };
    let (text, replaced_bytes) = decoded;
    let input = bytes.len() as u64;
    if replaced_bytes * 10 > input && replaced_bytes > 16 {
        return Err(not_text(format!(
            "{} of its {} are not valid {}",
            human_bytes(replaced_bytes),
            human_bytes(input),
            if matches!(encoding, SourceEncoding::Utf16Le | SourceEncoding::Utf16Be) {
                "UTF-16"
            } else {
                "UTF-8"
            }
        )));
    }
    check_controls(&text)?;
    if replaced_bytes > 0 {
        warnings.push(TextWarning::new(
            TextWarningKind::InvalidEncoding,
            format!(
                "{} were not valid {} and became U+FFFD (\u{FFFD})",
                human_bytes(replaced_bytes),
                if matches!(encoding, SourceEncoding::Utf16Le | SourceEncoding::Utf16Be) {
                    "UTF-16"
                } else {
                    "UTF-8"
                }
            ),
        ));
    }
    Ok(Decoded {
        text,
        encoding,
        replaced_bytes,
    })
}

fn guessed(name: &str) -> TextWarning {
    TextWarning::new(
        TextWarningKind::GuessedEncoding,
        format!("the text has no byte-order mark; read as {name} from its NUL bytes"),
    )
}

/// UTF-16 without a BOM, from where the NUL bytes fall in the first 4 KB: mostly-ASCII
/// UTF-16LE has a NUL at almost every odd offset and almost none at even ones.
fn guess_utf16(bytes: &[u8]) -> Option<SourceEncoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd * 10 >= pairs * 7 && even * 20 <= pairs {
        Some(SourceEncoding::Utf16Le)
    } else if even * 10 >= pairs * 7 && odd * 20 <= pairs {
        Some(SourceEncoding::Utf16Be)
    } else {
        None
    }
}

/// Refuses text whose first 64 KB are more than 5 % control characters (other than tab,
/// newline, form feed): a binary file that happens to be valid UTF-8.
fn check_controls(text: &str) -> Result<()> {
    let mut chars = 0usize;
    let mut controls = 0usize;
    for c in text.chars().take(65_536) {
        chars += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\u{c}' | '\u{b}') {
            controls += 1;
        }
    }
    if controls * 20 > chars && controls > 4 {
        return Err(not_text(format!(
            "{controls} of its first {chars} characters are control characters"
        )));
    }
    Ok(())
}

/// Appends `s` with CRLF and lone CR made LF. `cr` carries a CR that ended the last piece.
fn push_lf(out: &mut String, mut s: &str, cr: &mut bool) {
    if *cr {
        *cr = false;
        if let Some(rest) = s.strip_prefix('\n') {
            s = rest;
        }
    }
    while let Some(i) = s.find('\r') {
        out.push_str(&s[..i]);
        out.push('\n');
        s = &s[i + 1..];
        if let Some(rest) = s.strip_prefix('\n') {
            s = rest;
        } else if s.is_empty() {
            *cr = true;
        }
    }
    out.push_str(s);
}

/// UTF-8, lossily: one U+FFFD per invalid sequence, counting the bytes replaced.
fn utf8(bytes: &[u8]) -> (String, u64) {
    let mut out = String::with_capacity(bytes.len());
    let mut replaced = 0u64;
    let mut cr = false;
    for chunk in bytes.utf8_chunks() {
        push_lf(&mut out, chunk.valid(), &mut cr);
        if !chunk.invalid().is_empty() {
            replaced += chunk.invalid().len() as u64;
            cr = false;
            out.push('\u{FFFD}');
        }
    }
    (out, replaced)
}

/// UTF-16 in the given byte order, lossily: unpaired surrogates (2 bytes each) and an odd
/// last byte become U+FFFD.
fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, u64) {
    let mut out = String::with_capacity(bytes.len() / 2 * 3 / 2);
    let mut replaced = 0u64;
    let units = bytes.chunks_exact(2).map(|p| unit([p[0], p[1]]));
    let mut prev_cr = false;
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or_else(|_| {
            replaced += 2;
            '\u{FFFD}'
        });
        match c {
            '\r' => {
                out.push('\n');
                prev_cr = true;
                continue;
            }
            '\n' if prev_cr => {}
            c => out.push(c),
        }
        prev_cr = false;
    }
    if bytes.len() % 2 == 1 {
        replaced += 1;
        out.push('\u{FFFD}');
    }
    (out, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings_become_lf_across_invalid_bytes() {
        let (s, n) = utf8(b"a\r\nb\rc\r\xff\nd\r");
        assert_eq!(s, "a\nb\nc\n\u{FFFD}\nd\n");
        assert_eq!(n, 1);
    }

    #[test]
    fn utf16_le_with_crlf() {
        let bytes: Vec<u8> = "a\r\nb".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(utf16(&bytes, u16::from_le_bytes), ("a\nb".to_string(), 0));
    }
}
