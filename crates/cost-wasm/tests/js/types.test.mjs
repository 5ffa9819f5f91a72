// The public .d.ts of every build of both modules has no `any`: each argument and result is
// typed. The main module declares the pricing API only, the estimate module everything.
// Comments and the `web` build's `InitOutput` (wasm-bindgen's raw exports, not the package's
// API) are left out of the check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { packageDir } from "./builds.mjs";

const pricing = ["price", "parseUsage", "models", "loadPrices", "resetPrices", "report", "budget"];
const estimating = ["estimate", "presets"];

for (const module of ["llmcost", "estimate"]) {
  for (const file of [`web/${module}.d.ts`, `bundler/${module}.d.ts`, `node/${module}.d.cts`, `node/${module}.d.mts`]) {
    test(`${file} has no any`, () => {
      let text = readFileSync(path.join(packageDir, file), "utf8");
      text = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      text = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, "");
      const lines = text.split("\n").filter((l) => /\bany\b/.test(l));
      assert.deepEqual(lines, []);
      if (file.startsWith(`node/${module}.d.m`)) return;
      for (const name of pricing) assert.match(text, new RegExp(`export function ${name}\\(`), name);
      const full = module === "estimate";
      for (const name of estimating) {
        assert.equal(new RegExp(`export function ${name}\\(`).test(text), full, `${name} in ${file}`);
      }
      assert.equal(/export class Tokenizer/.test(text), full, `Tokenizer in ${file}`);
      assert.equal(/export interface EstimateInput|export type EstimateInput/.test(text), full, `EstimateInput in ${file}`);
    });
  }
}
