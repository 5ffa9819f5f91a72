// tests/fixtures/budgets.json through `budget`, on every build. The package takes requests
// (it prices them itself), so each priced record of the shared usage log is turned back into
// its request, as the fixtures README regenerates the log; the figures must be the native
// ones exactly. Cases over hand-written `lines` whose amounts no catalog price gives are
// left to the native runner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture } from "./builds.mjs";
import { subset } from "./subset.mjs";

const cases = JSON.parse(fixture("budgets.json"));
const log = fixture("usage-log.jsonl").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
const requests = log.map((r) => ({
  model: `${r.provider}/${r.model}`, usage: r.usage, usage_format: "normalized",
  batch: r.batch, at: r.at, tags: r.tags,
}));

const logCases = cases.filter((c) => c.input.log === "usage-log.jsonl");

for (const [build, llm] of builds) {
  test(`${build}: budgets over the shared usage log give the native figures`, () => {
    assert.ok(logCases.length >= 10, `${logCases.length} cases over the log`);
    const problems = [];
    for (const c of logCases) {
      const input = { requests, budget: c.input.budget, today: c.input.today };
      if (c.input.estimate_usd !== undefined) input.estimate_usd = c.input.estimate_usd;
      let report;
      try {
        report = llm.budget(input);
      } catch (error) {
        if (!c.expected.error) {
          problems.push(`${c.name}: unexpected error ${error.kind}: ${error.message}`);
        } else if (error.kind !== c.expected.error.kind && error.kind !== "invalid_argument") {
          problems.push(`${c.name}: kind ${error.kind}, expected ${c.expected.error.kind}: ${error.message}`);
        }
        continue;
      }
      if (c.expected.error) {
        problems.push(`${c.name}: expected an error, got ${JSON.stringify(report.status.state)}`);
        continue;
      }
      subset(c.expected, report, c.name, problems);
    }
    assert.deepEqual(problems, []);
  });

  test(`${build}: a request that cannot be priced names its index`, () => {
    const bad = [...requests.slice(0, 3), { model: "nope", usage: { input_tokens: 1 }, at: "2026-11-02" }];
    assert.throws(() => llm.budget({ requests: bad, budget: { monthly_limit_usd: "5" }, today: "2026-11-15" }),
      (e) => e.name === "LlmcostError" && e.kind === "unknown_model" && e.path === "requests[3]" && e.message.startsWith("requests[3]: unknown model `nope`"));
    assert.throws(() => llm.budget({ requests: [], budget: { monthly_limit_usd: 5 }, today: "2026-11-15" }),
      (e) => e.kind === "invalid_argument" && e.path === "input.budget.monthly_limit_usd");
    assert.throws(() => llm.budget({ requests: [], budget: { monthly_limit_usd: "5" }, today: "soon" }),
      (e) => e.kind === "invalid_request" && e.path === "today");
    const empty = llm.budget({ requests: [], budget: { monthly_limit_usd: "5" }, today: "2026-11-15" });
    assert.equal(empty.status.state, "under");
    assert.equal(empty.status.month_to_date_usd.usd, "0");
  });
}
