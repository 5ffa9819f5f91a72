// The package resolved by name, as users get it: in Node, `import "llmcost"` (ES module, the
// README's five lines) and `require("llmcost")` both reach the nodejs build's main module, and
// `llmcost/estimate` its estimate module, whose prices follow the main module's `loadPrices`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageDir } from "./builds.mjs";

const request = `{ model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" }`;
// 600 units of 550 tokens, one 100-token answer each, Haiku 3.5 at $0.8 / $4 per MTok with
// input overridden to $0.9: 600 × (550 × 0.9 + 100 × 4) / 10^6 = $0.537 (bundled: $0.504).
const estimateInput = `{ pipeline: { name: "p", phases: [{ name: "a", unit: "sentence", output: { fixed: 100 } }] }, units: { units: 600, tokens_per_unit: 550 }, models: ["claude-3-5-haiku"], options: { at: "2026-11-23", cache: "none" } }`;
const override = `JSON.stringify({ overrides: [{ model: "claude-3-5-haiku", input_mtok: "0.9" }] })`;

/** Runs each `[file, source]` in a folder whose node_modules holds the package; their outputs. */
function run(files) {
  const dir = mkdtempSync(path.join(tmpdir(), "llmcost-exports-"));
  try {
    mkdirSync(path.join(dir, "node_modules"));
    symlinkSync(packageDir, path.join(dir, "node_modules/llmcost"), "dir");
    return files.map(([file, source]) => {
      writeFileSync(path.join(dir, file), source);
      return execFileSync("node", [path.join(dir, file)], { encoding: "utf8", cwd: dir }).trim();
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("import and require of \"llmcost\" price the README example", () => {
  const out = run([
    ["esm.mjs", `import init, { price } from "llmcost";\nawait init();\nconsole.log(price(${request}).total.usd);\n`],
    ["cjs.cjs", `const { price } = require("llmcost");\nconsole.log(price(${request}).total.usd);\n`],
  ]);
  assert.deepEqual(out, ["0.00084", "0.00084"]);
});

test("import and require of \"llmcost/estimate\" estimate with the prices loaded through \"llmcost\"", () => {
  const esm = `import init, { loadPrices } from "llmcost";
import initEstimate, { estimate, Tokenizer, price } from "llmcost/estimate";
await init();
await initEstimate();
const before = estimate(${estimateInput}).models[0].cost.expected.usd;
loadPrices(${override});
console.log(before, estimate(${estimateInput}).models[0].cost.expected.usd, price(${request}).total.usd, typeof Tokenizer.load);
`;
  const cjs = `const { loadPrices } = require("llmcost");
const { estimate, resetPrices } = require("llmcost/estimate");
loadPrices(${override});
const after = estimate(${estimateInput}).models[0].cost.expected.usd;
resetPrices();
console.log(after, estimate(${estimateInput}).models[0].cost.expected.usd, require("llmcost").price(${request}).total.usd);
`;
  const out = run([["esm.mjs", esm], ["cjs.cjs", cjs]]);
  assert.deepEqual(out, ["0.504 0.537 0.000895 function", "0.537 0.504 0.00084"]);
});
