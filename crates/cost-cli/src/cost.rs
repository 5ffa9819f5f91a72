//! `llmcost cost`: price a JSON Lines stream, one output record per input line, in order.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, Result};
use cost_core::{RequestPricer, Usd};

use crate::lines::Lines;
use crate::output::{Row, Sink};
use crate::progress::Progress;
use crate::{load_catalog, today, CostArgs};

pub(crate) fn run(args: CostArgs) -> Result<ExitCode> {
    let catalog = load_catalog(&args.prices)?;
    let today = match &args.at {
        Some(text) => text
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--at: {e}"))?,
        None => today(),
    };
    let (input, size): (Box<dyn Read>, Option<u64>) = match &args.file {
        None => (Box::new(io::stdin().lock()), None),
        Some(path) if path.as_os_str() == "-" => (Box::new(io::stdin().lock()), None),
        Some(path) => {
            let file =
                File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size)
        }
    };
    // On a terminal, but not over output scrolling past on the same terminal.
    let mut progress = Progress::with_terminal(
        "cost",
        size,
        io::stderr().is_terminal() && !io::stdout().is_terminal(),
    );
    let mut bytes = 0u64;
    let mut lines = Lines::new(input);
    let stdout = io::stdout();
    let mut sink = Sink::new(args.format, io::BufWriter::new(stdout.lock()));
    let mut pricer = RequestPricer::new(&catalog, today);
    let mut line_number = 0usize;
    let (mut priced, mut failed) = (0usize, 0usize);
    // `None` once the total passes what `Usd` holds (only absurd prices get there).
    let mut total = Some(Usd::ZERO);
    let result: io::Result<()> = (|| {
        sink.start()?;
        while let Some(buffer) = lines.next_line()? {
            line_number += 1;
            bytes += buffer.len() as u64;
            progress.update(bytes, line_number as u64);
            let priced_line = match crate::lines::text(buffer) {
                None => Err(("the line is not valid UTF-8".to_string(), "invalid_request")),
                Some(text) if text.trim_start().is_empty() => continue,
                // The pricer's own record, reused from line to line.
                Some(text) => pricer
                    .price_line_ref(text)
                    .map_err(|error| (error.to_string(), error.kind().as_str())),
            };
            let line = line_number;
            match &priced_line {
                Ok(record) => {
                    priced += 1;
                    total = total.and_then(|total| total.checked_add(record.cost_usd));
                    sink.row(&Row::Priced { line, record })?;
                }
                Err((error, kind)) => {
                    failed += 1;
                    sink.row(&Row::Failed { line, error, kind })?;
                }
            }
        }
        sink.finish(priced, failed, total)
    })();
    drop(progress);
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        Err(e) => return Err(e).context("cannot read the input or write the output"),
        Ok(()) => {}
    }
    if failed > 0 {
        eprintln!(
            "llmcost: {failed} of {} lines could not be priced (see their \"error\")",
            priced + failed
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
