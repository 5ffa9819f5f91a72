//! End-to-end tests of the usage store: `llmcost log` and `llmcost export` driven as a user
//! drives them, each on its own store in a temporary directory. `HOME` and `XDG_DATA_HOME`
//! point there too, so no test can reach the real user's data directory.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use rusqlite::Connection;
use serde_json::Value;
use tempfile::TempDir;

/// A temporary home with a store path in it.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("usage.sqlite3")
    }

    fn store_arg(&self) -> String {
        self.store().to_str().unwrap().to_string()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_llmcost"));
        command
            .args(args)
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args).spawn().expect("llmcost starts")
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self.spawn(args);
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "llmcost panicked: {stderr}");
        output
    }

    /// `llmcost log --store STORE ARGS...`
    fn log(&self, args: &[&str], stdin: &str) -> Output {
        let store = self.store_arg();
        let mut all = vec!["log", "--store", &store];
        all.extend_from_slice(args);
        self.run(&all, stdin)
    }

    /// The store exported as JSON Lines, parsed.
    fn exported(&self) -> Vec<Value> {
        let store = self.store_arg();
        let out = self.run(&["export", "--store", &store, "--format", "jsonl"], "");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn request(model: &str, input: u64, output: u64) -> String {
    format!(
        r#"{{"model": "{model}", "usage": {{"input_tokens": {input}, "output_tokens": {output}}}, "at": "2026-01-15"}}"#
    )
}

fn requests(model: &str, n: u64) -> String {
    (1..=n)
        .map(|i| request(model, 500 + i, 100) + "\n")
        .collect()
}

fn count_calls(store: &Path) -> i64 {
    let conn = Connection::open(store).unwrap();
    conn.query_row("SELECT count(*) FROM calls", [], |row| row.get(0))
        .unwrap()
}

const HEADER: &str = "id,logged_at,model,provider,at,batch,input_tokens,cache_read_tokens,\
cache_write_5m_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,\
cache_storage_token_hours,input_usd,cache_write_5m_usd,cache_write_1h_usd,cache_read_usd,\
output_usd,cache_storage_usd,cost_usd,tier_above_tokens,prices_from,phase,category,run,note,\
tags,warnings";

#[test]
fn one_call_from_flags_reads_back_exactly() {
    let home = Home::new();
    let out = home.log(
        &[
            "--model",
            "claude-haiku-4-5",
            "--input",
            "10550",
            "--cache-read",
            "10000",
            "--output",
            "100",
            "--at",
            "2026-01-15",
            "--phase",
            "image-prompts",
            "--note",
            "chapter 1, \"draft\"",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Haiku 4.5: $1 input, $0.10 cache reads, $5 output per million tokens.
    // 550 × $1 + 10,000 × $0.10 + 100 × $5 = $0.00055 + $0.001 + $0.0005.
    assert!(stdout(&out).contains("$0.00205"), "{}", stdout(&out));

    let store = home.store_arg();
    let csv = home.run(&["export", "--store", &store, "--format", "csv"], "");
    assert_eq!(csv.status.code(), Some(0), "{}", stderr(&csv));
    let text = stdout(&csv);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0], HEADER);
    let row = lines[1];
    assert!(
        row.contains(
            ",claude-haiku-4-5,anthropic,2026-01-15,false,10550,10000,0,0,100,0,0,\
             0.00055,0,0,0.001,0.0005,0,0.00205,,"
        ),
        "{row}"
    );
    assert!(
        row.ends_with(
            ",image-prompts,,,\"chapter 1, \"\"draft\"\"\",\
             \"{\"\"note\"\":\"\"chapter 1, \\\"\"draft\\\"\"\"\",\"\"phase\"\":\"\"image-prompts\"\"}\","
        ),
        "{row}"
    );

    let records = home.exported();
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["id"], 1);
    assert_eq!(record["cost_usd"], "0.00205");
    assert_eq!(record["components"]["cache_read"]["usd_per_mtok"], "0.1");
    assert_eq!(record["usage"]["input_tokens"], 10550);
    assert_eq!(record["tags"]["phase"], "image-prompts");
    assert_eq!(record["tags"]["note"], "chapter 1, \"draft\"");
    assert!(record["logged_at"].as_str().unwrap().ends_with('Z'));

    let json = home.run(&["export", "--store", &store, "--format", "json"], "");
    let array: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(array.as_array().unwrap().len(), 1);
    assert_eq!(array[0]["cost_usd"], "0.00205");
}

#[test]
fn the_export_header_is_stable() {
    // Scripts and spreadsheets depend on these names: change them only with a new name.
    let home = Home::new();
    home.log(
        &["--model", "gpt-4o-mini", "--input", "1", "--output", "1"],
        "",
    );
    let store = home.store_arg();
    let out = home.run(&["export", "--store", &store, "--format", "csv"], "");
    assert_eq!(stdout(&out).lines().next(), Some(HEADER));
}

#[test]
fn a_file_with_bad_lines_stores_the_good_ones_and_exits_1() {
    let home = Home::new();
    let file = home.write(
        "usage.jsonl",
        &[
            request("claude-haiku-4-5", 550, 100),
            r#"{"model": "gpt-4o-mini", "usage": {"#.to_string(),
            String::new(),
            request("gpt-4o-mini", 1000, 10),
            request("claude-sonet-4-5", 550, 100),
            request("gemini-2.5-flash", 2000, 300),
        ]
        .join("\n"),
    );
    let out = home.log(&["--file", &file, "--run", "r1"], "");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("line 2: "), "{err}");
    assert!(
        err.contains("line 5: unknown model `claude-sonet-4-5`"),
        "{err}"
    );
    assert!(err.contains("2 of 5 lines could not be priced"), "{err}");
    assert!(stdout(&out).contains("logged 3 calls"), "{}", stdout(&out));
    let records = home.exported();
    let models: Vec<&str> = records
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert_eq!(
        models,
        ["claude-haiku-4-5", "gpt-4o-mini", "gemini-2.5-flash"]
    );
    assert!(records.iter().all(|r| r["tags"]["run"] == "r1"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let home = Home::new();
    let out = home.log(&["-f", "-"], &requests("gpt-4o-mini", 3));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(home.exported().len(), 3);
    let conn = Connection::open(home.store()).unwrap();
    let source: String = conn
        .query_row("SELECT source FROM appends", [], |row| row.get(0))
        .unwrap();
    assert_eq!(source, "stdin");
}

#[test]
fn processes_appending_at_once_all_succeed() {
    let home = Home::new();
    let files: Vec<String> = (0..3)
        .map(|i| home.write(&format!("batch{i}.jsonl"), &requests("gpt-4o-mini", 400)))
        .collect();
    let store = home.store_arg();
    // A fresh store: the processes also race to create and migrate it.
    let mut children: Vec<Child> = files
        .iter()
        .map(|file| home.spawn(&["log", "--store", &store, "--file", file]))
        .collect();
    children.extend((0..3).map(|_| {
        home.spawn(&[
            "log", "--store", &store, "--model", "haiku", "--input", "5", "--output", "5",
        ])
    }));
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert_eq!(count_calls(&home.store()), 3 * 400 + 3);
    let ids: Vec<i64> = home
        .exported()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (1..=1203).collect::<Vec<_>>());
}

#[test]
fn a_batch_that_fails_to_commit_stores_nothing() {
    let home = Home::new();
    assert!(home
        .log(&["--model", "haiku", "--input", "1", "--output", "1"], "")
        .status
        .success());
    // Stand-in for a full disk: the store refuses the last call of the next batch.
    Connection::open(home.store())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON calls WHEN NEW.model = 'gpt-4o'
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
        )
        .unwrap();
    let file = home.write(
        "batch.jsonl",
        &(requests("gpt-4o-mini", 5) + &request("gpt-4o", 1, 1)),
    );
    let out = home.log(&["--file", &file], "");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("nothing from this batch was stored"), "{err}");
    assert!(err.contains("disk is full"), "{err}");
    assert_eq!(count_calls(&home.store()), 1, "the batch was rolled back");
    let conn = Connection::open(home.store()).unwrap();
    let appends: i64 = conn
        .query_row("SELECT count(*) FROM appends", [], |row| row.get(0))
        .unwrap();
    assert_eq!(appends, 1);
}

#[test]
fn a_killed_append_stores_nothing_and_harms_nothing() {
    let home = Home::new();
    assert!(home
        .log(&["--model", "haiku", "--input", "1", "--output", "1"], "")
        .status
        .success());
    let store = home.store_arg();
    let mut child = home.spawn(&["log", "--store", &store, "--file", "-"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(requests("gpt-4o-mini", 2000).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Mid-batch: stdin is still open, so the append has not committed.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(count_calls(&home.store()), 1);
    let out = home.log(&["--model", "haiku", "--input", "1", "--output", "1"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(home.exported().len(), 2);
}

#[test]
fn the_store_is_versioned_and_in_wal_mode() {
    let home = Home::new();
    home.log(&["--model", "haiku", "--input", "1", "--output", "1"], "");
    let conn = Connection::open(home.store()).unwrap();
    let pragma = |name: &str| -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap()
    };
    assert_eq!(pragma("user_version"), "1");
    assert_eq!(pragma("application_id"), 0x6c6c_6d63.to_string());
    assert_eq!(pragma("journal_mode"), "wal");
    // Money is text, never a float.
    let kind: String = conn
        .query_row("SELECT typeof(cost_usd) FROM calls", [], |row| row.get(0))
        .unwrap();
    assert_eq!(kind, "text");
}

#[test]
fn a_damaged_or_foreign_store_is_a_clear_error() {
    let home = Home::new();
    let store = home.store_arg();
    let check = |what: &str, expected: &str| {
        for args in [
            vec![
                "log", "--store", &store, "--model", "haiku", "--input", "1", "--output", "1",
            ],
            vec!["export", "--store", &store, "--format", "csv"],
        ] {
            let out = home.run(&args, "");
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(err.contains(&store), "{what}: {err}");
            assert!(err.contains(expected), "{what}: {err}");
        }
    };

    std::fs::write(home.store(), "this is not a database\n".repeat(200)).unwrap();
    check(
        "not SQLite",
        "not an llmcost usage store (the file is not a SQLite database)",
    );

    std::fs::remove_file(home.store()).unwrap();
    Connection::open(home.store())
        .unwrap()
        .execute_batch("CREATE TABLE notes (text TEXT)")
        .unwrap();
    check(
        "another SQLite database",
        "a SQLite database, but not an llmcost usage store",
    );

    std::fs::remove_file(home.store()).unwrap();
    Connection::open(home.store())
        .unwrap()
        .execute_batch("PRAGMA application_id = 1819045219; PRAGMA user_version = 99;")
        .unwrap();
    check("from the future", "schema version 99, newer than the 1");
}

#[test]
fn export_of_a_missing_store_says_so() {
    let home = Home::new();
    let store = home.store_arg();
    let out = home.run(&["export", "--store", &store, "--format", "csv"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("there is no usage store at"),
        "{}",
        stderr(&out)
    );
    assert!(!home.store().exists(), "export never creates a store");
}

#[test]
fn export_filters_by_day_both_ends_included() {
    let home = Home::new();
    for day in ["2026-01-01", "2026-01-15", "2026-01-31", "2026-02-01"] {
        let out = home.log(
            &[
                "--model", "haiku", "--input", "1", "--output", "1", "--at", day,
            ],
            "",
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let store = home.store_arg();
    let out = home.run(
        &[
            "export",
            "--store",
            &store,
            "--format",
            "jsonl",
            "--since",
            "2026-01-15",
            "--until",
            "2026-01-31",
        ],
        "",
    );
    let days: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["at"].to_string())
        .collect();
    assert_eq!(days, ["\"2026-01-15\"", "\"2026-01-31\""]);
}

#[test]
fn the_default_store_is_in_the_data_directory() {
    let home = Home::new();
    let out = home.run(
        &["log", "--model", "haiku", "--input", "1", "--output", "1"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected = home.dir.path().join("data/llmcost/usage.sqlite3");
    assert!(expected.exists(), "{}", stdout(&out));
    assert!(stdout(&out).contains(expected.to_str().unwrap()));
}

#[test]
fn flags_that_break_usage_rules_store_nothing() {
    let home = Home::new();
    let out = home.log(
        &[
            "--model",
            "haiku",
            "--input",
            "10",
            "--cache-read",
            "20",
            "--output",
            "1",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exceed the prompt's 10 input tokens"),
        "{}",
        stderr(&out)
    );
    assert!(!home.store().exists());
}

#[test]
fn no_progress_bar_when_stderr_is_piped() {
    let home = Home::new();
    let file = home.write("many.jsonl", &requests("gpt-4o-mini", 20_000));
    let out = home.log(&["--file", &file], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let cost = home.run(&["cost", &file], "");
    assert!(!cost.stderr.contains(&b'\r'));
}
