//! The web app's module split into lazily loaded chunks, as a `wasm-bindgen` that Trunk runs.
//!
//! Trunk 0.21 links the app, runs `wasm-bindgen` on it, then `wasm-opt`; it knows nothing of
//! wasm-split (Leptos's `#[lazy_route]` and `#[lazy]`). So `cargo xtask` puts a copy of
//! itself named `wasm-bindgen` first on Trunk's PATH, and when called by that name it:
//!
//! 1. splits the linked module (built with `--features split`, so it has the
//!    `__wasm_split_unstable` section and the linker's relocations) with
//!    `wasm_split_cli_support`: the main module, one `.wasm` chunk per lazy page or engine
//!    (and chunks of code they share), and the JavaScript that loads them;
//! 2. runs the real wasm-bindgen on the main module with `--keep-lld-exports` (the chunks
//!    import the main module's functions, memory and table by their linker names);
//! 3. puts the chunks and their loader in `snippets/llmcost-split/` of wasm-bindgen's output,
//!    which Trunk copies to `dist/` as it copies every snippet, and shrinks each chunk with
//!    `wasm-opt -Oz` (Trunk shrinks the main module itself).
//!
//! A module without the section (the component tests' build) goes to wasm-bindgen untouched,
//! and so does every other call (`--version`).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The name this program answers to when it stands in for wasm-bindgen.
pub(crate) const SHIM_NAME: &str = "wasm-bindgen";

/// Where the chunks go, inside wasm-bindgen's output (and so inside `dist/`).
const CHUNK_DIR: &str = "snippets/llmcost-split";

/// The loader's path as the main module imports it, relative to the main JavaScript file.
const LOADER_IMPORT: &str = "./snippets/llmcost-split/split.js";

/// The section wasm-split's macros leave in a module that has split points.
const SPLIT_SECTION: &[u8] = b"__wasm_split_unstable";

/// Whether this process was started as the wasm-bindgen stand-in.
pub(crate) fn is_shim() -> bool {
    std::env::args_os()
        .next()
        .map(PathBuf::from)
        .and_then(|p| p.file_stem().map(|s| s == SHIM_NAME))
        .unwrap_or(false)
}

/// Makes `dir/wasm-bindgen` a copy of this program, for Trunk's PATH; returns `dir`.
pub(crate) fn install_shim(dir: &Path) -> Result<PathBuf> {
    let me = std::env::current_exe().context("cannot find the xtask program")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let shim = dir.join(SHIM_NAME);
    // Copied, not linked: cargo rebuilds xtask in place, and a stale copy is replaced here.
    std::fs::copy(&me, &shim)
        .with_context(|| format!("cannot copy {} to {}", me.display(), shim.display()))?;
    Ok(dir.to_path_buf())
}

/// Runs as `wasm-bindgen`: see the module documentation.
pub(crate) fn shim_main() -> Result<()> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let real = real_wasm_bindgen()?;
    let Some(input) = args.iter().position(|a| is_wasm_input(a)) else {
        return exec(&real, &args);
    };
    let input_path = PathBuf::from(&args[input]);
    let wasm = std::fs::read(&input_path)
        .with_context(|| format!("cannot read {}", input_path.display()))?;
    if !contains(&wasm, SPLIT_SECTION) {
        return exec(&real, &args);
    }
    let out_dir = flag_value(&args, "--out-dir").context("wasm-bindgen was given no --out-dir")?;
    let out_name =
        flag_value(&args, "--out-name").context("wasm-bindgen was given no --out-name")?;
    let out_dir = PathBuf::from(out_dir);

    let chunk_dir = out_dir.join(CHUNK_DIR);
    // Chunks of an earlier build must not reach dist/.
    if chunk_dir.exists() {
        std::fs::remove_dir_all(&chunk_dir)
            .with_context(|| format!("cannot clear {}", chunk_dir.display()))?;
    }
    std::fs::create_dir_all(&chunk_dir)?;
    let work = out_dir.join("llmcost-split-work");
    std::fs::create_dir_all(&work)?;
    let main_path = work.join("main.wasm");
    // The loader is written under a name as long as its final import path, so that the
    // import can be renamed in place in the main module's bytes.
    let placeholder = format!(
        "./{}split.js",
        "_".repeat(LOADER_IMPORT.len() - "./split.js".len())
    );
    let main_js = format!("../../{}.js", out_name.to_string_lossy());
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = &chunk_dir;
        options.main_out_path = &main_path;
        options.link_name = &placeholder;
        options.main_module = &main_js;
        options
    })
    .map_err(|e| anyhow::anyhow!("{e:?}"))
    .context("wasm-split could not split the app's module")?;
    std::fs::rename(chunk_dir.join(&placeholder), chunk_dir.join("split.js"))
        .context("wasm-split wrote no loader")?;
    let mut main = std::fs::read(&main_path)?;
    let renamed = replace_all(&mut main, placeholder.as_bytes(), LOADER_IMPORT.as_bytes());
    if renamed == 0 {
        bail!("the split main module does not import its loader {placeholder}");
    }
    std::fs::write(&main_path, &main)?;

    let mut bindgen_args = args.clone();
    bindgen_args[input] = main_path.into_os_string();
    bindgen_args.push("--keep-lld-exports".into());
    run(&real, &bindgen_args)?;

    for chunk in &split.split_modules {
        shrink(chunk)?;
    }
    eprintln!(
        "wasm-split: {} lazily loaded chunks in {}",
        split.split_modules.len(),
        chunk_dir.display()
    );
    Ok(())
}

/// The first `wasm-bindgen` on PATH that is not this stand-in.
fn real_wasm_bindgen() -> Result<PathBuf> {
    let me = std::env::current_exe().ok();
    let me_dir = me.as_deref().and_then(Path::parent).map(Path::to_path_buf);
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| Some(dir) != me_dir.as_ref())
        .map(|dir| dir.join(SHIM_NAME))
        .find(|candidate| candidate.is_file())
        .context("the real wasm-bindgen is not on PATH (`cargo xtask` installs it)")
}

fn is_wasm_input(arg: &OsStr) -> bool {
    let text = arg.to_string_lossy();
    !text.starts_with('-') && text.ends_with(".wasm")
}

/// The value of `--flag=value` or `--flag value`.
fn flag_value(args: &[OsString], flag: &str) -> Option<OsString> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, a)| {
        let text = a.to_string_lossy();
        if let Some(v) = text.strip_prefix(&prefix) {
            Some(OsString::from(v))
        } else if text == flag {
            args.get(i + 1).cloned()
        } else {
            None
        }
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Replaces every `from` (same length as `to`) in `bytes`; returns how many.
fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len(), "in-place renames keep the length");
    let mut count = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            count += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    count
}

/// What Trunk gives wasm-opt for the main module (`data-wasm-opt="z"` and
/// `data-wasm-opt-params` in www/index.html), given to every chunk too: the tokenizer's
/// `count_span` and `load_batch` now live in the engine's chunk, and inlining them makes
/// counting slower.
const CHUNK_WASM_OPT: [&str; 3] = [
    "-Oz",
    "--no-inline=*count_span*",
    "--no-inline=*load_batch*",
];

/// `wasm-opt` on a chunk, in place (the binaryen on PATH: xtask puts npm's 132 first).
fn shrink(chunk: &Path) -> Result<()> {
    let out = chunk.with_extension("opt.wasm");
    let mut args: Vec<OsString> = CHUNK_WASM_OPT.iter().map(OsString::from).collect();
    args.extend([
        chunk.as_os_str().to_owned(),
        "-o".into(),
        out.as_os_str().to_owned(),
    ]);
    run(Path::new("wasm-opt"), &args)
        .with_context(|| format!("cannot shrink {}", chunk.display()))?;
    std::fs::rename(&out, chunk)?;
    Ok(())
}

fn run(program: &Path, args: &[OsString]) -> Result<()> {
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("cannot start {}", program.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", program.display());
    }
    Ok(())
}

/// Runs the real program with the same arguments and exits with its status.
fn exec(program: &Path, args: &[OsString]) -> Result<()> {
    let status = Command::new(program)
        .args(args)
        .status()
        .with_context(|| format!("cannot start {}", program.display()))?;
    std::process::exit(status.code().unwrap_or(1));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_is_renamed_in_place_everywhere() {
        let placeholder = format!(
            "./{}split.js",
            "_".repeat(LOADER_IMPORT.len() - "./split.js".len())
        );
        assert_eq!(placeholder.len(), LOADER_IMPORT.len());
        let mut bytes = [
            b"\x00\x21".as_slice(),
            placeholder.as_bytes(),
            b"\x01",
            placeholder.as_bytes(),
        ]
        .concat();
        let before = bytes.len();
        assert_eq!(
            replace_all(&mut bytes, placeholder.as_bytes(), LOADER_IMPORT.as_bytes()),
            2
        );
        assert_eq!(bytes.len(), before);
        assert!(contains(&bytes, LOADER_IMPORT.as_bytes()));
        assert!(!contains(&bytes, placeholder.as_bytes()));
    }

    #[test]
    fn chunks_are_optimized_as_trunk_optimizes_the_main_module() {
        let index = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/index.html"),
        )
        .unwrap();
        let level = CHUNK_WASM_OPT[0].trim_start_matches("-O");
        assert!(index.contains(&format!("data-wasm-opt=\"{level}\"")));
        let params = CHUNK_WASM_OPT[1..].join(" ");
        assert!(
            index.contains(&format!("data-wasm-opt-params=\"{params}\"")),
            "www/index.html and split.rs give wasm-opt different parameters"
        );
    }

    #[test]
    fn flags_are_read_in_both_spellings() {
        let args: Vec<OsString> = [
            "--target=web",
            "--out-dir=/a/b",
            "--out-name",
            "app",
            "x.wasm",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        assert_eq!(flag_value(&args, "--out-dir"), Some("/a/b".into()));
        assert_eq!(flag_value(&args, "--out-name"), Some("app".into()));
        assert_eq!(flag_value(&args, "--keep-debug"), None);
        assert!(is_wasm_input(&args[4]));
        assert!(!is_wasm_input(&args[1]));
    }
}
