// The built package's runnable outputs, loaded the way users load them: for each of its two
// modules (`llmcost`, the pricing API, and `llmcost/estimate`, everything), the nodejs build
// through the package's ES module wrapper and the `web` ES module with its wasm bytes.
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

/** Module `name` (`llmcost` or `estimate`) of the nodejs build, as `import "llmcost"` gives it in Node. */
async function loadNode(name) {
  const mod = await import(pathToFileURL(path.join(packageDir, `node/${name}.mjs`)).href);
  await mod.default();
  return mod;
}

/** Module `name` of the `web` build, instantiated from its bytes. */
async function loadWeb(name) {
  const mod = await import(pathToFileURL(path.join(packageDir, `web/${name}.js`)).href);
  const bytes = readFileSync(path.join(packageDir, `web/${name}_bg.wasm`));
  const exports = mod.initSync({ module: bytes });
  return { ...mod, memory: exports.memory };
}

/** `[name, module]` for each build of the main module (`llmcost`: the pricing API only). */
export const mainBuilds = [
  ["nodejs", await loadNode("llmcost")],
  ["web", await loadWeb("llmcost")],
];

/** `[name, module]` for each build of the estimate module (`llmcost/estimate`: everything). */
export const estimateBuilds = [
  ["nodejs estimate", await loadNode("estimate")],
  ["web estimate", await loadWeb("estimate")],
];

/** Every build of both modules: each has the whole pricing API. */
export const builds = [...mainBuilds, ...estimateBuilds];

/** Exact decimal dollars as integer femto-dollars (the core's unit), for exact comparison. */
export function femto(text) {
  const match = /^(-?)(\d+)(?:\.(\d{0,15}))?$/.exec(String(text));
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, frac = ""] = match;
  const value = BigInt(whole) * 10n ** 15n + BigInt(frac.padEnd(15, "0"));
  return sign ? -value : value;
}
