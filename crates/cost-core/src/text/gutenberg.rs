//! Finds the Project Gutenberg header and licence around a book's text.
//!
//! The header ends with a start marker line and the licence begins with an end marker line:
//!
//! - `*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***` (2020s), `*** START
//!   OF THIS PROJECT GUTENBERG EBOOK ... ***` and `***START OF THE PROJECT GUTENBERG EBOOK
//!   ...***` (older), possibly wrapped over two or three lines, and the 1990s
//!   `*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*...*END*`;
//! - `*** END OF THE PROJECT GUTENBERG EBOOK ... ***`, `*** END OF THIS PROJECT GUTENBERG
//!   EBOOK ... ***`, and the older closing line `End of the Project Gutenberg EBook of ...`
//!   / `End of Project Gutenberg's ...`, which the licence begins with when it comes just
//!   before the starred marker or instead of it.
//!
//! Marker lines are matched case-insensitively after leading `*` and spaces.

/// What was found: where the header ends and the licence begins, with their marker lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Markers {
    /// The header is `0..end`, marker line (and its newline) included.
    pub header: Option<(usize, String)>,
    /// The licence is `start..`.
    pub licence: Option<(usize, String)>,
    /// The book's title, from the header's `Title:` line or the start marker.
    pub title: Option<String>,
}

/// Lines of `text` with their byte offsets, newline included.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    })
}

/// The start of `line` (80 bytes at most) without surrounding whitespace and leading `*`,
/// upper-cased (ASCII).
fn key(line: &str) -> String {
    let t = line.trim().trim_start_matches(['*', ' ']);
    let mut cut = t.len().min(80);
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    t[..cut].to_ascii_uppercase()
}

fn is_start(key: &str) -> bool {
    key.starts_with("START OF THE PROJECT GUTENBERG")
        || key.starts_with("START OF THIS PROJECT GUTENBERG")
        || key.starts_with("END*THE SMALL PRINT")
        || key.starts_with("END* THE SMALL PRINT")
}

fn is_end(key: &str) -> bool {
    key.starts_with("END OF THE PROJECT GUTENBERG")
        || key.starts_with("END OF THIS PROJECT GUTENBERG")
}

fn is_old_end(key: &str) -> bool {
    (key.starts_with("END OF THE PROJECT GUTENBERG")
        || key.starts_with("END OF PROJECT GUTENBERG")
        || key.starts_with("END OF THIS PROJECT GUTENBERG"))
        && !key.contains("***")
}

/// The licence may begin with an old closing line at most this far before the `***` marker.
const OLD_END_REACH: usize = 4096;

/// Finds the markers, if any. Linear in the text, and cheap: only lines that start with `*`
/// or `E` are looked at.
pub(crate) fn find(text: &str) -> Option<Markers> {
    let mut header: Option<(usize, String)> = None;
    let mut marker_open = false; // a start marker that did not end with `*` on its line
    let mut wrapped_lines = 0;
    let mut licence: Option<(usize, String)> = None;
    let mut old_end: Option<(usize, String)> = None;
    let mut title: Option<String> = None;
    for (at, line) in lines(text) {
        if marker_open {
            // A start marker wrapped over lines ends at the line that ends with `*`.
            let (_, marker) = header.as_mut()?;
            marker.push(' ');
            marker.push_str(line.trim());
            wrapped_lines += 1;
            header.as_mut()?.0 = at + line.len();
            marker_open = !line.trim_end().ends_with('*') && wrapped_lines < 3;
            continue;
        }
        let first = line.trim_start().as_bytes().first().copied();
        if header.is_none() && licence.is_none() {
            if title.is_none() {
                if let Some(t) = line.trim().strip_prefix("Title:") {
                    title = Some(t.trim().to_string()).filter(|t| !t.is_empty());
                }
            }
            if first == Some(b'*') {
                let k = key(line);
                if is_start(&k) {
                    header = Some((at + line.len(), line.trim().to_string()));
                    old_end = None; // a closing line belongs after the header, never in it
                    marker_open = k.starts_with("START") && !line.trim_end().ends_with('*');
                    if title.is_none() && k.starts_with("START") {
                        title = title_from_marker(line);
                    }
                    continue;
                }
            }
        }
        if licence.is_none() && matches!(first, Some(b'*' | b'E' | b'e')) {
            let k = key(line);
            if first == Some(b'*') && is_end(&k) {
                let start = match &old_end {
                    Some((old, _)) if at - old <= OLD_END_REACH => *old,
                    _ => at,
                };
                licence = Some((start, line.trim().to_string()));
                break;
            }
            if first != Some(b'*') && old_end.is_none() && is_old_end(&k) {
                old_end = Some((at, line.trim().to_string()));
            }
        }
    }
    if licence.is_none() {
        licence = old_end;
    }
    if header.is_none() && licence.is_none() {
        return None;
    }
    if header.is_none() {
        title = None; // a "Title:" line far into a book without markers is not the header's
    }
    Some(Markers {
        header,
        licence,
        title,
    })
}

/// `PRIDE AND PREJUDICE` from `*** START OF THE PROJECT GUTENBERG EBOOK PRIDE AND PREJUDICE ***`.
fn title_from_marker(line: &str) -> Option<String> {
    let upper = line.to_ascii_uppercase();
    let at = upper
        .find("EBOOK")
        .map(|i| i + 5)
        .or_else(|| upper.find("ETEXT").map(|i| i + 5))?;
    let rest = line[at..].trim().trim_matches(['*', ' ']);
    let rest = rest
        .strip_prefix("OF ")
        .or_else(|| rest.strip_prefix("of "))
        .unwrap_or(rest)
        .trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_markers() {
        let text = "Title: A Book\n\n*** START OF THE PROJECT GUTENBERG EBOOK A BOOK ***\nBody.\n*** END OF THE PROJECT GUTENBERG EBOOK A BOOK ***\nLicence.\n";
        let m = find(text).unwrap();
        assert_eq!(
            &text[m.header.as_ref().unwrap().0..m.licence.as_ref().unwrap().0],
            "Body.\n"
        );
        assert_eq!(m.title.as_deref(), Some("A Book"));
    }

    #[test]
    fn old_closing_line_starts_the_licence() {
        let text = "*** START OF THIS PROJECT GUTENBERG EBOOK OLD ***\nBody.\n\nEnd of the Project Gutenberg EBook of Old\n\n*** END OF THIS PROJECT GUTENBERG EBOOK OLD ***\n";
        let m = find(text).unwrap();
        assert_eq!(
            &text[m.header.unwrap().0..m.licence.unwrap().0],
            "Body.\n\n"
        );
        assert_eq!(m.title.as_deref(), Some("OLD"));
    }

    #[test]
    fn a_closing_line_in_the_header_is_not_the_licence() {
        let text = "End of Project Gutenberg's notes\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBody.\n";
        let m = find(text).unwrap();
        assert_eq!(m.licence, None);
        assert_eq!(&text[m.header.unwrap().0..], "Body.\n");
    }

    #[test]
    fn wrapped_start_marker() {
        let text = "*** START OF THIS PROJECT GUTENBERG EBOOK THE ADVENTURES OF\nSHERLOCK HOLMES ***\nBody.\n";
        let m = find(text).unwrap();
        assert_eq!(&text[m.header.unwrap().0..], "Body.\n");
    }
}
