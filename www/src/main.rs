//! Entry point of the web app's WebAssembly module: mounts [`llmcost_www::App`].

fn main() {
    llmcost_www::start();
}
