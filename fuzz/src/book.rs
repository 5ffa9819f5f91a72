//! Targets `book` (`Book::read` on any bytes: BOMs, UTF-16, lossy UTF-8, Markdown, the
//! Gutenberg boilerplate, zip archives) and `epub` (EPUB archives built from fuzzer bytes:
//! container, package, spine and XHTML entries, stored or deflated, some damaged), each then
//! split into units (`Units::of`) and profiled (`ProfileBuilder`) with `o200k_base` and a
//! word counter, with and without chunks.
//!
//! Modes (`book`): the mode byte picks the file name hint, whether the Gutenberg text is
//! kept, and small size limits; the rest is the file.
//!
//! Invariants: the text has LF line endings only; every span (sections, paragraphs,
//! sentences, chapters, chunks) is in the text, on `char` boundaries and in order;
//! chapters partition the paragraphs after the front matter; a profile counts exactly what
//! its units hold; progress only grows and ends at its total; profiling in slices gives the
//! one-shot profile; no chunk is over its size unless it is one character.

use cost_core::{
    Book, BookFormat, ChunkOptions, CountTokens, Limits, NamedCounter, ProfileBuilder,
    ProfileOptions, Profiled, ReadOptions, Span, TokenStats, Units,
};

use super::gen::Gen;

/// Words separated by whitespace: cheap, and exact to check spans with.
struct Words;

impl CountTokens for Words {
    fn count(&self, text: &str) -> usize {
        text.split_whitespace().count()
    }
}

pub fn check_book(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let name = [None, Some("book.md"), Some("book.txt"), Some("book.epub")][usize::from(mode & 3)];
    let limits = if mode & 8 == 0 {
        Limits::default()
    } else {
        Limits {
            max_input_bytes: 2048,
            max_inflated_bytes: 1024,
        }
    };
    let options = ReadOptions {
        name: name.map(str::to_string),
        keep_gutenberg: mode & 4 != 0,
        limits,
    };
    read_and_check(rest, &options, mode);
}

pub fn check_epub(data: &[u8]) {
    let mut g = Gen::new(data);
    let limits = if g.below(8) == 0 {
        Limits {
            max_input_bytes: 1 << 20,
            max_inflated_bytes: g.in_range(0, 4096),
        }
    } else {
        Limits::default()
    };
    let options = ReadOptions {
        name: None,
        keep_gutenberg: false,
        limits,
    };
    let mode = g.u8();
    let archive = epub(&mut g);
    read_and_check(&archive, &options, mode);
}

fn read_and_check(bytes: &[u8], options: &ReadOptions, mode: u8) {
    let Ok(book) = Book::read(bytes, options) else {
        return;
    };
    assert_eq!(book.source.input_bytes, bytes.len() as u64);
    assert!(!book.text.contains('\r'), "a CR left in the text");
    let mut end = 0;
    for section in &book.sections {
        check_span(&book.text, section.span);
        assert!(section.span.start >= end, "sections overlap");
        end = section.span.end;
    }
    if book.format != BookFormat::Epub {
        assert!(book.sections.is_empty(), "sections outside an EPUB");
    }
    let units = Units::of(&book);
    check_units(&book.text, &units);
    // Chunks of a size from the mode byte: 1 to 64 tokens, overlapping or not.
    let max_tokens = u64::from(mode >> 2) + 1;
    let chunks = (mode & 2 != 0).then_some(ChunkOptions {
        max_tokens,
        overlap_tokens: u64::from(mode & 1) * (max_tokens / 2),
    });
    let counters = || {
        vec![
            NamedCounter::new("o200k_base", super::o200k()),
            NamedCounter::new("words", Words),
        ]
    };
    let options = ProfileOptions { chunks };
    let mut builder =
        ProfileBuilder::new(book.clone(), counters(), options).expect("valid options");
    let mut last = builder.progress();
    assert_eq!(last.done_bytes, 0);
    let budget = usize::from(mode % 61) + 1;
    while !builder.is_done() {
        let progress = builder.step(budget);
        assert_eq!(progress.total_bytes, last.total_bytes, "the total moved");
        assert!(progress.done_bytes >= last.done_bytes, "progress went back");
        assert!(progress.done_bytes <= progress.total_bytes);
        last = progress;
    }
    assert!(last.is_done(), "done, but progress says {last:?}");
    let stepped = builder.finish();
    assert_eq!(stepped.units, units, "profiling split the text differently");
    let one_shot = cost_core::profile_book(book, counters(), options).expect("valid options");
    assert_eq!(stepped, one_shot, "slices and one go differ");
    check_profile(&stepped, chunks);
}

fn check_span(text: &str, span: Span) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{span:?} is outside the text"
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{span:?} cuts a character"
    );
}

fn check_units(text: &str, units: &Units) {
    let mut end = 0;
    for &p in &units.paragraphs {
        check_span(text, p);
        assert!(
            p.start >= end && !p.is_empty(),
            "paragraphs overlap or are empty"
        );
        let body = &text[p.range()];
        assert_eq!(
            body.trim(),
            body,
            "a paragraph keeps surrounding whitespace"
        );
        end = p.end;
    }
    let mut end = 0;
    for &s in &units.sentences {
        check_span(text, s);
        assert!(s.start >= end, "sentences overlap");
        assert!(
            units
                .paragraphs
                .iter()
                .any(|p| p.start <= s.start && s.end <= p.end),
            "a sentence crosses paragraphs"
        );
        end = s.end;
    }
    let mut next_paragraph = 0;
    let mut next_sentence = 0;
    for chapter in units.front_matter.iter().chain(&units.chapters) {
        check_span(text, chapter.span);
        assert_eq!(
            chapter.paragraphs.start, next_paragraph,
            "chapters skip paragraphs"
        );
        assert_eq!(
            chapter.sentences.start, next_sentence,
            "chapters skip sentences"
        );
        assert!(!chapter.paragraphs.is_empty(), "an empty chapter");
        next_paragraph = chapter.paragraphs.end;
        next_sentence = chapter.sentences.end;
        let first = units.paragraphs[chapter.paragraphs.start];
        let last = units.paragraphs[chapter.paragraphs.end - 1];
        assert_eq!(chapter.span, Span::new(first.start, last.end));
        for s in &units.sentences[chapter.sentences.clone()] {
            assert!(chapter.span.start <= s.start && s.end <= chapter.span.end);
        }
    }
    assert_eq!(
        next_paragraph,
        units.paragraphs.len(),
        "paragraphs after the last chapter"
    );
    assert_eq!(
        next_sentence,
        units.sentences.len(),
        "sentences after the last chapter"
    );
}

fn check_profile(done: &Profiled, chunks: Option<ChunkOptions>) {
    let (text, units, profile) = (&done.book.text, &done.units, &done.profile);
    assert_eq!(profile.bytes, text.len() as u64);
    assert_eq!(profile.chars, text.chars().count() as u64);
    assert_eq!(profile.units.paragraphs, units.paragraphs.len() as u64);
    assert_eq!(profile.units.sentences, units.sentences.len() as u64);
    assert_eq!(profile.units.chapters, units.chapters.len() as u64);
    assert_eq!(profile.chapters.len(), units.chapters.len());
    let counters: [&dyn CountTokens; 2] = [super::o200k(), &Words];
    for (encoding, counter) in profile.encodings.iter().zip(counters) {
        let counted = |spans: &mut dyn Iterator<Item = Span>| -> Vec<u64> {
            spans
                .map(|s| counter.count(&text[s.range()]) as u64)
                .collect()
        };
        let name = &encoding.encoding;
        assert_eq!(
            encoding.sentences.per_unit,
            counted(&mut units.sentences.iter().copied()),
            "{name}: sentences"
        );
        assert_eq!(
            encoding.paragraphs.per_unit,
            counted(&mut units.paragraphs.iter().copied()),
            "{name}: paragraphs"
        );
        assert_eq!(
            encoding.chapters.per_unit,
            counted(&mut units.chapters.iter().map(|c| c.span)),
            "{name}: chapters"
        );
        assert_eq!(
            encoding.total_tokens,
            counter.count(text) as u64,
            "{name}: total"
        );
        for tokens in [
            &encoding.sentences,
            &encoding.paragraphs,
            &encoding.chapters,
        ] {
            assert_eq!(tokens.stats, TokenStats::of(&tokens.per_unit));
        }
        assert_eq!(encoding.chunks.is_some(), chunks.is_some());
        if let Some(options) = chunks {
            let cut = cost_core::chunk(text, &units.sentences, counter, options).expect("valid");
            let per_chunk: Vec<u64> = cut.iter().map(|c| c.tokens).collect();
            assert_eq!(
                encoding.chunks.as_ref().map(|c| &c.tokens.per_unit),
                Some(&per_chunk),
                "{name}: chunks"
            );
            let mut start = 0;
            for c in &cut {
                check_span(text, c.span);
                assert!(c.span.start >= start, "{name}: chunks out of order");
                start = c.span.start;
                let body = &text[c.span.range()];
                assert_eq!(
                    c.tokens,
                    counter.count(body) as u64,
                    "{name}: a chunk's count"
                );
                assert!(
                    c.tokens <= options.max_tokens || body.chars().count() == 1,
                    "{name}: a chunk of {} tokens over {}: {body:?}",
                    c.tokens,
                    options.max_tokens
                );
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// EPUB archives

/// Names the archive's entries get: what an EPUB holds, and a few that resolve oddly.
const ENTRY_NAMES: &[&str] = &[
    "mimetype",
    "META-INF/container.xml",
    "OEBPS/content.opf",
    "OEBPS/ch1.xhtml",
    "OEBPS/ch2.xhtml",
    "OEBPS/text/ch 3.xhtml",
    "content.opf",
    "ch1.xhtml",
    "meta-inf/CONTAINER.XML",
    "OEBPS/cover.png",
];

/// A zip archive of EPUB-like entries.
fn epub(g: &mut Gen) -> Vec<u8> {
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let standard = g.below(4) != 0;
    if standard {
        entries.push(("mimetype".into(), b"application/epub+zip".to_vec()));
        entries.push(("META-INF/container.xml".into(), container(g).into_bytes()));
        entries.push(("OEBPS/content.opf".into(), package(g).into_bytes()));
        for name in [
            "OEBPS/ch1.xhtml",
            "OEBPS/ch2.xhtml",
            "OEBPS/text/ch 3.xhtml",
        ] {
            if g.below(4) != 0 {
                entries.push((name.into(), xhtml(g)));
            }
        }
    }
    for _ in 0..g.below(if standard { 2 } else { 6 }) {
        let name = g.name(ENTRY_NAMES);
        let body = match g.below(4) {
            0 => container(g).into_bytes(),
            1 => package(g).into_bytes(),
            2 => xhtml(g),
            _ => g.text(64).into_bytes(),
        };
        entries.push((name, body));
    }
    zip(g, &entries)
}

fn container(g: &mut Gen) -> String {
    let path = g.pick(&[
        "OEBPS/content.opf",
        "content.opf",
        "/OEBPS/./content.opf",
        "x%20y.opf",
    ]);
    let media = g.pick(&["application/oebps-package+xml", "text/plain", ""]);
    format!(
        "<?xml version=\"1.0\"?><container><rootfiles><rootfile full-path=\"{path}\" media-type=\"{media}\"/>{}</rootfiles></container>",
        g.text(16)
    )
}

fn package(g: &mut Gen) -> String {
    let mut opf = String::from("<package><metadata>");
    if g.bool() {
        opf.push_str(&format!("<dc:title>{}</dc:title>", g.text(24)));
    }
    opf.push_str("</metadata><manifest>");
    let hrefs = [
        "ch1.xhtml",
        "ch2.xhtml",
        "text/ch%203.xhtml",
        "cover.png",
        "../ch1.xhtml",
        "missing.xhtml",
    ];
    for (i, href) in hrefs.iter().enumerate() {
        if g.below(3) != 0 {
            let media = g.pick(&["application/xhtml+xml", "image/png", "text/html"]);
            opf.push_str(&format!(
                "<item id=\"i{i}\" href=\"{href}\" media-type=\"{media}\"/>"
            ));
        }
    }
    opf.push_str("</manifest>");
    if g.below(8) != 0 {
        opf.push_str("<spine>");
        for _ in 0..g.below(6) {
            opf.push_str(&format!("<itemref idref=\"i{}\"/>", g.below(7)));
        }
        opf.push_str("</spine>");
    }
    opf.push_str(&g.text(16));
    opf.push_str("</package>");
    opf
}

/// An XHTML document: headings, paragraphs, entities, scripts, comments, and raw bytes.
fn xhtml(g: &mut Gen) -> Vec<u8> {
    let mut out = b"<html><head><title>t</title><style>p{}</style></head><body>".to_vec();
    for _ in 0..g.below(8) {
        let piece = match g.below(10) {
            0 => format!("<h{0}>{1}</h{0}>", g.in_range(1, 6), g.text(16)),
            1 => "<br/>".to_string(),
            2 => format!("<script>{}</script>", g.text(8)),
            3 => "<!-- <p>hidden</p> -->".to_string(),
            4 => g
                .pick(&[
                    "&amp;",
                    "&#233;",
                    "&#x1F600;",
                    "&nbsp;",
                    "&bogus;",
                    "&#xD800;",
                    "&#99999999;",
                ])
                .to_string(),
            5 => "<![CDATA[ raw < text ]]>".to_string(),
            6 => g.text(24),
            _ => format!("<p class=\"x\">{}. {}</p>", g.text(24), g.text(12)),
        };
        out.extend_from_slice(piece.as_bytes());
    }
    out.extend_from_slice(b"</body></html>");
    if g.below(8) == 0 {
        // UTF-16 with a byte-order mark.
        let text = String::from_utf8_lossy(&out).into_owned();
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        return utf16;
    }
    out
}

/// A zip archive of `entries`, each stored or deflated, and now and then damaged: a wrong
/// CRC, a declared size that lies, an encryption flag, an unknown method, a bad offset.
fn zip(g: &mut Gen, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, data) in entries {
        let deflate = g.bool();
        let stored = if deflate {
            miniz_oxide::deflate::compress_to_vec(data, 6)
        } else {
            data.clone()
        };
        let mut crc = crc32(data);
        let mut size = data.len() as u32;
        let mut flags = 0u16;
        let mut method = if deflate { 8u16 } else { 0 };
        let mut offset = out.len() as u32;
        match g.below(24) {
            0 => crc ^= 1,
            1 => size = size.wrapping_add(1),
            2 => size = size.wrapping_sub(1),
            3 => size = u32::MAX,
            4 => flags = 1,
            5 => method = 12,
            6 => offset = offset.wrapping_add(1),
            7 => offset = u32::MAX,
            _ => {}
        }
        let header = |signature: &[u8]| {
            let mut h = signature.to_vec();
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&flags.to_le_bytes());
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&[0; 4]); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(stored.len() as u32).to_le_bytes());
            h.extend_from_slice(&size.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&[0; 2]); // extra length
            h
        };
        out.extend_from_slice(&header(b"PK\x03\x04"));
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&stored);
        let mut central = vec![b'P', b'K', 1, 2, 20, 0];
        central.extend_from_slice(&header(b"")[..]);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&[0; 4]); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        directory.push(central);
    }
    let directory_at = out.len() as u32;
    let count = directory.len() as u16;
    for record in &directory {
        out.extend_from_slice(record);
    }
    let directory_len = out.len() as u32 - directory_at;
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&directory_len.to_le_bytes());
    let directory_at = match g.below(32) {
        0 => directory_at.wrapping_add(3),
        1 => u32::MAX,
        _ => directory_at,
    };
    out.extend_from_slice(&directory_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    if g.below(32) == 0 {
        out.truncate(g.below(out.len() + 1));
    }
    out
}

/// CRC-32 (IEEE), as zip uses it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
