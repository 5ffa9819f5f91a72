// tests/fixtures/pricing.json through `price` and `parseUsage`, on every build: the same
// checks as cost-core's native runner (crates/cost-core/tests/pricing.rs), so the JS package
// must give exactly the native figures. Amounts are compared as integer femto-dollars.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture, femto } from "./builds.mjs";

const cases = JSON.parse(fixture("pricing.json"));
const COUNTS = [
  "input_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
  "output_tokens", "reasoning_tokens", "cache_storage_token_hours",
];

function request(input) {
  const r = { batch: input.batch ?? false, at: input.at };
  if (input.model !== undefined) r.model = input.model;
  if (input.usage !== undefined) r.usage = input.usage;
  if (input.response !== undefined) r.response = input.response;
  if (input.usage_format !== undefined) r.usage_format = input.usage_format;
  return r;
}

/** Prices one case; returns what disagrees with its expectation. */
function check(llm, c) {
  const expected = c.expected;
  let one;
  try {
    one = llm.price(request(c.input));
  } catch (error) {
    if (expected.error) {
      return error.kind === expected.error ? [] : [`expected error ${expected.error}, got ${error.kind}: ${error.message}`];
    }
    return [`unexpected error ${error.kind}: ${error.message}`];
  }
  if (expected.error) return [`expected error ${expected.error}, got ${one.total.usd}`];
  const calls = BigInt(c.input.calls ?? 1);
  // The summed usage of all calls, priced once: must equal calls × one call (linearity).
  const summed = Object.fromEntries(COUNTS.map((k) => [k, one.usage[k] * Number(calls)]));
  const all = llm.price({ model: c.input.model ?? `${one.provider}/${one.model}`, usage: summed, usage_format: "normalized", batch: c.input.batch ?? false, at: c.input.at });
  const problems = [];
  const amount = (what, want, gotOne, gotAll) => {
    if (femto(gotOne) * calls !== femto(want)) problems.push(`${what}: expected ${want}, got ${calls} × ${gotOne}`);
    if (calls !== 1n && femto(gotAll) !== femto(want)) problems.push(`${what} of the summed usage: expected ${want}, got ${gotAll}`);
  };
  amount("total_usd", expected.total_usd, one.total.usd, all.total.usd);
  for (const [name, usd] of Object.entries(expected.components ?? {})) {
    amount(`components.${name}`, usd, one.components[name].cost.usd, all.components[name].cost.usd);
  }
  if ("tier_above" in expected) {
    const got = one.tier?.above_tokens ?? null;
    if (got !== expected.tier_above) problems.push(`tier_above: expected ${expected.tier_above}, got ${got}`);
  }
  if ("batch" in expected && one.batch !== expected.batch) problems.push(`batch: expected ${expected.batch}, got ${one.batch}`);
  if ("prices_from" in expected && (one.prices_from ?? null) !== expected.prices_from) {
    problems.push(`prices_from: expected ${expected.prices_from}, got ${one.prices_from}`);
  }
  const want = [...new Set(expected.warnings ?? [])].sort();
  const got = [...new Set(one.warnings.map((w) => w.kind))].sort();
  if (JSON.stringify(want) !== JSON.stringify(got)) problems.push(`warnings: expected ${want}, got ${got}`);
  if (expected.usage) {
    const wantUsage = Object.fromEntries(COUNTS.map((k) => [k, expected.usage[k] ?? 0]));
    if (JSON.stringify(wantUsage) !== JSON.stringify(one.usage)) problems.push(`usage: expected ${JSON.stringify(wantUsage)}, got ${JSON.stringify(one.usage)}`);
  }
  if (expected.format && one.usage_format !== expected.format) problems.push(`format: expected ${expected.format}, got ${one.usage_format}`);
  if (expected.reported_cost_usd !== undefined) {
    const parsed = llm.parseUsage(c.input.response, c.input.usage_format);
    const reported = parsed.reported_cost?.usd;
    if (reported === undefined || femto(reported) !== femto(expected.reported_cost_usd)) {
      problems.push(`reported_cost_usd: expected ${expected.reported_cost_usd}, got ${reported}`);
    }
  }
  return problems;
}

for (const [build, llm] of builds) {
  test(`${build}: every pricing case gives the native figures`, () => {
    assert.ok(cases.length >= 45, `pricing.json has ${cases.length} cases`);
    const report = [];
    for (const c of cases) report.push(...check(llm, c).map((p) => `${c.name}: ${p}`));
    assert.deepEqual(report, []);
  });

  test(`${build}: the README example`, () => {
    const cost = llm.price({ model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" });
    assert.equal(cost.total.usd, "0.00084");
    assert.equal(cost.total.approx, 0.00084);
    assert.equal(cost.components.output.cost.usd, "0.0004");
    assert.equal(cost.components.input.usd_per_mtok, "0.8");
    assert.deepEqual(cost.warnings, []);
  });

  test(`${build}: tags come back as a plain object`, () => {
    const cost = llm.price({ model: "gpt-4o", usage: { input_tokens: 1 }, at: "2026-11-23", tags: { run: "a", phase: "b" } });
    assert.equal(Object.getPrototypeOf(cost.tags), Object.prototype);
    assert.deepEqual({ ...cost.tags }, { phase: "b", run: "a" });
  });
}
