// tests/fixtures/reports.json's report cases over the shared usage log through `report`, on
// every build: the log's records turned back into requests (as the fixtures README
// regenerates the log) must group to exactly the native figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture } from "./builds.mjs";
import { subset } from "./subset.mjs";

const cases = JSON.parse(fixture("reports.json")).filter((c) => c.input.report && c.input.log === "usage-log.jsonl" && c.expected.report);
const log = fixture("usage-log.jsonl").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
const requests = log.map((r) => ({
  model: `${r.provider}/${r.model}`, usage: r.usage, usage_format: "normalized",
  batch: r.batch, at: r.at, tags: r.tags,
}));

/** The native JSON export's group (`{key, calls, ...}`) in the package's shape (`{key, spend}`). */
function reshape(expected) {
  const group = ({ key, ...spend }) => (key === undefined ? { spend } : { key, spend });
  const out = { ...expected };
  if (expected.groups) out.groups = expected.groups.map(group);
  return out;
}

for (const [build, llm] of builds) {
  test(`${build}: reports over the shared usage log give the native figures`, () => {
    assert.ok(cases.length >= 8, `${cases.length} cases`);
    const problems = [];
    for (const c of cases) {
      const input = { requests, by: c.input.report.by ?? [] };
      if (c.input.report.where) input.where = c.input.report.where;
      let report;
      try {
        report = llm.report(input);
      } catch (error) {
        problems.push(`${c.name}: ${error.kind}: ${error.message}`);
        continue;
      }
      subset(reshape(c.expected.report), report, c.name, problems);
    }
    assert.deepEqual(problems, []);
  });

  test(`${build}: bad report options throw`, () => {
    assert.throws(() => llm.report({ requests: [], by: ["model", "model"] }), (e) => e.name === "LlmcostError" && /model/.test(e.message));
    assert.throws(() => llm.report({ requests: [], where: { since: "someday" } }), (e) => e.name === "LlmcostError");
    assert.throws(() => llm.report({ requests: [], by: "model" }), (e) => e.kind === "invalid_argument" && e.path === "input.by");
    const empty = llm.report({ requests: [] });
    assert.equal(empty.total.cost_usd.usd, "0");
  });
}
