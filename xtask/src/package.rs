//! `cargo xtask package`: the `llmcost` npm package from `crates/cost-wasm`, and its tests.
//!
//! Two wasm32 builds of the crate (the size-optimised `wasm-release` profile): without the
//! `estimate` feature, the package's main module (`llmcost`: the pricing API), and with it the
//! estimate module (`llmcost/estimate`: the same API plus the tokenizer and `estimate`). Each
//! goes through wasm-bindgen for the `web` (ES module with `init()`), `bundler` and `nodejs`
//! targets and is shrunk by npm's binaryen 132 (`wasm-opt -Oz`; Debian's binaryen 108 breaks
//! modules). The package has `"type": "module"`, so wasm-bindgen's CommonJS output for Node
//! is renamed `.cjs` and wrapped by an ES module (`node/llmcost.mjs`, `node/estimate.mjs`)
//! that gives Node the same imports as a browser. The `o200k_base` vocabulary is a separate
//! asset, never inside a module. The main module must stay within [`MAX_GZIPPED_BYTES`].

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{project_root, sh, tools};

/// The main module's gzipped size must stay at or below this (issue 6): the build fails above.
const MAX_GZIPPED_BYTES: u64 = 250 * 1024;

/// The wasm-bindgen targets built, and the package folder each goes to.
const TARGETS: [(&str, &str); 3] = [("web", "web"), ("bundler", "bundler"), ("nodejs", "node")];

/// The package's two modules: the file name wasm-bindgen gives each, and the cost-wasm
/// features it is built with. The first is the main module, `import "llmcost"`.
const MODULES: [(&str, &[&str]); 2] = [("llmcost", &[]), ("estimate", &["--features", "estimate"])];

/// Where the package is written.
pub(crate) fn package_dir(root: &Path) -> PathBuf {
    root.join("target/npm/llmcost")
}

/// `cargo xtask package [--no-opt]`: builds the package into `target/npm/llmcost/`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let optimize = !args.iter().any(|a| a == "--no-opt");
    if let Some(unknown) = args.iter().find(|a| *a != "--no-opt") {
        bail!("unknown argument `{unknown}` (expected --no-opt)");
    }
    build(optimize).map(|_| ())
}

/// Builds the package and returns its directory.
fn build(optimize: bool) -> Result<PathBuf> {
    let root = project_root();
    tools::wasm_target()?;
    tools::wasm_bindgen()?;
    tools::require("node")?;
    let wasm_opt = root.join("www/e2e/node_modules/.bin/wasm-opt");
    if optimize {
        tools::npm_ci(&root.join("www/e2e"))?;
    }
    let out = package_dir(&root);
    if out.exists() {
        fs::remove_dir_all(&out).with_context(|| format!("cannot clear {}", out.display()))?;
    }
    fs::create_dir_all(&out)?;
    let built = crate::target_dir().join("wasm32-unknown-unknown/wasm-release/cost_wasm.wasm");
    for (name, features) in MODULES {
        let mut args = vec![
            "build",
            "--locked",
            "-p",
            "cost-wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ];
        args.extend_from_slice(features);
        sh("cargo", &args)?;
        // Both builds write the same file: bind this one before the next replaces it.
        let input = out.join(format!("{name}.wasm"));
        fs::copy(&built, &input)?;
        for (target, dir) in TARGETS {
            let dir = out.join(dir);
            sh(
                "wasm-bindgen",
                &[
                    "--target",
                    target,
                    "--out-name",
                    name,
                    "--out-dir",
                    path_str(&dir)?,
                    path_str(&input)?,
                ],
            )?;
            if optimize {
                let module = dir.join(format!("{name}_bg.wasm"));
                let module = path_str(&module)?;
                sh(
                    path_str(&wasm_opt)?,
                    &[
                        "-Oz",
                        // The features rustc's wasm32-unknown-unknown target enables.
                        "--enable-bulk-memory",
                        "--enable-multivalue",
                        "--enable-mutable-globals",
                        "--enable-nontrapping-float-to-int",
                        "--enable-reference-types",
                        "--enable-sign-ext",
                        module,
                        "-o",
                        module,
                    ],
                )?;
            }
        }
        fs::remove_file(&input)?;
        node_wrapper(&out.join("node"), name)?;
    }
    let wasm_dir = root.join("crates/cost-wasm");
    fs::copy(
        root.join("crates/cost-core/data/vocab/o200k_base.vocab"),
        out.join("o200k_base.vocab"),
    )?;
    fs::copy(wasm_dir.join("LICENSE"), out.join("LICENSE"))?;
    fs::write(out.join("package.json"), package_json())?;

    // (module, target folder, bytes, gzipped bytes)
    let mut sizes = Vec::new();
    for (name, _) in MODULES {
        for (_, dir) in TARGETS {
            let module = out.join(dir).join(format!("{name}_bg.wasm"));
            sizes.push((
                name,
                dir,
                fs::metadata(&module)?.len(),
                gzipped_size(&module)?,
            ));
        }
    }
    let vocab = fs::metadata(out.join("o200k_base.vocab"))?.len();
    let readme = fs::read_to_string(wasm_dir.join("README.md"))?;
    fs::write(out.join("README.md"), readme + &size_section(&sizes, vocab))?;
    println!("\npackage: {}", out.display());
    for (name, dir, raw, gzipped) in &sizes {
        println!(
            "{:<9} {dir:<8} {:>9} bytes, {:>9} gzipped ({:.1} KiB)",
            format!("{name}:"),
            group(*raw),
            group(*gzipped),
            *gzipped as f64 / 1024.0
        );
    }
    let main = MODULES[0].0;
    let largest = sizes
        .iter()
        .filter(|(name, ..)| *name == main)
        .map(|&(.., gzipped)| gzipped)
        .max()
        .unwrap_or(0);
    println!(
        "main module: at most {} bytes gzipped; limit {} ({} KiB)",
        group(largest),
        group(MAX_GZIPPED_BYTES),
        MAX_GZIPPED_BYTES / 1024
    );
    if optimize && largest > MAX_GZIPPED_BYTES {
        bail!(
            "the main module ({main}_bg.wasm) is {} bytes gzipped, above the {}-byte limit of \
             issue 6: measure it with twiggy (see crates/cost-wasm/README.md)",
            group(largest),
            group(MAX_GZIPPED_BYTES)
        );
    }
    Ok(out)
}

/// The README's size section, with this build's figures (the `web` build's; the others
/// differ by a few bytes of import names).
fn size_section(sizes: &[(&str, &str, u64, u64)], vocab: u64) -> String {
    let web = |name: &str| {
        sizes
            .iter()
            .find(|(n, dir, ..)| *n == name && *dir == "web")
            .map_or((0, 0), |&(.., raw, gzipped)| (raw, gzipped))
    };
    let (main_raw, main_gz) = web(MODULES[0].0);
    let (full_raw, full_gz) = web(MODULES[1].0);
    format!(
        "\n## Size\n\nMeasured by `cargo xtask package` for this build (`gzip -9`): the main \
         module (`llmcost_bg.wasm`, `import \"llmcost\"`) is {} bytes, {} gzipped; the estimate \
         module (`estimate_bg.wasm`, `import \"llmcost/estimate\"`, fetched only by pages that \
         import it) is {} bytes, {} gzipped; the `o200k_base` vocabulary is a separate \
         {}-byte asset, fetched only by pages that count tokens.\n",
        group(main_raw),
        group(main_gz),
        group(full_raw),
        group(full_gz),
        group(vocab),
    )
}

/// `cargo xtask test-package`: builds the package, then runs its JavaScript tests
/// (`node --test` over `crates/cost-wasm/tests/js/*.test.mjs`: the shared fixtures on the
/// nodejs and web builds, bad input, the examples, the HTML example in headless Chromium)
/// and the TypeScript check of the typed examples (typescript pinned in
/// `crates/cost-wasm/package-lock.json`).
pub(crate) fn test() -> Result<()> {
    let root = project_root();
    // browser.test.mjs drives examples/js/index.html in Debian's Chromium with playwright-core
    // (www/e2e's npm tools, installed by `build`).
    tools::chromium()?;
    let out = build(true)?;
    let tests_dir = root.join("crates/cost-wasm/tests/js");
    let mut tests: Vec<String> = Vec::new();
    for entry in fs::read_dir(&tests_dir)? {
        let path = entry?.path();
        if path.to_string_lossy().ends_with(".test.mjs") {
            tests.push(path_str(&path)?.to_string());
        }
    }
    tests.sort();
    if tests.is_empty() {
        bail!("no *.test.mjs files in {}", tests_dir.display());
    }
    let mut args = vec!["--test".to_string()];
    args.extend(tests);
    println!("$ node {}", args.join(" "));
    let status = Command::new("node")
        .args(&args)
        .env("LLMCOST_PACKAGE", &out)
        .status()
        .context("cannot start node")?;
    if !status.success() {
        bail!("the package's JavaScript tests failed ({status})");
    }
    typescript(&root, &out)
}

/// `tsc --strict` on the typed examples: `tests/ts/ok.mts` must compile, and every
/// `tests/ts/fail-*.mts` must not, for an error in that file (each misuses the API one way).
fn typescript(root: &Path, package: &Path) -> Result<()> {
    let dir = root.join("crates/cost-wasm");
    if !dir.join("package-lock.json").is_file() {
        return Ok(());
    }
    tools::npm_ci(&dir)?;
    let tsc = dir.join("node_modules/.bin/tsc");
    // The typed examples import "llmcost": link the built package where node resolves it.
    let link = dir.join("node_modules/llmcost");
    if link.exists() || link.is_symlink() {
        fs::remove_file(&link)
            .or_else(|_| fs::remove_dir_all(&link))
            .with_context(|| format!("cannot replace {}", link.display()))?;
    }
    symlink_dir(package, &link)?;
    let ts_dir = dir.join("tests/ts");
    // Node's resolution reaches the nodejs build's types; a bundler's (no `node` condition)
    // the web build's: the examples must type-check against both.
    let modes = [("nodenext", "nodenext"), ("esnext", "bundler")];
    // (compiled, tsc's report)
    let check = |file: &Path, (module, resolution): (&str, &str)| -> Result<(bool, String)> {
        let out = Command::new(&tsc)
            .args([
                "--strict",
                "--noEmit",
                "--module",
                module,
                "--moduleResolution",
                resolution,
                "--target",
                "es2022",
                "--lib",
                // wasm-bindgen's classes declare `[Symbol.dispose]`.
                "es2022,esnext.disposable,dom",
            ])
            .arg(file)
            .current_dir(&dir)
            .output()
            .context("cannot start tsc")?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ))
    };
    let mut files: Vec<PathBuf> = fs::read_dir(&ts_dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.sort();
    let mut checked = 0;
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "mts"))
    {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let must_fail = name.starts_with("fail-");
        for mode in modes {
            println!("$ tsc --strict --moduleResolution {} {name}", mode.1);
            let (compiled, report) = check(file, mode)?;
            // Only errors in the example itself count: a broken .d.ts must not pass a fail- case.
            let own_errors = report
                .lines()
                .all(|l| l.starts_with("tests/ts/") || l.starts_with(' '));
            match (compiled, must_fail) {
                (true, false) => println!("  ok: compiles"),
                (false, true) if own_errors => println!("  ok: refused ({report})"),
                (false, _) => bail!("{name}: tsc --strict failed:\n{report}"),
                (true, true) => bail!("{name} misuses the API and must not compile"),
            }
        }
        checked += 1;
    }
    if checked == 0 {
        bail!("no typed examples in {}", ts_dir.display());
    }
    Ok(())
}

#[cfg(unix)]
fn symlink_dir(target: &Path, link: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, link)
        .with_context(|| format!("cannot link {}", link.display()))
}

#[cfg(not(unix))]
fn symlink_dir(_target: &Path, _link: &Path) -> Result<()> {
    bail!("the TypeScript check needs a Unix symlink")
}

/// Renames wasm-bindgen's CommonJS output for module `name` `.cjs` and adds an ES module
/// beside it with the same exports as the `web` build (`init()` is a no-op: Node
/// instantiates synchronously).
fn node_wrapper(dir: &Path, name: &str) -> Result<()> {
    let js = fs::read_to_string(dir.join(format!("{name}.js")))?;
    fs::write(dir.join(format!("{name}.cjs")), &js)?;
    fs::remove_file(dir.join(format!("{name}.js")))?;
    fs::rename(
        dir.join(format!("{name}.d.ts")),
        dir.join(format!("{name}.d.cts")),
    )?;
    let names: Vec<&str> = js
        .lines()
        .filter_map(|l| l.strip_prefix("exports."))
        .filter_map(|l| l.split_once(" = ").map(|(name, _)| name))
        .collect();
    if names.is_empty() {
        bail!("wasm-bindgen's nodejs output has no `exports.NAME = ...` lines");
    }
    let mjs = format!(
        "// The nodejs build as an ES module, with the web build's `init` (a no-op here).\n\
         import wasm from \"./{name}.cjs\";\n\
         export const {{ {} }} = wasm;\n\
         export default async function init() {{}}\n\
         export function initSync() {{}}\n",
        names.join(", ")
    );
    fs::write(dir.join(format!("{name}.mjs")), mjs)?;
    fs::write(
        dir.join(format!("{name}.d.mts")),
        format!(
            "export * from \"./{name}.cjs\";\n\
             /** Nothing to do in Node (the module is instantiated on import); kept so code \
             that runs in browsers runs unchanged. */\n\
             export default function init(_options?: unknown): Promise<void>;\n\
             export function initSync(_options?: unknown): void;\n"
        ),
    )?;
    Ok(())
}

/// The package's manifest. Written by hand, not through serde_json (which sorts keys): in
/// `exports`, conditions are tried in order, so `types` comes first and `node` before
/// `default`.
fn package_json() -> String {
    let version = env!("CARGO_PKG_VERSION");
    // One module's entry for each way of loading it.
    let node = |name: &str| {
        format!(
            r#"{{
        "types": "./node/{name}.d.mts",
        "import": "./node/{name}.mjs",
        "require": {{ "types": "./node/{name}.d.cts", "default": "./node/{name}.cjs" }}
      }}"#
        )
    };
    let plain = |dir: &str, name: &str| {
        format!(r#"{{ "types": "./{dir}/{name}.d.ts", "default": "./{dir}/{name}.js" }}"#)
    };
    let main = MODULES[0].0;
    let full = MODULES[1].0;
    let text = format!(
        r#"{{
  "name": "llmcost",
  "version": "{version}",
  "description": "What an LLM API request costs, exactly: a dated price catalog, usage parsing for every provider, exact token counts (WebAssembly)",
  "license": "MIT",
  "type": "module",
  "main": "./node/{main}.cjs",
  "module": "./web/{main}.js",
  "types": "./web/{main}.d.ts",
  "exports": {{
    ".": {{
      "node": {node_main},
      "default": {web_main}
    }},
    "./{full}": {{
      "node": {node_full},
      "default": {web_full}
    }},
    "./web": {web_main},
    "./web/{full}": {web_full},
    "./bundler": {bundler_main},
    "./bundler/{full}": {bundler_full},
    "./node": {node_main},
    "./node/{full}": {node_full},
    "./o200k_base.vocab": "./o200k_base.vocab",
    "./package.json": "./package.json"
  }},
  "files": ["web/", "bundler/", "node/", "o200k_base.vocab", "README.md", "LICENSE"],
  "sideEffects": ["./bundler/{main}.js", "./bundler/{full}.js", "./node/{main}.cjs", "./node/{full}.cjs"],
  "keywords": ["llm", "cost", "pricing", "tokens", "tiktoken", "wasm"]
}}
"#,
        node_main = node(main),
        node_full = node(full),
        web_main = plain("web", main),
        web_full = plain("web", full),
        bundler_main = plain("bundler", main),
        bundler_full = plain("bundler", full),
    );
    // A typo above must fail the build, not ship.
    serde_json::from_str::<serde_json::Value>(&text).expect("package.json is valid JSON");
    text
}

/// `gzip -9` of `path`, in bytes.
fn gzipped_size(path: &Path) -> Result<u64> {
    let out = Command::new("gzip")
        .args(["-9", "-c"])
        .arg(path)
        .output()
        .context("cannot start gzip")?;
    if !out.status.success() {
        bail!("gzip failed ({})", out.status);
    }
    Ok(out.stdout.len() as u64)
}

/// 1234567 → `1,234,567`.
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

fn path_str(path: &Path) -> Result<&str> {
    path.to_str().context("non-UTF-8 path")
}
