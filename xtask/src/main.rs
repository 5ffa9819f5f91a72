//! `cargo xtask`: project automation in Rust, so CI and people run the same steps.
//!
//! - `cargo xtask test`: every test the project has (what `.ci/run` and the README run).
//! - `cargo xtask run`: the main job: build the web app and serve it on 127.0.0.1.
//! - `cargo xtask demo`: the command line on the sample novel and usage log.
//! - `cargo xtask deps`: check that `cost-core` keeps out the crates it must never use.

mod bench;
mod bench_tokens;
mod deps;
mod fuzz;
mod licenses;
mod package;
mod serve;
mod split;
mod tools;
mod vocab;
mod web;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    // Trunk runs this program as `wasm-bindgen` to split the web app's module (split.rs).
    if split::is_shim() {
        return split::shim_main();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let root = project_root();
    std::env::set_current_dir(&root).context("cannot enter the project root")?;
    match task {
        "test" => test(),
        "run" => web::run(&args[1..]),
        "demo" => demo(&args[1..]),
        "test-web" => web::test(),
        "bench-web" => web::bench(),
        "deps" => deps::check(),
        "licenses" => licenses::check(),
        "bench-log" => bench::log(&args[1..]),
        "bench-tokens" => bench_tokens::run(&args[1..]),
        "vocab" => vocab::run(&args[1..]),
        "fuzz" => fuzz::run(&args[1..]),
        "package" => package::run(&args[1..]),
        "test-package" => package::test(),
        "help" | "--help" | "-h" => {
            println!("{}", HELP.trim());
            Ok(())
        }
        other => bail!("unknown task `{other}`\n\n{}", HELP.trim()),
    }
}

const HELP: &str = "
cargo xtask <task>

tasks:
  test    run every test: formatting, clippy, native tests, the wasm32 build of
          cost-core, the dependency-direction check, and the web app's component and
          end-to-end tests in headless Chromium, and the npm package's JavaScript and
          TypeScript tests (this is what CI runs)
  run [--port N]
          build the web app (installing Trunk, wasm-bindgen-cli, binaryen when missing)
          and serve it on 127.0.0.1 (port 8080, or a free one; it prints the address)
  demo    the command line: estimate Pride and Prejudice on five models with `llmcost`,
          then price a sample usage log
  test-web
          only the web app's tests: component tests and end-to-end tests in Chromium
  bench-web
          the web app in headless Chromium: download size, start-up, and dropping
          Pride and Prejudice to a table of 60 models
  deps    check that cost-core's dependency tree has no forbidden crate
  licenses
          check every dependency's licence, banned crates and duplicate versions
          against deny.toml (what `cargo deny check licenses bans` checks; offline)
  bench-log [--lines N]
          price an N-line usage log (default 1,000,000) with llmcost on one core, and
          a sample with LiteLLM and genai-prices (PyPI, offline); prints lines/s, ratios
  bench-tokens [--ms N]
          count Pride and Prejudice in headless Chromium with llmcost (WASM),
          gpt-tokenizer and tiktoken (npm); prints MB/s, ratios, first-count time
  vocab   rebuild cost-core's tokenizer vocabularies and Unicode tables (--check: verify)
  fuzz --seconds N [--target NAME]
          fuzz cost-core's parsers for N seconds per target (nightly, cargo-fuzz); keeps
          the corpora in fuzz/corpus/ and crash inputs in tests/fixtures/fuzz-crashes/
  package [--no-opt]
          build the `llmcost` npm package (its main and estimate modules, each for the
          web, bundler and nodejs targets, wasm-opt'd) into target/npm/llmcost/, print
          both modules' gzipped sizes, and fail if the main one is above 250 KiB
  test-package
          build the npm package, then run its JavaScript tests (node --test) and the
          TypeScript check of its typed examples
";

pub(crate) fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the root")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` when set, else `target/` in the root.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join("target"))
}

/// Runs a command, echoing it, failing with its exit status.
pub(crate) fn sh(program: &str, args: &[&str]) -> Result<()> {
    println!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("cannot start `{program}`"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

fn test() -> Result<()> {
    let started = Instant::now();
    let mut steps: Vec<(&str, std::time::Duration)> = Vec::new();
    let mut step = |name: &'static str, f: &mut dyn FnMut() -> Result<()>| -> Result<()> {
        println!("\n== {name}");
        let t = Instant::now();
        f().with_context(|| format!("step `{name}` failed"))?;
        steps.push((name, t.elapsed()));
        Ok(())
    };
    tools::rust_components()?;
    step("format", &mut || {
        sh("cargo", &["fmt", "--all", "--", "--check"])
    })?;
    step("dependency direction", &mut deps::check)?;
    step("licences and duplicate crates", &mut licenses::check)?;
    step("vocabulary assets up to date", &mut || {
        vocab::run(&["--check".to_string()])
    })?;
    step("clippy", &mut || {
        sh(
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--exclude",
                "llmcost-www",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
        )?;
        // The web app only builds for the browser; the app's build splits it (`split`), the
        // component tests do not.
        tools::wasm_target()?;
        for features in [&[][..], &["--features", "split"][..]] {
            let mut args = vec![
                "clippy",
                "-p",
                "llmcost-www",
                "--target",
                "wasm32-unknown-unknown",
                "--all-targets",
                "--locked",
            ];
            args.extend_from_slice(features);
            args.extend_from_slice(&["--", "-D", "warnings"]);
            sh("cargo", &args)?;
        }
        Ok(())
    })?;
    step("wasm32 build of cost-core", &mut || {
        tools::wasm_target()?;
        // As the browser builds use it: no TOML, no error paths (clippy builds it, too).
        sh(
            "cargo",
            &[
                "clippy",
                "--locked",
                "-p",
                "cost-core",
                "--lib",
                "--no-default-features",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    step("native tests", &mut || {
        sh(
            "cargo",
            &[
                "test",
                "--workspace",
                "--exclude",
                "llmcost-www",
                "--locked",
            ],
        )
    })?;
    step("web app in Chromium", &mut web::test)?;
    step("npm package from JavaScript", &mut package::test)?;
    println!("\n== summary");
    for (name, took) in &steps {
        println!("  ok  {name:<28} {:>6.1}s", took.as_secs_f64());
    }
    println!(
        "all steps passed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn demo(extra: &[String]) -> Result<()> {
    sh(
        "cargo",
        &["build", "--locked", "--release", "-p", "cost-cli"],
    )?;
    let exe = project_root().join("target/release/llmcost");
    let exe = exe.to_str().context("non-UTF-8 path")?;
    // 1. Before a run: Pride and Prejudice, one image prompt per sentence, three models.
    let mut estimate = vec![
        "estimate",
        "tests/fixtures/pride-and-prejudice-pg1342.txt",
        "--pipeline",
        "one-prompt-per-sentence",
        "--models",
        "claude-haiku-4-5,gpt-5-mini,gemini-2.5-flash,claude-3-5-haiku,deepseek-v4-flash",
    ];
    estimate.extend(extra.iter().map(String::as_str));
    println!("\n$ llmcost {}", estimate.join(" "));
    Command::new(exe).args(&estimate).status()?;
    // 2. After a run: price a usage log (two of its lines are wrong on purpose).
    let cost = [
        "cost",
        "tests/fixtures/sample-requests.jsonl",
        "--format",
        "table",
    ];
    println!("\n$ llmcost {}", cost.join(" "));
    let status = Command::new(exe).args(cost).status()?;
    println!("\n(the last command exited with {status}: some sample lines fail on purpose; try `{exe} --help`)");
    Ok(())
}
