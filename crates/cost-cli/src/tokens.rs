//! `llmcost tokens`: read a book (.txt, .md, .epub) and print its text profile: units and
//! exact token counts per encoding, and per unit with `--by`.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cost_core::group_digits as group;
use cost_core::{
    Book, ChunkOptions, Encoding, NamedCounter, ProfileBuilder, ProfileOptions, ReadOptions,
    TextProfile, TokenStats, Tokenizer,
};

/// Arguments of `llmcost tokens`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokensArgs {
    /// The book: UTF-8 or UTF-16 text, Markdown, or EPUB.
    file: PathBuf,
    /// Encodings to count (exact, as OpenAI's tiktoken): o200k (GPT-4o and later), cl100k (GPT-4).
    #[arg(long, value_delimiter = ',', default_value = "o200k")]
    encoding: Vec<String>,
    /// List every unit of this kind: chapter, paragraph, sentence, or chunk:N[:M]
    /// (chunks of at most N tokens overlapping by M, cut at sentence ends where possible).
    #[arg(long, value_name = "UNIT")]
    by: Option<String>,
    /// Keep the Project Gutenberg header and licence (excluded by default).
    #[arg(long)]
    keep_gutenberg: bool,
    /// Print the profile as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Chapter,
    Paragraph,
    Sentence,
    Chunk(ChunkOptions),
}

fn parse_by(text: &str) -> Result<By> {
    Ok(match text {
        "chapter" | "chapters" => By::Chapter,
        "paragraph" | "paragraphs" => By::Paragraph,
        "sentence" | "sentences" => By::Sentence,
        _ => {
            let Some(spec) = text.strip_prefix("chunk:") else {
                bail!("--by takes chapter, paragraph, sentence or chunk:N[:M], not `{text}`");
            };
            let mut parts = spec.splitn(2, ':');
            let max_tokens: u64 = parts
                .next()
                .unwrap_or("")
                .parse()
                .context("chunk:N needs a number of tokens")?;
            let overlap_tokens: u64 = match parts.next() {
                Some(m) => m
                    .parse()
                    .context("chunk:N:M needs a number of overlap tokens")?,
                None => 0,
            };
            let options = ChunkOptions {
                max_tokens,
                overlap_tokens,
            };
            options
                .check()
                .map_err(|e| anyhow::anyhow!("--by {text}: {e}"))?;
            By::Chunk(options)
        }
    })
}

fn encoding(name: &str) -> Result<Encoding> {
    match name.trim().to_ascii_lowercase().as_str() {
        "o200k" | "o200k_base" => Ok(Encoding::O200kBase),
        "cl100k" | "cl100k_base" => Ok(Encoding::Cl100kBase),
        other => bail!("unknown encoding `{other}` (expected o200k or cl100k)"),
    }
}

pub(crate) fn run(args: TokensArgs) -> Result<ExitCode> {
    let by = args.by.as_deref().map(parse_by).transpose()?;
    let encodings: Vec<Encoding> = args
        .encoding
        .iter()
        .map(|e| encoding(e))
        .collect::<Result<_>>()?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let options = ReadOptions {
        name: name.clone(),
        keep_gutenberg: args.keep_gutenberg,
        ..ReadOptions::default()
    };
    let book = Book::read(&bytes, &options)
        .with_context(|| format!("cannot read {} as a book", args.file.display()))?;
    drop(bytes);
    let counters: Vec<NamedCounter<'static>> = encodings
        .iter()
        .map(|&e| NamedCounter::new(e.as_str(), Tokenizer::bundled(e)))
        .collect();
    let chunks = match by {
        Some(By::Chunk(options)) => Some(options),
        _ => None,
    };
    let builder = ProfileBuilder::new(book, counters, ProfileOptions { chunks })?;
    let profiled = count_with_progress(builder);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = if args.json {
        serde_json::to_writer_pretty(&mut out, &profiled.profile)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        summary(&mut out, &profiled.profile, name.as_deref()).and_then(|()| match by {
            Some(by) => units(&mut out, &profiled.profile, by),
            None => Ok(()),
        })
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|()| ExitCode::SUCCESS).map_err(Into::into),
    }
}

fn stats_line(kind: &str, s: &TokenStats) -> String {
    format!(
        "  {kind:<11} {:>7} units  total {:>9}  min {:>6}  mean {:>8}  p95 {:>7}  max {:>7}",
        group(s.units),
        group(s.total),
        group(s.min),
        format!("{}.{}", s.mean_tenths / 10, s.mean_tenths % 10),
        group(s.p95),
        group(s.max)
    )
}

fn summary(out: &mut impl Write, p: &TextProfile, file: Option<&str>) -> io::Result<()> {
    let title = p
        .title
        .clone()
        .or_else(|| file.map(str::to_string))
        .unwrap_or_else(|| "(untitled)".into());
    writeln!(
        out,
        "{title} ({}, {} bytes read)",
        p.format.as_str(),
        group(p.source.input_bytes)
    )?;
    if let Some(g) = &p.gutenberg {
        let part = |x: &Option<cost_core::GutenbergPart>| x.as_ref().map_or(0, |p| p.bytes);
        let what = if g.excluded {
            "excluded"
        } else {
            "kept (--keep-gutenberg)"
        };
        writeln!(
            out,
            "Project Gutenberg header ({} bytes) and licence ({} bytes): {what}",
            group(part(&g.header)),
            group(part(&g.licence))
        )?;
    }
    for w in &p.warnings {
        writeln!(out, "warning: {}", w.message)?;
    }
    writeln!(
        out,
        "{} bytes, {} characters, {} words; {} chapters{}, {} paragraphs, {} sentences",
        group(p.bytes),
        group(p.chars),
        group(p.words),
        group(p.units.chapters),
        if p.units.front_matter > 0 {
            " (plus front matter)"
        } else {
            ""
        },
        group(p.units.paragraphs),
        group(p.units.sentences)
    )?;
    for e in &p.encodings {
        writeln!(
            out,
            "\n{} (exact, as tiktoken): {} tokens in the whole text",
            e.encoding,
            group(e.total_tokens)
        )?;
        writeln!(out, "{}", stats_line("chapters", &e.chapters.stats))?;
        writeln!(out, "{}", stats_line("paragraphs", &e.paragraphs.stats))?;
        writeln!(out, "{}", stats_line("sentences", &e.sentences.stats))?;
        if let Some(c) = &e.chunks {
            let kind = format!(
                "chunks {}/{}",
                c.options.max_tokens, c.options.overlap_tokens
            );
            writeln!(out, "{}", stats_line(&kind, &c.tokens.stats))?;
        }
    }
    Ok(())
}

fn units(out: &mut impl Write, p: &TextProfile, by: By) -> io::Result<()> {
    let names: Vec<&str> = p.encodings.iter().map(|e| e.encoding.as_str()).collect();
    writeln!(
        out,
        "\n{:>6}  {}  unit",
        "#",
        names.iter().map(|n| format!("{n:>12}")).collect::<String>()
    )?;
    let per_unit = |e: &cost_core::EncodingProfile| -> Vec<u64> {
        match by {
            By::Chapter => e.chapters.per_unit.clone(),
            By::Paragraph => e.paragraphs.per_unit.clone(),
            By::Sentence => e.sentences.per_unit.clone(),
            By::Chunk(_) => e
                .chunks
                .as_ref()
                .map(|c| c.tokens.per_unit.clone())
                .unwrap_or_default(),
        }
    };
    let columns: Vec<Vec<u64>> = p.encodings.iter().map(per_unit).collect();
    let rows = columns.first().map_or(0, Vec::len);
    for i in 0..rows {
        let label = match by {
            By::Chapter => p
                .chapters
                .get(i)
                .and_then(|c| c.title.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let counts: String = columns
            .iter()
            .map(|c| format!("{:>12}", group(c[i])))
            .collect();
        writeln!(out, "{:>6}  {counts}  {label}", i + 1)?;
    }
    Ok(())
}

/// Runs a profile to the end a megabyte at a time, showing the percentage on a terminal
/// (nothing when stderr is piped).
pub(crate) fn count_with_progress(mut builder: ProfileBuilder<'_>) -> cost_core::Profiled {
    let show = io::stderr().is_terminal();
    while !builder.is_done() {
        let p = builder.step(1 << 20);
        if show {
            eprint!(
                "\rcounting tokens: {:>3}%",
                p.done_bytes * 100 / p.total_bytes.max(1)
            );
        }
    }
    if show {
        eprint!("\r{:<30}\r", "");
    }
    builder.finish()
}
