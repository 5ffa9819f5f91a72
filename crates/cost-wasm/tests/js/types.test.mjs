// The public .d.ts of every build has no `any`: each argument and result is typed. Comments
// and the `web` build's `InitOutput` (wasm-bindgen's raw exports, not the package's API) are
// left out of the check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageDir } from "./builds.mjs";

for (const file of ["web/llmcost.d.ts", "bundler/llmcost.d.ts", "node/llmcost.d.cts", "node/llmcost.d.mts"]) {
  test(`${file} has no any`, () => {
    let text = readFileSync(path.join(packageDir, file), "utf8");
    text = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    text = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, "");
    const lines = text.split("\n").filter((l) => /\bany\b/.test(l));
    assert.deepEqual(lines, []);
    if (file.startsWith("node/llmcost.d.m")) return;
    for (const name of ["price", "parseUsage", "models", "loadPrices", "resetPrices", "report", "budget", "estimate", "presets"]) {
      assert.match(text, new RegExp(`export function ${name}\\(`), name);
    }
    assert.match(text, /export class Tokenizer/);
  });
}
