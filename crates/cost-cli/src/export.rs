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
    store.for_each_call(filter, |call| {
        match format {
            ExportFormat::Csv => {
                csv_fields(&call, &mut fields);
                write_csv(out, &fields)?;
            }
            ExportFormat::Json => {
                out.write_all(if first { b"\n" } else { b",\n" })?;
                write_json_call(out, &call)?;
            }
            ExportFormat::Jsonl => {
                write_json_call(out, &call)?;
                out.write_all(b"\n")?;
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
fn write_json_call(out: &mut impl Write, call: &StoredCall) -> io::Result<()> {
    write!(
        out,
        "{{\"id\":{},\"logged_at\":\"{}\",",
        call.id,
        rfc3339(call.logged_at)
    )?;
    write_record_members(out, &call.record)?;
    out.write_all(b"}")
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
/// Destructuring every struct makes a field added in cost-core a compile error here.
pub(crate) fn write_record_members(out: &mut impl Write, record: &PricedRecord) -> io::Result<()> {
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
    out.write_all(b"\"model\":")?;
    write_json_str(out, model)?;
    out.write_all(b",\"provider\":")?;
    write_json_str(out, provider)?;
    out.write_all(b",\"cost_usd\":\"")?;
    write_decimal(out, cost_usd.femto(), 15)?;
    let Components {
        input,
        cache_write_5m,
        cache_write_1h,
        cache_read,
        output,
        cache_storage,
    } = components;
    out.write_all(b"\",\"components\":{")?;
    for (i, (name, component)) in [
        ("input", input),
        ("cache_write_5m", cache_write_5m),
        ("cache_write_1h", cache_write_1h),
        ("cache_read", cache_read),
        ("output", output),
        ("cache_storage", cache_storage),
    ]
    .into_iter()
    .enumerate()
    {
        let Component {
            tokens,
            usd_per_mtok,
            usd,
        } = component;
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"\"")?;
        out.write_all(name.as_bytes())?;
        out.write_all(b"\":{\"tokens\":")?;
        write_u64(out, *tokens)?;
        out.write_all(b",\"usd_per_mtok\":\"")?;
        write_decimal(out, i128::from(usd_per_mtok.nano()), 9)?;
        out.write_all(b"\",\"usd\":\"")?;
        write_decimal(out, usd.femto(), 15)?;
        out.write_all(b"\"}")?;
    }
    out.write_all(b"},\"tier\":")?;
    match tier {
        None => out.write_all(b"null")?,
        Some(AppliedTier {
            above_tokens,
            inclusive,
            prompt_tokens,
        }) => {
            out.write_all(b"{\"above_tokens\":")?;
            write_u64(out, *above_tokens)?;
            out.write_all(if *inclusive {
                b",\"inclusive\":true,\"prompt_tokens\":"
            } else {
                b",\"inclusive\":false,\"prompt_tokens\":"
            })?;
            write_u64(out, *prompt_tokens)?;
            out.write_all(b"}")?;
        }
    }
    out.write_all(if *batch {
        b",\"batch\":true,\"at\":\""
    } else {
        b",\"batch\":false,\"at\":\""
    })?;
    write_date(out, *at)?;
    out.write_all(b"\",\"prices_from\":")?;
    match prices_from {
        None => out.write_all(b"null")?,
        Some(day) => {
            out.write_all(b"\"")?;
            write_date(out, *day)?;
            out.write_all(b"\"")?;
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
    out.write_all(b",\"usage\":{\"input_tokens\":")?;
    write_u64(out, *input_tokens)?;
    out.write_all(b",\"cache_read_tokens\":")?;
    write_u64(out, *cache_read_tokens)?;
    out.write_all(b",\"cache_write_5m_tokens\":")?;
    write_u64(out, *cache_write_5m_tokens)?;
    out.write_all(b",\"cache_write_1h_tokens\":")?;
    write_u64(out, *cache_write_1h_tokens)?;
    out.write_all(b",\"output_tokens\":")?;
    write_u64(out, *output_tokens)?;
    out.write_all(b",\"reasoning_tokens\":")?;
    write_u64(out, *reasoning_tokens)?;
    if *cache_storage_token_hours != 0 {
        out.write_all(b",\"cache_storage_token_hours\":")?;
        write_u64(out, *cache_storage_token_hours)?;
    }
    out.write_all(b"},\"tags\":{")?;
    for (i, (key, value)) in tags.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_json_str(out, key)?;
        out.write_all(b":")?;
        write_json_str(out, value)?;
    }
    out.write_all(b"},\"warnings\":[")?;
    for (i, Warning { kind, message }) in warnings.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"kind\":")?;
        serde_json::to_writer(&mut *out, kind)?;
        out.write_all(b",\"message\":")?;
        write_json_str(out, message)?;
        out.write_all(b"}")?;
    }
    out.write_all(b"]")
}

fn write_json_str(out: &mut impl Write, text: &str) -> io::Result<()> {
    let plain = text
        .bytes()
        .all(|b| b >= 0x20 && b != b'"' && b != b'\\' && b < 0x7f);
    if plain {
        out.write_all(b"\"")?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(&mut *out, text).map_err(io::Error::from)
    }
}

fn write_u64(out: &mut impl Write, mut n: u64) -> io::Result<()> {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.write_all(&buf[i..])
}

/// `value × 10^-scale` as exact decimal text without trailing zeros, as cost-core's
/// `to_decimal_string` writes it (`"0.00084"`, `"12"`, `"-0.5"`).
pub(crate) fn write_decimal(out: &mut impl Write, value: i128, scale: u32) -> io::Result<()> {
    // 39 digits, a sign and a point at most.
    let mut buf = [0u8; 48];
    let mut i = match u64::try_from(value.unsigned_abs()) {
        // Every real amount: u64 division by a constant is a multiplication, u128's a call.
        Ok(0) => return out.write_all(b"0"),
        Ok(v) => {
            let unit = 10u64.pow(scale);
            decimal_digits(v / unit, v % unit, scale, &mut buf)
        }
        Err(_) => {
            let (v, unit) = (value.unsigned_abs(), 10u128.pow(scale));
            decimal_digits(v / unit, v % unit, scale, &mut buf)
        }
    };
    if value < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    out.write_all(&buf[i..])
}

/// Writes `whole.fraction` (`fraction` being `scale` decimal places) right-aligned into
/// `buf`, without trailing zeros, returning where it starts.
fn decimal_digits<T>(mut whole: T, mut fraction: T, scale: u32, buf: &mut [u8; 48]) -> usize
where
    T: Copy + PartialEq + From<u32> + std::ops::Div<Output = T> + std::ops::Rem<Output = T>,
    u8: TryFrom<T>,
{
    let (zero, ten, ten_thousand) = (T::from(0), T::from(10), T::from(10_000));
    let digit = |v: T| u8::try_from(v % ten).unwrap_or(0);
    let mut i = buf.len();
    if fraction != zero {
        // Trailing zeros go, four at a time first: amounts are mostly zeros past the cent.
        let mut places = scale;
        while fraction % ten_thousand == zero {
            fraction = fraction / ten_thousand;
            places -= 4;
        }
        while fraction % ten == zero {
            fraction = fraction / ten;
            places -= 1;
        }
        for _ in 0..places {
            i -= 1;
            buf[i] = b'0' + digit(fraction);
            fraction = fraction / ten;
        }
        i -= 1;
        buf[i] = b'.';
    }
    loop {
        i -= 1;
        buf[i] = b'0' + digit(whole);
        whole = whole / ten;
        if whole == zero {
            return i;
        }
    }
}

pub(crate) fn write_date(out: &mut impl Write, day: Date) -> io::Result<()> {
    let (y, m, d) = day.ymd();
    if !(0..=9999).contains(&y) {
        return write!(out, "{day}");
    }
    let (y, m, d) = (y as u32, m, d);
    out.write_all(&[
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
    ])
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
            write_record_members(&mut ours, record).unwrap();
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
                write_decimal(&mut ours, value, 15).unwrap();
                let core = cost_core::Usd::from_femto(value).to_decimal_string();
                assert_eq!(String::from_utf8(ours).unwrap(), core, "{value}");
                if let Ok(nano) = i64::try_from(value) {
                    let mut ours = Vec::new();
                    write_decimal(&mut ours, value, 9).unwrap();
                    let core = cost_core::UsdPerMtok::from_nano(nano).to_decimal_string();
                    assert_eq!(String::from_utf8(ours).unwrap(), core, "{value}");
                }
            }
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
