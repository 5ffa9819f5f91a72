//! Targets `log_line` (usage-log lines: `Request::from_json` and its tape decoder,
//! `RequestPricer::price_line` and `price_line_ref`, `LogReader::read_line` and
//! `read_line_ref`, `parse_log_line`, the one-pass and canonical readers) and `report`
//! (`ReportBuilder`, `RunEstimate::compare`, `Recommender`, `BudgetStatus` and
//! `with_estimate`, from their JSON input).
//!
//! Modes: 0 reads the rest as a log (one line each); any other draws request lines and
//! priced-record lines (and, for `report`, the report options, budget, run estimate and
//! expected cost) from the keys of each.
//!
//! Invariants (`log_line`): the fast paths give exactly what the serde_json path gives,
//! errors included, for every line; a priced line costs what its components add up to,
//! never less than zero; a priced record written as JSON reads back as itself. (`report`):
//! a report's groups add up to its total, and the reports of any split of a log add up to
//! the report of the whole; every record is counted once by a budget; nothing panics on any
//! limit, threshold or estimate the input decodes to.

use std::collections::BTreeMap;

use cost_core::{
    parse_log_line, Budget, BudgetStatus, Catalog, Error, ErrorKind, LogReader, PricedRecord,
    RecommendOptions, Recommender, Report, ReportOptions, Request, RequestPricer, RunEstimate, Usd,
};
use serde_json::{Map, Value};

use super::gen::Gen;

pub fn check_lines(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let lines: Vec<String> = if mode % 4 == 0 {
        String::from_utf8_lossy(rest)
            .lines()
            .map(str::to_string)
            .collect()
    } else {
        let mut g = Gen::new(rest);
        let mut lines = Vec::new();
        while !g.is_empty() && lines.len() < 16 {
            lines.push(line(&mut g));
        }
        lines
    };
    let defaults: BTreeMap<String, String> = if mode & 0x10 == 0 {
        BTreeMap::new()
    } else {
        BTreeMap::from([("run".to_string(), "r1".to_string())])
    };
    read_lines(&lines, &defaults);
}

/// Reads each line every way, comparing the ways; the records that read.
fn read_lines(lines: &[String], defaults: &BTreeMap<String, String>) -> Vec<PricedRecord> {
    let catalog = super::bundled();
    let today = super::today();
    let mut pricer = RequestPricer::new(catalog, today).with_default_tags(defaults.clone());
    let mut pricing_reader =
        LogReader::pricing(RequestPricer::new(catalog, today).with_default_tags(defaults.clone()));
    let mut reader = LogReader::new();
    // The in-place forms, which reuse one record from line to line: nothing of a line may
    // leak into the next.
    let mut pricer_in_place =
        RequestPricer::new(catalog, today).with_default_tags(defaults.clone());
    let mut pricing_reader_in_place =
        LogReader::pricing(RequestPricer::new(catalog, today).with_default_tags(defaults.clone()));
    let mut records = Vec::new();
    for line in lines {
        // The request decoder against the serde_json path.
        let fast = Request::from_json(line);
        let slow = slow_request(line);
        assert_eq!(fast, slow, "the fast decoder differs on {line:?}");

        // The pricer against decoding then pricing.
        let priced = pricer.price_line(line);
        let expected = fast.and_then(|mut request| {
            for (key, value) in defaults {
                request
                    .tags
                    .entry(key.clone())
                    .or_insert_with(|| value.clone());
            }
            catalog.price_request(&request, today)
        });
        assert_eq!(priced, expected, "the pricer differs on {line:?}");
        if let Ok(record) = &priced {
            check_record(record);
            pricer.recycle(record.clone());
        }
        let in_place = pricer_in_place.price_line_ref(line).cloned();
        assert_eq!(in_place, priced, "price_line_ref differs on {line:?}");

        // A log reader without a pricer against serde.
        let read = reader.read_line(line);
        let slow = slow_record(line);
        assert_eq!(
            read.is_ok(),
            slow.is_ok(),
            "the log reader differs on {line:?}: {read:?}"
        );
        if let (Ok(read), Ok(slow)) = (&read, &slow) {
            assert_eq!(read, slow, "the log reader differs on {line:?}");
        }

        // A log reader with a pricer: request lines priced, other lines as without one.
        let both = pricing_reader.read_line(line);
        if is_request(line) {
            let expected = priced
                .clone()
                .map(Some)
                .map_err(|e| format!("the request on this line could not be priced: {e}"));
            assert_eq!(both, expected, "the pricing reader differs on {line:?}");
        } else {
            assert_eq!(both, read, "the pricing reader differs on {line:?}");
        }
        let in_place = pricing_reader_in_place
            .read_line_ref(line)
            .map(|record| record.cloned());
        assert_eq!(in_place, both, "read_line_ref differs on {line:?}");
        if let Ok(Some(record)) = both {
            check_record(&record);
            records.push(record);
        }
    }
    records
}

/// [`Request::from_json`] through a `serde_json::Value`, as its slow path reads it.
fn slow_request(line: &str) -> Result<Request, Error> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("not valid JSON: {e}")))?;
    Request::from_value(&value)
}

/// A log line through serde, checked as `parse_log_line` documents.
fn slow_record(line: &str) -> Result<Option<PricedRecord>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let record: PricedRecord = serde_json::from_str(line).map_err(|e| e.to_string())?;
    record.usage.validate().map_err(|e| e.to_string())?;
    let mut sum = Usd::ZERO;
    for (name, c) in record.components.named() {
        if Usd::for_tokens(c.tokens, c.usd_per_mtok) != c.usd {
            return Err(format!("{name} does not add up"));
        }
        sum = sum.checked_add(c.usd).ok_or("overflow")?;
    }
    if sum != record.cost_usd {
        return Err("cost_usd does not add up".into());
    }
    Ok(Some(record))
}

/// Whether a pricing log reader takes `line` for a request.
fn is_request(line: &str) -> bool {
    match serde_json::from_str::<Value>(line.trim()) {
        Ok(Value::Object(map)) => {
            !map.contains_key("cost_usd")
                && (map.contains_key("usage") || map.contains_key("response"))
        }
        _ => false,
    }
}

/// The invariants of a priced record: its cost, and that it reads back as itself.
fn check_record(record: &PricedRecord) {
    super::check_usage(&record.usage);
    let mut sum = Usd::ZERO;
    for (name, c) in record.components.named() {
        assert!(
            c.usd >= Usd::ZERO && c.usd_per_mtok.nano() >= 0,
            "{name}: negative"
        );
        assert_eq!(c.usd, Usd::for_tokens(c.tokens, c.usd_per_mtok), "{name}");
        sum = sum.checked_add(c.usd).expect("no overflow");
    }
    assert_eq!(sum, record.cost_usd, "the components do not add up");
    let json = serde_json::to_string(record).expect("a record serializes");
    assert_eq!(
        parse_log_line(&json),
        Ok(Some(record.clone())),
        "{json} does not read back"
    );
}

const REQUEST_KEYS: &[&str] = &[
    "model",
    "usage",
    "usage_format",
    "response",
    "batch",
    "at",
    "tags",
];

/// One log line: a request (usage or response body), a priced record, or junk.
fn line(g: &mut Gen) -> String {
    let mut request = Map::new();
    match g.below(8) {
        0 => return g.text(40),
        1 => {
            let value = g.value(REQUEST_KEYS, 3);
            return g.json_text(&value);
        }
        2 => {
            request.insert("response".into(), response(g));
        }
        _ => {
            request.insert("model".into(), Value::from(g.name(super::MODELS)));
            let usage = if g.bool() {
                normalized(g)
            } else {
                Value::Object(super::usage::usage_object(g))
            };
            request.insert("usage".into(), usage);
        }
    }
    if g.below(3) == 0 {
        let format = g.pick(&[
            "normalized",
            "anthropic",
            "openai",
            "OpenAI_Chat",
            "openai-responses",
            "gemini",
            "openrouter",
            "other",
        ]);
        request.insert("usage_format".into(), Value::from(format));
    }
    if g.below(3) == 0 {
        let batch = if g.below(8) == 0 {
            g.value(&[], 0)
        } else {
            Value::Bool(g.bool())
        };
        request.insert("batch".into(), batch);
    }
    if g.bool() {
        request.insert("at".into(), Value::String(g.date_text()));
    }
    if g.bool() {
        let mut tags = Map::new();
        for _ in 0..g.below(4) {
            let key = g.key(&["phase", "run", "book", "category"]);
            let value = match g.below(6) {
                0 => g.value(&[], 0),
                _ => Value::from(g.name(&["a", "b", "image-prompts", "r1"])),
            };
            tags.insert(key, value);
        }
        request.insert("tags".into(), Value::Object(tags));
    }
    if g.below(16) == 0 {
        let key = g.key(REQUEST_KEYS);
        let value = g.value(REQUEST_KEYS, 1);
        request.insert(key, value);
    }
    let request = Value::Object(request);
    // Now and then the record it becomes instead, as `llmcost cost` writes it, or altered.
    if g.below(4) == 0 {
        let text = serde_json::to_string(&request).unwrap_or_default();
        if let Ok(record) = price_request_line(super::bundled(), &text) {
            let mut value = serde_json::to_value(record).unwrap_or_default();
            if let (Value::Object(map), true) = (&mut value, g.below(3) == 0) {
                let key = g.key(&[
                    "cost_usd",
                    "components",
                    "usage",
                    "at",
                    "tier",
                    "line",
                    "warnings",
                ]);
                let replacement = g.value(&["input_tokens", "tokens", "usd", "usd_per_mtok"], 2);
                map.insert(key, replacement);
            }
            return g.json_text(&value);
        }
    }
    g.json_text(&request)
}

/// A usage in llmcost's own shape, valid or nearly.
fn normalized(g: &mut Gen) -> Value {
    let mut usage = Map::new();
    let input = g.count();
    usage.insert("input_tokens".into(), Value::from(input));
    for key in [
        "cache_read_tokens",
        "cache_write_5m_tokens",
        "output_tokens",
        "reasoning_tokens",
    ] {
        if g.bool() {
            let count = if g.bool() { input / 4 } else { g.count() };
            usage.insert(key.into(), Value::from(count));
        }
    }
    Value::Object(usage)
}

/// A response body of any provider, with the usage it reports.
fn response(g: &mut Gen) -> Value {
    let usage = Value::Object(super::usage::usage_object(g));
    let model = Value::from(g.name(super::MODELS));
    match g.below(4) {
        0 => serde_json::json!({ "type": "message", "model": model, "usage": usage }),
        1 => serde_json::json!({ "object": "chat.completion", "model": model, "usage": usage }),
        2 => serde_json::json!({ "modelVersion": model, "usageMetadata": usage }),
        _ => serde_json::json!({ "object": "response", "model": model, "usage": usage }),
    }
}

/// Prices a request line the plain way.
fn price_request_line(catalog: &Catalog, line: &str) -> Result<PricedRecord, Error> {
    catalog.price_request(&Request::from_json(line)?, super::today())
}

// ------------------------------------------------------------------------------------------
// Reports and budgets

pub fn check_report(data: &[u8]) {
    let Some((mode, rest)) = super::mode(data) else {
        return;
    };
    let mut g = Gen::new(&[]);
    let lines: Vec<String> = if mode % 4 == 0 {
        String::from_utf8_lossy(rest)
            .lines()
            .map(str::to_string)
            .collect()
    } else {
        g = Gen::new(rest);
        let count = g.below(12);
        (0..count).map(|_| line(&mut g)).collect()
    };
    let records = read_lines(&lines, &BTreeMap::new());

    // A report, by keys and a filter from the input.
    let options = decoded::<ReportOptions>(&mut g, report_options).unwrap_or_default();
    if let Ok(report) = Report::build(options.clone(), &records) {
        check_report_sums(&report, &records, &options);
    }

    // Recommendations.
    let recommend = decoded::<RecommendOptions>(&mut g, |g| {
        let mut map = Map::new();
        for key in [
            "cache_min_calls",
            "cache_low_hit_percent",
            "cache_prefix_percent",
            "cache_default_min_tokens",
        ] {
            if g.bool() {
                map.insert(key.into(), Value::from(g.count()));
            }
        }
        Value::Object(map)
    })
    .unwrap_or_default();
    if let Ok(mut recommender) = Recommender::new(super::bundled(), recommend) {
        for record in &records {
            recommender.add(record);
        }
        let recommendations = recommender.finish();
        let _ = recommendations.to_csv();
        for item in &recommendations.items {
            assert!(item.saving_usd >= Usd::ZERO, "a negative saving: {item:?}");
        }
    }

    // An estimate beside the report of its run.
    if let Some(estimate) = decoded::<RunEstimate>(&mut g, run_estimate) {
        let report = Report::build(estimate.report_options(), &records).expect("valid options");
        if let Ok(comparison) = estimate.compare(&report) {
            let _ = comparison.to_csv();
            let _ = serde_json::to_string(&comparison).expect("a comparison serializes");
        }
    }

    // A budget, as of a day, and an estimate's effect on it.
    // A raw log gets a budget small enough for its records to set off alerts.
    let budget = decoded::<Budget>(&mut g, budget).unwrap_or(Budget {
        monthly_limit_usd: Usd::from_femto(5_000_000_000_000_000),
        daily_limit_usd: Some(Usd::from_femto(1_000_000_000_000_000)),
        alert_percents: vec![50, 80, 100],
    });
    let today = g.date_text().parse().unwrap_or_else(|_| super::today());
    if let Ok(status) = BudgetStatus::of(budget, today, &records) {
        let counted =
            status.records_counted + status.records_outside_month + status.records_after_today;
        assert_eq!(
            counted,
            records.len() as u64,
            "a budget miscounts its records"
        );
        assert!(status.month_to_date_usd >= Usd::ZERO && status.today_usd >= Usd::ZERO);
        let _ = serde_json::to_string(&status).expect("a status serializes");
        let expected = match g.decimal_text() {
            text if text.is_empty() => "0.5".to_string(),
            text => text,
        };
        if let Ok(expected) = expected.parse::<Usd>() {
            if let Ok(impact) = status.with_estimate(expected) {
                let _ = serde_json::to_string(&impact).expect("an impact serializes");
            }
        }
    }
}

/// A value decoded from the JSON text of a value `draw` makes, as users' files give it.
fn decoded<T: serde::de::DeserializeOwned>(g: &mut Gen, draw: fn(&mut Gen) -> Value) -> Option<T> {
    let value = draw(g);
    serde_json::from_str(&g.json_text(&value)).ok()
}

fn report_options(g: &mut Gen) -> Value {
    let keys = [
        "model",
        "provider",
        "day",
        "week",
        "month",
        "batch",
        "phase",
        "run",
        "tag:batch",
        "calls",
    ];
    let by: Vec<Value> = (0..g.below(4))
        .map(|_| Value::from(g.pick(&keys)))
        .collect();
    let mut filter = Map::new();
    for key in ["since", "until"] {
        if g.below(4) == 0 {
            filter.insert(key.into(), Value::String(g.date_text()));
        }
    }
    if g.below(4) == 0 {
        filter.insert("model".into(), Value::from(g.name(super::MODELS)));
    }
    if g.below(4) == 0 {
        filter.insert("tags".into(), serde_json::json!({ "run": "r1" }));
    }
    serde_json::json!({ "by": by, "where": filter })
}

fn run_estimate(g: &mut Gen) -> Value {
    let phases: Vec<Value> = (0..g.below(4))
        .map(|_| {
            let mut amount = || match g.below(4) {
                0 => g
                    .pick(&["1e23", "170141183460469231731", "9999999999999999.5", "0"])
                    .to_string(),
                _ => g.decimal_text(),
            };
            let mut amounts = [amount(), amount(), amount()];
            if g.below(4) != 0 {
                amounts.sort_by_key(|a| a.parse::<Usd>().unwrap_or_default());
            }
            serde_json::json!({
                "phase": g.name(&["a", "b", "image-prompts"]),
                "low_usd": amounts[0],
                "expected_usd": amounts[1],
                "high_usd": amounts[2],
            })
        })
        .collect();
    let mut estimate = serde_json::json!({ "phases": phases });
    if g.bool() {
        estimate["run"] = Value::from("r1");
    }
    estimate
}

fn budget(g: &mut Gen) -> Value {
    let mut budget = Map::new();
    budget.insert("monthly_limit_usd".into(), Value::String(g.decimal_text()));
    if g.bool() {
        budget.insert("daily_limit_usd".into(), Value::String(g.decimal_text()));
    }
    if g.bool() {
        let alerts: Vec<Value> = (0..g.below(4))
            .map(|_| Value::from(g.in_range(0, 1_200)))
            .collect();
        budget.insert("alert_percents".into(), Value::Array(alerts));
    }
    Value::Object(budget)
}

/// A report's sums: its groups add up to its total, and reports of the two halves of the
/// records add up to it too.
fn check_report_sums(report: &Report, records: &[PricedRecord], options: &ReportOptions) {
    let counted = records.iter().filter(|r| options.filter.matches(r)).count() as u64;
    assert_eq!(report.records_seen, records.len() as u64);
    assert_eq!(report.records_filtered_out, records.len() as u64 - counted);
    assert_eq!(report.total.calls, counted);
    let mut total = cost_core::Spend::default();
    for group in &report.groups {
        total.merge(&group.spend);
    }
    assert_eq!(total, report.total, "the groups do not add up to the total");
    for pair in report.groups.windows(2) {
        assert!(
            pair[0].spend.cost_usd >= pair[1].spend.cost_usd,
            "groups out of order"
        );
    }
    let half = records.len() / 2;
    let first = Report::build(options.clone(), &records[..half]).expect("the options were fine");
    let second = Report::build(options.clone(), &records[half..]).expect("the options were fine");
    let mut halves = first.total;
    halves.merge(&second.total);
    assert_eq!(
        halves, report.total,
        "a split log does not add up to the whole"
    );
    let _ = report.to_csv();
    let json: Value = serde_json::from_str(&report.to_json()).expect("a report is JSON");
    assert!(json.is_object());
}
