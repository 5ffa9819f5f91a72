//! `cargo xtask bench-log`: how fast `llmcost` prices a usage log, against the Python
//! libraries people use today (LiteLLM's `cost_per_token`, pydantic's `genai-prices`).
//!
//! Steps: write a deterministic N-line request log (a mix of Anthropic, OpenAI and Gemini
//! models in each provider's usage shape) under `target/bench-log/`; build `llmcost` in
//! release and time `llmcost cost LOG > /dev/null` on one core (`taskset -c 0` when there is
//! one), and `llmcost report` over the same log (priced and reported in one pass) and over
//! `llmcost cost`'s output; make a benchmark-only Python virtual environment
//! (`target/bench-log/venv`, the versions pinned in `bench/log/requirements.txt`, installed
//! once) and time `bench/log/price.py` pricing a sample of the same log with each library,
//! offline (bundled price data only), scaled per record. Then print lines per second, the
//! ratios, the machine, and how far the three totals agree on the sample.
//! `bench/log/README.md` explains the method and keeps the last table.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

const USAGE: &str = "cargo xtask bench-log [--lines N] [--sample N] [--runs N] [--no-python]";

/// The day every generated request is dated: all three price it with today's list prices.
const AT: &str = "2026-01-15";

/// The rows of `llmcost report` over the request log and over `llmcost cost`'s output.
const REPORT_REQUESTS: &str = "llmcost report REQUESTS";
const REPORT_PRICED: &str = "llmcost report PRICED";

/// Options of one benchmark run.
struct Options {
    lines: u64,
    sample: u64,
    runs: usize,
    python: bool,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let mut options = Options {
            lines: 1_000_000,
            sample: 20_000,
            runs: 3,
            python: true,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |name: &str| -> Result<u64> {
                let text = args
                    .next()
                    .with_context(|| format!("{name} needs a number"))?;
                text.replace('_', "")
                    .parse()
                    .with_context(|| format!("{name}: `{text}` is not a whole number\n{USAGE}"))
            };
            match arg.as_str() {
                "--lines" => options.lines = number("--lines")?.max(1),
                "--sample" => options.sample = number("--sample")?.max(1),
                "--runs" => options.runs = number("--runs")?.max(1) as usize,
                "--no-python" => options.python = false,
                other => bail!("unknown option `{other}`\nusage: {USAGE}"),
            }
        }
        options.sample = options.sample.min(options.lines);
        Ok(options)
    }
}

/// Wall-clock and CPU (user + system) seconds of one run.
#[derive(Clone, Copy)]
struct Seconds {
    wall: f64,
    cpu: f64,
}

/// One timed program.
struct Timing {
    name: String,
    records: u64,
    seconds: Seconds,
    note: String,
}

impl Timing {
    /// Records per CPU second: the programs are single-threaded, so on an idle core this is
    /// records per wall second, and it does not depend on what else the machine runs.
    fn per_second(&self) -> f64 {
        self.records as f64 / self.seconds.cpu
    }
}

pub(crate) fn log(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    let dir = PathBuf::from("target/bench-log");
    std::fs::create_dir_all(&dir)?;
    let log_path = dir.join(format!("requests-{}.jsonl", options.lines));
    let sample_path = dir.join(format!("sample-{}.jsonl", options.sample));
    println!(
        "== writing {} ({} lines)",
        log_path.display(),
        options.lines
    );
    let bytes = write_log(&log_path, options.lines)?;
    write_log(&sample_path, options.sample)?;

    crate::sh(
        "cargo",
        &["build", "--locked", "--release", "-p", "cost-cli"],
    )?;
    let exe = std::fs::canonicalize("target/release/llmcost")?;
    let pin = one_core();

    println!("\n== llmcost cost, {} runs", options.runs);
    let cost = median(options.runs, || {
        run_timed(
            &pin,
            exe.as_os_str(),
            &[
                "cost".as_ref(),
                log_path.as_os_str(),
                "--at".as_ref(),
                AT.as_ref(),
            ],
        )
    })?;
    let mut timings = vec![Timing {
        name: "llmcost cost".into(),
        records: options.lines,
        seconds: cost,
        note: format!("all {} lines, JSON Lines out", group(options.lines)),
    }];

    // `llmcost report` comes with the reports issue: timed as soon as it exists.
    let has_report = Command::new(&exe)
        .args(["report", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_report {
        // `llmcost report` prices a request log itself: priced and reported in one pass.
        println!(
            "\n== llmcost report REQUESTS --by model,phase, {} runs",
            options.runs
        );
        let report = median(options.runs, || {
            run_timed(
                &pin,
                exe.as_os_str(),
                &[
                    "report".as_ref(),
                    log_path.as_os_str(),
                    "--by".as_ref(),
                    "model,phase".as_ref(),
                    "--at".as_ref(),
                    AT.as_ref(),
                ],
            )
        })?;
        timings.push(Timing {
            name: REPORT_REQUESTS.into(),
            records: options.lines,
            seconds: report,
            note: "the request log priced and totalled by model and phase, in one pass".into(),
        });
        // It also reads priced records: what `llmcost cost` writes, kept once.
        let priced = dir.join(format!("priced-{}.jsonl", options.lines));
        let status = Command::new(&exe)
            .arg("cost")
            .arg(&log_path)
            .args(["--at", AT])
            .stdout(File::create(&priced)?)
            .status()?;
        if !status.success() {
            bail!(
                "llmcost cost failed ({status}) writing {}",
                priced.display()
            );
        }
        println!(
            "\n== llmcost report PRICED --by model,phase, {} runs",
            options.runs
        );
        let report = median(options.runs, || {
            run_timed(
                &pin,
                exe.as_os_str(),
                &[
                    "report".as_ref(),
                    priced.as_os_str(),
                    "--by".as_ref(),
                    "model,phase".as_ref(),
                ],
            )
        })?;
        timings.push(Timing {
            name: REPORT_PRICED.into(),
            records: options.lines,
            seconds: report,
            note: "`llmcost cost`'s priced records read back and totalled by model and phase"
                .into(),
        });
    }

    println!("\n== llmcost log --file, then export --format jsonl (a fresh store)");
    let store = dir.join("bench-store.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let mut name = store.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    let log_seconds = run_timed(
        &pin,
        exe.as_os_str(),
        &[
            "log".as_ref(),
            "--store".as_ref(),
            store.as_os_str(),
            "--file".as_ref(),
            log_path.as_os_str(),
        ],
    )?;
    timings.push(Timing {
        name: "llmcost log --file".into(),
        records: options.lines,
        seconds: log_seconds,
        note: "priced and stored, one transaction".into(),
    });
    let export_seconds = run_timed(
        &pin,
        exe.as_os_str(),
        &[
            "export".as_ref(),
            "--store".as_ref(),
            store.as_os_str(),
            "--format".as_ref(),
            "jsonl".as_ref(),
        ],
    )?;
    timings.push(Timing {
        name: "llmcost export".into(),
        records: options.lines,
        seconds: export_seconds,
        note: "read back from the store as JSON Lines".into(),
    });
    if has_report {
        let report = run_timed(
            &pin,
            exe.as_os_str(),
            &[
                "report".as_ref(),
                "--store".as_ref(),
                store.as_os_str(),
                "--by".as_ref(),
                "model,phase".as_ref(),
            ],
        )?;
        timings.push(Timing {
            name: "llmcost report --store".into(),
            records: options.lines,
            seconds: report,
            note: "the store read and totalled by model and phase".into(),
        });
    }

    let mut agreement = Vec::new();
    if options.python {
        let python = ensure_venv(&dir)?;
        println!(
            "\n== Python libraries on the first {} lines (offline), {} runs",
            options.sample, options.runs
        );
        // As many runs as llmcost's, each library's median kept: one run of Python on this
        // shared machine has come out 1.7 times slower than another an hour apart.
        let mut runs = Vec::new();
        for run in 0..options.runs {
            let result_path = dir.join(format!("python-result-{run}.json"));
            let status = pinned(&pin, python.as_os_str())
                .arg("bench/log/price.py")
                .arg(&sample_path)
                .arg(&result_path)
                .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
                .stdout(Stdio::null())
                .status()
                .context("cannot run bench/log/price.py")?;
            if !status.success() {
                bail!("bench/log/price.py failed ({status})");
            }
            let result: Value = serde_json::from_slice(&std::fs::read(&result_path)?)
                .context("bench/log/price.py wrote no JSON result")?;
            runs.push(result);
        }
        let results = median_python_runs(&runs)?;
        let exact = llmcost_total(&exe, &sample_path)?;
        agreement.push(("llmcost".to_string(), exact.clone(), None));
        let exact_f64: f64 = exact.parse()?;
        for (key, name) in [("genai_prices", "genai-prices"), ("litellm", "LiteLLM")] {
            let r = &results[key];
            let seconds = Seconds {
                wall: r["seconds"].as_f64().context("seconds")?,
                cpu: r["cpu_seconds"].as_f64().context("cpu_seconds")?,
            };
            let records = r["records"].as_u64().context("records")?;
            let version = r["version"].as_str().unwrap_or("?");
            let total = r["total_usd"].as_str().unwrap_or("0").to_string();
            let failed = r["failed"].as_u64().unwrap_or(0);
            let relative = (total.parse::<f64>()? - exact_f64) / exact_f64;
            agreement.push((format!("{name} {version}"), total, Some(relative)));
            timings.push(Timing {
                name: format!("{name} {version}"),
                records,
                seconds,
                note: format!(
                    "{}-line sample, per record{}",
                    group(records),
                    if failed > 0 {
                        format!("; {failed} calls failed")
                    } else {
                        String::new()
                    }
                ),
            });
        }
    }

    let report = render(&options, bytes, &pin, &timings, &agreement)?;
    println!("\n{report}");
    std::fs::write(dir.join("result.md"), &report)?;
    println!("(written to target/bench-log/result.md)");
    Ok(())
}

/// For each library, its result from the run with the median CPU time.
fn median_python_runs(runs: &[Value]) -> Result<Value> {
    let mut out = serde_json::Map::new();
    for key in ["genai_prices", "litellm"] {
        let mut results: Vec<(f64, &Value)> = runs
            .iter()
            .map(|r| {
                let cpu = r[key]["cpu_seconds"]
                    .as_f64()
                    .with_context(|| format!("price.py gave no cpu_seconds for {key}"))?;
                Ok((cpu, &r[key]))
            })
            .collect::<Result<_>>()?;
        results.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (_, median) = results
            .get(results.len() / 2)
            .context("price.py was not run")?;
        out.insert(key.to_string(), (*median).clone());
    }
    Ok(Value::Object(out))
}

/// `["taskset", "-c", "0"]` when taskset runs here, else nothing.
fn one_core() -> Vec<String> {
    let works = Command::new("taskset")
        .args(["-c", "0", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        vec!["taskset".into(), "-c".into(), "0".into()]
    } else {
        println!("(taskset is not available: the runs are not pinned to one core)");
        Vec::new()
    }
}

/// `program`, run behind `pin` (`taskset -c 0`) when there is one.
fn pinned(pin: &[String], program: &OsStr) -> Command {
    match pin.split_first() {
        Some((first, rest)) => {
            let mut command = Command::new(first);
            command.args(rest).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Runs `exe args` (behind `pin`), stdout to /dev/null, and returns its wall and CPU time
/// (bash's `time`, which waits for the child and reads its resource usage).
fn run_timed(pin: &[String], exe: &OsStr, args: &[&OsStr]) -> Result<Seconds> {
    let out = Command::new("bash")
        .arg("-c")
        .arg("TIMEFORMAT='%R %U %S'; time \"$@\" > /dev/null 2> /dev/null")
        .arg("bash")
        .args(pin)
        .arg(exe)
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .context("cannot start bash to time llmcost")?;
    if !out.status.success() {
        bail!(
            "llmcost failed ({}): every generated line should price",
            out.status
        );
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let numbers: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("cannot read the times in `{text}`"))?;
    let [wall, user, system] = numbers[..] else {
        bail!("cannot read the times in `{text}`");
    };
    let seconds = Seconds {
        wall,
        cpu: user + system,
    };
    println!("  {wall:.3} s wall, {:.3} s CPU", seconds.cpu);
    Ok(seconds)
}

/// The run with the median CPU time of `runs`.
fn median(runs: usize, mut f: impl FnMut() -> Result<Seconds>) -> Result<Seconds> {
    let mut times = (0..runs).map(|_| f()).collect::<Result<Vec<Seconds>>>()?;
    times.sort_by(|a, b| a.cpu.total_cmp(&b.cpu));
    Ok(times[times.len() / 2])
}

/// The venv's python, creating the venv and installing the pinned libraries if needed.
fn ensure_venv(dir: &Path) -> Result<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", "import litellm, genai_prices"])
            .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready() {
        println!(
            "\n== creating the benchmark's Python environment in {}",
            venv.display()
        );
        let venv_str = venv.to_str().context("non-UTF-8 path")?;
        crate::sh("python3", &["-m", "venv", venv_str])?;
        let pip = venv.join("bin/pip");
        let pip = pip.to_str().context("non-UTF-8 path")?;
        crate::sh(
            pip,
            &["install", "--quiet", "-r", "bench/log/requirements.txt"],
        )?;
        if !ready() {
            bail!("the benchmark venv cannot import litellm and genai_prices");
        }
    }
    Ok(std::env::current_dir()?.join(python))
}

/// The exact total llmcost gives the sample, summed from its `cost_usd` decimals.
fn llmcost_total(exe: &Path, sample: &Path) -> Result<String> {
    let out = Command::new(exe)
        .arg("cost")
        .arg(sample)
        .args(["--at", AT])
        .output()?;
    if !out.status.success() {
        bail!("llmcost cost failed on the sample");
    }
    let mut femto: i128 = 0;
    for line in String::from_utf8(out.stdout)?.lines() {
        let row: Value = serde_json::from_str(line)?;
        let cost = row["cost_usd"].as_str().context("cost_usd")?;
        femto += parse_femto(cost).with_context(|| format!("bad cost `{cost}`"))?;
    }
    let whole = femto / 1_000_000_000_000_000;
    let fraction = format!("{:015}", femto % 1_000_000_000_000_000);
    let fraction = fraction.trim_end_matches('0');
    Ok(if fraction.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{fraction}")
    })
}

/// A non-negative decimal of dollars as femto-dollars.
fn parse_femto(text: &str) -> Option<i128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 15 {
        return None;
    }
    let whole: i128 = whole.parse().ok()?;
    let fraction: i128 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<15}").parse().ok()?
    };
    Some(whole * 1_000_000_000_000_000 + fraction)
}

/// The models of the benchmark log: (model, provider shape, weight). Every one is in all
/// three price lists.
const MODELS: &[(&str, Shape, u64)] = &[
    ("claude-haiku-4-5", Shape::Anthropic, 20),
    ("claude-sonnet-4-5", Shape::Anthropic, 15),
    ("gpt-4o-mini", Shape::OpenAiChat, 15),
    ("gpt-4.1-mini", Shape::OpenAiChat, 10),
    ("gpt-4o", Shape::OpenAiChat, 5),
    ("gpt-5-mini", Shape::OpenAiResponses, 10),
    ("gemini-2.5-flash", Shape::Gemini, 12),
    ("gemini-2.5-flash-lite", Shape::Gemini, 8),
    ("gemini-2.5-pro", Shape::Gemini, 5),
];

#[derive(Clone, Copy)]
enum Shape {
    Anthropic,
    OpenAiChat,
    OpenAiResponses,
    Gemini,
}

const PHASES: &[&str] = &["image-prompts", "summaries", "translate", "edit"];

/// Writes `lines` request lines to `path` (the same lines for the same count), returning the
/// file's size in bytes.
fn write_log(path: &Path, lines: u64) -> Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = SplitMix64(0x0011_c057_c057);
    let weights: u64 = MODELS.iter().map(|m| m.2).sum();
    let mut line = String::with_capacity(512);
    for n in 0..lines {
        let mut pick = rng.below(weights);
        let &(model, shape, _) = MODELS
            .iter()
            .find(|m| {
                let hit = pick < m.2;
                pick = pick.saturating_sub(m.2);
                hit
            })
            .expect("weights cover the range");
        // A usage shape: short prompt calls, chapter summaries, long cached contexts.
        let (prompt, output) = match rng.below(10) {
            0..=5 => (300 + rng.below(900), 50 + rng.below(250)),
            6..=8 => (2_000 + rng.below(14_000), 200 + rng.below(1_800)),
            _ => (20_000 + rng.below(80_000), 500 + rng.below(3_500)),
        };
        let cached = match rng.below(3) {
            0 => 0,
            _ => prompt * rng.below(90) / 100,
        };
        let phase = PHASES[(n % PHASES.len() as u64) as usize];
        line.clear();
        let usage = match shape {
            Shape::Anthropic => {
                let written = if cached == 0 {
                    rng.below(prompt / 4 + 1)
                } else {
                    0
                };
                let uncached = prompt - cached - written;
                format!(
                    r#"{{"input_tokens":{uncached},"cache_creation_input_tokens":{written},"cache_read_input_tokens":{cached},"output_tokens":{output}}}"#
                )
            }
            Shape::OpenAiChat => format!(
                r#"{{"prompt_tokens":{prompt},"completion_tokens":{output},"total_tokens":{},"prompt_tokens_details":{{"cached_tokens":{cached}}}}}"#,
                prompt + output
            ),
            Shape::OpenAiResponses => {
                let reasoning = output * rng.below(80) / 100;
                format!(
                    r#"{{"input_tokens":{prompt},"input_tokens_details":{{"cached_tokens":{cached}}},"output_tokens":{output},"output_tokens_details":{{"reasoning_tokens":{reasoning}}},"total_tokens":{}}}"#,
                    prompt + output
                )
            }
            Shape::Gemini => {
                let thoughts = output * rng.below(60) / 100;
                let candidates = output - thoughts;
                format!(
                    r#"{{"promptTokenCount":{prompt},"cachedContentTokenCount":{cached},"candidatesTokenCount":{candidates},"thoughtsTokenCount":{thoughts},"totalTokenCount":{}}}"#,
                    prompt + output
                )
            }
        };
        write!(
            line,
            r#"{{"model":"{model}","usage":{usage},"at":"{AT}","tags":{{"phase":"{phase}","run":"bench"}}}}"#
        )?;
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// A small, fixed pseudo-random sequence (SplitMix64), so the log is the same everywhere.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; the tiny modulo bias does not matter here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn render(
    options: &Options,
    bytes: u64,
    pin: &[String],
    timings: &[Timing],
    agreement: &[(String, String, Option<f64>)],
) -> Result<String> {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, name)| name.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let mut s = String::new();
    writeln!(
        s,
        "Machine: {cpu}, {cores} cores (nproc), load average {load} at the end; {}; {}.",
        if pin.is_empty() {
            "not pinned".to_string()
        } else {
            "every run pinned to one core with `taskset -c 0`".to_string()
        },
        rustc_version()
    )?;
    writeln!(
        s,
        "Input: {} request lines ({:.1} MB), {} models of Anthropic, OpenAI and Google in their own \
         usage shapes; Python timed on the first {} lines and scaled per record. Each program \
         run {} times, the run with the median CPU time kept.\n",
        group(options.lines),
        bytes as f64 / 1e6,
        MODELS.len(),
        group(options.sample),
        options.runs
    )?;
    writeln!(
        s,
        "| program | records | wall s | CPU s | records per CPU s | llmcost report is | llmcost cost is | what was timed |"
    )?;
    writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|")?;
    // Both per CPU second: `report` on the request log (priced and reported, the issue's
    // figure) and `cost` (priced records written out).
    let cost = timings[0].per_second();
    let report = timings
        .iter()
        .find(|t| t.name == REPORT_REQUESTS)
        .map(Timing::per_second);
    for t in timings {
        let (by_report, by_cost) = if t.name.starts_with("llmcost") {
            (String::new(), String::new())
        } else {
            (
                report.map_or_else(String::new, |r| {
                    format!("{:.0}x faster", r / t.per_second())
                }),
                format!("{:.0}x faster", cost / t.per_second()),
            )
        };
        writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} | {} | {} | {} | {} |",
            t.name,
            group(t.records),
            t.seconds.wall,
            t.seconds.cpu,
            group(t.per_second().round() as u64),
            by_report,
            by_cost,
            t.note
        )?;
    }
    if !agreement.is_empty() {
        writeln!(
            s,
            "\nTotals on the {}-line sample (the Python libraries use floats or their own price lists):\n",
            group(options.sample)
        )?;
        writeln!(s, "| program | total USD | relative to llmcost |")?;
        writeln!(s, "|---|---:|---:|")?;
        for (name, total, relative) in agreement {
            let relative = relative.map_or_else(
                || "exact (integer femto-dollars)".to_string(),
                |r| format!("{:+.2e}", r),
            );
            writeln!(s, "| {name} | {total} | {relative} |")?;
        }
    }
    let per_million = |t: f64| t / options.lines as f64 * 1e6;
    if let Some(report) = timings.iter().find(|t| t.name == REPORT_REQUESTS) {
        writeln!(
            s,
            "\nPriced and reported (`llmcost report` on the request log): {:.2} s CPU per \
             million lines ({:.2} s wall).",
            per_million(report.seconds.cpu),
            per_million(report.seconds.wall)
        )?;
    }
    writeln!(
        s,
        "\nTargets: a million lines in about a second on one core (measured for `llmcost \
         cost`: {:.2} s wall, {:.2} s CPU per million); at least 100x genai-prices and 300x \
         LiteLLM.",
        per_million(timings[0].seconds.wall),
        per_million(timings[0].seconds.cpu),
    )?;
    Ok(s)
}

fn rustc_version() -> String {
    Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "rustc".into())
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
