// Starts the app: loads the wasm-bindgen module Trunk built (no inline script, so the
// Content-Security-Policy can forbid them).
import init from "./llmcost-www.js";

init({ module_or_path: new URL("./llmcost-www_bg.wasm", import.meta.url) });
