//! The dependency-direction check: `cost-core` must never pull in a UI, wasm, CLI or
//! network crate, and the front ends (CLI, WASM package, web app) depend on cost-core and
//! never on each other. Reads `cargo metadata`, walks cost-core's normal and build
//! dependencies.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// Crates that would break an invariant of cost-core (see ARCHITECTURE.md).
const FORBIDDEN: &[(&str, &str)] = &[
    (
        "wasm-bindgen",
        "cost-core knows nothing of wasm; cost-wasm does",
    ),
    ("js-sys", "cost-core knows nothing of JavaScript"),
    ("web-sys", "cost-core knows nothing of the browser"),
    ("leptos", "the UI lives in www/"),
    ("gloo-storage", "storage lives in www/"),
    ("clap", "argument parsing lives in cost-cli"),
    ("anyhow", "cost-core has one typed Error"),
    (
        "genai-prices",
        "the oracle is used only by cost-oracle's tests",
    ),
    ("reqwest", "cost-core makes no network calls"),
    ("ureq", "cost-core makes no network calls"),
    ("hyper", "cost-core makes no network calls"),
    ("tokio", "cost-core does no I/O"),
    (
        "chrono",
        "cost-core never reads the clock; it has its own Date",
    ),
    ("rusqlite", "storage lives in the CLI"),
];

/// `cargo metadata --format-version 1 --locked`, with `extra` arguments, as JSON.
pub(crate) fn cargo_metadata(extra: &[&str]) -> Result<Value> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(extra)
        .output()
        .context("cannot run cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

pub(crate) fn check() -> Result<()> {
    let meta = cargo_metadata(&[])?;
    let names: HashMap<&str, &str> = meta["packages"]
        .as_array()
        .context("no packages")?
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .context("no resolve graph")?
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root = names
        .iter()
        .find(|(_, name)| **name == "cost-core")
        .map(|(id, _)| *id)
        .context("cost-core is not in the workspace")?;
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let non_dev = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].as_str() != Some("dev"));
            let Some(dep_id) = dep["pkg"].as_str() else {
                continue;
            };
            if non_dev && seen.insert(dep_id) {
                stack.push(dep_id);
            }
        }
    }
    let tree: BTreeSet<&str> = seen
        .iter()
        .filter_map(|id| names.get(id).copied())
        .collect();
    let bad: Vec<String> = FORBIDDEN
        .iter()
        .filter(|(name, _)| {
            tree.iter()
                .any(|t| t == name || t.starts_with(&format!("{name}_")))
        })
        .map(|(name, why)| format!("{name}: {why}"))
        .collect();
    if !bad.is_empty() {
        bail!(
            "cost-core's dependency tree has forbidden crates:\n  {}",
            bad.join("\n  ")
        );
    }
    // The front ends depend on cost-core, never on each other (`www` calls cost-core
    // directly, not through cost-wasm).
    const FRONT_ENDS: [&str; 3] = ["cost-cli", "cost-wasm", "llmcost-www"];
    for front in FRONT_ENDS {
        let Some((id, _)) = names.iter().find(|(_, name)| **name == front) else {
            continue;
        };
        let direct: Vec<&str> = nodes
            .get(id)
            .and_then(|n| n["deps"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| names.get(d["pkg"].as_str()?).copied())
            .collect();
        if let Some(other) = direct.iter().find(|d| FRONT_ENDS.contains(d)) {
            bail!("{front} depends on {other}: front ends depend on cost-core only");
        }
        if !direct.contains(&"cost-core") {
            bail!("{front} does not depend on cost-core");
        }
    }
    println!(
        "cost-core depends on {} crates, none forbidden: {}",
        tree.len(),
        tree.iter().copied().collect::<Vec<_>>().join(", ")
    );
    Ok(())
}
