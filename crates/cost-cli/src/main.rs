//! `llmcost`: what LLM API calls cost, from the command line.
//!
//! `llmcost cost` prices a JSON Lines usage log line by line; `llmcost models` lists the
//! catalog. All arithmetic is cost-core's; this crate reads files, the clock and flags.

mod cost;
mod estimate;
mod export;
mod lines;
mod log;
mod models;
mod output;
mod progress;
mod store;
mod tokens;
mod track;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use cost_core::{Catalog, Date, MergePolicy};

/// Exact LLM API costs: price usage logs, list models and prices.
#[derive(Debug, Parser)]
#[command(name = "llmcost", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // Parsed once per run.
enum Command {
    /// Price API calls from JSON Lines (a file, or stdin), one request per line.
    ///
    /// Each line: {"model": "...", "usage": {...}, "usage_format"?: "anthropic", "batch"?: false,
    /// "at"?: "2026-11-23T12:00:00Z", "tags"?: {"phase": "edit"}} or {"response": <API response>}.
    /// Usage may be in any provider's shape (Anthropic, OpenAI chat or responses, Gemini,
    /// OpenRouter) or llmcost's normalized one. Exit status: 0 when every line was priced,
    /// 1 when some lines failed (they are reported, the rest still priced), 2 on bad arguments
    /// or an unreadable file.
    Cost(CostArgs),
    /// List the models in the catalog with their prices (USD per million tokens) and dates.
    Models(ModelsArgs),
    /// Price calls and append them to the local usage store (SQLite): one call from flags
    /// (--model, --input, --output ...) or many from JSON Lines (--file FILE, or - for stdin).
    ///
    /// Each append is one transaction: all of it is stored or none. Lines that cannot be
    /// priced are reported with their line number and skipped, the others stored. Exit
    /// status: 0 when everything was stored, 1 when some lines were skipped, 2 when nothing
    /// was stored (bad arguments, an unreadable input, a store that cannot be written).
    Log(log::LogArgs),
    /// Write the usage store as CSV, a JSON array or JSON Lines, in the order calls were
    /// logged.
    ///
    /// CSV columns (stable): id, logged_at, model, provider, at, batch, input_tokens,
    /// cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
    /// reasoning_tokens, cache_storage_token_hours, input_usd, cache_write_5m_usd,
    /// cache_write_1h_usd, cache_read_usd, output_usd, cache_storage_usd, cost_usd,
    /// tier_above_tokens, prices_from, phase, category, run, note, tags, warnings. Money is
    /// exact decimal USD. JSON records are `llmcost cost`'s, with id and logged_at.
    Export(export::ExportArgs),
    /// Read a book (.txt, .md, .epub) and count its tokens exactly (o200k, cl100k), in
    /// total and per chapter, paragraph, sentence or chunk. The Project Gutenberg header and
    /// licence are excluded unless --keep-gutenberg.
    Tokens(tokens::TokensArgs),
    /// Estimate what a pipeline over a book (or N calls of a given size) would cost on each
    /// model, with caching and batch, before running it.
    Estimate(estimate::EstimateArgs),
    /// Totals and breakdowns of what calls cost, from a JSON Lines log or the usage store,
    /// by model, provider, phase, day, week, month or any tag. Exit status 1 when log lines
    /// were skipped.
    Report(track::ReportArgs),
    /// Month-to-date spend against a monthly (and daily) limit, alerts and the month-end
    /// projection. Exit status: 0 under every alert, 3 when an alert is set off, 4 when a
    /// limit is reached.
    Budget(track::BudgetArgs),
}

#[derive(Debug, clap::Args)]
struct CostArgs {
    /// JSON Lines file; `-` or nothing reads stdin.
    file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    #[command(flatten)]
    prices: PricesArgs,
    /// Date for lines without `at` (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    at: Option<String>,
}

#[derive(Debug, clap::Args)]
struct ModelsArgs {
    /// Show only models whose id, alias, name or provider contains this text.
    query: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    prices: PricesArgs,
}

#[derive(Debug, clap::Args)]
struct PricesArgs {
    /// Load extra prices on top of the bundled catalog: llmcost TOML/JSON (custom models and
    /// overrides), a genai-prices v2 feed, or a LiteLLM price table. Repeatable.
    #[arg(long = "prices", value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON object per input line.
    Jsonl,
    /// An aligned table with a total.
    Table,
    /// CSV with a header row and stable column names.
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Cost(args) => cost::run(args),
        Command::Models(args) => models::run(args),
        Command::Log(args) => log::run(args),
        Command::Export(args) => export::run(args),
        Command::Tokens(args) => tokens::run(args),
        Command::Estimate(args) => estimate::run(args),
        Command::Report(args) => track::report(args),
        Command::Budget(args) => track::budget(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("llmcost: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// The bundled catalog with the user's price files loaded on top, in order.
fn load_catalog(prices: &PricesArgs) -> Result<Catalog> {
    let mut catalog = Catalog::bundled();
    for path in &prices.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read price file {}", path.display()))?;
        let report = catalog
            .load_prices(&text, MergePolicy::Replace)
            .with_context(|| format!("price file {} was not loaded", path.display()))?;
        eprintln!(
            "llmcost: loaded {} ({:?}): {} added, {} replaced, {} overrides",
            path.display(),
            report.format,
            report.merge.added,
            report.merge.replaced,
            report.overrides
        );
    }
    Ok(catalog)
}

/// Today in UTC, from the system clock (the core never reads it).
fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_unix_seconds(seconds)
}
