// tests/fixtures/generated-costs.json through `price` on every build: 600 seeded usages (counts
// up to 10^15) over every bundled model, whose costs cost-core computed natively (its
// `generated_costs` test keeps the file current). The package must give the same amounts,
// total and per component, compared as integer femto-dollars.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture, femto } from "./builds.mjs";

const cases = JSON.parse(fixture("generated-costs.json"));

for (const [build, llm] of builds) {
  test(`${build}: generated usages cost what they cost natively`, () => {
    llm.resetPrices();
    assert.equal(cases.length, 600);
    const problems = [];
    cases.forEach((c, i) => {
      let cost;
      try {
        cost = llm.price({ model: c.model, usage: c.usage, usage_format: "normalized", batch: c.batch, at: c.at });
      } catch (error) {
        if (c.expected.error !== error.kind) problems.push(`case ${i}: ${error.kind}: ${error.message}`);
        return;
      }
      if (c.expected.error) return problems.push(`case ${i}: expected ${c.expected.error}`);
      if (femto(cost.total.usd) !== femto(c.expected.total_usd)) {
        problems.push(`case ${i} ${c.model}: total ${cost.total.usd}, natively ${c.expected.total_usd}`);
      }
      for (const [name, usd] of Object.entries(c.expected.components)) {
        const got = cost.components[name]?.cost.usd;
        if (got === undefined || femto(got) !== femto(usd)) problems.push(`case ${i} ${c.model}: ${name} ${got}, natively ${usd}`);
      }
    });
    assert.deepEqual(problems, []);
  });
}
