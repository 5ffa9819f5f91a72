//! `cargo xtask vocab`: builds cost-core's tokenizer data from public sources.
//!
//! - `crates/cost-core/data/vocab/{o200k_base,cl100k_base}.vocab`: the token vocabularies, from
//!   the tiktoken rank files that the `tiktoken-rs` crate ships in its `assets/` directory.
//! - `crates/cost-core/src/tokens/tables.rs`: the Unicode class table of the pre-tokenizer, from
//!   the `regex-syntax` crate's tables (the ones tiktoken's own regexes match with), and each
//!   vocabulary's token count and digest, which cost-core checks when it loads one.
//!
//! Both crates are found through `cargo metadata` (they are dev-dependencies of cost-oracle), so
//! the versions are the ones in `Cargo.lock`. `--check` writes nothing and fails when a
//! committed file differs from what would be generated.
//!
//! The vocabulary format (read by `crates/cost-core/src/tokens/vocab.rs`, which documents it):
//!
//! ```text
//! 0   8  magic "LLMCVOCB"
//! 8   1  format version (1)
//! 9   1  encoding (1 = o200k_base, 2 = cl100k_base)
//! 10  1  separator: a byte that is in no token except as its first byte
//! 11  1  zero
//! 12  4  token count, u32 little-endian
//! 16  4  body length, u32 little-endian
//! 20  .. body: each token in rank order, followed by the separator
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

const VOCAB_DIR: &str = "crates/cost-core/data/vocab";
const TABLES: &str = "crates/cost-core/src/tokens/tables.rs";

/// The encodings cost-core counts: (name, id in the asset header).
const ENCODINGS: &[(&str, u8)] = &[("o200k_base", 1), ("cl100k_base", 2)];

/// Unicode classes of the pre-tokenizer, in the order of `tokens/unicode.rs`.
const CLASSES: &[(&str, u8)] = &[
    ("UPPERCASE_LETTER", 1),
    ("TITLECASE_LETTER", 1),
    ("LOWERCASE_LETTER", 2),
    ("MODIFIER_LETTER", 3),
    ("OTHER_LETTER", 3),
    ("MARK", 4),
    ("NUMBER", 5),
];
const WHITE_SPACE_CLASS: u8 = 6;
/// Code points per block of the two-level class table.
const BLOCK_SHIFT: u32 = 7;

pub(crate) fn run(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("usage: cargo xtask vocab [--check]"),
    };
    let packages = packages()?;
    let tiktoken = packages
        .get("tiktoken-rs")
        .context("tiktoken-rs is not in cargo metadata (it is a dev-dependency of cost-oracle)")?;
    let regex_syntax = packages
        .get("regex-syntax")
        .context("regex-syntax is not in cargo metadata (tiktoken-rs depends on it)")?;

    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut facts = Vec::new();
    for &(name, id) in ENCODINGS {
        let rank_file = tiktoken.dir.join("assets").join(format!("{name}.tiktoken"));
        let text = fs::read_to_string(&rank_file)
            .with_context(|| format!("cannot read {}", rank_file.display()))?;
        let tokens = parse_rank_file(&text).with_context(|| rank_file.display().to_string())?;
        let asset = build_asset(id, &tokens)?;
        let gz = gzip_size(&asset);
        println!(
            "{name}: {} tokens, {} bytes, gzip -9 {} (from {} {})",
            tokens.len(),
            asset.len(),
            gz.map_or("unknown".to_string(), |n| format!("{n} bytes")),
            tiktoken.name_version,
            rank_file.display()
        );
        facts.push((name, tokens.len(), digest(&tokens)));
        outputs.push((Path::new(VOCAB_DIR).join(format!("{name}.vocab")), asset));
    }
    let tables_dir = regex_syntax.dir.join("src/unicode_tables");
    let table = class_table(&tables_dir)?;
    outputs.push((
        PathBuf::from(TABLES),
        tables_source(&table, &facts, tiktoken, regex_syntax)?.into_bytes(),
    ));

    let mut stale = Vec::new();
    for (path, bytes) in &outputs {
        let current = fs::read(path).ok();
        if current.as_deref() == Some(bytes.as_slice()) {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            fs::create_dir_all(path.parent().context("no parent")?)?;
            fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        bail!(
            "stale generated files (run `cargo xtask vocab`):\n  {}",
            stale.join("\n  ")
        );
    }
    if check {
        println!("generated tokenizer files are up to date");
    }
    Ok(())
}

struct Package {
    dir: PathBuf,
    name_version: String,
}

/// Every package of the workspace's resolved graph, by name (the newest when there are several).
fn packages() -> Result<BTreeMap<String, Package>> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .context("cannot run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: Value = serde_json::from_slice(&out.stdout)?;
    let mut found = BTreeMap::new();
    for p in meta["packages"].as_array().context("no packages")? {
        let (Some(name), Some(version), Some(manifest)) = (
            p["name"].as_str(),
            p["version"].as_str(),
            p["manifest_path"].as_str(),
        ) else {
            continue;
        };
        let dir = Path::new(manifest)
            .parent()
            .context("manifest has no parent")?
            .to_path_buf();
        found.insert(
            name.to_string(),
            Package {
                dir,
                name_version: format!("{name} {version}"),
            },
        );
    }
    Ok(found)
}

/// A tiktoken rank file (`base64-token rank` per line) as the tokens in rank order.
fn parse_rank_file(text: &str) -> Result<Vec<Vec<u8>>> {
    let mut by_rank: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (token, rank) = line
            .split_once(' ')
            .with_context(|| format!("line {}", i + 1))?;
        let rank: u32 = rank
            .parse()
            .with_context(|| format!("line {}: rank", i + 1))?;
        let token = base64_decode(token).with_context(|| format!("line {}: token", i + 1))?;
        ensure!(!token.is_empty(), "line {}: empty token", i + 1);
        ensure!(
            by_rank.insert(rank, token).is_none(),
            "line {}: rank {rank} repeated",
            i + 1
        );
    }
    for (expected, &rank) in by_rank.keys().enumerate() {
        ensure!(
            rank as usize == expected,
            "ranks are not contiguous: {expected} is missing"
        );
    }
    Ok(by_rank.into_values().collect())
}

fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let value = |c: u8| -> Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => bail!("not base64: {:?}", c as char),
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let n = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => bail!("truncated base64"),
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Ok(out)
}

/// The asset bytes; see the module documentation for the layout.
fn build_asset(encoding: u8, tokens: &[Vec<u8>]) -> Result<Vec<u8>> {
    let mut used = [false; 256];
    for token in tokens {
        for &b in &token[1..] {
            used[b as usize] = true;
        }
    }
    let separator = (0..=255u8)
        .find(|&b| !used[b as usize])
        .context("every byte value occurs inside some token: no separator")?;
    let body_len: usize = tokens.iter().map(|t| t.len() + 1).sum();
    let mut out = Vec::with_capacity(20 + body_len);
    out.extend_from_slice(b"LLMCVOCB");
    out.extend_from_slice(&[1, encoding, separator, 0]);
    out.extend_from_slice(&u32::try_from(tokens.len())?.to_le_bytes());
    out.extend_from_slice(&u32::try_from(body_len)?.to_le_bytes());
    for token in tokens {
        out.extend_from_slice(token);
        out.push(separator);
    }
    Ok(out)
}

fn gzip_size(bytes: &[u8]) -> Option<usize> {
    let mut child = Command::new("gzip")
        .args(["-9", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let data = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    out.status.success().then_some(out.stdout.len())
}

/// The hash of cost-core's `tokens/vocab.rs` (`key(...).1`): keep the two equal.
fn hash_bytes(b: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let read_u64 = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let read_u32 = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("4")));
    let n = b.len();
    let mut h = if n >= 8 {
        let mut h = (n as u64).wrapping_mul(K);
        if n > 8 {
            let mut i = 0;
            while i + 8 < n {
                h = (h ^ read_u64(i)).wrapping_mul(K).rotate_left(31);
                i += 8;
            }
            h ^= read_u64(n - 8);
        } else {
            h ^= read_u64(0);
        }
        h
    } else {
        let word = if n >= 4 {
            read_u32(0) | read_u32(n - 4) << (8 * (n - 4))
        } else if n > 0 {
            u64::from(b[0])
                | u64::from(b[n / 2]) << (8 * (n / 2))
                | u64::from(b[n - 1]) << (8 * (n - 1))
        } else {
            0
        };
        word ^ (n as u64).wrapping_mul(K)
    };
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The digest cost-core checks a loaded vocabulary against (`tokens/vocab.rs`, `digest`).
fn digest(tokens: &[Vec<u8>]) -> u64 {
    let mut d = tokens.len() as u64;
    for token in tokens {
        d = (d.rotate_left(23) ^ hash_bytes(token)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    d
}

/// The class of every code point up to the last one that is not "other".
fn class_table(dir: &Path) -> Result<Vec<u8>> {
    let general = fs::read_to_string(dir.join("general_category.rs"))?;
    let space = fs::read_to_string(dir.join("perl_space.rs"))?;
    let mut class = vec![0u8; 0x11_0000];
    let mut assign = |ranges: Vec<(u32, u32)>, c: u8, name: &str| -> Result<()> {
        for (lo, hi) in ranges {
            for cp in lo..=hi {
                let slot = &mut class[cp as usize];
                ensure!(*slot == 0, "U+{cp:04X} is in {name} and in class {}", *slot);
                *slot = c;
            }
        }
        Ok(())
    };
    for &(name, c) in CLASSES {
        assign(char_ranges(&general, name)?, c, name)?;
    }
    assign(
        char_ranges(&space, "WHITE_SPACE")?,
        WHITE_SPACE_CLASS,
        "WHITE_SPACE",
    )?;
    let last = class.iter().rposition(|&c| c != 0).context("empty table")?;
    class.truncate(last + 1);
    Ok(class)
}

/// The `(char, char)` ranges of `pub const NAME` in one of regex-syntax's table files.
fn char_ranges(source: &str, name: &str) -> Result<Vec<(u32, u32)>> {
    let head = format!("pub const {name}: &'static [(char, char)] =");
    let start = source
        .find(&head)
        .with_context(|| format!("no table {name}"))?
        + head.len();
    let end = start + source[start..].find("];").context("unterminated table")?;
    let mut chars = Vec::new();
    let mut rest = &source[start..end];
    while let Some(q) = rest.find('\'') {
        rest = &rest[q + 1..];
        let (c, used) = if let Some(esc) = rest.strip_prefix('\\') {
            if let Some(hex) = esc.strip_prefix("u{") {
                let close = hex.find('}').context("bad \\u escape")?;
                (u32::from_str_radix(&hex[..close], 16)?, 1 + 2 + close + 1)
            } else {
                let c = match esc.as_bytes().first() {
                    Some(b't') => 9,
                    Some(b'n') => 10,
                    Some(b'r') => 13,
                    Some(b'0') => 0,
                    Some(b'\\') => 92,
                    Some(b'\'') => 39,
                    Some(b'"') => 34,
                    other => bail!("unknown escape {other:?} in {name}"),
                };
                (c, 2)
            }
        } else {
            let c = rest.chars().next().context("empty char literal")?;
            (c as u32, c.len_utf8())
        };
        ensure!(rest[used..].starts_with('\''), "bad char literal in {name}");
        rest = &rest[used + 1..];
        chars.push(c);
    }
    ensure!(
        chars.len() % 2 == 0 && !chars.is_empty(),
        "odd char count in {name}"
    );
    Ok(chars.chunks(2).map(|p| (p[0], p[1])).collect())
}

fn tables_source(
    class: &[u8],
    facts: &[(&str, usize, u64)],
    tiktoken: &Package,
    regex_syntax: &Package,
) -> Result<String> {
    let block = 1usize << BLOCK_SHIFT;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    let mut index = Vec::new();
    for chunk in class.chunks(block) {
        let mut packed = vec![0u8; block / 2];
        for (i, &c) in chunk.iter().enumerate() {
            packed[i / 2] |= c << (4 * (i % 2));
        }
        let id = match blocks.iter().position(|b| *b == packed) {
            Some(id) => id,
            None => {
                blocks.push(packed);
                blocks.len() - 1
            }
        };
        index.push(u8::try_from(id).context("more than 256 distinct blocks")?);
    }
    let version = fs::read_to_string(
        regex_syntax
            .dir
            .join("src/unicode_tables/general_category.rs"),
    )?
    .lines()
    .find_map(|l| l.strip_prefix("// Unicode version: "))
    .map(|v| v.trim_end_matches('.').to_string())
    .context("no Unicode version in regex-syntax's tables")?;

    let mut s = String::new();
    writeln!(s, "//! Generated by `cargo xtask vocab`: do not edit.")?;
    writeln!(s, "//!")?;
    writeln!(
        s,
        "//! The Unicode classes of the pre-tokenizer, from {}'s",
        regex_syntax.name_version
    )?;
    writeln!(
        s,
        "//! tables (Unicode {version}), and the vocabularies' token counts and digests, from"
    )?;
    writeln!(s, "//! the rank files of {}.", tiktoken.name_version)?;
    writeln!(s)?;
    writeln!(
        s,
        "/// log2 of the number of code points in a block of [`BLOCKS`]."
    )?;
    writeln!(s, "pub(super) const BLOCK_SHIFT: u32 = {BLOCK_SHIFT};")?;
    writeln!(s)?;
    writeln!(
        s,
        "/// The block of [`BLOCKS`] of each run of code points; above its end every code"
    )?;
    writeln!(s, "/// point is class 0.")?;
    writeln!(s, "#[rustfmt::skip]")?;
    writeln!(
        s,
        "pub(super) static BLOCK_INDEX: [u8; {}] = [",
        index.len()
    )?;
    for line in index.chunks(24) {
        let items: Vec<String> = line.iter().map(|v| v.to_string()).collect();
        writeln!(s, "    {},", items.join(", "))?;
    }
    writeln!(s, "];")?;
    writeln!(s)?;
    writeln!(
        s,
        "/// Blocks of classes, two code points per byte (the even one in the low nibble):"
    )?;
    writeln!(
        s,
        "/// 0 other, 1 Lu/Lt, 2 Ll, 3 Lm/Lo, 4 M, 5 N, 6 White_Space."
    )?;
    writeln!(s, "#[rustfmt::skip]")?;
    writeln!(
        s,
        "pub(super) static BLOCKS: [u8; {}] = [",
        blocks.len() * block / 2
    )?;
    for b in &blocks {
        for line in b.chunks(16) {
            let items: Vec<String> = line.iter().map(|v| format!("0x{v:02x}")).collect();
            writeln!(s, "    {},", items.join(", "))?;
        }
    }
    writeln!(s, "];")?;
    for (name, count, digest) in facts {
        writeln!(s)?;
        writeln!(s, "/// Token count and digest of the `{name}` vocabulary.")?;
        writeln!(
            s,
            "pub(super) const {}: (u32, u64) = ({count}, 0x{digest:016x});",
            name.to_uppercase()
        )?;
    }
    Ok(s)
}
