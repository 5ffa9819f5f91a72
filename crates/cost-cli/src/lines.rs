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
