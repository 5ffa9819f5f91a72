// examples/js/price-log.mjs on the shared sample log: one output line per request, the two
// lines that are wrong on purpose (an unknown model, a negative count) reported, and an
// exact total equal to the sum of the per-line amounts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { readFileSync } from "node:fs";
import { root, femto } from "./builds.mjs";

test("examples/js/price-log.mjs prices the sample log", () => {
  const log = path.join(root, "tests/fixtures/sample-requests.jsonl");
  const requests = readFileSync(log, "utf8").split("\n").filter((l) => l.trim());
  let out;
  try {
    execFileSync("node", [path.join(root, "examples/js/price-log.mjs"), log], { encoding: "utf8" });
    assert.fail("two sample lines are wrong on purpose: the script must exit with 1");
  } catch (error) {
    assert.equal(error.status, 1, error.stderr);
    out = error.stdout;
  }
  const lines = out.trim().split("\n");
  assert.equal(lines.length, requests.length + 1);
  const errors = lines.filter((l) => l.split("\t")[1] === "error");
  assert.equal(errors.length, 2, errors.join("\n"));
  assert.ok(errors.some((l) => l.includes("unknown_model")), errors.join("\n"));
  assert.ok(errors.some((l) => l.includes("invalid_usage")), errors.join("\n"));
  const priced = lines.slice(0, -1).filter((l) => l.split("\t")[1] !== "error");
  const sum = priced.reduce((acc, l) => acc + femto(l.split("\t")[2].slice(1)), 0n);
  const total = lines.at(-1).split("\t");
  assert.equal(total[0], "total");
  assert.equal(femto(total[1].slice(1)), sum);
  assert.equal(total[2], "2 line(s) failed");
});
