//! EPUB: a small zip reader (central directory, stored and deflated entries, CRC-checked,
//! with a limit on inflated bytes against zip bombs), the package file (manifest and
//! spine), and each spine item's XHTML made text.
//!
//! Only what EPUB needs: no zip64, no encryption, no multi-disk archives. Inflating uses
//! `miniz_oxide` (pure Rust); everything else is here.

use std::collections::BTreeMap;

use super::book::{Limits, Section};
use super::decode::decode;
use super::xhtml::{attr, to_text, Token, Tokens};
use super::{human_bytes, Span, TextWarning, TextWarningKind};
use crate::error::{Error, ErrorKind, Result};

/// The text of an EPUB's spine items, with a section for each item that has text.
pub(crate) struct EpubText {
    pub text: String,
    pub sections: Vec<Section>,
    pub title: Option<String>,
    /// Bytes of the spine items that were not valid text, all items together.
    pub replaced_bytes: u64,
}

/// Whether `bytes` start like a zip archive.
pub(crate) fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

fn bad(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidBook, message)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// One file of the archive, from its central directory record.
#[derive(Debug, Clone)]
struct Entry {
    flags: u16,
    method: u16,
    crc32: u32,
    compressed: u64,
    size: u64,
    local_header: u64,
}

/// A zip archive's directory, and the budget of bytes its entries may still inflate to.
struct Archive<'a> {
    bytes: &'a [u8],
    entries: BTreeMap<String, Entry>,
    budget: u64,
    limit: u64,
}

impl<'a> Archive<'a> {
    fn parse(bytes: &'a [u8], limit: u64) -> Result<Archive<'a>> {
        let corrupt = |what: &str| bad(format!("not a valid zip archive: {what}"));
        // The end-of-central-directory record: 22 bytes and a comment of up to 64 KB.
        let lowest = bytes.len().saturating_sub(22 + 65_535);
        let eocd = (lowest..=bytes.len().saturating_sub(22))
            .rev()
            .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
            .ok_or_else(|| corrupt("its central directory is missing (truncated file?)"))?;
        let count = u16_at(bytes, eocd + 10).ok_or_else(|| corrupt("truncated"))?;
        let offset = u32_at(bytes, eocd + 16).ok_or_else(|| corrupt("truncated"))?;
        if count == u16::MAX || offset == u32::MAX {
            return Err(bad(
                "zip64 archives are not supported (an EPUB this large is not a book)",
            ));
        }
        let mut entries = BTreeMap::new();
        let mut at = offset as usize;
        for _ in 0..count {
            let record = bytes
                .get(at..at + 46)
                .filter(|r| r.starts_with(b"PK\x01\x02"))
                .ok_or_else(|| corrupt("a central directory record is damaged"))?;
            let name_len = u16_at(record, 28).unwrap_or(0) as usize;
            let extra_len = u16_at(record, 30).unwrap_or(0) as usize;
            let comment_len = u16_at(record, 32).unwrap_or(0) as usize;
            let name = bytes
                .get(at + 46..at + 46 + name_len)
                .ok_or_else(|| corrupt("a file name runs past the end"))?;
            let entry = Entry {
                flags: u16_at(record, 8).unwrap_or(0),
                method: u16_at(record, 10).unwrap_or(0),
                crc32: u32_at(record, 16).unwrap_or(0),
                compressed: u64::from(u32_at(record, 20).unwrap_or(0)),
                size: u64::from(u32_at(record, 24).unwrap_or(0)),
                local_header: u64::from(u32_at(record, 42).unwrap_or(0)),
            };
            entries.insert(String::from_utf8_lossy(name).into_owned(), entry);
            at += 46 + name_len + extra_len + comment_len;
        }
        Ok(Archive {
            bytes,
            entries,
            budget: limit,
            limit,
        })
    }

    /// The entry named `name`, or one whose name differs only in ASCII case.
    fn find(&self, name: &str) -> Option<(&str, &Entry)> {
        if let Some((k, e)) = self.entries.get_key_value(name) {
            return Some((k, e));
        }
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(k, e)| (k.as_str(), e))
    }

    /// The inflated bytes of entry `name`; `None` if there is no such entry.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidBook`] when the entry is encrypted, uses another compression
    /// method, is damaged (CRC), or would take the archive past its inflated-bytes limit,
    /// by its declared size or by what it actually inflates to.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        let Some((name, entry)) = self.find(name) else {
            return Ok(None);
        };
        let (name, entry) = (name.to_string(), entry.clone());
        let lie = |size: u64| {
            format!(
                "inflates to more than the {} it declares",
                human_bytes(size)
            )
        };
        let damaged = |why: &str| bad(format!("EPUB entry {name} is damaged: {why}"));
        if entry.flags & 1 != 0 {
            return Err(bad(format!("EPUB entry {name} is encrypted (DRM?)")));
        }
        if entry.size > self.budget {
            return Err(self.bomb(&name, format!("declares {}", human_bytes(entry.size))));
        }
        let local = entry.local_header as usize;
        let header = self
            .bytes
            .get(local..local + 30)
            .filter(|h| h.starts_with(b"PK\x03\x04"))
            .ok_or_else(|| damaged("its local header is missing"))?;
        let data_at = local
            + 30
            + u16_at(header, 26).unwrap_or(0) as usize
            + u16_at(header, 28).unwrap_or(0) as usize;
        let data = self
            .bytes
            .get(data_at..data_at.saturating_add(entry.compressed as usize))
            .ok_or_else(|| damaged("its data runs past the end of the file"))?;
        let out = match entry.method {
            0 => data.to_vec(),
            8 => {
                // One byte over the declared size tells a lying entry from an honest one.
                let cap = (entry.size as usize).saturating_add(1);
                match miniz_oxide::inflate::decompress_to_vec_with_limit(data, cap) {
                    Ok(out) => out,
                    Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                        return Err(self.bomb(&name, lie(entry.size)));
                    }
                    Err(_) => return Err(damaged("its compressed data is invalid")),
                }
            }
            m => {
                return Err(bad(format!(
                    "EPUB entry {name} uses compression method {m}, which is not supported"
                )))
            }
        };
        if out.len() as u64 != entry.size {
            return Err(if out.len() as u64 > entry.size {
                self.bomb(&name, lie(entry.size))
            } else {
                damaged("it is shorter than its declared size")
            });
        }
        if crc32(&out) != entry.crc32 {
            return Err(damaged("its CRC-32 does not match"));
        }
        self.budget -= out.len() as u64;
        Ok(Some(out))
    }

    fn bomb(&self, name: &str, what: String) -> Error {
        bad(format!(
            "EPUB entry {name} {what}; refusing to inflate more than {} for the whole book (a zip bomb?)",
            human_bytes(self.limit)
        ))
    }
}

/// CRC-32 (IEEE), as zip uses it.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    let mut c = !0u32;
    for &b in data {
        c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// `%20` and friends decoded; anything malformed kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The archive path of `href`, relative to the directory `base` (`OEBPS/`).
fn resolve(base: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or("");
    let href = percent_decode(href);
    let mut parts: Vec<&str> = if href.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The manifest item an `itemref` points to.
struct Item {
    href: String,
    media_type: String,
}

/// What the package file says: the spine (manifest items in reading order) and the title.
struct Package {
    spine: Vec<Result<Item, String>>,
    title: Option<String>,
}

fn parse_package(opf: &str) -> Result<Package> {
    let mut manifest: BTreeMap<String, Item> = BTreeMap::new();
    let mut idrefs: Vec<String> = Vec::new();
    let mut saw_spine = false;
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut in_metadata = false;
    for token in Tokens::new(opf) {
        match token {
            Token::Start { name, attrs, empty } => match name {
                "metadata" => in_metadata = !empty,
                "title" if in_metadata && title.is_none() => in_title = !empty,
                "item" => {
                    if let (Some(id), Some(href)) = (attr(attrs, "id"), attr(attrs, "href")) {
                        let media_type = attr(attrs, "media-type").unwrap_or_default();
                        manifest.insert(id, Item { href, media_type });
                    }
                }
                "spine" => saw_spine = true,
                "itemref" => {
                    if let Some(idref) = attr(attrs, "idref") {
                        idrefs.push(idref);
                    }
                }
                _ => {}
            },
            Token::End { name } => match name {
                "metadata" => in_metadata = false,
                "title" => in_title = false,
                _ => {}
            },
            Token::Text(raw) if in_title => {
                let mut t = String::new();
                super::xhtml::push_decoded(&mut t, raw);
                let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
                title = Some(t).filter(|t| !t.is_empty());
            }
            _ => {}
        }
    }
    if !saw_spine {
        return Err(bad(
            "EPUB package file has no <spine>, so there is no reading order",
        ));
    }
    if idrefs.is_empty() {
        return Err(bad("EPUB spine is empty"));
    }
    let spine = idrefs
        .into_iter()
        .map(|id| manifest.remove(&id).ok_or(id))
        .collect();
    Ok(Package { spine, title })
}

/// Decodes an entry's bytes (BOM, UTF-16) into text.
fn entry_text(bytes: &[u8], warnings: &mut Vec<TextWarning>) -> Result<(String, u64)> {
    decode(bytes, warnings).map(|d| (d.text, d.replaced_bytes))
}

/// Reads an EPUB: the text of each spine item with text, in spine order, separated by a
/// blank line.
///
/// # Errors
///
/// [`ErrorKind::InvalidBook`]: not a zip archive, a zip that is not an EPUB, no
/// `container.xml`, no package file, no spine, a spine with no readable item, a damaged or
/// encrypted entry, or more inflated bytes than `limits.max_inflated_bytes`.
pub(crate) fn read(
    bytes: &[u8],
    limits: &Limits,
    warnings: &mut Vec<TextWarning>,
) -> Result<EpubText> {
    let mut zip = Archive::parse(bytes, limits.max_inflated_bytes)?;
    let container = match zip.read("META-INF/container.xml")? {
        Some(c) => c,
        None => {
            let mimetype = zip.read("mimetype")?.unwrap_or_default();
            return Err(bad(if mimetype.trim_ascii() == b"application/epub+zip" {
                "EPUB is missing META-INF/container.xml, which names its package file"
            } else {
                "this zip archive is not an EPUB (it has no META-INF/container.xml)"
            }));
        }
    };
    let (container, _) = entry_text(&container, &mut Vec::new())
        .map_err(|_| bad("EPUB META-INF/container.xml is not text"))?;
    let mut opf_path = None;
    for token in Tokens::new(&container) {
        if let Token::Start {
            name: "rootfile",
            attrs,
            ..
        } = token
        {
            let path = attr(attrs, "full-path");
            let media = attr(attrs, "media-type").unwrap_or_default();
            if path.is_some() && (opf_path.is_none() || media == "application/oebps-package+xml") {
                opf_path = path;
                if media == "application/oebps-package+xml" {
                    break;
                }
            }
        }
    }
    let opf_path = opf_path.ok_or_else(|| {
        bad("EPUB META-INF/container.xml names no package file (no <rootfile full-path=...>)")
    })?;
    let opf_path = resolve("", &opf_path);
    let opf = zip.read(&opf_path)?.ok_or_else(|| {
        bad(format!(
            "EPUB package file {opf_path} (named by container.xml) is missing"
        ))
    })?;
    let (opf, _) = entry_text(&opf, &mut Vec::new())
        .map_err(|_| bad(format!("EPUB package file {opf_path} is not text")))?;
    let package = parse_package(&opf)?;
    let base = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);

    let mut text = String::new();
    let mut sections = Vec::new();
    let items = package.spine.len();
    let mut broken = 0;
    let mut replaced_bytes = 0;
    for item in package.spine {
        let skip = |warnings: &mut Vec<TextWarning>, why: String| {
            warnings.push(TextWarning::new(TextWarningKind::SkippedItem, why));
        };
        let item = match item {
            Ok(item) => item,
            Err(id) => {
                broken += 1;
                skip(
                    warnings,
                    format!("EPUB spine item \"{id}\" is not in the manifest; skipped"),
                );
                continue;
            }
        };
        let path = resolve(base, &item.href);
        let lower = path.to_ascii_lowercase();
        let xhtml = item.media_type.contains("html")
            || [".xhtml", ".html", ".htm", ".xml"]
                .iter()
                .any(|e| lower.ends_with(e));
        if !xhtml {
            skip(
                warnings,
                format!(
                    "EPUB spine item {path} is {}, not XHTML; skipped",
                    item.media_type
                ),
            );
            continue;
        }
        let Some(raw) = zip.read(&path)? else {
            broken += 1;
            skip(
                warnings,
                format!("EPUB spine item {path} is missing from the archive; skipped"),
            );
            continue;
        };
        let src = match entry_text(&raw, warnings) {
            Ok((src, replaced)) => {
                replaced_bytes += replaced;
                src
            }
            Err(e) => {
                skip(
                    warnings,
                    format!(
                        "EPUB spine item {path} is not text ({}); skipped",
                        e.message()
                    ),
                );
                continue;
            }
        };
        drop(raw);
        let before = text.len();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        let title = to_text(&src, &mut text);
        if text.len() == start {
            text.truncate(before);
            skip(
                warnings,
                format!("EPUB spine item {path} has no text (images only?); skipped"),
            );
            continue;
        }
        sections.push(Section {
            span: Span::new(start, text.len()),
            title,
            source: path,
        });
    }
    if sections.is_empty() {
        return Err(bad(if broken > 0 {
            format!("EPUB spine is broken: none of its {items} items could be read")
        } else {
            format!("EPUB has no text: its {items} spine items hold none")
        }));
    }
    Ok(EpubText {
        text,
        sections,
        title: package.title,
        replaced_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_check_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn paths() {
        assert_eq!(
            resolve("OEBPS", "text/ch%201.xhtml#p3"),
            "OEBPS/text/ch 1.xhtml"
        );
        assert_eq!(
            resolve("OEBPS/text", "../images/a.png"),
            "OEBPS/images/a.png"
        );
        assert_eq!(resolve("", "content.opf"), "content.opf");
    }
}
