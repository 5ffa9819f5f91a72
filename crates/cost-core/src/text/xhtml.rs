//! A small XML tokenizer, entity decoding, and XHTML to plain text with paragraphs.
//!
//! Enough XML for EPUB packaging files and chapters: start, end and empty tags with
//! attributes; text; CDATA; comments, processing instructions and `<!DOCTYPE>` skipped.
//! Names are compared by their local part (`opf:item` is `item`). Malformed markup never
//! fails: a `<` that starts no tag is text.

/// One piece of markup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<name attrs>` or `<name attrs/>`.
    Start {
        name: &'a str,
        attrs: &'a str,
        empty: bool,
    },
    /// `</name>`.
    End { name: &'a str },
    /// Character data with entities still encoded.
    Text(&'a str),
    /// The inside of `<![CDATA[...]]>`: literal text.
    CData(&'a str),
}

/// The tokens of a document, in order.
pub(crate) struct Tokens<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(src: &'a str) -> Tokens<'a> {
        Tokens { src, pos: 0 }
    }
}

/// The local part of a qualified name: `item` for `opf:item`.
pub(crate) fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        loop {
            let rest = &self.src[self.pos..];
            if rest.is_empty() {
                return None;
            }
            if !rest.starts_with('<') {
                let len = rest.find('<').unwrap_or(rest.len());
                self.pos += len;
                return Some(Token::Text(&rest[..len]));
            }
            let skip_to =
                |end: &str, from: usize| rest[from..].find(end).map(|i| from + i + end.len());
            if rest.starts_with("<!--") {
                self.pos += skip_to("-->", 4).unwrap_or(rest.len());
                continue;
            }
            if let Some(body) = rest.strip_prefix("<![CDATA[") {
                let len = body.find("]]>").unwrap_or(body.len());
                self.pos += 9 + (len + 3).min(body.len());
                return Some(Token::CData(&body[..len]));
            }
            if rest.starts_with("<?") {
                self.pos += skip_to("?>", 2).unwrap_or(rest.len());
                continue;
            }
            if rest.starts_with("<!") {
                self.pos += doctype_len(rest);
                continue;
            }
            let Some(close) = tag_end(rest) else {
                // A `<` that opens no tag: the rest is text.
                self.pos = self.src.len();
                return Some(Token::Text(rest));
            };
            let inner = &rest[1..close];
            self.pos += close + 1;
            if let Some(name) = inner.strip_prefix('/') {
                return Some(Token::End {
                    name: local(name.trim()),
                });
            }
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let name_len = inner
                .find(|c: char| c.is_whitespace())
                .unwrap_or(inner.len());
            if name_len == 0 {
                return Some(Token::Text(&rest[..close + 1]));
            }
            return Some(Token::Start {
                name: local(&inner[..name_len]),
                attrs: &inner[name_len..],
                empty,
            });
        }
    }
}

/// The index of the `>` that closes the tag at the start of `s`, skipping quoted values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, &b) in s.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(i),
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// The length of `<!DOCTYPE ...>`, internal subset in `[...]` included.
fn doctype_len(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// The decoded value of attribute `name` (local part compared) in a tag's `attrs`.
pub(crate) fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start();
        let eq = rest.find('=')?;
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next()?;
        let (value, next) = if quote == '"' || quote == '\'' {
            let end = after[1..].find(quote)? + 1;
            (&after[1..end], &after[end + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        // A key may carry earlier valueless attributes: `hidden id="x"`.
        let key = key.rsplit(char::is_whitespace).next().unwrap_or(key);
        if local(key) == name {
            let mut out = String::with_capacity(value.len());
            push_decoded(&mut out, value);
            return Some(out);
        }
        rest = next;
    }
}

/// Appends `s` with its character references (`&amp;`, `&#8217;`, `&#x2014;`, `&mdash;`)
/// decoded. An unknown or malformed reference is kept as written.
pub(crate) fn push_decoded(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest.as_bytes()[1..]
            .iter()
            .take(33)
            .position(|&b| b == b';')
            .and_then(|end| Some((entity(&rest[1..end + 1])?, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference names: `amp`, `#233`, `#xE9`, `eacute`.
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    if let Some(i) = LATIN1.iter().position(|&n| n == name) {
        return char::from_u32(160 + i as u32);
    }
    NAMED.iter().find(|(n, _)| *n == name).map(|&(_, c)| c)
}

/// HTML's names for U+00A0 to U+00FF, in code point order.
const LATIN1: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf",
    "laquo", "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro",
    "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
    "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute",
    "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute",
    "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute",
    "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
    "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde",
    "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc",
    "uuml", "yacute", "thorn", "yuml",
];

/// The XML entities and HTML's common typographic ones outside Latin-1.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("OElig", 'Œ'),
    ("oelig", 'œ'),
    ("Scaron", 'Š'),
    ("scaron", 'š'),
    ("Yuml", 'Ÿ'),
    ("fnof", 'ƒ'),
    ("circ", 'ˆ'),
    ("tilde", '˜'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("lrm", '\u{200E}'),
    ("rlm", '\u{200F}'),
    ("ndash", '–'),
    ("mdash", '—'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("sbquo", '‚'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("bdquo", '„'),
    ("dagger", '†'),
    ("Dagger", '‡'),
    ("bull", '•'),
    ("hellip", '…'),
    ("permil", '‰'),
    ("prime", '′'),
    ("Prime", '″'),
    ("lsaquo", '‹'),
    ("rsaquo", '›'),
    ("oline", '‾'),
    ("frasl", '⁄'),
    ("euro", '€'),
    ("trade", '™'),
    ("larr", '←'),
    ("rarr", '→'),
    ("uarr", '↑'),
    ("darr", '↓'),
    ("minus", '−'),
    ("infin", '∞'),
    ("ne", '≠'),
    ("le", '≤'),
    ("ge", '≥'),
];

/// Elements whose content is not text of the book.
const SKIPPED: &[&str] = &[
    "head", "script", "style", "svg", "math", "template", "noscript", "title", "rp", "rt",
];

/// Elements that end a paragraph where they start and where they end.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "section",
    "article",
    "aside",
    "header",
    "footer",
    "nav",
    "main",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "pre",
    "hr",
    "address",
    "body",
    "html",
    "center",
    "details",
    "summary",
    "fieldset",
    "legend",
];

/// Where the next text goes relative to what is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    None,
    Space,
    Line,
    Paragraph,
}

/// Builds plain text from XHTML events: paragraphs separated by one blank line, lines by
/// `<br/>`, whitespace inside a paragraph collapsed to single spaces (kept in `<pre>`).
struct Writer<'o> {
    out: &'o mut String,
    start: usize,
    gap: Gap,
    pre: usize,
}

impl Writer<'_> {
    fn gap(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    fn flush_gap(&mut self) {
        if self.out.len() > self.start {
            match self.gap {
                Gap::None => {}
                Gap::Space => self.out.push(' '),
                Gap::Line => self.out.push('\n'),
                Gap::Paragraph => self.out.push_str("\n\n"),
            }
        }
        self.gap = Gap::None;
    }

    fn text(&mut self, decoded: &str) {
        if self.pre > 0 {
            for (i, line) in decoded.split('\n').enumerate() {
                if i > 0 {
                    self.gap(Gap::Line);
                }
                if !line.trim().is_empty() {
                    self.flush_gap();
                    self.out.push_str(line.trim_end());
                }
            }
            return;
        }
        let mut words = decoded.split(is_xml_space).peekable();
        if decoded.starts_with(is_xml_space) {
            self.gap(Gap::Space);
        }
        while let Some(word) = words.next() {
            if word.is_empty() {
                continue;
            }
            self.flush_gap();
            self.out.push_str(word);
            if words.peek().is_some() {
                self.gap(Gap::Space);
            }
        }
    }
}

/// XML whitespace: collapsible in XHTML text. (A no-break space is text, not this.)
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}')
}

/// Appends the text of an XHTML document to `out` (nothing when it has none, such as a page
/// holding only an image) and returns the text of its first heading (`h1` to `h6`).
pub(crate) fn to_text(src: &str, out: &mut String) -> Option<String> {
    let mut w = Writer {
        start: out.len(),
        out,
        gap: Gap::None,
        pre: 0,
    };
    let mut skip: Option<(&str, usize)> = None; // the element being skipped, and its depth
    let mut heading: Option<(usize, String)> = None; // where the first heading began
    let mut title: Option<String> = None;
    let mut scratch = String::new();
    for token in Tokens::new(src) {
        if let Some((name, depth)) = &mut skip {
            match token {
                Token::Start {
                    name: n,
                    empty: false,
                    ..
                } if n == *name => *depth += 1,
                Token::End { name: n } if n == *name => {
                    *depth -= 1;
                    if *depth == 0 {
                        skip = None;
                    }
                }
                _ => {}
            }
            continue;
        }
        match token {
            Token::Start { name, empty, .. } => {
                let name = name.trim_end();
                if SKIPPED.contains(&name) {
                    if !empty {
                        skip = Some((name, 1));
                    }
                } else if name == "br" {
                    w.gap(Gap::Line);
                } else if BLOCKS.contains(&name) {
                    w.gap(Gap::Paragraph);
                    if name == "pre" && !empty {
                        w.pre += 1;
                    }
                    if is_heading(name) && title.is_none() && heading.is_none() {
                        heading = Some((w.out.len(), String::new()));
                    }
                } else if matches!(name, "tr") {
                    w.gap(Gap::Line);
                } else if matches!(name, "td" | "th") {
                    w.gap(Gap::Space);
                }
            }
            Token::End { name } => {
                if BLOCKS.contains(&name) {
                    w.gap(Gap::Paragraph);
                    if name == "pre" {
                        w.pre = w.pre.saturating_sub(1);
                    }
                    if is_heading(name) {
                        if let Some((at, _)) = heading.take() {
                            let text = w.out[at..].trim();
                            title = Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
                                .filter(|t| !t.is_empty());
                        }
                    }
                } else if name == "tr" {
                    w.gap(Gap::Line);
                }
            }
            Token::Text(raw) => {
                scratch.clear();
                push_decoded(&mut scratch, raw);
                w.text(&scratch);
            }
            Token::CData(raw) => w.text(raw),
        }
    }
    title
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(src: &str) -> (String, Option<String>) {
        let mut out = String::new();
        let title = to_text(src, &mut out);
        (out, title)
    }

    #[test]
    fn paragraphs_entities_and_skipped_parts() {
        let src = r#"<?xml version="1.0"?><!DOCTYPE html><html><head><title>T</title></head>
            <body><h1>Chapter&#160;1</h1><p>It&rsquo;s   a
            <i>truth</i>&mdash;&amp; more.</p><p>Line<br/>two</p><img src="a.png"/>
            <svg><text>no</text></svg><!-- c --><p><![CDATA[<raw>]]></p></body></html>"#;
        let (out, title) = text(src);
        assert_eq!(
            out,
            "Chapter\u{a0}1\n\nIt’s a truth—& more.\n\nLine\ntwo\n\n<raw>"
        );
        assert_eq!(title.as_deref(), Some("Chapter 1"));
    }

    #[test]
    fn image_only_page_has_no_text() {
        let (out, title) =
            text("<html><body><div><img src='c.jpg' alt='Cover'/></div></body></html>");
        assert_eq!((out.as_str(), title), ("", None));
    }

    #[test]
    fn attributes() {
        assert_eq!(
            attr(r#" full-path="a/b.opf" media-type='x'"#, "full-path").as_deref(),
            Some("a/b.opf")
        );
        assert_eq!(
            attr(r#" href="a&amp;b.xhtml""#, "href").as_deref(),
            Some("a&b.xhtml")
        );
        assert_eq!(attr(r#" opf:idref="c1""#, "idref").as_deref(), Some("c1"));
        assert_eq!(attr(r#" id="x""#, "href"), None);
    }
}
