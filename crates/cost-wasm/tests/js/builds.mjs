// The built package's two runnable outputs, loaded the way users load them: the nodejs build
// through the package's ES module wrapper, and the `web` ES module with its wasm bytes.
// `LLMCOST_PACKAGE` names the package directory (`cargo xtask test-package` sets it).
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "../../../..");
export const packageDir = process.env.LLMCOST_PACKAGE ?? path.join(root, "target/npm/llmcost");

/** Reads a shared fixture from tests/fixtures/. */
export function fixture(name) {
  return readFileSync(path.join(root, "tests/fixtures", name), "utf8");
}

async function loadNode() {
  const mod = await import(pathToFileURL(path.join(packageDir, "node/llmcost.mjs")).href);
  await mod.default();
  return mod;
}

async function loadWeb() {
  const mod = await import(pathToFileURL(path.join(packageDir, "web/llmcost.js")).href);
  const bytes = readFileSync(path.join(packageDir, "web/llmcost_bg.wasm"));
  const exports = mod.initSync({ module: bytes });
  return { ...mod, memory: exports.memory };
}

/** `[name, module]` for each build under test. */
export const builds = [
  ["nodejs", await loadNode()],
  ["web", await loadWeb()],
];

/** Exact decimal dollars as integer femto-dollars (the core's unit), for exact comparison. */
export function femto(text) {
  const match = /^(-?)(\d+)(?:\.(\d{0,15}))?$/.exec(String(text));
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, frac = ""] = match;
  const value = BigInt(whole) * 10n ** 15n + BigInt(frac.padEnd(15, "0"));
  return sign ? -value : value;
}
