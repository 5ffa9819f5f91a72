//! Turns the bundled TOML data (catalog, pipeline presets, token ratios) into compact JSON at
//! build time, so builds without the `toml` feature (the web app, the npm package) ship no
//! TOML parser and decode the bundled data with the JSON decoder they already have.
//!
//! The conversion is lossless for these files: TOML numbers that are not integers become
//! JSON strings of their shortest decimal text (prices are read exactly from decimal text),
//! dates become `YYYY-MM-DD` strings. `catalog::tests` checks the JSON and the TOML decode to
//! the same catalog.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value as Json};
use toml::Value as Toml;

/// The preset files, in display order (the order `cost_core::presets()` returns them).
const PRESETS: [&str; 5] = [
    "one-prompt-per-sentence",
    "summarize-each-chapter",
    "translate-in-chunks",
    "modernize-edit-final",
    "conversation",
];

fn main() {
    let data = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("data");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());

    write_json(&data.join("catalog.toml"), &out.join("catalog.json"));
    write_json(
        &data.join("token-ratios.toml"),
        &out.join("token-ratios.json"),
    );

    let presets: Vec<Json> = PRESETS
        .iter()
        .map(|id| read_toml(&data.join("presets").join(format!("{id}.toml"))))
        .collect();
    fs::write(out.join("presets.json"), Json::Array(presets).to_string()).unwrap();
}

fn write_json(from: &Path, to: &Path) {
    fs::write(to, read_toml(from).to_string()).unwrap();
}

fn read_toml(path: &Path) -> Json {
    println!("cargo::rerun-if-changed={}", path.display());
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()));
    to_json(Toml::Table(table))
}

fn to_json(value: Toml) -> Json {
    match value {
        Toml::String(s) => Json::String(s),
        Toml::Integer(i) => Json::Number(Number::from(i)),
        // Rust prints an f64 as the shortest decimal that reads back to it, with no exponent.
        Toml::Float(f) => Json::String(f.to_string()),
        Toml::Boolean(b) => Json::Bool(b),
        Toml::Datetime(d) => Json::String(d.to_string()),
        Toml::Array(items) => Json::Array(items.into_iter().map(to_json).collect()),
        Toml::Table(table) => Json::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}
