//! `llmcost estimate`: what a pipeline over a book (or over plain unit counts) would cost on
//! each compared model, before running it.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cost_core::{
    preset, presets, Book, CachePlan, Encoding, EstimateOptions, NamedCounter, Pipeline,
    PlainUnits, ProfileBuilder, ProfileOptions, ReadOptions, TextInput, TokenRatios, Tokenizer,
};

use crate::{load_catalog, today, Format, PricesArgs};

/// Arguments of `llmcost estimate`.
#[derive(Debug, clap::Args)]
pub(crate) struct EstimateArgs {
    /// The book (.txt, .md, .epub). Leave out with --units.
    book: Option<PathBuf>,
    /// A pipeline file (JSON or TOML) or a preset id: one-prompt-per-sentence,
    /// summarize-each-chapter, translate-in-chunks, modernize-edit-final, conversation.
    #[arg(long, default_value = "one-prompt-per-sentence")]
    pipeline: String,
    /// Models to compare, comma-separated (any name `llmcost models` knows).
    #[arg(long, value_delimiter = ',', required = true)]
    models: Vec<String>,
    /// Send every call through the batch API.
    #[arg(long)]
    batch: bool,
    /// Prompt caching: default (each provider's usual), 5m, 1h, none, or store:HOURS
    /// (an explicit Gemini context cache kept that many hours).
    #[arg(long, default_value = "default")]
    cache: String,
    /// Share of cache reads that hit, in percent.
    #[arg(long, default_value_t = 100)]
    cache_hit: u64,
    /// Without a book: this many calls (units) ...
    #[arg(long, requires_all = ["input", "output"], conflicts_with = "book")]
    units: Option<u64>,
    /// ... of this many input tokens each ...
    #[arg(long)]
    input: Option<u64>,
    /// ... and this many output tokens each.
    #[arg(long)]
    output: Option<u64>,
    /// The day the pipeline would run (prices in force that day; default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    prices: PricesArgs,
}

fn pipeline_of(spec: &str) -> Result<Pipeline> {
    if let Some(p) = preset(spec) {
        return Ok(p.pipeline);
    }
    let path = PathBuf::from(spec);
    if !path.exists() {
        let ids: Vec<String> = presets().into_iter().map(|p| p.id).collect();
        bail!(
            "`{spec}` is neither a pipeline file nor a preset ({})",
            ids.join(", ")
        );
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let parsed = if text.trim_start().starts_with('{') {
        Pipeline::from_json(&text)
    } else {
        Pipeline::from_toml(&text)
    };
    parsed.with_context(|| format!("pipeline {} is invalid", path.display()))
}

fn cache_of(text: &str) -> Result<CachePlan> {
    Ok(match text {
        "default" => CachePlan::ProviderDefault,
        "none" => CachePlan::None,
        "5m" => CachePlan::FiveMinutes,
        "1h" => CachePlan::OneHour,
        other => match other.strip_prefix("store:").map(str::parse::<u64>) {
            Some(Ok(storage_hours)) => CachePlan::Explicit { storage_hours },
            _ => bail!("--cache takes default, 5m, 1h, none or store:HOURS, not `{other}`"),
        },
    })
}

pub(crate) fn run(args: EstimateArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.prices)?;
    let at = match &args.at {
        Some(text) => text
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--at: {e}"))?,
        None => today(),
    };
    if args.cache_hit > 100 {
        bail!("--cache-hit is a percentage: at most 100");
    }
    let (pipeline, text) = match (&args.book, args.units) {
        (None, Some(units)) => {
            // One call per unit, the whole input being the unit: the published-figure shape.
            let toml = format!(
                "name = \"{units} calls\"\n[[phases]]\nname = \"calls\"\nunit = \"sentence\"\noutput = {{ fixed = {} }}\n",
                args.output.unwrap_or(0)
            );
            let pipeline = Pipeline::from_toml(&toml)?;
            let text = TextInput::Units(PlainUnits {
                units,
                tokens_per_unit: args.input.unwrap_or(0),
                chapters: 1,
            });
            (pipeline, text)
        }
        (Some(book), None) => (
            pipeline_of(&args.pipeline)?,
            TextInput::Profile(Box::new(profile(book)?)),
        ),
        _ => bail!("give a book, or --units N --input N --output N"),
    };
    let mut options = EstimateOptions::new(at);
    options.batch = args.batch;
    options.cache = cache_of(&args.cache)?;
    options.cache_hit_per_mille = args.cache_hit * 10;
    let estimate = catalog.estimate(
        &TokenRatios::bundled(),
        &text,
        &pipeline,
        &args.models,
        &options,
    )?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Jsonl => serde_json::to_writer_pretty(&mut out, &estimate)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Csv => csv(&mut out, &estimate),
        Format::Table => table(&mut out, &estimate),
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => other.map(|()| ExitCode::SUCCESS).map_err(Into::into),
    }
}

/// Reads and counts a book once (o200k_base, exact), with progress on a terminal.
fn profile(path: &PathBuf) -> Result<cost_core::TextProfile> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let book = Book::read(
        &bytes,
        &ReadOptions {
            name,
            ..ReadOptions::default()
        },
    )
    .with_context(|| format!("cannot read {} as a book", path.display()))?;
    let counters = vec![NamedCounter::new(
        "o200k_base",
        Tokenizer::bundled(Encoding::O200kBase),
    )];
    let builder = ProfileBuilder::new(book, counters, ProfileOptions::default())?;
    Ok(crate::tokens::count_with_progress(builder).profile)
}

fn table(out: &mut impl Write, e: &cost_core::Estimate) -> io::Result<()> {
    writeln!(
        out,
        "Pipeline: {} · prices of {} · costs in USD",
        e.pipeline, e.options.at
    )?;
    writeln!(
        out,
        "{:>4}  {:<30} {:>12} {:>12} {:>12} {:>8} {:>11} {:>9} {:>12} {:>12}",
        "rank",
        "model",
        "low",
        "expected",
        "high",
        "× min",
        "input tok",
        "calls",
        "cache saves",
        "batch saves"
    )?;
    let mut models: Vec<&cost_core::ModelEstimate> = e.models.iter().collect();
    models.sort_by_key(|m| m.rank);
    for m in &models {
        writeln!(
            out,
            "{:>4}  {:<30} {:>12} {:>12} {:>12} {:>8} {:>11} {:>9} {:>12} {:>12}",
            m.rank,
            format!("{}/{}", m.provider, m.model),
            m.cost.low.display(),
            m.cost.expected.display(),
            m.cost.high.display(),
            m.times_cheapest
                .clone()
                .map_or_else(|| "-".into(), |t| format!("×{t}")),
            m.tokens.input_tokens,
            m.tokens.calls,
            m.savings.caching_usd.display(),
            m.savings.batch_usd.display(),
        )?;
    }
    for m in &models {
        if m.warnings.is_empty() && m.recommendations.is_empty() {
            continue;
        }
        writeln!(out, "\n{}/{}:", m.provider, m.model)?;
        for w in &m.warnings {
            writeln!(out, "  warning: {}", w.message)?;
        }
        for r in &m.recommendations {
            writeln!(out, "  tip: {}", r.message)?;
        }
    }
    Ok(())
}

fn csv(out: &mut impl Write, e: &cost_core::Estimate) -> io::Result<()> {
    writeln!(
        out,
        "rank,model,provider,low_usd,expected_usd,high_usd,times_cheapest,calls,input_tokens,cache_read_tokens,output_tokens,input_usd,cache_write_5m_usd,cache_write_1h_usd,cache_read_usd,output_usd,cache_storage_usd,caching_saves_usd,batch_saves_usd,warnings"
    )?;
    for m in &e.models {
        let c = &m.components;
        let warnings = m.warnings.len();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.rank,
            m.model,
            m.provider,
            m.cost.low,
            m.cost.expected,
            m.cost.high,
            m.times_cheapest.clone().unwrap_or_default(),
            m.tokens.calls,
            m.tokens.input_tokens,
            m.tokens.cache_read_tokens,
            m.tokens.output_tokens,
            c.input,
            c.cache_write_5m,
            c.cache_write_1h,
            c.cache_read,
            c.output,
            c.cache_storage,
            m.savings.caching_usd,
            m.savings.batch_usd,
            warnings
        )?;
    }
    Ok(())
}
