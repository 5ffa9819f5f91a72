//! `llmcost report` and `llmcost budget`: what runs really cost, from a JSON Lines usage log
//! or the local store, grouped and set against a monthly budget.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use cost_core::{
    Budget, BudgetState, BudgetTracker, Catalog, Date, GroupKey, LogReader, LogTotal, PricedRecord,
    RecommendOptions, Recommender, ReportBuilder, ReportOptions, RequestPricer, Usd,
};

use crate::lines::Lines;
use crate::store::{Filter as StoreFilter, Store, StoreArgs};
use crate::{load_catalog, today, PricesArgs};

/// Where the records come from: a log file or the store.
#[derive(Debug, clap::Args)]
pub(crate) struct SourceArgs {
    /// A JSON Lines log (`-` for stdin): priced records (what `llmcost cost` prints), or
    /// request lines (what `llmcost cost` reads), priced on the way. Without it, the usage
    /// store is read.
    log: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArgs,
    /// First day counted (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    /// Last day counted (inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<String>,
    /// The day of request lines without `at` (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    at: Option<String>,
    #[command(flatten)]
    prices: PricesArgs,
}

fn date(flag: &str, text: &Option<String>) -> Result<Option<Date>> {
    text.as_deref()
        .map(|t| {
            t.parse::<Date>()
                .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
        })
        .transpose()
}

/// Calls `each` on every record of the source; returns how many log lines (or stored calls)
/// were bad.
///
/// `catalog` prices the request lines of a log. A record whose cost would take the records
/// counted past [`LogTotal::MAX_FEMTO`] is skipped as a bad line, so no sum a report or a
/// budget makes can overflow however hostile the log.
fn for_each_record(
    source: &SourceArgs,
    catalog: &Catalog,
    mut each: impl FnMut(&PricedRecord),
) -> Result<usize> {
    let since = date("--since", &source.since)?;
    let until = date("--until", &source.until)?;
    let at = date("--at", &source.at)?;
    let in_range =
        |r: &PricedRecord| since.is_none_or(|d| r.at >= d) && until.is_none_or(|d| r.at <= d);
    let mut total = LogTotal::default();
    let mut bad = 0usize;
    let mut skip = |what: &str, reason: &str| {
        bad += 1;
        if bad <= 20 {
            eprintln!("llmcost: {what} skipped: {reason}");
        }
    };
    let Some(path) = &source.log else {
        let store = Store::open_existing(&source.store.path()?)?;
        store.for_each_call(&StoreFilter { since, until }, |call| {
            match total.add_record(&call.record) {
                Ok(()) => each(&call.record),
                Err(reason) => skip(&format!("stored call {}", call.id), &reason),
            }
            Ok(())
        })?;
        if bad > 20 {
            eprintln!("llmcost: {} more bad calls skipped", bad - 20);
        }
        return Ok(bad);
    };
    let input: Box<dyn io::Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).with_context(|| format!("cannot open {}", path.display()))?)
    };
    let mut log = LogReader::pricing(RequestPricer::new(catalog, at.unwrap_or_else(today)));
    let mut lines = Lines::new(input);
    let mut number = 0usize;
    while let Some(line) = lines.next_line().context("cannot read the log")? {
        number += 1;
        // A line that is not UTF-8 is one bad line, as in `llmcost cost`, not the end.
        let Some(line) = crate::lines::text(line) else {
            skip(&format!("line {number}"), "the line is not valid UTF-8");
            continue;
        };
        match log.read_line_ref(line) {
            Ok(Some(record)) => {
                if in_range(record) {
                    match total.add_record(record) {
                        Ok(()) => each(record),
                        Err(reason) => skip(&format!("line {number}"), &reason),
                    }
                }
            }
            Ok(None) => {}
            Err(reason) => skip(&format!("line {number}"), &reason),
        }
    }
    if bad > 20 {
        eprintln!("llmcost: {} more bad lines skipped", bad - 20);
    }
    Ok(bad)
}

/// Arguments of `llmcost report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Group by these, in order: model, provider, day, week, month, batch, or any tag
    /// (phase, category, run, book, ...).
    #[arg(long, default_value = "model")]
    by: String,
    /// Output format: table, csv or json.
    #[arg(long, default_value = "table")]
    format: String,
    /// Also list what would have saved money (batch, caching, a cheaper model).
    #[arg(long)]
    recommend: bool,
}

pub(crate) fn report(args: ReportArgs) -> Result<ExitCode> {
    let by = GroupKey::parse_list(&args.by)?;
    let mut builder = ReportBuilder::new(ReportOptions {
        by,
        ..ReportOptions::default()
    })?;
    let catalog = load_catalog(&args.source.prices)?;
    let mut recommender = if args.recommend {
        Some(Recommender::new(&catalog, RecommendOptions::default())?)
    } else {
        None
    };
    let bad = for_each_record(&args.source, &catalog, |r| {
        builder.add(r);
        if let Some(rec) = recommender.as_mut() {
            rec.add(r);
        }
    })?;
    let report = builder.finish();
    let recommendations = recommender.map(Recommender::finish);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.format.as_str() {
        "csv" => write!(out, "{}", report.to_csv())?,
        "json" => {
            let value = serde_json::json!({ "report": report, "recommendations": recommendations });
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
        }
        "table" => {
            let header: Vec<String> = report.by.iter().map(|k| k.to_string()).collect();
            let key_width = 28;
            writeln!(
                out,
                "{:<w$} {:>9} {:>14} {:>12} {:>12} {:>14}",
                if header.is_empty() {
                    "all".to_string()
                } else {
                    header.join(" / ")
                },
                "calls",
                "input tok",
                "cached tok",
                "output tok",
                "cost (USD)",
                w = key_width
            )?;
            for g in &report.groups {
                let key: Vec<String> = g
                    .key
                    .iter()
                    .map(|k| k.clone().unwrap_or_else(|| "(none)".into()))
                    .collect();
                let s = &g.spend;
                writeln!(
                    out,
                    "{:<w$} {:>9} {:>14} {:>12} {:>12} {:>14}",
                    key.join(" / "),
                    s.calls,
                    s.input_tokens,
                    s.cache_read_tokens,
                    s.output_tokens,
                    s.cost_usd.display(),
                    w = key_width
                )?;
            }
            let t = &report.total;
            writeln!(
                out,
                "{:<w$} {:>9} {:>14} {:>12} {:>12} {:>14}",
                "total",
                t.calls,
                t.input_tokens,
                t.cache_read_tokens,
                t.output_tokens,
                t.cost_usd.display(),
                w = key_width
            )?;
            if let Some(recs) = &recommendations {
                for item in &recs.items {
                    writeln!(
                        out,
                        "would save {}: {}",
                        item.saving_usd.display(),
                        item.message
                    )?;
                }
            }
        }
        other => bail!("--format takes table, csv or json, not `{other}`"),
    }
    out.flush()?;
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Arguments of `llmcost budget`.
#[derive(Debug, clap::Args)]
pub(crate) struct BudgetArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Monthly limit in USD.
    #[arg(long)]
    monthly: String,
    /// Daily limit in USD.
    #[arg(long)]
    daily: Option<String>,
    /// Alert thresholds in percent of the limits.
    #[arg(long, value_delimiter = ',', default_value = "80,100")]
    alert: Vec<u32>,
    /// An estimate's expected cost in USD: how far it would take the month.
    #[arg(long, value_name = "USD")]
    estimate: Option<String>,
    /// The day to judge (default today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn usd(flag: &str, text: &str) -> Result<Usd> {
    text.trim()
        .trim_start_matches('$')
        .parse::<Usd>()
        .map_err(|e| anyhow::anyhow!("{flag}: {e}"))
}

/// Exit status for scripts: 0 under every threshold, 3 when an alert below 100 % is set off,
/// 4 when a limit is reached or passed.
pub(crate) fn budget(args: BudgetArgs) -> Result<ExitCode> {
    let budget = Budget {
        monthly_limit_usd: usd("--monthly", &args.monthly)?,
        daily_limit_usd: args
            .daily
            .as_deref()
            .map(|d| usd("--daily", d))
            .transpose()?,
        alert_percents: args.alert.clone(),
    };
    let today = date("--today", &args.today)?.unwrap_or_else(today);
    let mut tracker = BudgetTracker::new(budget, today)?;
    let catalog = load_catalog(&args.source.prices)?;
    for_each_record(&args.source, &catalog, |r| tracker.add(r))?;
    let status = tracker.status();
    let impact = args
        .estimate
        .as_deref()
        .map(|e| usd("--estimate", e))
        .transpose()?
        .map(|e| status.with_estimate(e))
        .transpose()?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "status": status, "estimate": impact }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{}: {} spent of {} ({}%), {} left; projected {} ({}%) by month end",
            status.month,
            status.month_to_date_usd.display(),
            status.budget.monthly_limit_usd.display(),
            status.percent_of_monthly_limit,
            status.remaining_usd.display(),
            status.projected_month_usd.display(),
            status.projected_percent_of_monthly_limit
        )?;
        writeln!(
            out,
            "today ({}): {}",
            status.today,
            status.today_usd.display()
        )?;
        for a in &status.alerts {
            writeln!(
                out,
                "alert: {}% of the {} limit ({}) reached on {}",
                a.percent,
                scope_name(a.scope),
                a.threshold_usd.display(),
                a.crossed_on
            )?;
        }
        if let Some(i) = &impact {
            writeln!(
                out,
                "with the estimate ({}): {} this month ({}%), {} left",
                i.expected_usd.display(),
                i.month_after_usd.display(),
                i.percent_of_monthly_limit_after,
                i.remaining_after_usd.display()
            )?;
            for a in &i.new_alerts {
                writeln!(
                    out,
                    "the estimate would set off: {}% of the {} limit",
                    a.percent,
                    scope_name(a.scope)
                )?;
            }
        }
        writeln!(out, "status: {}", status.state.as_str())?;
    }
    out.flush()?;
    Ok(match status.state {
        BudgetState::Under => ExitCode::SUCCESS,
        BudgetState::Warning => ExitCode::from(3),
        BudgetState::Over => ExitCode::from(4),
    })
}

fn scope_name(scope: cost_core::LimitScope) -> &'static str {
    match scope {
        cost_core::LimitScope::Monthly => "monthly",
        cost_core::LimitScope::Daily => "daily",
    }
}
