//! `cargo xtask fuzz`: runs cost-core's fuzz targets (`fuzz/fuzz_targets/`) with cargo-fuzz
//! and libFuzzer on the nightly toolchain, one after another for N seconds each; keeps each
//! corpus in `fuzz/corpus/TARGET/` (minimized, capped) and every crash input in
//! `tests/fixtures/fuzz-crashes/TARGET/`, where cost-core's `tests/fuzz_regressions.rs` runs
//! it on stable. Not part of `cargo xtask test`: fuzzing takes minutes and needs nightly.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{project_root, sh};

/// The cargo-fuzz version installed when missing.
const CARGO_FUZZ: &str = "0.13.2";

/// The most files a corpus keeps after minimizing (at most 4 KB each, `-max_len`).
const MAX_CORPUS_FILES: usize = 200;

const USAGE: &str = "cargo xtask fuzz --seconds N [--target NAME]";

/// One target's run.
struct Run {
    target: String,
    seconds: f64,
    execs: u64,
    corpus: usize,
    new_crashes: Vec<PathBuf>,
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let (seconds, only) = parse(args)?;
    let root = project_root();
    let mut targets = targets(&root)?;
    if let Some(only) = only {
        if !targets.contains(&only) {
            bail!(
                "no fuzz target `{only}`; the targets are {}",
                targets.join(", ")
            );
        }
        targets = vec![only];
    }
    nightly()?;
    cargo_fuzz()?;
    // cost-core has no `unsafe`: its crashes are panics, overflow checks and debug
    // assertions (all on), which need no sanitizer; without AddressSanitizer a run executes
    // more inputs.
    sh(
        "cargo",
        &["+nightly", "fuzz", "build", "--sanitizer", "none"],
    )?;
    let mut runs = Vec::new();
    for target in &targets {
        println!("\n== fuzz {target} for {seconds}s");
        runs.push(run_target(&root, target, seconds)?);
    }
    println!("\n== summary");
    println!(
        "  {:<12} {:>8} {:>12} {:>8} {:>12}",
        "target", "seconds", "execs", "corpus", "new crashes"
    );
    for r in &runs {
        println!(
            "  {:<12} {:>8.0} {:>12} {:>8} {:>12}",
            r.target,
            r.seconds,
            r.execs,
            r.corpus,
            r.new_crashes.len()
        );
    }
    let crashes: Vec<&PathBuf> = runs.iter().flat_map(|r| &r.new_crashes).collect();
    if !crashes.is_empty() {
        println!("\nnew crash inputs (now run by crates/cost-core/tests/fuzz_regressions.rs):");
        for path in &crashes {
            println!("  {}", path.strip_prefix(&root).unwrap_or(path).display());
        }
        bail!("{} new crash inputs", crashes.len());
    }
    Ok(())
}

fn parse(args: &[String]) -> Result<(u64, Option<String>)> {
    let mut seconds = None;
    let mut target = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let text = args.next().context("--seconds needs a number")?;
                let n: u64 = text
                    .parse()
                    .with_context(|| format!("--seconds: `{text}` is not a whole number"))?;
                seconds = Some(n.max(1));
            }
            "--target" => target = Some(args.next().context("--target needs a name")?.clone()),
            other => bail!("unknown option `{other}`\nusage: {USAGE}"),
        }
    }
    let seconds = seconds.with_context(|| format!("how long? usage: {USAGE}"))?;
    Ok((seconds, target))
}

/// The targets: the files of `fuzz/fuzz_targets/`, by name.
fn targets(root: &Path) -> Result<Vec<String>> {
    let dir = root.join("fuzz/fuzz_targets");
    let mut targets = Vec::new();
    for entry in
        std::fs::read_dir(&dir).with_context(|| format!("cannot read {}", dir.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                targets.push(stem.to_string());
            }
        }
    }
    targets.sort();
    Ok(targets)
}

/// Fails unless rustup has a nightly toolchain (libFuzzer's instrumentation needs it).
fn nightly() -> Result<()> {
    let out = Command::new("rustup")
        .args(["toolchain", "list"])
        .output()
        .context("cannot run rustup")?;
    if !String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.starts_with("nightly"))
    {
        bail!("fuzzing needs a nightly toolchain: `rustup toolchain install nightly`");
    }
    Ok(())
}

/// cargo-fuzz at [`CARGO_FUZZ`], installed from crates.io unless it is there.
fn cargo_fuzz() -> Result<()> {
    let have = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
        .unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_FUZZ) {
        return Ok(());
    }
    sh(
        "cargo",
        &["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--locked"],
    )
}

/// Fuzzes `target` for `seconds`, then keeps its corpus small and its crash inputs.
fn run_target(root: &Path, target: &str, seconds: u64) -> Result<Run> {
    let corpus = root.join("fuzz/corpus").join(target);
    let artifacts = root.join("fuzz/artifacts").join(target);
    std::fs::create_dir_all(&corpus)?;
    let before = file_names(&artifacts);
    let corpus_arg = path_arg(&corpus)?;
    let args = [
        "+nightly".to_string(),
        "fuzz".into(),
        "run".into(),
        "--sanitizer".into(),
        "none".into(),
        target.into(),
        corpus_arg.clone(),
        "--".into(),
        format!("-max_total_time={seconds}"),
        "-timeout=1".into(),
        "-rss_limit_mb=2048".into(),
        "-max_len=4096".into(),
        "-print_final_stats=1".into(),
    ];
    println!("$ cargo {}", args.join(" "));
    let started = Instant::now();
    let mut child = Command::new("cargo")
        .args(&args)
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start cargo fuzz")?;
    // libFuzzer reports on stderr: show it, and read the number of inputs run.
    let mut execs = 0;
    let stderr = child.stderr.take().expect("piped");
    for line in BufReader::new(stderr).lines() {
        let line = line?;
        eprintln!("{line}");
        // `#123\tNEW ...` status lines while it runs; the final count when it stops.
        let count = match line.strip_prefix("stat::number_of_executed_units:") {
            Some(n) => n.trim().parse().ok(),
            None => line
                .strip_prefix('#')
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok()),
        };
        execs = execs.max(count.unwrap_or(0));
    }
    let status = child.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    let new_crashes = keep_crashes(root, target, &artifacts, &before)?;
    if !status.success() && new_crashes.is_empty() {
        bail!("fuzzing {target} failed ({status}) without a crash input");
    }
    // A minimized corpus: the smallest set of inputs with the same coverage.
    sh(
        "cargo",
        &[
            "+nightly",
            "fuzz",
            "cmin",
            "--sanitizer",
            "none",
            target,
            &corpus_arg,
            "--",
            "-max_len=4096",
            "-timeout=1",
        ],
    )?;
    let corpus_files = cap_corpus(&corpus)?;
    Ok(Run {
        target: target.to_string(),
        seconds,
        execs,
        corpus: corpus_files,
        new_crashes,
    })
}

fn path_arg(path: &Path) -> Result<String> {
    path.to_str().map(str::to_string).context("non-UTF-8 path")
}

/// The names of the files in `dir` (none when it does not exist).
fn file_names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .collect()
}

/// Copies the crash, timeout and out-of-memory inputs libFuzzer wrote since `before` into
/// `tests/fixtures/fuzz-crashes/TARGET/`, unless an input with the same bytes is there.
fn keep_crashes(
    root: &Path,
    target: &str,
    artifacts: &Path,
    before: &BTreeSet<String>,
) -> Result<Vec<PathBuf>> {
    let fixtures = root.join("tests/fixtures/fuzz-crashes").join(target);
    let kept: Vec<Vec<u8>> = file_names(&fixtures)
        .iter()
        .filter_map(|name| std::fs::read(fixtures.join(name)).ok())
        .collect();
    let mut new = Vec::new();
    for name in file_names(artifacts).difference(before) {
        if !["crash-", "timeout-", "oom-", "leak-"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            continue;
        }
        let bytes = std::fs::read(artifacts.join(name))?;
        if kept.contains(&bytes) {
            continue;
        }
        std::fs::create_dir_all(&fixtures)?;
        let path = fixtures.join(name);
        std::fs::write(&path, &bytes)?;
        new.push(path);
    }
    Ok(new)
}

/// Leaves at most [`MAX_CORPUS_FILES`] files in `corpus`, spread evenly over their sizes (so
/// small inputs and the large, realistic ones both stay); how many are left.
fn cap_corpus(corpus: &Path) -> Result<usize> {
    let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(corpus)?
        .filter_map(|e| e.ok())
        .map(|e| (e.metadata().map(|m| m.len()).unwrap_or(0), e.path()))
        .collect();
    files.sort();
    let n = files.len();
    if n <= MAX_CORPUS_FILES {
        return Ok(n);
    }
    let keep: BTreeSet<usize> = (0..MAX_CORPUS_FILES)
        .map(|i| i * (n - 1) / (MAX_CORPUS_FILES - 1))
        .collect();
    for (i, (_, path)) in files.iter().enumerate() {
        if !keep.contains(&i) {
            std::fs::remove_file(path)?;
        }
    }
    Ok(keep.len())
}
