//! End-to-end tests of the `llmcost` binary: what a user sees on stdout, stderr and in the
//! exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn llmcost(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_llmcost"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("llmcost starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

const SAMPLE: &str = "tests/fixtures/sample-requests.jsonl";

#[test]
fn prices_the_sample_line_by_line_and_reports_bad_lines() {
    let out = llmcost(&["cost", SAMPLE], b"");
    assert_eq!(
        out.status.code(),
        Some(1),
        "some sample lines are bad on purpose"
    );
    let rows = lines(&out);
    let input_lines = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../",
        "tests/fixtures/sample-requests.jsonl"
    ))
    .unwrap()
    .lines()
    .filter(|l| !l.trim().is_empty())
    .count();
    assert_eq!(rows.len(), input_lines, "one output line per input line");
    for (n, row) in rows.iter().enumerate() {
        assert_eq!(row["line"], n + 1, "in order");
    }
    // The published figure: 550 in + 100 out on Claude 3.5 Haiku.
    assert!(
        rows[0]["model"]
            .as_str()
            .unwrap()
            .starts_with("claude-3-5-haiku"),
        "{}",
        rows[0]
    );
    assert_eq!(rows[0]["cost_usd"], "0.00084");
    assert_eq!(rows[0]["provider"], "anthropic");
    assert_eq!(rows[0]["tags"]["phase"], "image-prompts");
    assert_eq!(rows[1]["cost_usd"], "0.00042", "batch halves Haiku 3.5");
    assert_eq!(rows[1]["batch"], true);
    // A misspelt model gets suggestions; a negative count names its field.
    let unknown = &rows[rows.len() - 2];
    assert_eq!(unknown["kind"], "unknown_model");
    assert!(
        unknown["error"]
            .as_str()
            .unwrap()
            .contains("claude-sonnet-4-5"),
        "{unknown}"
    );
    let negative = &rows[rows.len() - 1];
    assert_eq!(negative["kind"], "invalid_usage");
    assert!(
        negative["error"].as_str().unwrap().contains("input_tokens"),
        "{negative}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 of 9 lines could not be priced"));
}

#[test]
fn reads_stdin_and_exits_zero_when_every_line_prices() {
    let input = b"{\"model\": \"claude-3-5-haiku\", \"usage\": {\"input_tokens\": 550, \"output_tokens\": 100}, \"at\": \"2026-11-23\"}\n\n{\"model\": \"haiku\", \"usage\": {\"input_tokens\": 1, \"output_tokens\": 1}}\n";
    let out = llmcost(&["cost"], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = lines(&out);
    assert_eq!(rows.len(), 2, "blank lines are skipped");
    assert_eq!(rows[1]["line"], 3, "line numbers count blank lines");
}

#[test]
fn malformed_and_non_utf8_lines_do_not_stop_the_others() {
    let mut input = b"{not json}\n".to_vec();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(b"{\"model\": \"gpt-4o\", \"usage\": {\"input_tokens\": 1000, \"output_tokens\": 10}, \"at\": \"2026-11-23\"}\n");
    input.extend_from_slice(
        b"{\"model\": \"gpt-4o\", \"usage\": {\"input_tokens\": 10}, \"bacth\": true}\n",
    );
    let out = llmcost(&["cost", "-"], &input);
    assert_eq!(out.status.code(), Some(1));
    let rows = lines(&out);
    assert_eq!(rows.len(), 4);
    assert!(rows[0]["error"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
    assert!(rows[1]["error"].as_str().unwrap().contains("UTF-8"));
    assert!(rows[2]["cost_usd"].is_string());
    assert!(
        rows[3]["error"].as_str().unwrap().contains("bacth"),
        "typos in field names are caught"
    );
}

#[test]
fn csv_has_a_stable_header_and_table_a_total() {
    let out = llmcost(&["cost", SAMPLE, "--format", "csv"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "line,model,provider,at,batch,input_tokens,cache_read_tokens,cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,input_usd,cache_write_5m_usd,cache_write_1h_usd,cache_read_usd,output_usd,cache_storage_usd,cost_usd,tier_above_tokens,warnings,error"
    );
    assert!(text.lines().nth(1).unwrap().contains(",0.00084,"));

    let out = llmcost(&["cost", SAMPLE, "--format", "table"], b"");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("total: 7 calls priced"), "{text}");
    assert!(text.contains("$0.00084"), "{text}");
    assert!(text.contains("2 lines failed"), "{text}");
}

#[test]
fn custom_prices_load_and_bad_price_files_are_refused_with_the_field_path() {
    let dir = std::env::temp_dir().join(format!("llmcost-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("mine.toml");
    std::fs::write(
        &good,
        "[[models]]\nprovider = \"acme\"\nid = \"acme-large\"\n[[models.prices]]\ninput_mtok = 2\noutput_mtok = \"8\"\n",
    )
    .unwrap();
    let input = b"{\"model\": \"acme/acme-large\", \"usage\": {\"input_tokens\": 1000000, \"output_tokens\": 500000}}\n";
    let out = llmcost(&["cost", "--prices", good.to_str().unwrap()], input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines(&out)[0]["cost_usd"], "6");

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[models]]\nprovider = \"acme\"\nid = \"x\"\n[[models.prices]]\ninput_mtok = \"cheap\"\noutput_mtok = 1\n").unwrap();
    let out = llmcost(&["cost", "--prices", bad.to_str().unwrap()], input);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("models[0].prices[0].input_mtok"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unreadable_input_is_a_usage_error() {
    let out = llmcost(&["cost", "/nonexistent/usage.jsonl"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot open /nonexistent/usage.jsonl"));
    let out = llmcost(&["cost", SAMPLE, "--at", "yesterday"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn models_lists_prices_and_suggests_on_a_miss() {
    let out = llmcost(&["models", "haiku"], b"");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("USD per million tokens"));
    assert!(text.contains("anthropic/claude-3-5-haiku"), "{text}");

    let out = llmcost(&["models", "--json"], b"");
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(all.len() >= 60, "{} models", all.len());
    assert!(all
        .iter()
        .all(|m| m["prices"][0]["standard"]["base"]["input_usd_per_mtok"].is_string()));

    let out = llmcost(&["models", "claude-sonet-4-5"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}

#[test]
fn tokens_profiles_the_novel_exactly() {
    let out = llmcost(
        &[
            "tokens",
            "tests/fixtures/pride-and-prejudice-pg1342.txt",
            "--encoding",
            "o200k,cl100k",
            "--keep-gutenberg",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("o200k_base (exact, as tiktoken): 174,392 tokens"),
        "{text}"
    );
    assert!(
        text.contains("cl100k_base (exact, as tiktoken): 175,627 tokens"),
        "{text}"
    );

    let out = llmcost(
        &[
            "tokens",
            "tests/fixtures/pride-and-prejudice-pg1342.txt",
            "--by",
            "chapter",
            "--json",
        ],
        b"",
    );
    let profile: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(profile["units"]["chapters"], 61);
    assert_eq!(profile["gutenberg"]["excluded"], true);

    let out = llmcost(
        &[
            "tokens",
            "tests/fixtures/pride-and-prejudice-pg1342.txt",
            "--by",
            "chunk:0",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "a zero-token chunk is refused");
    let out = llmcost(&["tokens", "Cargo.lock", "--encoding", "p50k"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown encoding"));
}

#[test]
fn estimate_reproduces_the_published_figures_and_ranks_models() {
    let args = [
        "estimate",
        "--units",
        "600",
        "--input",
        "550",
        "--output",
        "100",
        "--models",
        "claude-3-5-haiku",
        "--at",
        "2026-11-23",
        "--format",
        "jsonl",
    ];
    let out = llmcost(&args, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let estimate: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(estimate["models"][0]["cost"]["expected"], "0.504");
    let mut batch = args.to_vec();
    batch.push("--batch");
    let estimate: Value = serde_json::from_slice(&llmcost(&batch, b"").stdout).unwrap();
    assert_eq!(estimate["models"][0]["cost"]["expected"], "0.252");

    let out = llmcost(
        &[
            "estimate",
            "tests/fixtures/pride-and-prejudice-pg1342.txt",
            "--pipeline",
            "summarize-each-chapter",
            "--models",
            "claude-haiku-4-5,gpt-5-mini,gemini-2.5-flash",
            "--at",
            "2026-11-23",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("   1  "), "{text}");
    assert!(text.contains("×1.00"), "{text}");

    let out = llmcost(
        &[
            "estimate",
            "--units",
            "10",
            "--input",
            "5",
            "--output",
            "5",
            "--models",
            "no-such-model",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown model"));
}

#[test]
fn report_and_budget_read_a_log_and_set_exit_codes() {
    let out = llmcost(
        &[
            "report",
            "tests/fixtures/usage-log.jsonl",
            "--by",
            "model",
            "--format",
            "csv",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("model,calls,"), "{csv}");

    let mut log = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/usage-log.jsonl"
    ))
    .unwrap();
    log.extend_from_slice(b"{broken\n");
    let out = llmcost(&["report", "-", "--by", "phase"], &log);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line is reported in the exit status"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 326 skipped"));

    let budget = |limit: &str| {
        llmcost(
            &[
                "budget",
                "tests/fixtures/usage-log.jsonl",
                "--monthly",
                limit,
                "--today",
                "2026-11-20",
            ],
            b"",
        )
        .status
        .code()
    };
    assert_eq!(budget("100"), Some(0), "under");
    assert_eq!(budget("2.8"), Some(3), "past 80 %");
    assert_eq!(budget("1"), Some(4), "over the limit");
}

#[test]
fn report_prices_a_request_log_itself() {
    // The sample requests priced by `cost` and reported, and reported directly.
    let priced = llmcost(&["cost", SAMPLE, "--at", "2026-11-23"], b"");
    let by = ["--by", "model,phase", "--format", "csv"];
    let via_cost = llmcost(&[&["report", "-"][..], &by].concat(), &priced.stdout);
    let direct = llmcost(
        &[&["report", SAMPLE, "--at", "2026-11-23"][..], &by].concat(),
        b"",
    );
    let csv = String::from_utf8(direct.stdout).unwrap();
    assert!(csv.lines().count() > 4, "{csv}");
    assert_eq!(csv, String::from_utf8(via_cost.stdout).unwrap());
    // The sample's bad lines are reported with their numbers and the others counted.
    assert_eq!(direct.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&direct.stderr);
    assert!(
        stderr.contains(
            "line 8 skipped: the request on this line could not be priced: unknown model"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "line 9 skipped: the request on this line could not be priced: usage.input_tokens"
        ),
        "{stderr}"
    );
}

/// A log line that is not UTF-8 is one skipped line, named; the lines after it still count.
#[test]
fn a_line_that_is_not_utf8_is_skipped_not_fatal() {
    let priced = llmcost(&["cost", SAMPLE, "--at", "2026-11-23"], b"");
    let mut log = priced.stdout.clone();
    let whole = llmcost(&["report", "-", "--format", "csv"], &log);
    // A bad line first, then every record again.
    let mut bad = b"{\"model\": \"gpt-4o\xff\"}\n".to_vec();
    bad.extend_from_slice(&log);
    log = bad;
    let out = llmcost(&["report", "-", "--format", "csv"], &log);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("line 1 skipped: the line is not valid UTF-8"),
        "{stderr}"
    );
    assert_eq!(out.stdout, whole.stdout, "the other lines are all counted");
}

/// Issue 4: a hostile log of priced records with absurd amounts (up to about 10^38
/// femto-dollars a record, which still add up) neither overflows nor panics `report` or
/// `budget`: the lines that would are skipped, each named, and the exit status says so.
#[test]
fn absurd_amounts_are_skipped_not_overflowed() {
    use cost_core::{Component, Components, Date, PricedRecord, Usage, Usd, UsdPerMtok};

    let component = |tokens: u64, nano: i64| Component {
        tokens,
        usd_per_mtok: UsdPerMtok::from_nano(nano),
        usd: Usd::for_tokens(tokens, UsdPerMtok::from_nano(nano)),
    };
    let line = |input: Component, output: Component| {
        let free = component(0, 0);
        let components = Components {
            input,
            cache_write_5m: free,
            cache_write_1h: free,
            cache_read: free,
            output,
            cache_storage: free,
        };
        let cost_usd = input
            .usd
            .checked_add(output.usd)
            .unwrap_or(Usd::from_femto(i128::MAX));
        let record = PricedRecord {
            model: "gpt-4o".into(),
            provider: "openai".into(),
            cost_usd,
            components,
            tier: None,
            batch: false,
            at: "2026-11-20".parse::<Date>().unwrap(),
            prices_from: None,
            usage: Usage {
                input_tokens: 10,
                output_tokens: 1,
                ..Usage::default()
            },
            tags: Default::default(),
            warnings: Vec::new(),
        };
        serde_json::to_string(&record).unwrap() + "\n"
    };
    let free = component(0, 0);
    // $10^17 each: nine are counted after the first line; the tenth would take the costs
    // (and as much again in components) past $10^18.
    let big = line(
        component(1_000_000_000_000_000, 100_000_000_000_000_000),
        free,
    );
    let largest = component(u64::MAX, i64::MAX);
    let mut log = line(component(1_000, 2_500_000_000), free);
    for _ in 0..12 {
        log.push_str(&big);
    }
    log.push_str(&line(largest, free));
    log.push_str(&line(largest, largest));

    let out = llmcost(
        &["report", "-", "--by", "model", "--format", "csv"],
        log.as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for skipped in [
        "line 11 skipped: its cost_usd ($100000000000000000) would take the records counted past",
        "line 13 skipped",
        "line 14 skipped",
        "line 15 skipped: the components add up to more than llmcost can count",
    ] {
        assert!(stderr.contains(skipped), "{skipped}: {stderr}");
    }
    assert!(!stderr.contains("line 10 skipped"), "{stderr}");
    let csv = String::from_utf8(out.stdout).unwrap();
    // The first line ($0.0025) and nine records of $10^17.
    assert!(csv.contains(",900000000000000000.0025\n"), "{csv}");

    let out = llmcost(
        &["budget", "-", "--monthly", "100", "--today", "2026-11-20"],
        log.as_bytes(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "over the limit: {stderr}");
    assert!(stderr.contains("line 15 skipped"), "{stderr}");
}
