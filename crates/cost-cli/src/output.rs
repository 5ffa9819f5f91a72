//! Writing priced rows as JSON Lines, an aligned table or CSV, streaming.

use std::io::{self, Write};

use cost_core::{PricedRecord, Usd};
use serde::Serialize;

use crate::Format;

/// One output row: a priced line or a line that failed.
pub(crate) enum Row<'r> {
    Priced {
        line: usize,
        record: &'r PricedRecord,
    },
    Failed {
        line: usize,
        error: &'r str,
        kind: &'static str,
    },
}

#[derive(Serialize)]
struct FailedLine<'a> {
    line: usize,
    error: &'a str,
    kind: &'a str,
}

/// The CSV columns, stable: scripts depend on these names.
pub(crate) const CSV_COLUMNS: &[&str] = &[
    "line",
    "model",
    "provider",
    "at",
    "batch",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "input_usd",
    "cache_write_5m_usd",
    "cache_write_1h_usd",
    "cache_read_usd",
    "output_usd",
    "cache_storage_usd",
    "cost_usd",
    "tier_above_tokens",
    "warnings",
    "error",
];

/// JSON lines are handed to the writer once this many bytes of them are held: `BufWriter`'s
/// own capacity, so output comes no later than it did through it, and a write this large
/// goes past its buffer instead of being copied into it.
const LINES_BUFFER: usize = 8 * 1024;

pub(crate) struct Sink<W: Write> {
    format: Format,
    out: W,
    /// JSON lines are written here, then to `out` many at once (through `out`'s own buffer
    /// they would be copied twice).
    line: Vec<u8>,
    records: crate::export::RecordWriter,
}

impl<W: Write> Sink<W> {
    pub(crate) fn new(format: Format, out: W) -> Sink<W> {
        Sink {
            format,
            out,
            line: Vec::with_capacity(LINES_BUFFER + 4096),
            records: crate::export::RecordWriter::default(),
        }
    }

    pub(crate) fn start(&mut self) -> io::Result<()> {
        match self.format {
            Format::Jsonl => Ok(()),
            Format::Csv => writeln!(self.out, "{}", CSV_COLUMNS.join(",")),
            Format::Table => {
                writeln!(
                    self.out,
                    "{:>5}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:>14}  notes",
                    "line", "model", "input", "cache rd", "cache wr", "output", "cost (USD)",
                )?;
                writeln!(self.out, "{}", "-".repeat(104))
            }
        }
    }

    pub(crate) fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        match (self.format, row) {
            (Format::Jsonl, Row::Priced { line, record }) => {
                // The serde shape of `{"line", ...record}`, written without allocating.
                let out = &mut self.line;
                out.extend_from_slice(b"{\"line\":");
                crate::export::write_u64(out, *line as u64);
                out.push(b',');
                self.records.write_members(out, record);
                out.extend_from_slice(b"}\n");
                if self.line.len() >= LINES_BUFFER {
                    self.flush_lines()?;
                }
                Ok(())
            }
            (Format::Jsonl, Row::Failed { line, error, kind }) => {
                self.flush_lines()?;
                serde_json::to_writer(
                    &mut self.out,
                    &FailedLine {
                        line: *line,
                        error,
                        kind,
                    },
                )?;
                writeln!(self.out)
            }
            (Format::Csv, Row::Priced { line, record }) => {
                let u = &record.usage;
                let c = &record.components;
                let warnings: Vec<&str> =
                    record.warnings.iter().map(|w| w.message.as_str()).collect();
                let fields = [
                    line.to_string(),
                    record.model.clone(),
                    record.provider.clone(),
                    record.at.to_string(),
                    record.batch.to_string(),
                    u.input_tokens.to_string(),
                    u.cache_read_tokens.to_string(),
                    u.cache_write_5m_tokens.to_string(),
                    u.cache_write_1h_tokens.to_string(),
                    u.output_tokens.to_string(),
                    u.reasoning_tokens.to_string(),
                    c.input.usd.to_decimal_string(),
                    c.cache_write_5m.usd.to_decimal_string(),
                    c.cache_write_1h.usd.to_decimal_string(),
                    c.cache_read.usd.to_decimal_string(),
                    c.output.usd.to_decimal_string(),
                    c.cache_storage.usd.to_decimal_string(),
                    record.cost_usd.to_decimal_string(),
                    record
                        .tier
                        .map(|t| t.above_tokens.to_string())
                        .unwrap_or_default(),
                    warnings.join("; "),
                    String::new(),
                ];
                write_csv(&mut self.out, &fields)
            }
            (Format::Csv, Row::Failed { line, error, .. }) => {
                let mut fields = vec![String::new(); CSV_COLUMNS.len()];
                fields[0] = line.to_string();
                fields[CSV_COLUMNS.len() - 1] = error.to_string();
                write_csv(&mut self.out, &fields)
            }
            (Format::Table, Row::Priced { line, record }) => {
                let u = &record.usage;
                let mut notes: Vec<String> = Vec::new();
                if record.batch {
                    notes.push("batch".into());
                }
                if let Some(tier) = record.tier {
                    notes.push(format!("tier >{}", tier.above_tokens));
                }
                notes.extend(
                    record
                        .warnings
                        .iter()
                        .filter(|w| !matches!(w.kind, cost_core::WarningKind::LongContextTier))
                        .map(|w| w.message.clone()),
                );
                writeln!(
                    self.out,
                    "{:>5}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:>14}  {}",
                    line,
                    truncate(&record.model, 28),
                    u.uncached_input_tokens(),
                    u.cache_read_tokens,
                    u.cache_write_5m_tokens + u.cache_write_1h_tokens,
                    u.output_tokens,
                    record.cost_usd.display(),
                    notes.join("; ")
                )
            }
            (Format::Table, Row::Failed { line, error, .. }) => {
                writeln!(self.out, "{line:>5}  error: {error}")
            }
        }
    }

    /// Writes the JSON lines held in `line` (also done on drop, for a run cut short).
    fn flush_lines(&mut self) -> io::Result<()> {
        self.out.write_all(&self.line)?;
        self.line.clear();
        Ok(())
    }

    /// `total`: `None` when the costs add up to more than `Usd` holds.
    pub(crate) fn finish(
        &mut self,
        priced: usize,
        failed: usize,
        total: Option<Usd>,
    ) -> io::Result<()> {
        self.flush_lines()?;
        if self.format == Format::Table {
            writeln!(self.out, "{}", "-".repeat(104))?;
            writeln!(
                self.out,
                "{:>5}  {:<28} {:>10} {:>10} {:>10} {:>10}  {:>14}  {}",
                "",
                format!("total: {priced} calls priced"),
                "",
                "",
                "",
                "",
                total.map_or_else(|| "(too large)".to_string(), Usd::display),
                if failed > 0 {
                    format!("{failed} lines failed")
                } else {
                    String::new()
                }
            )?;
        }
        self.out.flush()
    }
}

impl<W: Write> Drop for Sink<W> {
    fn drop(&mut self) {
        // A run stopped by an error still writes the lines it priced; this write's own
        // error has nowhere to go.
        let _ = self.flush_lines();
    }
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}

/// Writes one CSV record, quoting fields that need it (RFC 4180).
fn write_csv(out: &mut impl Write, fields: &[String]) -> io::Result<()> {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    writeln!(out, "{}", quoted.join(","))
}
