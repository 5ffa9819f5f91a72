//! Fuzz regressions (issue 7): every input a fuzz target crashed on
//! (`tests/fixtures/fuzz-crashes/TARGET/`) and a sample of each target's corpus
//! (`fuzz/corpus/TARGET/`), run through the targets' own checks on stable, so a fixed crash
//! stays fixed in the normal test suite.
//!
//! The checks are `fuzz/src/` itself, compiled into this test: the same decoding of the
//! input bytes and the same invariants as under libFuzzer (`cargo xtask fuzz`).
#![cfg(feature = "toml")]

use std::panic::catch_unwind;
use std::path::{Path, PathBuf};

// The fuzz crate's `web` feature (its `history` target) is not one of cost-core's: here it is
// off, as intended.
#[allow(unexpected_cfgs)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz;

/// Corpus files run per target: enough to cover each mode, few enough for a debug build.
const CORPUS_SAMPLE: usize = 12;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of `dir`, sorted by name; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable directory").path())
        .filter(|p| p.is_file() && p.file_name().is_none_or(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

/// Runs `check` on each file, and fails naming every file it panicked on.
fn run(target: &str, check: fuzz::Check, inputs: &[PathBuf]) -> Vec<String> {
    let mut failed = Vec::new();
    for path in inputs {
        let data = std::fs::read(path).expect("a readable input");
        if catch_unwind(|| check(&data)).is_err() {
            failed.push(format!("{target}: {}", path.display()));
        }
    }
    failed
}

#[test]
fn fuzz_crash_inputs_stay_fixed() {
    let crashes = root().join("tests/fixtures/fuzz-crashes");
    let mut failed = Vec::new();
    let mut ran = 0;
    for &(target, check) in fuzz::TARGETS {
        let inputs = files(&crashes.join(target));
        ran += inputs.len();
        failed.extend(run(target, check, &inputs));
    }
    // A directory named after no target would be skipped silently.
    for dir in std::fs::read_dir(&crashes).into_iter().flatten() {
        let name = dir.expect("a readable directory").file_name();
        let name = name.to_string_lossy();
        assert!(
            name == "README.md"
                || fuzz::TARGETS.iter().any(|(t, _)| *t == name)
                || fuzz::WEB_TARGETS.contains(&&*name),
            "tests/fixtures/fuzz-crashes/{name} is not a fuzz target"
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {ran} crash inputs fail:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

/// The web app's targets' inputs are replayed by its component tests, which cannot list a
/// directory in the browser: each must be named in the test that replays it.
#[test]
fn web_fuzz_inputs_are_replayed_by_the_app_tests() {
    for target in fuzz::WEB_TARGETS {
        let test = root().join(format!("www/tests/fuzz_{target}.rs"));
        let text = std::fs::read_to_string(&test).expect("the app's replay test exists");
        for input in files(&root().join("tests/fixtures/fuzz-crashes").join(target)) {
            let name = input.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                text.contains(&name),
                "{} does not replay {target}/{name}",
                test.display()
            );
        }
    }
}

#[test]
fn fuzz_corpora_sample_passes() {
    let corpora = root().join("fuzz/corpus");
    let mut failed = Vec::new();
    for &(target, check) in fuzz::TARGETS {
        let inputs = files(&corpora.join(target));
        assert!(!inputs.is_empty(), "fuzz/corpus/{target} is empty");
        // Evenly spread over the corpus, so every kind of input has a turn.
        let step = inputs.len().div_ceil(CORPUS_SAMPLE).max(1);
        let sample: Vec<PathBuf> = inputs.into_iter().step_by(step).collect();
        failed.extend(run(target, check, &sample));
    }
    assert!(
        failed.is_empty(),
        "corpus inputs fail:\n{}",
        failed.join("\n")
    );
}
