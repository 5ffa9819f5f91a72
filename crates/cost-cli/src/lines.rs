//! The lines of a file or stdin, read into one reused buffer and handed out in place.
//!
//! `BufRead::read_until` copies every line out of its buffer; a usage log of a million
//! lines is read here without that copy, and each line's end is found with `memchr`.

use std::io::{self, Read};

/// The buffer starts at this size, and doubles for a line that does not fit.
const BUFFER: usize = 1 << 16;

pub(crate) struct Lines<R> {
    input: R,
    buffer: Vec<u8>,
    /// `buffer[start..end]` is read and not yet handed out.
    start: usize,
    end: usize,
    done: bool,
}

impl<R: Read> Lines<R> {
    pub(crate) fn new(input: R) -> Lines<R> {
        Lines {
            input,
            buffer: vec![0; BUFFER],
            start: 0,
            end: 0,
            done: false,
        }
    }

    /// The next line with its `\n` (the last line may have none); `None` at the end.
    pub(crate) fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        let mut searched = self.start;
        loop {
            if let Some(at) = memchr::memchr(b'\n', &self.buffer[searched..self.end]) {
                let line = self.start..searched + at + 1;
                self.start = line.end;
                return Ok(Some(&self.buffer[line]));
            }
            searched = self.end;
            if self.done {
                if self.start == self.end {
                    return Ok(None);
                }
                let line = self.start..self.end;
                self.start = self.end;
                return Ok(Some(&self.buffer[line]));
            }
            // Make room: the start of a line moves to the front, and a line longer than
            // the buffer doubles it.
            if self.start > 0 {
                self.buffer.copy_within(self.start..self.end, 0);
                searched -= self.start;
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buffer.len() {
                self.buffer.resize(self.buffer.len() * 2, 0);
            }
            match self.input.read(&mut self.buffer[self.end..]) {
                Ok(0) => self.done = true,
                Ok(read) => self.end += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

/// The line as text, `None` if it is not UTF-8: `std::str::from_utf8`, faster on ASCII.
///
/// A log's lines are usually ASCII, which [`ascii`] checks several words at a time, where
/// `from_utf8` validates each byte (about 200 instructions for a 214-byte line, a tenth of
/// pricing and counting it).
pub(crate) fn text(line: &[u8]) -> Option<&str> {
    if ascii(line) {
        // SAFETY: ASCII is valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(line) })
    } else {
        std::str::from_utf8(line).ok()
    }
}

/// `bytes.is_ascii()`: the words of `bytes` ORed together (which the compiler turns into
/// vector instructions), and the last eight bytes as one more word, where `is_ascii` looks
/// at the bytes after its last 64-byte block one by one.
fn ascii(bytes: &[u8]) -> bool {
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    let chunks = bytes.chunks_exact(8);
    let last = match bytes.len().checked_sub(8) {
        Some(start) => word(&bytes[start..]),
        None => chunks
            .remainder()
            .iter()
            .fold(0, |all, &byte| all | u64::from(byte)),
    };
    let all = chunks.fold(last, |all, chunk| all | word(chunk));
    all & 0x8080_8080_8080_8080 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its bytes a few at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_are_text_as_from_utf8_reads_them() {
        let long = "x".repeat(100);
        for bytes in [
            b"".as_slice(),
            b"{\"model\":\"gpt-4o\"}\n",
            "caf\u{e9}".as_bytes(),
            "\u{1f600} and more".as_bytes(),
            b"ab\xffcd",
            b"\xc3",
            b"\xed\xa0\x80",
            b"\x7f\x00",
            long.as_bytes(),
        ] {
            assert_eq!(text(bytes), std::str::from_utf8(bytes).ok(), "{bytes:?}");
        }
        // A byte above 0x7f anywhere, in a word or in the bytes after the last one.
        for len in 0..40 {
            let mut bytes = vec![b'a'; len];
            assert!(ascii(&bytes), "{len}");
            for at in 0..len {
                bytes[at] = 0x80;
                assert!(!ascii(&bytes), "{len} {at}");
                bytes[at] = b'a';
            }
        }
    }

    #[test]
    fn lines_are_what_read_until_gives() {
        let long = "x".repeat(BUFFER * 2 + 3);
        for text in [
            String::new(),
            "\n".to_string(),
            "a".to_string(),
            "a\nb".to_string(),
            "a\n\nb\n".to_string(),
            format!("{long}\nshort\n{long}"),
        ] {
            for step in [1, 7, BUFFER] {
                let mut lines = Lines::new(Trickle(text.as_bytes(), step));
                let mut ours = Vec::new();
                while let Some(line) = lines.next_line().unwrap() {
                    ours.push(line.to_vec());
                }
                let mut theirs = Vec::new();
                let mut reader = io::BufReader::new(text.as_bytes());
                loop {
                    let mut line = Vec::new();
                    if io::BufRead::read_until(&mut reader, b'\n', &mut line).unwrap() == 0 {
                        break;
                    }
                    theirs.push(line);
                }
                assert_eq!(ours, theirs, "{} bytes, {step} at a time", text.len());
            }
        }
    }
}
