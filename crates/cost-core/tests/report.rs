//! Reports over usage logs: the cases of `tests/fixtures/reports.json` (grouping, filters,
//! estimates beside actual costs, recommendations, exports, bad lines) through one `check`,
//! the shared log kept current with the catalog, and the laws of grouping as property tests.
//!
//! Money is compared as exact decimal strings, never as floats.

use std::collections::BTreeMap;

use cost_core::{
    parse_log_line, read_log, Catalog, Component, Components, Date, Filter, GroupKey, LogTotal,
    PriceOptions, PricedRecord, RecommendOptions, Recommender, Report, ReportOptions, RunEstimate,
    Spend, Usage, Usd, UsdPerMtok, COMPARISON_CSV_COLUMNS, RECOMMENDATION_CSV_COLUMNS,
    REPORT_CSV_COLUMNS,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const CASES: &str = include_str!("../../../tests/fixtures/reports.json");
const USAGE_LOG: &str = include_str!("../../../tests/fixtures/usage-log.jsonl");

fn log_text(input: &Value) -> String {
    match (input.get("log"), input.get("lines")) {
        (Some(Value::String(file)), None) => {
            assert_eq!(file, "usage-log.jsonl", "the only shared log");
            USAGE_LOG.to_string()
        }
        (None, Some(Value::Array(lines))) => lines
            .iter()
            .map(|l| l.as_str().expect("lines are strings"))
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("input needs `log` or `lines`, got {other:?}"),
    }
}

fn error_value(error: &cost_core::Error) -> Value {
    json!({"kind": error.kind().as_str(), "path": error.path(), "message": error.to_string()})
}

/// Runs one case and returns what it produced, shaped like `expected`.
fn run(input: &Value) -> Value {
    let text = log_text(input);
    let (records, line_errors) = read_log(&text);
    let mut out = serde_json::Map::new();
    out.insert(
        "line_errors".into(),
        line_errors
            .iter()
            .map(|e| json!({"line": e.line, "reason": e.reason}))
            .collect(),
    );
    if let Some(estimate) = input.get("estimate") {
        let estimate: RunEstimate = serde_json::from_value(estimate.clone()).expect("estimate");
        let result = Report::build(estimate.report_options(), &records)
            .and_then(|report| estimate.compare(&report));
        match result {
            Ok(comparison) => {
                out.insert("csv".into(), comparison.to_csv().into());
                out.insert(
                    "comparison".into(),
                    serde_json::to_value(&comparison).unwrap(),
                );
            }
            Err(e) => {
                out.insert("error".into(), error_value(&e));
            }
        }
    } else if let Some(options) = input.get("recommend") {
        let options: RecommendOptions =
            serde_json::from_value(options.clone()).expect("recommend options");
        let catalog = Catalog::bundled();
        match Recommender::new(&catalog, options) {
            Ok(mut recommender) => {
                for record in &records {
                    recommender.add(record);
                }
                let recommendations = recommender.finish();
                out.insert("csv".into(), recommendations.to_csv().into());
                out.insert(
                    "recommendations".into(),
                    serde_json::to_value(&recommendations).unwrap(),
                );
            }
            Err(e) => {
                out.insert("error".into(), error_value(&e));
            }
        }
    } else if let Some(options) = input.get("report") {
        let options: ReportOptions = serde_json::from_value(options.clone()).expect("options");
        match Report::build(options, &records) {
            Ok(report) => {
                out.insert("csv".into(), report.to_csv().into());
                let json: Value = serde_json::from_str(&report.to_json()).unwrap();
                out.insert("report".into(), json);
            }
            Err(e) => {
                out.insert("error".into(), error_value(&e));
            }
        }
    } else {
        panic!("input needs `report`, `estimate` or `recommend`");
    }
    Value::Object(out)
}

/// Every field `expected` gives must be in `actual` with the same value; arrays must have
/// the same length, element by element.
fn assert_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let Some(found) = a.get(key) else {
                    panic!("{path}.{key}: missing in {actual}");
                };
                assert_subset(value, found, &format!("{path}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(
                e.len(),
                a.len(),
                "{path}: {} items expected, got {}: {actual:#}",
                e.len(),
                a.len()
            );
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                assert_subset(e, a, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn check(case: &Value) {
    let name = case["name"].as_str().expect("name");
    for field in ["source", "working", "input", "expected"] {
        assert!(case.get(field).is_some(), "{name}: no `{field}`");
    }
    let actual = run(&case["input"]);
    let expected = &case["expected"];
    if let Some(error) = expected.get("error") {
        let Some(got) = actual.get("error") else {
            panic!("{name}: expected an error, got {actual:#}");
        };
        assert_eq!(got["kind"], error["kind"], "{name}");
        assert_eq!(got["path"], error["path"], "{name}");
        let contains = error["contains"].as_str().unwrap();
        let message = got["message"].as_str().unwrap();
        assert!(
            message.contains(contains),
            "{name}: `{message}` lacks `{contains}`"
        );
        return;
    }
    assert!(actual.get("error").is_none(), "{name}: {}", actual["error"]);
    let expected_errors = expected
        .get("line_errors")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let got_errors = actual["line_errors"].as_array().unwrap();
    assert_eq!(
        expected_errors.len(),
        got_errors.len(),
        "{name}: line errors {got_errors:#?}"
    );
    for (e, g) in expected_errors.iter().zip(got_errors) {
        assert_eq!(e["line"], g["line"], "{name}");
        let contains = e["contains"].as_str().unwrap();
        let reason = g["reason"].as_str().unwrap();
        assert!(
            reason.contains(contains),
            "{name}: `{reason}` lacks `{contains}`"
        );
    }
    for key in ["report", "comparison", "recommendations"] {
        if let Some(e) = expected.get(key) {
            let Some(a) = actual.get(key) else {
                panic!("{name}: no {key} in {actual:#}");
            };
            assert_subset(e, a, &format!("{name}: {key}"));
        }
    }
    if let Some(csv) = expected.get("csv") {
        assert_eq!(actual["csv"], *csv, "{name}: csv");
    }
}

#[test]
fn report_fixtures() {
    let cases: Vec<Value> = serde_json::from_str(CASES).expect("reports.json parses");
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    for case in &cases {
        assert!(
            names.insert(case["name"].as_str().unwrap()),
            "duplicate name"
        );
        check(case);
    }
}

/// The shared log is what `llmcost cost` prints today: every record reprices to itself on
/// the bundled catalog. When a price changes, regenerate the log (tests/fixtures/README.md).
#[test]
fn usage_log_is_current_with_the_catalog() {
    let (records, errors) = read_log(USAGE_LOG);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(records.len() >= 300, "only {} records", records.len());
    let catalog = Catalog::bundled();
    for (i, record) in records.iter().enumerate() {
        let name = format!("{}/{}", record.provider, record.model);
        let options = PriceOptions {
            at: record.at,
            batch: record.batch,
        };
        let cost = catalog
            .price(&name, &record.usage, options)
            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(cost.total_usd, record.cost_usd, "line {}: stale", i + 1);
        assert_eq!(cost.components, record.components, "line {}", i + 1);
    }
}

#[test]
fn csv_columns_are_stable() {
    assert_eq!(
        REPORT_CSV_COLUMNS.join(","),
        "calls,batch_calls,input_tokens,uncached_input_tokens,cache_read_tokens,\
         cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,\
         cache_storage_token_hours,input_usd,cache_write_5m_usd,cache_write_1h_usd,\
         cache_read_usd,output_usd,cache_storage_usd,cost_usd"
    );
    assert_eq!(
        COMPARISON_CSV_COLUMNS.join(","),
        "phase,estimate_low_usd,estimate_expected_usd,estimate_high_usd,actual_usd,calls,\
         difference_usd,ratio,verdict"
    );
    assert_eq!(
        RECOMMENDATION_CSV_COLUMNS.join(","),
        "kind,phase,provider,model,suggested_model,calls,actual_usd,alternative_usd,\
         saving_usd,assumed_prefix_tokens,message"
    );
}

#[test]
fn group_keys_parse_and_display() {
    let keys =
        GroupKey::parse_list("model, phase,day,week,month,provider,batch,tag:batch,book").unwrap();
    assert_eq!(
        keys,
        vec![
            GroupKey::Model,
            GroupKey::tag("phase"),
            GroupKey::Day,
            GroupKey::Week,
            GroupKey::Month,
            GroupKey::Provider,
            GroupKey::Batch,
            GroupKey::tag("batch"),
            GroupKey::tag("book"),
        ]
    );
    let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown.join(","),
        "model,phase,day,week,month,provider,batch,tag:batch,book"
    );
    assert_eq!(GroupKey::tag("calls").to_string(), "tag:calls");
    for shown in &shown {
        assert_eq!(
            shown.parse::<GroupKey>().unwrap().to_string(),
            *shown,
            "round trip"
        );
    }
    assert!(GroupKey::parse_list("model,,day").is_err());
    assert!(GroupKey::parse_list("tag:").is_err());
    assert!(GroupKey::parse_list("day,day").is_err());
}

// ------------------------------------------------------------------------------------------
// Property tests

const MODELS: [(&str, &str); 4] = [
    ("anthropic", "claude-haiku-4-5"),
    ("anthropic", "claude-sonnet-4-5"),
    ("openai", "gpt-5-mini"),
    ("google", "gemini-2.5-flash"),
];
const PHASES: [Option<&str>; 4] = [None, Some("draft"), Some("edit"), Some("final")];
const RUNS: [Option<&str>; 3] = [None, Some("r1"), Some("r2")];

fn component(tokens: u64, nano: i64) -> Component {
    let price = UsdPerMtok::from_nano(nano);
    Component {
        tokens,
        usd_per_mtok: price,
        usd: Usd::for_tokens(tokens, price),
    }
}

/// A record with arbitrary but self-consistent amounts; a report only adds them up.
fn record(
    (model, day, batch, phase, run): (usize, i32, bool, usize, usize),
    (input, cached, output, nano): (u64, u64, u64, i64),
) -> PricedRecord {
    let cached = cached.min(input);
    let components = Components {
        input: component(input - cached, nano),
        cache_write_5m: component(0, nano),
        cache_write_1h: component(0, nano),
        cache_read: component(cached, nano / 10),
        output: component(output, nano * 5),
        cache_storage: component(0, 0),
    };
    let cost_usd = components.named().iter().map(|(_, c)| c.usd).sum();
    let mut tags = BTreeMap::new();
    if let Some(phase) = PHASES[phase] {
        tags.insert("phase".to_string(), phase.to_string());
    }
    if let Some(run) = RUNS[run] {
        tags.insert("run".to_string(), run.to_string());
    }
    // Days from 2026-12-20 to 2027-01-13: across a month, a year and an ISO week-year.
    let start = Date::from_ymd(2026, 12, 20).unwrap().days_since_epoch();
    PricedRecord {
        model: MODELS[model].1.to_string(),
        provider: MODELS[model].0.to_string(),
        cost_usd,
        components,
        tier: None,
        batch,
        at: Date::from_unix_seconds(i64::from(start + day) * 86_400),
        prices_from: None,
        usage: Usage {
            input_tokens: input,
            cache_read_tokens: cached,
            output_tokens: output,
            ..Usage::default()
        },
        tags,
        warnings: Vec::new(),
    }
}

fn records() -> impl Strategy<Value = Vec<PricedRecord>> {
    prop::collection::vec(
        (
            (
                0..MODELS.len(),
                0..25i32,
                any::<bool>(),
                0..PHASES.len(),
                0..RUNS.len(),
            ),
            (
                0..2_000_000u64,
                0..2_000_000u64,
                0..100_000u64,
                1..20_000_000_000i64,
            ),
        )
            .prop_map(|(a, b)| record(a, b)),
        0..60,
    )
}

const ALL_KEYS: [&str; 8] = [
    "model", "provider", "day", "week", "month", "batch", "phase", "run",
];

fn keys() -> impl Strategy<Value = Vec<GroupKey>> {
    prop::sample::subsequence(ALL_KEYS.to_vec(), 0..=ALL_KEYS.len())
        .prop_shuffle()
        .prop_map(|names| names.iter().map(|n| n.parse().unwrap()).collect())
}

fn by(keys: &[GroupKey]) -> ReportOptions {
    ReportOptions {
        by: keys.to_vec(),
        filter: Filter::default(),
    }
}

fn sum(spends: impl IntoIterator<Item = Spend>) -> Spend {
    let mut total = Spend::default();
    for spend in spends {
        total.merge(&spend);
    }
    total
}

fn groups(report: &Report) -> BTreeMap<Vec<Option<String>>, Spend> {
    report
        .groups
        .iter()
        .map(|g| (g.key.clone(), g.spend))
        .collect()
}

/// Issue 7 (fuzz target `report`): two phases estimated at $10^23 each overflowed `i128`
/// when the comparison added them up. An estimate above $10^16 is refused now, naming it.
#[test]
fn an_estimate_beyond_any_real_one_is_refused_not_overflowed() {
    let phase = |name: &str, usd: &str| json!({ "phase": name, "low_usd": usd, "expected_usd": usd, "high_usd": usd });
    let huge = "100000000000000000000000";
    let estimate: RunEstimate =
        serde_json::from_value(json!({ "phases": [phase("a", huge), phase("b", huge)] })).unwrap();
    let report = Report::build(estimate.report_options(), &[]).unwrap();
    let error = estimate.compare(&report).unwrap_err();
    assert_eq!(error.path(), Some("phases[0].high_usd"), "{error}");
    let largest = "10000000000000000";
    let estimate: RunEstimate =
        serde_json::from_value(json!({ "phases": [phase("a", largest), phase("b", largest)] }))
            .unwrap();
    let comparison = estimate.compare(&report).unwrap();
    let total = comparison.total.estimate.unwrap();
    assert_eq!(total.expected_usd.to_decimal_string(), "20000000000000000");
}

/// Issue 4: a priced record may claim amounts up to about 10^38 femto-dollars (u64 tokens at
/// the largest `i64` price) and still add up, so a hostile log could pass `i128` when its
/// components or its records are summed. The components of a record are added with checked
/// arithmetic, and a reader counts records through a `LogTotal`, which refuses the record
/// that would take the total past 10^33 femto-dollars ($10^18), naming why.
#[test]
fn absurd_amounts_are_refused_not_overflowed() {
    let largest = component(u64::MAX, i64::MAX);
    let line = |components: Components| {
        let cost_usd = components
            .named()
            .iter()
            .try_fold(Usd::ZERO, |sum, (_, c)| sum.checked_add(c.usd));
        let mut record = record((0, 1, false, 0, 0), (10, 0, 1, 1_000));
        record.components = components;
        // Written as the sum would be if it did not overflow: any amount will do.
        record.cost_usd = cost_usd.unwrap_or(Usd::from_femto(i128::MAX));
        serde_json::to_string(&record).unwrap()
    };
    let free = component(0, 0);
    let nothing = Components {
        input: free,
        cache_write_5m: free,
        cache_write_1h: free,
        cache_read: free,
        output: free,
        cache_storage: free,
    };
    let mut one = Components {
        input: largest,
        ..nothing
    };
    // One such component adds up: the record reads, but no total may count it.
    let record = parse_log_line(&line(one)).unwrap().unwrap();
    assert_eq!(record.cost_usd, largest.usd);
    let error = LogTotal::default().add_record(&record).unwrap_err();
    assert!(error.contains("more than llmcost adds up"), "{error}");
    // Two of them overflow the sum of the components.
    one.output = largest;
    let error = parse_log_line(&line(one)).unwrap_err();
    assert!(error.contains("more than llmcost can count"), "{error}");

    // Records of $10^17 each: ten are counted (cost and components, twice the bound's
    // $10^18), the eleventh is refused and leaves the total as it was.
    let big = component(1_000_000_000_000_000, 100_000_000_000_000_000);
    let mut total = LogTotal::default();
    let record = parse_log_line(&line(Components {
        input: big,
        ..nothing
    }))
    .unwrap()
    .unwrap();
    assert_eq!(record.cost_usd.to_decimal_string(), "100000000000000000");
    for _ in 0..10 {
        total.add_record(&record).unwrap();
    }
    let before = total;
    assert!(total.add_record(&record).is_err());
    assert_eq!(total, before);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The groups of any grouping are a partition: they add up to the total, exactly, and the
    /// total is the sum of the records.
    #[test]
    fn groups_add_up_to_the_total(log in records(), keys in keys()) {
        let report = Report::build(by(&keys), &log).unwrap();
        let mut direct = Spend::default();
        for record in &log {
            direct.add(record);
        }
        prop_assert_eq!(report.total, direct);
        prop_assert_eq!(sum(report.groups.iter().map(|g| g.spend)), report.total);
        prop_assert_eq!(report.total.cost_usd, log.iter().map(|r| r.cost_usd).sum::<Usd>());
        // Sorted by cost, descending, ties by key; keys distinct.
        for pair in report.groups.windows(2) {
            prop_assert!(
                pair[0].spend.cost_usd > pair[1].spend.cost_usd
                    || (pair[0].spend.cost_usd == pair[1].spend.cost_usd && pair[0].key < pair[1].key)
            );
        }
        if keys.is_empty() && !log.is_empty() {
            prop_assert_eq!(report.groups.len(), 1);
        }
    }

    /// Splitting a log anywhere and reporting each part gives the same groups, summed, as
    /// reporting the whole log.
    #[test]
    fn any_split_of_a_log_adds_up(log in records(), keys in keys(), cut in prop::collection::vec(any::<bool>(), 60)) {
        let (a, b): (Vec<_>, Vec<_>) = log.iter().enumerate().partition(|(i, _)| cut[*i]);
        let a: Vec<PricedRecord> = a.into_iter().map(|(_, r)| r.clone()).collect();
        let b: Vec<PricedRecord> = b.into_iter().map(|(_, r)| r.clone()).collect();
        let whole = Report::build(by(&keys), &log).unwrap();
        let ra = Report::build(by(&keys), &a).unwrap();
        let rb = Report::build(by(&keys), &b).unwrap();
        let mut merged = groups(&ra);
        for (key, spend) in groups(&rb) {
            merged.entry(key).or_default().merge(&spend);
        }
        prop_assert_eq!(merged, groups(&whole));
        prop_assert_eq!(sum([ra.total, rb.total]), whole.total);
    }

    /// Filtering then grouping gives the groups that grouping then filtering keeps.
    #[test]
    fn filtering_commutes_with_grouping(
        log in records(),
        since in 0..25i32,
        span in 0..25i32,
        phase in 1..PHASES.len(),
        model in 0..MODELS.len(),
    ) {
        let start = Date::from_ymd(2026, 12, 20).unwrap().days_since_epoch();
        let day = |d: i32| Date::from_unix_seconds(i64::from(start + d) * 86_400);
        let (since, until) = (day(since), day(since + span));
        let keys: Vec<GroupKey> = GroupKey::parse_list("day,phase,model").unwrap();
        let all = Report::build(by(&keys), &log).unwrap();

        // Dates: keep the day groups inside [since, until].
        let filter = Filter { since: Some(since), until: Some(until), ..Filter::default() };
        let filtered = Report::build(ReportOptions { by: keys.clone(), filter }, &log).unwrap();
        let kept: BTreeMap<_, _> = groups(&all)
            .into_iter()
            .filter(|(k, _)| {
                let d: Date = k[0].as_deref().unwrap().parse().unwrap();
                since <= d && d <= until
            })
            .collect();
        prop_assert_eq!(groups(&filtered), kept);
        prop_assert_eq!(filtered.records_filtered_out + filtered.total.calls, log.len() as u64);

        // A tag and a model: keep the groups with that phase and model.
        let phase = PHASES[phase].unwrap().to_string();
        let mut filter = Filter { model: Some(MODELS[model].1.to_string()), ..Filter::default() };
        filter.tags.insert("phase".into(), phase.clone());
        let filtered = Report::build(ReportOptions { by: keys, filter }, &log).unwrap();
        let kept: BTreeMap<_, _> = groups(&all)
            .into_iter()
            .filter(|(k, _)| k[1].as_deref() == Some(phase.as_str()) && k[2].as_deref() == Some(MODELS[model].1))
            .collect();
        prop_assert_eq!(groups(&filtered), kept);
    }

    /// Each group holds exactly the records whose values are its key (the builder finds a
    /// record's group through caches of recent texts and groups; this is grouping done
    /// plainly).
    #[test]
    fn each_group_counts_the_records_of_its_key(
        log in prop::collection::vec(records(), 1..4).prop_map(|logs| logs.concat()),
        keys in prop::sample::subsequence(
            vec!["model", "provider", "day", "month", "batch", "phase", "run"], 0..=7,
        )
        .prop_shuffle(),
    ) {
        let key_of = |record: &PricedRecord| -> Vec<Option<String>> {
            keys.iter()
                .map(|key| match *key {
                    "model" => Some(record.model.clone()),
                    "provider" => Some(record.provider.clone()),
                    "day" => Some(record.at.to_string()),
                    "month" => {
                        let (year, month, _) = record.at.ymd();
                        Some(format!("{year:04}-{month:02}"))
                    }
                    "batch" => Some(if record.batch { "batch" } else { "sync" }.to_string()),
                    tag => record.tags.get(tag).cloned(),
                })
                .collect()
        };
        let mut plainly: BTreeMap<Vec<Option<String>>, Spend> = BTreeMap::new();
        for record in &log {
            plainly.entry(key_of(record)).or_default().add(record);
        }
        let keys: Vec<GroupKey> = keys.iter().map(|k| k.parse().unwrap()).collect();
        let report = Report::build(by(&keys), &log).unwrap();
        prop_assert_eq!(groups(&report), plainly);
    }

    /// A record is counted by its amounts, whatever they are: the shortcut for the usual
    /// amounts gives what the general sum gives, refusals included.
    #[test]
    fn records_count_as_their_amounts(
        amounts in prop::collection::vec(
            prop::collection::vec(
                prop_oneof![
                    4 => 0i128..1_000_000_000_000_000_000,
                    1 => -1_000_000i128..0,
                    1 => Just(1i128 << 96),
                    1 => Just((1i128 << 96) - 1),
                    1 => Just(LogTotal::MAX_FEMTO / 3),
                    1 => Just(i128::MAX / 2),
                    1 => Just(i128::MIN / 2),
                ],
                7,
            ),
            1..12,
        ),
    ) {
        let mut fast = LogTotal::default();
        let mut general = LogTotal::default();
        for amounts in amounts {
            let mut record = record((0, 1, false, 0, 0), (10, 0, 1, 1_000));
            let usd = |at: usize| Usd::from_femto(amounts[at]);
            record.cost_usd = usd(0);
            let c = &mut record.components;
            for (at, part) in [
                &mut c.input,
                &mut c.cache_write_5m,
                &mut c.cache_write_1h,
                &mut c.cache_read,
                &mut c.output,
                &mut c.cache_storage,
            ]
            .into_iter()
            .enumerate()
            {
                part.usd = usd(at + 1);
            }
            let components: Vec<Usd> = (1..7).map(usd).collect();
            prop_assert_eq!(fast.add_record(&record), general.add(record.cost_usd, components));
            prop_assert_eq!(fast, general);
        }
    }

    /// A log written out as JSON Lines reads back to the same records, and any garbage line
    /// among them is reported with its number while the others still count.
    #[test]
    fn logs_read_back_around_bad_lines(log in records(), bad_at in 0..60usize) {
        let mut lines: Vec<String> = log.iter().map(|r| serde_json::to_string(r).unwrap()).collect();
        let bad_at = bad_at.min(lines.len());
        lines.insert(bad_at, "{\"model\": oops".to_string());
        let (read, errors) = read_log(&lines.join("\n"));
        prop_assert_eq!(read, log);
        prop_assert_eq!(errors.len(), 1);
        prop_assert_eq!(errors[0].line, bad_at + 1);
    }
}
