//! `llmcost log`: price calls and append them to the usage store, one call from flags or many
//! from JSON Lines, each append one transaction.
//!
//! Lines that cannot be priced are reported with their line number and skipped; the others
//! are stored and the exit status is 1. Anything that stops the batch itself (the input
//! cannot be read, the store cannot be written) stores nothing of it and exits with 2.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use cost_core::{Catalog, Date, Request, RequestPricer, Usage, UsageFormat};

use crate::progress::Progress;
use crate::store::{Store, StoreArgs};
use crate::{load_catalog, today, PricesArgs};

/// What is said when an append fails: the user must know the store is as it was.
const NOTHING_STORED: &str = "nothing from this batch was stored";

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("calls").required(true).args(["model", "file"])))]
pub(crate) struct LogArgs {
    /// The model of one call (any name `llmcost models` finds).
    #[arg(long, value_name = "MODEL", requires_all = ["input", "output"])]
    model: Option<String>,
    /// Prompt tokens of the call: the WHOLE prompt, cache reads and cache writes included
    /// (llmcost's normalized usage; Anthropic reports uncached input apart, so add its cache
    /// counts to it).
    #[arg(long, value_name = "N", requires = "model")]
    input: Option<u64>,
    /// Output tokens of the call, reasoning included.
    #[arg(long, value_name = "N", requires = "model")]
    output: Option<u64>,
    /// Prompt tokens read from the cache (part of --input).
    #[arg(long, value_name = "N", requires = "model")]
    cache_read: Option<u64>,
    /// Prompt tokens written to a 5-minute cache (part of --input).
    #[arg(long = "cache-write-5m", value_name = "N", requires = "model")]
    cache_write_5m: Option<u64>,
    /// Prompt tokens written to a 1-hour cache (part of --input).
    #[arg(long = "cache-write-1h", value_name = "N", requires = "model")]
    cache_write_1h: Option<u64>,
    /// Reasoning ("thinking") tokens (part of --output).
    #[arg(long, value_name = "N", requires = "model")]
    reasoning: Option<u64>,
    /// The call went through the provider's batch API.
    #[arg(long, requires = "model")]
    batch: bool,
    /// Log many calls from JSON Lines, one request per line as `llmcost cost` reads them;
    /// `-` reads stdin.
    #[arg(long, short = 'f', value_name = "FILE")]
    file: Option<PathBuf>,
    /// The day of the call (default: today, UTC); with --file, of lines without `at`.
    #[arg(long, value_name = "YYYY-MM-DD")]
    at: Option<String>,
    /// Label `phase` (with --file: for lines without one).
    #[arg(long, value_name = "P")]
    phase: Option<String>,
    /// Label `category` (with --file: for lines without one).
    #[arg(long, value_name = "C")]
    category: Option<String>,
    /// Label `run` (with --file: for lines without one).
    #[arg(long, value_name = "R")]
    run: Option<String>,
    /// Label `note`, free text (with --file: for lines without one).
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    prices: PricesArgs,
}

impl LogArgs {
    /// The labels given as flags.
    fn tags(&self) -> BTreeMap<String, String> {
        [
            ("phase", &self.phase),
            ("category", &self.category),
            ("run", &self.run),
            ("note", &self.note),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key.to_string(), value.clone()?)))
        .collect()
    }
}

pub(crate) fn run(args: LogArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.prices)?;
    let today = match &args.at {
        Some(text) => text.parse::<Date>().map_err(|e| anyhow!("--at: {e}"))?,
        None => today(),
    };
    let store_path = args.store.path()?;
    match &args.file {
        None => log_one(&args, &catalog, today, store_path),
        Some(path) => log_many(&args, path, &catalog, today, store_path),
    }
}

fn log_one(args: &LogArgs, catalog: &Catalog, today: Date, store: PathBuf) -> Result<ExitCode> {
    let model = args.model.clone().context("--model is required")?;
    let request = Request {
        model,
        usage: Usage {
            input_tokens: args.input.unwrap_or(0),
            cache_read_tokens: args.cache_read.unwrap_or(0),
            cache_write_5m_tokens: args.cache_write_5m.unwrap_or(0),
            cache_write_1h_tokens: args.cache_write_1h.unwrap_or(0),
            output_tokens: args.output.unwrap_or(0),
            reasoning_tokens: args.reasoning.unwrap_or(0),
            cache_storage_token_hours: 0,
        },
        usage_format: UsageFormat::Normalized,
        batch: args.batch,
        at: None,
        tags: args.tags(),
    };
    let record = catalog
        .price_request(&request, today)
        .context("the call was not priced, so nothing was stored")?;
    let mut store = Store::open(&store)?;
    let summary = (|| {
        let mut append = store.append("flags")?;
        append.push(None, &record)?;
        append.commit(now_unix_seconds())
    })()
    .context(NOTHING_STORED)?;
    for warning in &record.warnings {
        eprintln!("llmcost: warning: {}", warning.message);
    }
    println!(
        "logged 1 call to {}: {} ${} ({} in, {} out)",
        store.path().display(),
        record.model,
        summary.cost_usd,
        record.usage.input_tokens,
        record.usage.output_tokens,
    );
    Ok(ExitCode::SUCCESS)
}

fn log_many(
    args: &LogArgs,
    path: &Path,
    catalog: &Catalog,
    today: Date,
    store: PathBuf,
) -> Result<ExitCode> {
    let (input, source, size): (Box<dyn Read>, String, Option<u64>) = if path.as_os_str() == "-" {
        (Box::new(io::stdin().lock()), "stdin".into(), None)
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), path.display().to_string(), size)
    };
    let mut pricer = RequestPricer::new(catalog, today).with_default_tags(args.tags());
    let mut store = Store::open(&store)?;
    let mut append = store.append(&source).context(NOTHING_STORED)?;
    let mut progress = Progress::new("log", size);
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let mut buffer = Vec::new();
    let (mut line, mut bytes, mut failed) = (0u64, 0u64, 0u64);
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .with_context(|| format!("cannot read {source} after line {line}"))
            .context(NOTHING_STORED)?;
        if read == 0 {
            break;
        }
        line += 1;
        bytes += read as u64;
        progress.update(bytes, line);
        let priced = match std::str::from_utf8(&buffer) {
            Err(_) => Err("the line is not valid UTF-8".to_string()),
            Ok(text) if text.trim().is_empty() => continue,
            // The flags' labels go to lines without their own.
            Ok(text) => pricer.price_line(text).map_err(|e| e.to_string()),
        };
        match priced {
            Ok(record) => append.push(Some(line), &record).context(NOTHING_STORED)?,
            Err(error) => {
                failed += 1;
                progress.clear();
                eprintln!("llmcost: line {line}: {error}");
            }
        }
    }
    drop(progress);
    let staged = append.calls();
    if staged == 0 {
        drop(append);
        if failed > 0 {
            eprintln!("llmcost: no line could be priced; nothing was stored");
            return Ok(ExitCode::from(1));
        }
        eprintln!("llmcost: {source} has no request lines; nothing to log");
        return Ok(ExitCode::SUCCESS);
    }
    let summary = append.commit(now_unix_seconds()).context(NOTHING_STORED)?;
    println!(
        "logged {} call{} to {}: ${}",
        summary.calls,
        if summary.calls == 1 { "" } else { "s" },
        store.path().display(),
        summary.cost_usd,
    );
    if failed > 0 {
        eprintln!(
            "llmcost: {failed} of {} lines could not be priced and were not stored (see above); \
             the other {staged} were",
            failed + staged
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn now_unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
