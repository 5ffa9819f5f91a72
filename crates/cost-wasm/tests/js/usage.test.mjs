// tests/fixtures/usage.json through `parseUsage`, on every build: each provider's usage
// shape normalizes exactly as natively (crates/cost-core/tests/usage.rs), and bad counts
// throw with the same kind, path and message.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture, femto } from "./builds.mjs";

const cases = JSON.parse(fixture("usage.json"));
const FORMATS = ["normalized", "anthropic", "openai-chat", "openai-responses", "gemini", "openrouter"];
const COUNTS = [
  "input_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
  "output_tokens", "reasoning_tokens", "cache_storage_token_hours",
];

// One argument takes a body or a usage object, so where the native runner is told which
// (`body` or `usage`), the package decides by the `usage`/`usageMetadata` key: for these
// cases it reports the same kind of error in other words.
const SAME_KIND_ONLY = new Set(["usage that is not an object", "body without any usage"]);

function check(llm, c) {
  const value = c.input.body ?? c.input.usage;
  const expected = c.expected;
  let parsed;
  try {
    parsed = llm.parseUsage(value, c.input.format);
  } catch (error) {
    if (!expected.error) return [`unexpected error ${error.kind}: ${error.message}`];
    if (c.input.format !== undefined && !FORMATS.includes(c.input.format)) {
      // The JS API types `format`: an unknown name is a bad argument, not bad usage.
      return error.kind === "invalid_argument" ? [] : [`format ${c.input.format}: got ${error.kind}`];
    }
    const problems = [];
    if (error.name !== "LlmcostError") problems.push(`name ${error.name}`);
    if (error.kind !== expected.error.kind) problems.push(`kind ${error.kind}, expected ${expected.error.kind}`);
    if (SAME_KIND_ONLY.has(c.name)) return problems;
    if ((error.path ?? null) !== (expected.error.path ?? null)) problems.push(`path ${error.path}, expected ${expected.error.path}`);
    if (!error.message.includes(expected.error.contains)) problems.push(`message ${JSON.stringify(error.message)} lacks ${JSON.stringify(expected.error.contains)}`);
    return problems;
  }
  if (expected.error) return [`expected an error containing ${expected.error.contains}, parsed ${JSON.stringify(parsed)}`];
  const problems = [];
  const want = Object.fromEntries(COUNTS.map((k) => [k, expected.usage[k] ?? 0]));
  if (JSON.stringify(want) !== JSON.stringify(parsed.usage)) problems.push(`usage ${JSON.stringify(parsed.usage)}, expected ${JSON.stringify(want)}`);
  if (parsed.format !== expected.format) problems.push(`format ${parsed.format}, expected ${expected.format}`);
  if ((parsed.model ?? null) !== (expected.model ?? null)) problems.push(`model ${parsed.model}, expected ${expected.model}`);
  const reported = parsed.reported_cost?.usd ?? null;
  const wantReported = expected.reported_cost_usd ?? null;
  if ((reported === null) !== (wantReported === null) || (reported !== null && femto(reported) !== femto(wantReported))) {
    problems.push(`reported cost ${reported}, expected ${wantReported}`);
  }
  return problems;
}

for (const [build, llm] of builds) {
  test(`${build}: every usage shape normalizes as natively`, () => {
    const report = [];
    for (const c of cases) report.push(...check(llm, c).map((p) => `${c.name}: ${p}`));
    assert.deepEqual(report, []);
  });
}
