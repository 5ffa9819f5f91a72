//! Installing the tools builds and browser runs need, each skipped when the right version is
//! already there: a fresh machine has only rustup, cargo, node and the package registries.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::sh;

/// The wasm-bindgen version in Cargo.lock; `crates/cost-wasm` pins it with `=`.
pub(crate) const WASM_BINDGEN: &str = "0.2.130";

fn version_of(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `rustup target add wasm32-unknown-unknown` unless installed.
pub(crate) fn wasm_target() -> Result<()> {
    let installed = version_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    sh("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// wasm-bindgen-cli at exactly the library's version (cargo install, about 4 minutes once).
pub(crate) fn wasm_bindgen() -> Result<()> {
    let have = version_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(WASM_BINDGEN) {
        return Ok(());
    }
    // Without --locked: its lock file names a crate version this registry lacks.
    sh(
        "cargo",
        &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN],
    )
}

/// The Trunk version that builds the web app (0.22 needs a newer rustc).
pub(crate) const TRUNK: &str = "0.21.14";

/// Trunk, through `cargo install --locked` (about 6 minutes once).
pub(crate) fn trunk() -> Result<()> {
    let have = version_of("trunk", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(TRUNK) {
        return Ok(());
    }
    sh(
        "cargo",
        &["install", "trunk", "--version", TRUNK, "--locked"],
    )
}

/// Debian's Chromium and ChromeDriver (as root, through apt-get) unless present.
pub(crate) fn chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists() {
        return Ok(());
    }
    let root = version_of("id", &["-u"]).unwrap_or_default() == "0";
    let prefix: &[&str] = if root { &[] } else { &["sudo"] };
    let run = |args: &[&str]| -> Result<()> {
        let mut full: Vec<&str> = prefix.to_vec();
        full.extend_from_slice(args);
        let (program, rest) = full.split_first().expect("non-empty");
        sh(program, rest)
    };
    run(&["apt-get", "update", "-qq"])?;
    run(&[
        "env",
        "DEBIAN_FRONTEND=noninteractive",
        "apt-get",
        "install",
        "-y",
        "-qq",
        "chromium",
        "chromium-driver",
    ])
    .context("cannot install Debian's chromium and chromium-driver")
}

/// `npm ci` in `dir` unless its node_modules matches its lock file.
pub(crate) fn npm_ci(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::read(&lock), std::fs::read(&installed)) {
        (Ok(_), Ok(_)) => {
            let lock_time = std::fs::metadata(&lock)?.modified()?;
            let installed_time = std::fs::metadata(&installed)?.modified()?;
            installed_time >= lock_time
        }
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    let dir = dir.to_str().context("non-UTF-8 path")?;
    sh("npm", &["ci", "--prefix", dir, "--no-audit", "--no-fund"])
}

/// Fails unless `program` runs.
pub(crate) fn require(program: &str) -> Result<()> {
    if version_of(program, &["--version"]).is_none() {
        bail!("`{program}` is needed and was not found on PATH");
    }
    Ok(())
}

/// rustfmt and clippy, which a minimal rustup profile leaves out.
pub(crate) fn rust_components() -> Result<()> {
    for (component, check) in [
        ("rustfmt", ["fmt", "--version"]),
        ("clippy", ["clippy", "--version"]),
    ] {
        if version_of("cargo", &check).is_none() {
            sh("rustup", &["component", "add", component])?;
        }
    }
    Ok(())
}
