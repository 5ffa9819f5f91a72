//! Keeps the linker's relocations in the app's module when the `split` feature is on: the
//! splitter (`cargo xtask`'s wasm-bindgen step) needs them to move code into lazy chunks.

fn main() {
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SPLIT");
    if std::env::var_os("CARGO_FEATURE_SPLIT").is_some() {
        println!("cargo:rustc-link-arg-bins=--emit-relocs");
    }
}
