//! `cargo xtask bench-tokens`: counts Pride and Prejudice in headless Chromium with llmcost's
//! WASM tokenizer, gpt-tokenizer and tiktoken (npm), in one page load, and prints MB/s, the
//! ratios and the time to the first full count (vocabulary load included); then repeats
//! llmcost's cold first count in fresh browsers and prints its median and worst case.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::{project_root, serve, sh, tools};

pub(crate) fn run(args: &[String]) -> Result<()> {
    let number = |flag: &str, default: u32| -> Result<u32> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map_or(Ok(default), |v| v.parse::<u32>())
            .with_context(|| format!("{flag} takes a number"))
    };
    let steady_ms = number("--ms", 3000)?;
    let cold_runs = number("--cold", 10)?;
    let root = project_root();
    let site = root.join("target/bench-tokens/site");
    build_site(&root, &site)?;
    tools::chromium()?;
    let port = serve::start(&site, 0)?;
    let url = format!("http://127.0.0.1:{port}/index.html?ms={steady_ms}");
    println!("$ node bench/tokens/run.mjs {url} {cold_runs}");
    let out = Command::new("node")
        .arg(root.join("bench/tokens/run.mjs"))
        .arg(&url)
        .arg(cold_runs.to_string())
        .output()
        .context("cannot run node")?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let results: Value = serde_json::from_str(text.trim())
        .with_context(|| format!("the benchmark page gave no results: {text}"))?;
    if !out.status.success() || results.get("error").is_some() {
        bail!("the benchmark page failed: {}", results["error"]);
    }
    std::fs::write(
        root.join("target/bench-tokens/results.json"),
        serde_json::to_string_pretty(&results)?,
    )?;
    report(&results)
}

/// Builds the WASM package and stages the page, its peers, the vocabulary and the novel.
fn build_site(root: &Path, site: &Path) -> Result<()> {
    tools::wasm_target()?;
    tools::wasm_bindgen()?;
    tools::require("node")?;
    tools::npm_ci(&root.join("bench/tokens"))?;
    sh(
        "cargo",
        &[
            "build",
            "--locked",
            "--release",
            "-p",
            "cost-wasm",
            // The tokenizer is in the package's estimate module.
            "--features",
            "estimate",
            "--target",
            "wasm32-unknown-unknown",
        ],
    )?;
    std::fs::create_dir_all(site)?;
    let wasm = root.join("target/wasm32-unknown-unknown/release/cost_wasm.wasm");
    let pkg = site.join("pkg");
    sh(
        "wasm-bindgen",
        &[
            "--target",
            "web",
            "--out-dir",
            pkg.to_str().context("non-UTF-8 path")?,
            wasm.to_str().context("non-UTF-8 path")?,
        ],
    )?;
    // Optimize as the app's build will: binaryen 132 from npm (Debian's 108 breaks modules).
    // wasm-opt inlines every function that has a single caller; `count_span` must stay out
    // of line, or the whole first count runs in V8's baseline tier (V8 switches a function to
    // its optimized code only at its next call), about twice as slow.
    let module = pkg.join("cost_wasm_bg.wasm");
    let module = module.to_str().context("non-UTF-8 path")?;
    let wasm_opt = root.join("bench/tokens/node_modules/.bin/wasm-opt");
    sh(
        wasm_opt.to_str().context("non-UTF-8 path")?,
        &[
            "--no-inline=*count_span*",
            "--no-inline=*load_batch*",
            "-O3",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            module,
            "-o",
            module,
        ],
    )?;
    for (from, to) in [
        ("bench/tokens/index.html", "index.html"),
        ("bench/tokens/page.mjs", "page.mjs"),
        (
            "crates/cost-core/data/vocab/o200k_base.vocab",
            "o200k_base.vocab",
        ),
        ("tests/fixtures/pride-and-prejudice-pg1342.txt", "novel.txt"),
    ] {
        std::fs::copy(root.join(from), site.join(to))
            .with_context(|| format!("cannot copy {from}"))?;
    }
    let modules = site.join("node_modules");
    if !modules.exists() {
        std::os::unix::fs::symlink(root.join("bench/tokens/node_modules"), &modules)?;
    }
    Ok(())
}

fn report(results: &Value) -> Result<()> {
    let tokenizers = &results["tokenizers"];
    let ours = &tokenizers["llmcost"];
    let expected = ours["first_count"].as_u64().context("no llmcost count")?;
    println!(
        "\nPride and Prejudice ({} bytes), o200k_base, headless Chromium",
        results["bytes"]
    );
    println!("{}", results["user_agent"].as_str().unwrap_or(""));
    println!(
        "{:<16} {:>10} {:>10} {:>22} {:>16}",
        "tokenizer", "tokens", "MB/s", "llmcost speed ×", "first count ms"
    );
    for name in ["llmcost", "gpt-tokenizer", "tiktoken"] {
        let t = &tokenizers[name];
        let count = t["first_count"].as_u64().unwrap_or(0);
        if count != expected || t["count"].as_u64() != Some(count) {
            bail!("{name} counted {count} tokens, llmcost {expected}: not comparable");
        }
        let mbps = t["mb_per_s"].as_f64().unwrap_or(0.0);
        let ratio = ours["mb_per_s"].as_f64().unwrap_or(0.0) / mbps;
        println!(
            "{name:<16} {count:>10} {mbps:>10.1} {:>22} {:>16.1}",
            if name == "llmcost" {
                "1.00".to_string()
            } else {
                format!("{ratio:.2}")
            },
            // From nothing for every tokenizer: llmcost's module and vocabulary included.
            t.get("from_start_ms")
                .unwrap_or(&t["first_count_ms"])
                .as_f64()
                .unwrap_or(0.0)
        );
    }
    let phases = [
        ("module (at page load)", "module"),
        ("drop to the vocabulary's last byte", "vocab_fetch"),
        ("  of which loading chunks", "vocab_load"),
        ("vocabulary load after it", "vocab_finish"),
        ("count", "first_count"),
    ];
    let breakdown = |run: &Value| -> Vec<f64> {
        phases
            .iter()
            .map(|(_, key)| run["breakdown_ms"][key].as_f64().unwrap_or(0.0))
            .collect()
    };
    let first = breakdown(ours);
    println!(
        "llmcost first count in this page load: {}",
        phases
            .iter()
            .zip(&first)
            .map(|((name, _), ms)| format!("{name} {ms:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let cold = results["cold_runs"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if let Some(bad) = cold
        .iter()
        .find(|run| run["first_count"].as_u64() != Some(expected))
    {
        bail!("a cold run counted {}, not {expected}", bad["first_count"]);
    }
    if !cold.is_empty() {
        println!(
            "\nllmcost's cold first count, {} fresh browsers (ms): median worst",
            cold.len()
        );
        let runs: Vec<Vec<f64>> = cold.iter().map(breakdown).collect();
        for (i, (name, _)) in phases.iter().enumerate() {
            let (median, worst) = median_and_max(runs.iter().map(|r| r[i]).collect());
            println!("  {name:<32} {median:>8.1} {worst:>8.1}");
        }
        let (median, worst) = median_and_max(
            cold.iter()
                .map(|run| run["first_count_ms"].as_f64().unwrap_or(0.0))
                .collect(),
        );
        println!(
            "  {:<32} {median:>8.1} {worst:>8.1}",
            "first full count, from the drop"
        );
        let (median, worst) = median_and_max(
            cold.iter()
                .map(|run| run["from_start_ms"].as_f64().unwrap_or(0.0))
                .collect(),
        );
        println!(
            "  {:<32} {median:>8.1} {worst:>8.1}",
            "the same, from nothing"
        );
    }
    let foreign = results["foreign_requests"].as_array().map_or(0, Vec::len);
    println!("requests to other origins: {foreign}");
    Ok(())
}

/// The median (the upper one of an even count) and the largest of `values`.
fn median_and_max(mut values: Vec<f64>) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        values.get(values.len() / 2).copied().unwrap_or(0.0),
        values.last().copied().unwrap_or(0.0),
    )
}
