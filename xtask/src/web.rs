//! The web app: building it with Trunk (tools installed when missing), serving it on
//! 127.0.0.1, and testing it in headless Chromium (wasm-bindgen-test component tests and
//! end-to-end tests driven by playwright-core).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{project_root, serve, sh, split, tools};

/// Where the app's JavaScript tools live (binaryen's wasm-opt, playwright-core).
fn node_dir(root: &Path) -> PathBuf {
    root.join("www/e2e")
}

/// PATH with npm's binaryen 132 first, so Trunk's wasm-opt is that one and never Debian's,
/// and before it this program as `wasm-bindgen`, which splits the app's module into lazily
/// loaded chunks before running the real one (split.rs).
fn path_with_tools(root: &Path) -> Result<std::ffi::OsString> {
    let shim = split::install_shim(&root.join("target/llmcost-split-bin"))?;
    let bin = node_dir(root).join("node_modules/.bin");
    let mut paths = vec![shim, bin];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(paths).context("cannot build PATH")
}

/// Installs what the build needs, then `trunk build --release` into `dist/`.
pub(crate) fn build() -> Result<PathBuf> {
    let root = project_root();
    tools::wasm_target()?;
    tools::wasm_bindgen()?;
    tools::trunk()?;
    tools::require("node")?;
    tools::npm_ci(&node_dir(&root))?;
    sh("cargo", &["fetch", "--locked"])?;
    println!("$ trunk build --release");
    let status = Command::new("trunk")
        .args(["build", "--release"])
        .env("PATH", path_with_tools(&root)?)
        // Trunk passes this to cargo: the lock file decides every version.
        .env("CARGO_NET_OFFLINE", "true")
        .status()
        .context("cannot start trunk")?;
    if !status.success() {
        bail!("trunk build failed ({status})");
    }
    let dist = root.join("dist");
    if !dist.join("index.html").is_file() {
        bail!("trunk reported success but wrote no dist/index.html");
    }
    Ok(dist)
}

/// `cargo xtask run`: builds the app and serves it until interrupted.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let port = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(8080), |v| v.parse::<u16>())
        .context("--port takes a port number")?;
    let dist = build()?;
    let port = match serve::start_app(&dist, port) {
        Ok(p) => p,
        // The usual port is taken: any free one.
        Err(_) => serve::start_app(&dist, 0)?,
    };
    println!("\nllmcost is running at http://127.0.0.1:{port}/  (Ctrl+C to stop)");
    loop {
        std::thread::park();
    }
}

/// Component tests (wasm-bindgen-test in headless Chromium), then end-to-end tests against
/// the built app.
pub(crate) fn test() -> Result<()> {
    let root = project_root();
    let dist = build()?;
    tools::chromium()?;
    component_tests(&root)?;
    end_to_end(&root, &dist)
}

fn component_tests(root: &Path) -> Result<()> {
    println!("$ cargo test -p llmcost-www --target wasm32-unknown-unknown (headless Chromium)");
    let status = Command::new("cargo")
        .args([
            "test",
            "--locked",
            "-p",
            "llmcost-www",
            "--target",
            "wasm32-unknown-unknown",
        ])
        // The runner reads webdriver.json (Chromium's flags) from its working directory.
        .current_dir(root.join("www"))
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            "wasm-bindgen-test-runner",
        )
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .status()
        .context("cannot start cargo test")?;
    if !status.success() {
        bail!("component tests failed ({status})");
    }
    Ok(())
}

fn end_to_end(root: &Path, dist: &Path) -> Result<()> {
    // The tests compare the page's figures with `llmcost estimate` (target/debug/llmcost).
    sh("cargo", &["build", "--locked", "-p", "cost-cli"])?;
    let port = serve::start_app(dist, 0)?;
    let url = format!("http://127.0.0.1:{port}/");
    // run.mjs: the app as a person uses it; faults.mjs: under storage faults and hostile input.
    for file in ["run.mjs", "faults.mjs"] {
        println!("$ node www/e2e/{file} {url}");
        let status = Command::new("node")
            .arg(root.join("www/e2e").join(file))
            .arg(&url)
            .env("LLMCOST_ROOT", root)
            .env("LLMCOST_CLI", crate::target_dir().join("debug/llmcost"))
            .status()
            .context("cannot run node")?;
        if !status.success() {
            bail!("end-to-end tests failed in {file} ({status})");
        }
    }
    Ok(())
}

/// `cargo xtask bench-web`: the app's download size, start-up and the time from dropping
/// Pride and Prejudice to a full table of 60 models, in headless Chromium.
pub(crate) fn bench() -> Result<()> {
    let root = project_root();
    let dist = build()?;
    tools::chromium()?;
    let port = serve::start_app(&dist, 0)?;
    let url = format!("http://127.0.0.1:{port}/");
    println!("$ node www/e2e/bench.mjs {url}");
    let status = Command::new("node")
        .arg(root.join("www/e2e/bench.mjs"))
        .arg(&url)
        .env("LLMCOST_ROOT", &root)
        .env("LLMCOST_DIST", &dist)
        .status()
        .context("cannot run node")?;
    if !status.success() {
        bail!("the web benchmark failed ({status})");
    }
    Ok(())
}
