//! `llmcost export`: the usage store as CSV, a JSON array or JSON Lines, streaming, in the
//! order the calls were stored.
//!
//! The CSV columns ([`EXPORT_COLUMNS`]) are stable: scripts and spreadsheets depend on them.
//! They are `llmcost cost --format csv`'s, with the store's `id` and `logged_at` in place of
//! `line`, and the labels `llmcost log` sets as columns of their own. JSON records are
//! `llmcost cost`'s priced records with `id` and `logged_at` in place of `line`, so an
//! export reads back as a usage log.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use cost_core::{AppliedTier, Component, Components, Date, PricedRecord, Usage, Warning};

use crate::store::{Filter, Store, StoreArgs, StoredCall};

/// The CSV columns, in order. Money columns are exact decimal dollars; `logged_at` is an
/// RFC 3339 UTC time; `at` and `prices_from` are `YYYY-MM-DD`; `tags` is a JSON object of
/// every label; `warnings` are messages joined by `; `.
pub(crate) const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "logged_at",
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
    "cache_storage_token_hours",
    "input_usd",
    "cache_write_5m_usd",
    "cache_write_1h_usd",
    "cache_read_usd",
    "output_usd",
    "cache_storage_usd",
    "cost_usd",
    "tier_above_tokens",
    "prices_from",
    "phase",
    "category",
    "run",
    "note",
    "tags",
    "warnings",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ExportFormat {
    /// CSV with a header row and stable column names.
    Csv,
    /// One JSON array of records.
    Json,
    /// One JSON record per line.
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    format: ExportFormat,
    #[command(flatten)]
    store: StoreArgs,
    /// Only calls on or after this day (their `at`).
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    /// Only calls on or before this day (their `at`).
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<String>,
}

pub(crate) fn run(args: ExportArgs) -> Result<ExitCode> {
    let day = |flag: &str, text: &Option<String>| -> Result<Option<Date>> {
        text.as_deref()
            .map(|t| t.parse::<Date>().map_err(|e| anyhow!("--{flag}: {e}")))
            .transpose()
    };
    let filter = Filter {
        since: day("since", &args.since)?,
        until: day("until", &args.until)?,
    };
    if let (Some(since), Some(until)) = (filter.since, filter.until) {
        anyhow::ensure!(since <= until, "--since {since} is after --until {until}");
    }
    let store = Store::open_existing(&args.store.path()?)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = export(&store, &filter, args.format, &mut out);
    match result {
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// Writes every call `filter` passes, in `format`.
fn export(
    store: &Store,
    filter: &Filter,
    format: ExportFormat,
    out: &mut impl Write,
) -> Result<()> {
    let mut first = true;
    match format {
        ExportFormat::Csv => writeln!(out, "{}", EXPORT_COLUMNS.join(","))?,
        ExportFormat::Json => out.write_all(b"[")?,
        ExportFormat::Jsonl => {}
    }
    let mut fields = Vec::with_capacity(EXPORT_COLUMNS.len());
    let mut line = Vec::with_capacity(1024);
    let mut writer = RecordWriter::default();
    store.for_each_call(filter, |call| {
        match format {
            ExportFormat::Csv => {
                csv_fields(&call, &mut fields);
                write_csv(out, &fields)?;
            }
            ExportFormat::Json => {
                line.clear();
                line.extend_from_slice(if first { b"\n" } else { b",\n" });
                write_json_call(&mut writer, &mut line, &call);
                out.write_all(&line)?;
            }
            ExportFormat::Jsonl => {
                line.clear();
                write_json_call(&mut writer, &mut line, &call);
                line.push(b'\n');
                out.write_all(&line)?;
            }
        }
        first = false;
        Ok(())
    })?;
    if format == ExportFormat::Json {
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush().context("cannot write the export")
}

/// One exported call as a JSON object: a priced record after the store's `id` and
/// `logged_at`.
fn write_json_call(writer: &mut RecordWriter, out: &mut Vec<u8>, call: &StoredCall) {
    out.extend_from_slice(b"{\"id\":");
    write_i64(out, call.id);
    out.extend_from_slice(b",\"logged_at\":\"");
    out.extend_from_slice(rfc3339(call.logged_at).as_bytes());
    out.extend_from_slice(b"\",");
    writer.write_members(out, &call.record);
    out.push(b'}');
}

fn csv_fields(call: &StoredCall, fields: &mut Vec<String>) {
    let r = &call.record;
    let u = &r.usage;
    let c = &r.components;
    let tag = |key: &str| r.tags.get(key).cloned().unwrap_or_default();
    fields.clear();
    fields.extend([
        call.id.to_string(),
        rfc3339(call.logged_at),
        r.model.clone(),
        r.provider.clone(),
        r.at.to_string(),
        r.batch.to_string(),
        u.input_tokens.to_string(),
        u.cache_read_tokens.to_string(),
        u.cache_write_5m_tokens.to_string(),
        u.cache_write_1h_tokens.to_string(),
        u.output_tokens.to_string(),
        u.reasoning_tokens.to_string(),
        u.cache_storage_token_hours.to_string(),
        c.input.usd.to_decimal_string(),
        c.cache_write_5m.usd.to_decimal_string(),
        c.cache_write_1h.usd.to_decimal_string(),
        c.cache_read.usd.to_decimal_string(),
        c.output.usd.to_decimal_string(),
        c.cache_storage.usd.to_decimal_string(),
        r.cost_usd.to_decimal_string(),
        r.tier
            .map(|t| t.above_tokens.to_string())
            .unwrap_or_default(),
        r.prices_from.map(|d| d.to_string()).unwrap_or_default(),
        tag("phase"),
        tag("category"),
        tag("run"),
        tag("note"),
        if r.tags.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&r.tags).unwrap_or_default()
        },
        r.warnings
            .iter()
            .map(|w| w.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    ]);
    debug_assert_eq!(fields.len(), EXPORT_COLUMNS.len());
}

/// Writes priced records as JSON object members, remembering the text of the prices and of
/// the day it wrote last: the records of a log mostly repeat a few prices and one day.
pub(crate) struct RecordWriter {
    /// Direct-mapped by price.
    prices: Box<[Cached; PRICE_SLOTS]>,
    day: Option<(Date, Cached)>,
}

/// Slots for the text of prices: a run rarely sees more than a few dozen.
const PRICE_SLOTS: usize = 256;

/// Text written before, to be copied rather than formatted again.
#[derive(Clone, Copy)]
struct Cached {
    /// The price's nano-dollars (unused for days).
    nano: i64,
    /// 0 for an empty slot.
    len: u8,
    /// The longest price is 21 characters (`-9223372036.854775808`).
    text: [u8; 24],
}

impl Cached {
    const EMPTY: Cached = Cached {
        nano: 0,
        len: 0,
        text: [0; 24],
    };

    /// Remembers what was written to `out` from `start` on.
    fn keep(out: &[u8], start: usize, nano: i64) -> Cached {
        let written = &out[start..];
        let mut cached = Cached::EMPTY;
        cached.len = written.len() as u8;
        cached.text[..written.len()].copy_from_slice(written);
        cached.nano = nano;
        cached
    }

    /// Appends the text: the whole buffer is copied and the rest cut off, cheaper than
    /// copying a variable number of bytes.
    fn put(&self, out: &mut Vec<u8>) {
        let len = out.len();
        out.extend_from_slice(&self.text);
        out.truncate(len + usize::from(self.len));
    }
}

impl Default for RecordWriter {
    fn default() -> RecordWriter {
        RecordWriter {
            prices: Box::new([Cached::EMPTY; PRICE_SLOTS]),
            day: None,
        }
    }
}

impl RecordWriter {
    /// Writes the fields of `record` as JSON object members, without the braces, exactly as
    /// serde would (the same keys, order and text; a test compares the two), but without
    /// allocating: `"model":"…","provider":"…","cost_usd":"…",…,"warnings":[…]`.
    ///
    /// This is `llmcost cost`'s and `llmcost export`'s hot path: serde's route through
    /// `Usd::to_decimal_string` allocates four strings per amount and thirteen amounts per
    /// record. Callers write a record into a reused `Vec` and hand the line to their writer
    /// at once: many small writes through a `BufWriter` cost more than the formatting.
    /// Destructuring every struct makes a field added in cost-core a compile error here.
    pub(crate) fn write_members(&mut self, out: &mut Vec<u8>, record: &PricedRecord) {
        let PricedRecord {
            model,
            provider,
            cost_usd,
            components,
            tier,
            batch,
            at,
            prices_from,
            usage,
            tags,
            warnings,
        } = record;
        out.extend_from_slice(b"\"model\":");
        write_json_str(out, model);
        out.extend_from_slice(b",\"provider\":");
        write_json_str(out, provider);
        out.extend_from_slice(b",\"cost_usd\":\"");
        write_decimal::<15>(out, cost_usd.femto());
        let Components {
            input,
            cache_write_5m,
            cache_write_1h,
            cache_read,
            output,
            cache_storage,
        } = components;
        // One call per component, each with its name as a constant: copying a name of
        // varying length would call memcpy.
        self.write_component(out, b"\",\"components\":{\"input\":{\"tokens\":", input);
        self.write_component(out, b",\"cache_write_5m\":{\"tokens\":", cache_write_5m);
        self.write_component(out, b",\"cache_write_1h\":{\"tokens\":", cache_write_1h);
        self.write_component(out, b",\"cache_read\":{\"tokens\":", cache_read);
        self.write_component(out, b",\"output\":{\"tokens\":", output);
        self.write_component(out, b",\"cache_storage\":{\"tokens\":", cache_storage);
        out.extend_from_slice(b"},\"tier\":");
        match tier {
            None => out.extend_from_slice(b"null"),
            Some(AppliedTier {
                above_tokens,
                inclusive,
                prompt_tokens,
            }) => {
                out.extend_from_slice(b"{\"above_tokens\":");
                write_u64(out, *above_tokens);
                if *inclusive {
                    out.extend_from_slice(b",\"inclusive\":true,\"prompt_tokens\":");
                } else {
                    out.extend_from_slice(b",\"inclusive\":false,\"prompt_tokens\":");
                }
                write_u64(out, *prompt_tokens);
                out.push(b'}');
            }
        }
        // Two constants rather than one slice of either length, which would call memcpy.
        if *batch {
            out.extend_from_slice(b",\"batch\":true,\"at\":\"");
        } else {
            out.extend_from_slice(b",\"batch\":false,\"at\":\"");
        }
        self.write_day(out, *at);
        out.extend_from_slice(b"\",\"prices_from\":");
        match prices_from {
            None => out.extend_from_slice(b"null"),
            Some(day) => {
                out.push(b'"');
                write_date(out, *day);
                out.push(b'"');
            }
        }
        let Usage {
            input_tokens,
            cache_read_tokens,
            cache_write_5m_tokens,
            cache_write_1h_tokens,
            output_tokens,
            reasoning_tokens,
            cache_storage_token_hours,
        } = usage;
        out.extend_from_slice(b",\"usage\":{\"input_tokens\":");
        write_u64(out, *input_tokens);
        out.extend_from_slice(b",\"cache_read_tokens\":");
        write_u64(out, *cache_read_tokens);
        out.extend_from_slice(b",\"cache_write_5m_tokens\":");
        write_u64(out, *cache_write_5m_tokens);
        out.extend_from_slice(b",\"cache_write_1h_tokens\":");
        write_u64(out, *cache_write_1h_tokens);
        out.extend_from_slice(b",\"output_tokens\":");
        write_u64(out, *output_tokens);
        out.extend_from_slice(b",\"reasoning_tokens\":");
        write_u64(out, *reasoning_tokens);
        if *cache_storage_token_hours != 0 {
            out.extend_from_slice(b",\"cache_storage_token_hours\":");
            write_u64(out, *cache_storage_token_hours);
        }
        out.extend_from_slice(b"},\"tags\":{");
        for (i, (key, value)) in tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_json_str(out, key);
            out.push(b':');
            write_json_str(out, value);
        }
        out.extend_from_slice(b"},\"warnings\":[");
        for (i, Warning { kind, message }) in warnings.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"kind\":");
            serde_json::to_writer(&mut *out, kind).expect("a Vec takes any write");
            out.extend_from_slice(b",\"message\":");
            write_json_str(out, message);
            out.push(b'}');
        }
        out.push(b']');
    }

    /// `opening`, then a component's members and its closing brace.
    #[inline(always)]
    fn write_component<const N: usize>(
        &mut self,
        out: &mut Vec<u8>,
        opening: &[u8; N],
        component: &Component,
    ) {
        let Component {
            tokens,
            usd_per_mtok,
            usd,
        } = component;
        out.extend_from_slice(opening);
        write_u64(out, *tokens);
        out.extend_from_slice(b",\"usd_per_mtok\":\"");
        self.write_price(out, usd_per_mtok.nano());
        out.extend_from_slice(b"\",\"usd\":\"");
        write_decimal::<15>(out, usd.femto());
        out.extend_from_slice(b"\"}");
    }

    /// A price's decimal text, from the cache when it was written before.
    fn write_price(&mut self, out: &mut Vec<u8>, nano: i64) {
        // Prices are multiples of large powers of two (and ten): the product's halves are
        // folded together, or the top bits alone would put many prices in one slot.
        let mixed = (nano as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = (mixed ^ mixed >> 32) % PRICE_SLOTS as u64;
        let cached = &mut self.prices[slot as usize];
        if cached.len != 0 && cached.nano == nano {
            cached.put(out);
        } else {
            let start = out.len();
            write_decimal::<9>(out, i128::from(nano));
            *cached = Cached::keep(out, start, nano);
        }
    }

    /// A day as `YYYY-MM-DD`, from the cache when it is the last day written.
    fn write_day(&mut self, out: &mut Vec<u8>, day: Date) {
        match &self.day {
            Some((last, cached)) if *last == day => cached.put(out),
            _ => {
                let start = out.len();
                write_date(out, day);
                if out.len() - start <= Cached::EMPTY.text.len() {
                    self.day = Some((day, Cached::keep(out, start, 0)));
                }
            }
        }
    }
}

/// Writes `text` as a JSON string, as serde_json does.
///
/// Printable ASCII other than `"` and `\\` is written as it is, which serde_json does too;
/// it is checked and copied eight bytes at a time, the last up to seven bytes as one word of
/// two overlapping loads (a copy of a varying length would call `memcpy`). Any other text
/// is left to serde_json.
fn write_json_str(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    out.push(b'"');
    let mut chunks = text.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let chunk: &[u8; 8] = chunk.try_into().expect("8 bytes");
        if plain_bytes(u64::from_le_bytes(*chunk)) != u64::MAX {
            return write_json_str_slowly(out, start, text);
        }
        out.extend_from_slice(chunk);
    }
    let rest = chunks.remainder();
    let len = rest.len();
    let load = |at: usize, width: usize| {
        rest[at..at + width]
            .iter()
            .rev()
            .fold(0u64, |word, &byte| word << 8 | u64::from(byte))
    };
    // The two loads overlap (or are the same byte): together they hold every byte.
    let word = match len {
        0 => 0,
        1 => load(0, 1),
        2..=3 => load(0, 2) | load(len - 2, 2) << (8 * (len - 2)),
        _ => load(0, 4) | load(len - 4, 4) << (8 * (len - 4)),
    };
    // The bytes past the text are zeros, which are never plain: only `len` bytes count.
    // At most seven bytes remain: the shift is below 64.
    let wanted = (1u64 << (8 * len)) - 1;
    if plain_bytes(word) & wanted != wanted {
        return write_json_str_slowly(out, start, text);
    }
    let at = out.len();
    out.extend_from_slice(&word.to_le_bytes());
    out.truncate(at + len);
    out.push(b'"');
}

#[cold]
fn write_json_str_slowly(out: &mut Vec<u8>, start: usize, text: &str) {
    out.truncate(start);
    serde_json::to_writer(&mut *out, text).expect("a Vec takes any write");
}

/// Which of eight bytes are printable ASCII other than `"` and `\\`: all ones in each such
/// byte, zeros in the others. A byte below 0x20, a quote, a backslash or DEL (a zero byte of
/// the word XOR that byte repeated) is flagged by the usual `(x - 0x01..) & !x & 0x80..`
/// test, a non-ASCII byte by its own high bit. A borrow only spreads upwards, so every byte
/// below the first flagged one is told right, which is all the callers use.
fn plain_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let flagged = (zero_byte(word ^ (ONES * u64::from(b'"')))
        | zero_byte(word ^ (ONES * u64::from(b'\\')))
        | zero_byte(word ^ (ONES * 0x7f))
        | word.wrapping_sub(ONES * 0x20) & !word
        | word)
        & HIGHS;
    // Every byte below the lowest flagged one is plain.
    match flagged.trailing_zeros() {
        64 => u64::MAX,
        bits => (1u64 << (bits - 7)) - 1,
    }
}

/// The eight decimal digits of `n` (below 10^8, zero-padded) as ASCII, the most significant
/// in the lowest byte: both halves of four digits are split into pairs and the pairs into
/// digits in parallel, lanes of one `u64` (none overflows into the next).
fn eight_digits(n: u64) -> u64 {
    debug_assert!(n < 100_000_000);
    let mut lanes = (n / 10_000) | ((n % 10_000) << 32);
    let hundreds = ((lanes * 10_486) >> 20) & 0x0000_007f_0000_007f;
    lanes = hundreds | ((lanes - hundreds * 100) << 16);
    let tens = ((lanes * 103) >> 10) & 0x000f_000f_000f_000f;
    lanes = tens | ((lanes - tens * 10) << 8);
    lanes + 0x3030_3030_3030_3030
}

/// Appends the last `count` (1 to 8) of eight ASCII digits. The eight are stored as one word
/// and the rest cut off: cheaper than copying a variable number of bytes, and nothing is
/// stored a byte at a time and then reloaded wider, which stalls store forwarding.
fn put_digits(out: &mut Vec<u8>, digits: u64, count: usize) {
    debug_assert!(count <= 8);
    let len = out.len();
    out.extend_from_slice(&(digits >> ((8 - count) * 8)).to_le_bytes());
    out.truncate(len + count);
}

/// Appends the first `count` (up to 8) of the bytes of `digits`, lowest first.
fn put_leading(out: &mut Vec<u8>, digits: u64, count: usize) {
    debug_assert!(count <= 8);
    let len = out.len();
    out.extend_from_slice(&digits.to_le_bytes());
    out.truncate(len + count);
}

/// How many digits `n` has.
fn digit_count(n: u64) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

/// Appends `n` as exactly `count` (1 to 20) decimal digits, zero-padded; `n` has at most
/// that many.
fn write_digits(out: &mut Vec<u8>, n: u64, count: usize) {
    const E8: u64 = 100_000_000;
    debug_assert!(count >= digit_count(n));
    if count <= 8 {
        put_digits(out, eight_digits(n), count);
    } else if count <= 16 {
        put_digits(out, eight_digits(n / E8), count - 8);
        put_digits(out, eight_digits(n % E8), 8);
    } else {
        put_digits(out, eight_digits(n / E8 / E8), count - 16);
        put_digits(out, eight_digits(n / E8 % E8), 8);
        put_digits(out, eight_digits(n % E8), 8);
    }
}

#[inline]
pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    if n < 10 {
        // Zero components and counts are common.
        out.push(b'0' + n as u8);
    } else {
        write_digits(out, n, digit_count(n));
    }
}

fn write_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    write_u64(out, n.unsigned_abs());
}

/// `value × 10^-SCALE` as exact decimal text without trailing zeros, as cost-core's
/// `to_decimal_string` writes it (`"0.00084"`, `"12"`, `"-0.5"`).
pub(crate) fn write_decimal<const SCALE: u32>(out: &mut Vec<u8>, value: i128) {
    // A constant scale makes every division below a multiplication.
    const {
        assert!(
            SCALE > 8 && SCALE <= 16,
            "the decimals are two words of digits"
        )
    };
    const E8: u64 = 100_000_000;
    // The digits of a word, as `eight_digits` gives them, that are zeros.
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    if value < 0 {
        out.push(b'-');
    }
    // Every real amount fits u64 (up to $18,446 in femto-dollars): u64 division by a
    // constant is a multiplication, u128's a call.
    let Ok(magnitude) = u64::try_from(value.unsigned_abs()) else {
        let unit = 10u128.pow(SCALE);
        let magnitude = value.unsigned_abs();
        out.extend_from_slice((magnitude / unit).to_string().as_bytes());
        write_fraction(out, magnitude % unit, SCALE);
        return;
    };
    let unit = 10u64.pow(SCALE);
    let (whole, fraction) = (magnitude / unit, magnitude % unit);
    write_u64(out, whole);
    if fraction != 0 {
        // The fraction's SCALE digits: the first SCALE - 8 in the last places of `high`, the
        // other eight in `low`. Trailing zero digits are the top bytes that are '0'.
        let head = SCALE as usize - 8;
        let (high, low) = (eight_digits(fraction / E8), eight_digits(fraction % E8));
        out.push(b'.');
        if fraction % E8 == 0 {
            let zeros = ((high ^ ZEROS).leading_zeros() / 8) as usize;
            put_leading(out, high >> ((8 - head) * 8), head - zeros);
        } else {
            let zeros = ((low ^ ZEROS).leading_zeros() / 8) as usize;
            put_digits(out, high, head);
            put_leading(out, low, 8 - zeros);
        }
    }
}

/// The `.digits` of a fraction of `scale` places, trailing zeros dropped (none if zero).
fn write_fraction(out: &mut Vec<u8>, fraction: u128, scale: u32) {
    if fraction == 0 {
        return;
    }
    let digits = format!("{fraction:0width$}", width = scale as usize);
    out.push(b'.');
    out.extend_from_slice(digits.trim_end_matches('0').as_bytes());
}

pub(crate) fn write_date(out: &mut Vec<u8>, day: Date) {
    let (y, m, d) = day.ymd();
    if !(0..=9999).contains(&y) {
        out.extend_from_slice(day.to_string().as_bytes());
        return;
    }
    let (y, m, d) = (y as u32, m, d);
    out.extend_from_slice(&[
        b'0' + (y / 1000) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
        b'-',
        b'0' + (m / 10) as u8,
        b'0' + (m % 10) as u8,
        b'-',
        b'0' + (d / 10) as u8,
        b'0' + (d % 10) as u8,
    ]);
}

/// Writes one CSV record, quoting the fields that need it (RFC 4180).
fn write_csv(out: &mut impl Write, fields: &[String]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if field.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", field.replace('"', "\"\""))?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

/// Unix seconds as an RFC 3339 UTC time: `2026-11-23T12:00:00Z`.
fn rfc3339(unix_seconds: i64) -> String {
    let day = Date::from_unix_seconds(unix_seconds);
    let second = unix_seconds.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}Z",
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Records that exercise every branch of the hand-written JSON: tiers, warnings, labels
    /// that need escaping, cache storage, an amount beyond u64 femto-dollars, price dates.
    pub(crate) fn records() -> Vec<PricedRecord> {
        let catalog = cost_core::Catalog::bundled();
        let today: Date = "2026-01-15".parse().unwrap();
        [
            r#"{"model": "claude-haiku-4-5", "usage": {"input_tokens": 550, "output_tokens": 100}}"#,
            r#"{"model": "gemini-2.5-pro", "usage": {"input_tokens": 250000, "cache_read_tokens": 1000, "output_tokens": 10}, "tags": {"phase": "say \"hi\"\n", "book": "Les Misérables"}}"#,
            r#"{"model": "claude-opus-4-1", "usage": {"input_tokens": 1000000000000000, "output_tokens": 1000000000000000, "reasoning_tokens": 5}, "batch": true, "at": "2024-01-01"}"#,
            r#"{"model": "gemini-2.5-pro", "usage": {"input_tokens": 20000, "cache_read_tokens": 10000, "cache_storage_token_hours": 150000, "output_tokens": 7}}"#,
            r#"{"model": "claude-sonnet-4-5-20250929", "usage_format": "anthropic", "usage": {"input_tokens": 12, "cache_creation_input_tokens": 4000, "cache_read_input_tokens": 20000, "output_tokens": 800}, "at": "2026-11-23"}"#,
            r#"{"model": "deepseek-chat", "usage": {"input_tokens": 0, "output_tokens": 0}, "batch": true}"#,
        ]
        .iter()
        .map(|line| {
            let request = cost_core::Request::from_json(line).unwrap();
            catalog.price_request(&request, today).unwrap()
        })
        .collect()
    }

    #[test]
    fn hand_written_json_is_byte_for_byte_serdes() {
        let records = records();
        assert!(records.iter().any(|r| r.tier.is_some()), "a tier");
        assert!(records.iter().any(|r| !r.warnings.is_empty()), "a warning");
        assert!(
            records.iter().any(|r| r.prices_from.is_some()),
            "a price date"
        );
        assert!(records
            .iter()
            .any(|r| r.usage.cache_storage_token_hours > 0));
        assert!(records
            .iter()
            .any(|r| u64::try_from(r.cost_usd.femto()).is_err()));
        // Twice, so the second time the prices and days come from the cache.
        let mut writer = RecordWriter::default();
        for record in records.iter().chain(&records) {
            let mut ours = b"{".to_vec();
            writer.write_members(&mut ours, record);
            ours.push(b'}');
            let serde = serde_json::to_string(record).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), serde);
        }
    }

    #[test]
    fn decimals_match_the_core() {
        let mut x: i128 = 1;
        for step in 0..200u32 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407)
                % 10i128.pow(step % 30 + 1);
            for value in [x, -x, x / 1000 * 1000, 0] {
                let mut ours = Vec::new();
                write_decimal::<15>(&mut ours, value);
                let core = cost_core::Usd::from_femto(value).to_decimal_string();
                assert_eq!(String::from_utf8(ours).unwrap(), core, "{value}");
                if let Ok(nano) = i64::try_from(value) {
                    let mut ours = Vec::new();
                    write_decimal::<9>(&mut ours, value);
                    let core = cost_core::UsdPerMtok::from_nano(nano).to_decimal_string();
                    assert_eq!(String::from_utf8(ours).unwrap(), core, "{value}");
                }
            }
        }
    }

    #[test]
    fn round_decimals_match_the_core() {
        for power in 0..36u32 {
            for digit in [1i128, 5, 7] {
                let value = digit * 10i128.pow(power);
                for value in [
                    value,
                    value + 1,
                    value - 1,
                    -value,
                    value.saturating_mul(100_000_000),
                ] {
                    let mut ours = Vec::new();
                    write_decimal::<15>(&mut ours, value);
                    let core = cost_core::Usd::from_femto(value).to_decimal_string();
                    assert_eq!(String::from_utf8(ours).unwrap(), core, "{value}");
                }
            }
        }
    }

    #[test]
    fn strings_are_written_as_serde_writes_them() {
        let mut texts: Vec<String> = [
            "",
            "a",
            "gpt-4o-mini",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "del\u{7f}",
            "Les Misérables",
            "\u{1}",
            "12345678",
            "1234567\"",
            "\"2345678",
            "phase-1234567-x\n",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        for byte in 0u8..=0x7f {
            texts.push(format!("abcdefgh{}ijk", byte as char));
            texts.push(format!("abc{}", byte as char));
        }
        // Every length, and a byte serde_json escapes (or a non-ASCII one) at every place.
        for len in 0..=17 {
            texts.push("a".repeat(len));
            for at in 0..len {
                for odd in ["\"", "\\", "\u{1}", "\u{1f}", "\u{7f}", "é", " "] {
                    let mut text = "b".repeat(len);
                    text.replace_range(at..at + 1, odd);
                    texts.push(text);
                }
            }
        }
        for text in texts {
            let mut ours = Vec::new();
            write_json_str(&mut ours, &text);
            assert_eq!(ours, serde_json::to_vec(&text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn integers_match_display() {
        let mut n = 1u64;
        let mut values = vec![0, u64::MAX];
        for _ in 0..20 {
            values.extend([n - 1, n, n + 1, n.saturating_mul(7) / 3]);
            n = n.saturating_mul(10);
        }
        for value in values {
            let mut ours = Vec::new();
            write_u64(&mut ours, value);
            assert_eq!(String::from_utf8(ours).unwrap(), value.to_string());
        }
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_435_199), "2026-11-23T11:59:59Z");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        write_csv(&mut out, &["a".into(), "b,c".into(), "say \"hi\"".into()]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,\"b,c\",\"say \"\"hi\"\"\"\n"
        );
    }
}
