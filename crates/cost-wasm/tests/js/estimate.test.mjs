// tests/fixtures/estimates.json through `estimate`, on every build of `llmcost/estimate`: the
// same checks and laws as cost-core's native runner (crates/cost-core/tests/estimate.rs), so
// the package must give exactly the native figures. Then presets, the published Haiku 3.5
// figures as exact decimal strings, and bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { estimateBuilds as builds, fixture, femto } from "./builds.mjs";

const cases = JSON.parse(fixture("estimates.json"));

/** The fixture's input (the core's shape: `text`, `pipeline` or `preset`) as the package takes it. */
function input(c) {
  return { pipeline: c.input.pipeline ?? c.input.preset, ...c.input.text, models: c.input.models, options: c.input.options };
}

/**
 * Where the package reports a field the core names: the core's paths are of its own
 * arguments (`text.units.units`, `phases[0].model`); the package's of its one input.
 */
function packagePath(path) {
  if (path.startsWith("text.")) return path.slice("text.".length);
  if (path.startsWith("phases")) return `pipeline.${path}`;
  return path;
}

const sum = (moneys) => moneys.reduce((total, m) => total + femto(m.usd), 0n);

/** The laws every estimate keeps (the native runner's `laws`), exactly, in femto-dollars. */
function laws(estimate) {
  const problems = [];
  for (const m of estimate.models) {
    const fail = (what) => problems.push(`${m.model}: ${what}`);
    const ordered = (c) => femto(c.low.usd) <= femto(c.expected.usd) && femto(c.expected.usd) <= femto(c.high.usd);
    if (!ordered(m.cost)) fail(`cost not ordered: ${JSON.stringify(m.cost)}`);
    for (const level of ["low", "expected", "high"]) {
      if (sum(m.phases.map((p) => p.cost[level])) !== femto(m.cost[level].usd)) fail(`${level} phases do not add up`);
    }
    if (sum(Object.values(m.components)) !== femto(m.cost.expected.usd)) fail("components do not add up");
    if (sum(m.by_section) !== femto(m.cost.expected.usd)) fail("sections do not add up");
    if (m.by_section.length !== estimate.sections.length) fail("by_section and sections differ in length");
    for (const p of m.phases) {
      if (sum(p.by_section) !== femto(p.cost.expected.usd)) fail(`phase ${p.phase}: sections do not add up`);
      if (sum(Object.values(p.components)) !== femto(p.cost.expected.usd)) fail(`phase ${p.phase}: components differ`);
      if (!ordered(p.cost)) fail(`phase ${p.phase}: cost not ordered`);
      const t = p.tokens;
      if (t.input_tokens !== t.uncached_input_tokens + t.cache_write_5m_tokens + t.cache_write_1h_tokens + t.cache_read_tokens) {
        fail(`phase ${p.phase}: input tokens do not add up`);
      }
      if (t.reasoning_tokens > t.output_tokens) fail(`phase ${p.phase}: reasoning above output`);
    }
    for (const r of m.recommendations) {
      if (femto(r.saves_usd.usd) <= 0n) fail(`recommendation ${r.kind} saves nothing`);
    }
  }
  return problems;
}

/** Compares one model (or phase) with what the fixture expects of it. */
function checkModel(got, want, problems, at) {
  const eq = (what, g, w) => {
    if (g !== w) problems.push(`${at}${what}: got ${g}, expected ${w}`);
  };
  const money = (what, g, w) => {
    if (femto(g.usd) !== femto(w)) problems.push(`${at}${what}: got ${g.usd}, expected ${w}`);
  };
  if (want.model !== undefined) eq("model", got.model, want.model);
  if (want.cost) {
    for (const level of ["low", "expected", "high"]) {
      if (want.cost[level] !== undefined) money(`cost.${level}`, got.cost[level], want.cost[level]);
    }
  }
  for (const [name, usd] of Object.entries(want.components ?? {})) money(`components.${name}`, got.components[name], usd);
  if (want.by_section) {
    eq("by_section length", got.by_section.length, want.by_section.length);
    want.by_section.forEach((usd, i) => got.by_section[i] && money(`by_section[${i}]`, got.by_section[i], usd));
  }
  for (const [name, n] of Object.entries(want.tokens ?? {})) eq(`tokens.${name}`, got.tokens[name], n);
  if (want.caching !== undefined) eq("caching", got.caching.kind, want.caching);
}

/** Runs one case on `llm`; returns what disagrees with its expectation. */
function check(llm, c) {
  const expected = c.expected;
  let estimate;
  try {
    estimate = llm.estimate(input(c));
  } catch (error) {
    if (!expected.error) return [`failed: ${error.kind}: ${error.message}`];
    const want = expected.error;
    const path = want.path === undefined ? undefined : packagePath(want.path);
    // A value of the wrong type (a negative size) is refused by the package's own decoding,
    // before the core sees it: `invalid_argument` at the same field, from `input`.
    const decoded = error.kind === "invalid_argument" && (path === undefined || error.path === `input.${path}`);
    const problems = [];
    if (error.name !== "LlmcostError") problems.push(`not an LlmcostError: ${error}`);
    if (!decoded && error.kind !== want.kind) problems.push(`error kind ${error.kind} (expected ${want.kind}): ${error.message}`);
    if (!decoded && path !== undefined && error.path !== path) problems.push(`error path ${error.path} (expected ${path}): ${error.message}`);
    if (want.contains && !error.message.includes(want.contains)) problems.push(`error \`${error.message}\` does not contain \`${want.contains}\``);
    return problems;
  }
  if (expected.error) return [`succeeded; expected a ${expected.error.kind} error`];
  const problems = laws(estimate);
  if (expected.sections !== undefined && estimate.sections.length !== expected.sections) {
    problems.push(`${estimate.sections.length} sections (expected ${expected.sections})`);
  }
  if (estimate.models.length !== expected.models.length) {
    problems.push(`${estimate.models.length} models estimated, ${expected.models.length} expected`);
  }
  estimate.models.forEach((got, i) => {
    const want = expected.models[i];
    if (!want) return;
    const at = `${want.model}: `;
    checkModel(got, want, problems, at);
    for (const wantPhase of want.phases ?? []) {
      const phase = got.phases.find((p) => p.phase === wantPhase.phase);
      if (!phase) problems.push(`${at}phase ${wantPhase.phase} missing`);
      else checkModel(phase, wantPhase, problems, `${at}phases[${wantPhase.phase}].`);
    }
    const kinds = [...new Set(got.warnings.map((w) => w.kind))].sort();
    const wantKinds = [...new Set(want.warnings ?? [])].sort();
    if (JSON.stringify(kinds) !== JSON.stringify(wantKinds)) {
      problems.push(`${at}warnings ${kinds} (expected ${wantKinds}): ${got.warnings.map((w) => w.message).join(" | ")}`);
    }
    for (const [kind, units] of Object.entries(want.warning_units ?? {})) {
      const found = got.warnings.find((w) => w.kind === kind);
      if (found?.units !== units) problems.push(`${at}warning ${kind} units: got ${found?.units}, expected ${units}`);
    }
    for (const [kind, extra] of Object.entries(want.warning_extra ?? {})) {
      const found = got.warnings.find((w) => w.kind === kind);
      if (!found?.extra_usd || femto(found.extra_usd.usd) !== femto(extra)) {
        problems.push(`${at}warning ${kind} extra: got ${found?.extra_usd?.usd}, expected ${extra}`);
      }
    }
    if (want.recommendations) {
      const g = got.recommendations.map((r) => `${r.kind}=${femto(r.saves_usd.usd)}`);
      const w = want.recommendations.map((r) => `${r.kind}=${femto(r.saves_usd)}`);
      if (JSON.stringify(g) !== JSON.stringify(w)) problems.push(`${at}recommendations ${g} (expected ${w})`);
    }
    for (const [name, usd] of Object.entries(want.savings ?? {})) {
      if (femto(got.savings[name].usd) !== femto(usd)) problems.push(`${at}savings.${name}: got ${got.savings[name].usd}, expected ${usd}`);
    }
    if (want.rank !== undefined && got.rank !== want.rank) problems.push(`${at}rank ${got.rank} (expected ${want.rank})`);
    if (want.times_cheapest !== undefined && got.times_cheapest !== want.times_cheapest) {
      problems.push(`${at}times_cheapest ${got.times_cheapest} (expected ${want.times_cheapest})`);
    }
  });
  return problems;
}

const byName = Object.fromEntries(cases.map((c) => [c.name, c]));
const good = { pipeline: "one-prompt-per-sentence", units: { units: 600, tokens_per_unit: 50, chapters: 12 }, models: ["claude-3-5-haiku"], options: { at: "2026-11-23", cache: "none" } };

/** Asserts `f` throws an LlmcostError of `kind` at `path` whose message matches `message`. */
function throwsLlmcost(f, kind, path, message) {
  assert.throws(f, (error) => {
    assert.equal(error.name, "LlmcostError", error.stack);
    assert.equal(error.kind, kind, error.message);
    assert.equal(error.path, path, error.message);
    if (message) assert.match(error.message, message);
    assert.ok(!error.message.endsWith("."), error.message);
    return true;
  });
}

for (const [build, llm] of builds) {
  test(`${build}: every estimates.json case gives the native figures`, () => {
    assert.ok(cases.length >= 20);
    const failed = cases.flatMap((c) => check(llm, c).map((p) => `${c.name}: ${p}`));
    assert.deepEqual(failed, []);
  });

  test(`${build}: one prompt per sentence on Claude Haiku 3.5, the published figures exactly`, () => {
    // $0.00084 a call, $0.042 for a chapter of 50 calls, $0.504 for a novel of 600, $0.252
    // with batch (issue 4's figures; the fixtures' `working` shows the arithmetic).
    const expected = (name) => llm.estimate(input(byName[name])).models[0];
    assert.equal(expected("haiku-3-5-one-image-prompt").cost.expected.usd, "0.00084");
    assert.equal(expected("haiku-3-5-fifty-calls-a-chapter").cost.expected.usd, "0.042");
    const novel = expected("haiku-3-5-six-hundred-calls-a-novel");
    assert.equal(novel.cost.expected.usd, "0.504");
    assert.equal(novel.cost.expected.approx, 0.504);
    assert.deepEqual(novel.by_section.map((m) => m.usd), Array(12).fill("0.042"));
    assert.deepEqual(novel.recommendations.map((r) => [r.kind, r.saves_usd.usd]), [["use_batch", "0.252"]]);
    const batch = expected("haiku-3-5-novel-with-batch");
    assert.equal(batch.cost.expected.usd, "0.252");
    assert.equal(batch.savings.batch_usd.usd, "0.252");
    // The preset gives the same $0.504 (400 + 100 + 50 tokens in, 100 out, 600 sentences).
    const preset = expected("preset-one-prompt-per-sentence");
    assert.deepEqual([preset.cost.low.usd, preset.cost.expected.usd, preset.cost.high.usd], ["0.456", "0.504", "0.576"]);
  });

  test(`${build}: presets() lists every preset, and each estimates as its id does`, () => {
    const presets = llm.presets();
    assert.deepEqual(presets.map((p) => p.id), ["one-prompt-per-sentence", "summarize-each-chapter", "translate-in-chunks", "modernize-edit-final", "conversation"]);
    for (const p of presets) {
      assert.ok(p.name.length > 0 && p.description.length > 0, p.id);
      assert.equal(p.pipeline.name, p.name);
      const args = { units: { units: 600, tokens_per_unit: 50, chapters: 12 }, models: ["claude-haiku-4-5", "gpt-5-mini", "gemini-2.5-flash"], options: { at: "2026-11-23" } };
      const byId = llm.estimate({ ...args, pipeline: p.id });
      // The pipeline object itself, through JSON as an app would save it.
      const byObject = llm.estimate({ ...args, pipeline: JSON.parse(JSON.stringify(p.pipeline)) });
      assert.deepEqual(byObject, byId, p.id);
      assert.deepEqual(laws(byId), [], p.id);
      assert.ok(byId.models.every((m) => femto(m.cost.expected.usd) > 0n), p.id);
      assert.deepEqual(byId.models.map((m) => m.rank).sort(), [1, 2, 3], p.id);
    }
    // Every phase of the object form spells each spread out in full.
    const phase = presets[0].pipeline.phases[0];
    assert.deepEqual(Object.keys(phase.output.fixed), ["low", "expected", "high"]);
  });

  test(`${build}: options default as documented and come back filled in`, () => {
    const e = llm.estimate({ pipeline: "one-prompt-per-sentence", units: { units: 10, tokens_per_unit: 50 }, models: ["gpt-4o-mini"] });
    assert.match(e.options.at, /^\d{4}-\d{2}-\d{2}$/, "today when left out");
    assert.deepEqual({ ...e.options, at: "" }, { at: "", batch: false, cache: "provider_default", cache_hit_per_mille: 1000, calls_per_minute: "60" });
    assert.equal(e.sections.length, 1, "one chapter by default");
    const o = llm.estimate({ ...good, options: { at: "2026-11-23", batch: true, cache: { explicit: { storage_hours: 2 } }, cache_hit_per_mille: 900, calls_per_minute: 0.1 } }).options;
    assert.deepEqual(o, { at: "2026-11-23", batch: true, cache: { explicit: { storage_hours: 2 } }, cache_hit_per_mille: 900, calls_per_minute: "0.1" });
    assert.equal(llm.estimate({ ...good, options: { ...good.options, calls_per_minute: "12.5" } }).options.calls_per_minute, "12.5");
  });

  test(`${build}: bad input throws clear errors and the module stays usable`, () => {
    const e = (extra) => () => llm.estimate({ ...good, ...extra });
    throwsLlmcost(() => llm.estimate(), "invalid_argument", "input", /^input: expected a value, got undefined$/);
    throwsLlmcost(() => llm.estimate(null), "invalid_argument", "input", /^input: expected a value, got null$/);
    throwsLlmcost(() => llm.estimate("one-prompt-per-sentence"), "invalid_argument", "input", /^input: expected an object, got a string$/);
    throwsLlmcost(() => llm.estimate([good]), "invalid_argument", "input", /^input: expected an object, got an array$/);
    throwsLlmcost(() => llm.estimate({ units: good.units, models: good.models }), "invalid_argument", "input", /^input: missing field `pipeline`$/);
    throwsLlmcost(e({ units: undefined }), "invalid_argument", "input", /^input: give the text as exactly one of `profile`, `chapters` or `units`$/);
    throwsLlmcost(e({ chapters: [{ sentences: [1] }] }), "invalid_argument", "input", /exactly one of/);
    throwsLlmcost(e({ models: "claude-3-5-haiku" }), "invalid_argument", "input.models", /^input\.models: invalid type: string "claude-3-5-haiku", expected a sequence$/);
    throwsLlmcost(e({ models: [42] }), "invalid_argument", "input.models[0]", /expected a string$/);
    throwsLlmcost(e({ pipeline: 7 }), "invalid_argument", "input.pipeline", /^input\.pipeline: invalid type: integer `7`, expected a pipeline object or a preset id$/);
    throwsLlmcost(e({ units: { units: "600", tokens_per_unit: 50 } }), "invalid_argument", "input.units.units", /^input\.units\.units: invalid type: string "600", expected u64$/);
    throwsLlmcost(e({ units: { units: 1.5, tokens_per_unit: 50 } }), "invalid_argument", "input.units.units", /invalid type: floating point `1\.5`/);
    throwsLlmcost(e({ colour: "red" }), "invalid_argument", "input.colour", /^input\.colour: unknown field `colour`, expected one of `pipeline`, /);
    throwsLlmcost(e({ options: { at: "2026-11-23", cache: "forever" } }), "invalid_argument", "input.options.cache", /unknown variant `forever`, expected one of `none`, `provider_default`, `5m`, `1h`, `explicit`/);
    throwsLlmcost(e({ options: { calls_per_minute: "fast" } }), "invalid_argument", "input.options.calls_per_minute", /`fast` is not a positive number of calls per minute/);
    throwsLlmcost(e({ options: { at: "yesterday" } }), "invalid_request", "options.at", /^options\.at: /);
    throwsLlmcost(e({ options: { at: "2026-11-23", cache_hit_per_mille: 1001 } }), "invalid_request", "options.cache_hit_per_mille", /from 0 to 1000, got 1001/);
    throwsLlmcost(e({ pipeline: "one-prompt-per-paragraph" }), "invalid_request", "pipeline", /^pipeline: unknown preset `one-prompt-per-paragraph` \(expected a pipeline object or one of one-prompt-per-sentence, summarize-each-chapter, /);
    throwsLlmcost(e({ models: ["gpt-nope"] }), "unknown_model", "models[0]", /^models\[0\]: unknown model `gpt-nope` \(did you mean /);
    throwsLlmcost(e({ models: ["claude-3-5-haiku", "x".repeat(1_000_000)] }), "invalid_request", "models[1]", /^models\[1\]: a model name is at most 256 bytes$/);
    throwsLlmcost(e({ models: [] }), "invalid_request", "models", /at least one model/);
    throwsLlmcost(e({ units: { units: 0, tokens_per_unit: 50 } }), "invalid_request", "units.units", /at least 1 unit/);
    const phase = { name: "a", unit: "paragraph", output: { fixed: 1 } };
    throwsLlmcost(e({ units: undefined, chapters: [{ sentences: [10, 20] }], pipeline: { name: "p", phases: [phase] } }), "invalid_request", "pipeline.phases[0].unit", /no paragraph counts/);
    throwsLlmcost(e({ pipeline: { name: "p", phases: [{ ...phase, unit: "paragraphs" }] } }), "invalid_argument", "input.pipeline.phases[0].unit", /unknown variant `paragraphs`/);
    throwsLlmcost(e({ pipeline: { name: "p", phases: [{ ...phase, model: "claude-imaginary-9" }] } }), "unknown_model", "pipeline.phases[0].model", /unknown model `claude-imaginary-9`/);
    throwsLlmcost(e({ pipeline: { name: "p", phases: [{ ...phase, unit: { chunk: { tokens: 100, overlap: 100 } } }] } }), "invalid_request", "pipeline.phases[0].unit.chunk.overlap", /below the chunk size/);
    throwsLlmcost(e({ pipeline: { name: "p", phases: [{ ...phase, output: { fixed: { low: 5, expected: 4, high: 6 } } }] } }), "invalid_request", "pipeline.phases[0].output.fixed.low", /above expected/);
    throwsLlmcost(e({ profile: { title: null }, units: undefined }), "invalid_argument", "input.profile", /^input\.profile: missing field `format`$/);
    const huge = new Array(1_000_000).fill(7);
    throwsLlmcost(e({ models: huge }), "invalid_argument", "input.models[0]", /expected a string$/);
    throwsLlmcost(e({ units: undefined, chapters: [{ sentences: huge.map(() => -1) }] }), "invalid_argument", "input.chapters[0].sentences[0]", /invalid value: integer `-1`, expected u64$/);
    // The module is usable after every one of them.
    assert.equal(llm.estimate(good).models[0].cost.expected.usd, "0.504");
  });
}

test("web estimate: 10,000 failed estimates do not grow wasm memory", () => {
  const llm = builds.find(([name]) => name === "web estimate")[1];
  const bad = [undefined, { ...good, pipeline: "nope" }, { ...good, models: ["gpt-nope"] }, { ...good, units: { units: -1, tokens_per_unit: 1 } }, { ...good, units: { units: 0, tokens_per_unit: 1 } }];
  for (let i = 0; i < 1000; i++) assert.throws(() => llm.estimate(bad[i % bad.length]));
  const before = llm.memory.buffer.byteLength;
  for (let i = 0; i < 10_000; i++) assert.throws(() => llm.estimate(bad[i % bad.length]));
  assert.equal(llm.memory.buffer.byteLength, before);
  assert.equal(llm.estimate(good).models[0].cost.expected.usd, "0.504");
});
