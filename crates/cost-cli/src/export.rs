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
    store.for_each_call(filter, |call| {
        match format {
            ExportFormat::Csv => {
                csv_fields(&call, &mut fields);
                write_csv(out, &fields)?;
            }
            ExportFormat::Json => {
                line.clear();
                line.extend_from_slice(if first { b"\n" } else { b",\n" });
                write_json_call(&mut line, &call);
                out.write_all(&line)?;
            }
            ExportFormat::Jsonl => {
                line.clear();
                write_json_call(&mut line, &call);
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
fn write_json_call(out: &mut Vec<u8>, call: &StoredCall) {
    out.extend_from_slice(b"{\"id\":");
    write_i64(out, call.id);
    out.extend_from_slice(b",\"logged_at\":\"");
    out.extend_from_slice(rfc3339(call.logged_at).as_bytes());
    out.extend_from_slice(b"\",");
    write_record_members(out, &call.record);
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

/// Writes the fields of `record` as JSON object members, without the braces, exactly as
/// serde would (the same keys, order and text; a test compares the two), but without
/// allocating: `"model":"…","provider":"…","cost_usd":"…",…,"warnings":[…]`.
///
/// This is `llmcost cost`'s and `llmcost export`'s hot path: serde's route through
/// `Usd::to_decimal_string` allocates four strings per amount and thirteen amounts per record.
/// Callers write a record into a reused `Vec` and hand the line to their writer at once:
/// many small writes through a `BufWriter` cost more than the formatting.
/// Destructuring every struct makes a field added in cost-core a compile error here.
pub(crate) fn write_record_members(out: &mut Vec<u8>, record: &PricedRecord) {
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
    out.extend_from_slice(b"\",\"components\":{");
    for (name, component) in [
        (&b"\"input\":{\"tokens\":"[..], input),
        (b",\"cache_write_5m\":{\"tokens\":", cache_write_5m),
        (b",\"cache_write_1h\":{\"tokens\":", cache_write_1h),
        (b",\"cache_read\":{\"tokens\":", cache_read),
        (b",\"output\":{\"tokens\":", output),
        (b",\"cache_storage\":{\"tokens\":", cache_storage),
    ] {
        let Component {
            tokens,
            usd_per_mtok,
            usd,
        } = component;
        out.extend_from_slice(name);
        write_u64(out, *tokens);
        out.extend_from_slice(b",\"usd_per_mtok\":\"");
        write_decimal::<9>(out, i128::from(usd_per_mtok.nano()));
        out.extend_from_slice(b"\",\"usd\":\"");
        write_decimal::<15>(out, usd.femto());
        out.extend_from_slice(b"\"}");
    }
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
            out.extend_from_slice(if *inclusive {
                b",\"inclusive\":true,\"prompt_tokens\":"
            } else {
                b",\"inclusive\":false,\"prompt_tokens\":"
            });
            write_u64(out, *prompt_tokens);
            out.push(b'}');
        }
    }
    out.extend_from_slice(if *batch {
        b",\"batch\":true,\"at\":\""
    } else {
        b",\"batch\":false,\"at\":\""
    });
    write_date(out, *at);
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

fn write_json_str(out: &mut Vec<u8>, text: &str) {
    let plain = text
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f);
    if plain {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, text).expect("a Vec takes any write");
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
    let len = out.len();
    out.extend_from_slice(&(digits >> ((8 - count) * 8)).to_le_bytes());
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
    const { assert!(SCALE <= 19, "the decimals fit u64") };
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
    let (whole, mut fraction) = (magnitude / unit, magnitude % unit);
    write_u64(out, whole);
    if fraction != 0 {
        // Trailing zeros go, four at a time first: amounts are mostly zeros past the cent.
        let mut places = SCALE as usize;
        while fraction % 10_000 == 0 {
            fraction /= 10_000;
            places -= 4;
        }
        while fraction % 10 == 0 {
            fraction /= 10;
            places -= 1;
        }
        out.push(b'.');
        // Below 10^places: exactly `places` digits, leading zeros included.
        write_digits(out, fraction, places);
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
        for record in &records {
            let mut ours = b"{".to_vec();
            write_record_members(&mut ours, record);
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
