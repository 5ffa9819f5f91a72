// Bad input from JavaScript: every call throws an `LlmcostError` with a stable kind and
// message, and the module stays usable. 10,000 failed calls must not grow wasm memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds } from "./builds.mjs";

const good = { model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" };

/** Asserts `f` throws an LlmcostError of `kind` whose message matches `message`. */
function throwsLlmcost(f, kind, message) {
  assert.throws(f, (error) => {
    assert.equal(error.name, "LlmcostError", error.stack);
    assert.ok(error instanceof Error);
    assert.equal(error.kind, kind, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

for (const [build, llm] of builds) {
  test(`${build}: wrong arguments throw clear errors`, () => {
    throwsLlmcost(() => llm.price(), "invalid_argument", /^request: expected a value, got undefined$/);
    throwsLlmcost(() => llm.price(undefined), "invalid_argument", /^request: expected a value, got undefined$/);
    throwsLlmcost(() => llm.price(null), "invalid_argument", /^request: expected a value, got null$/);
    throwsLlmcost(() => llm.price("claude"), "invalid_argument", /^request: /);
    throwsLlmcost(() => llm.price(42), "invalid_argument", /^request: /);
    throwsLlmcost(() => llm.price([1, 2, 3]), "invalid_argument", /^request: /);
    throwsLlmcost(() => llm.price({ ...good, model: 5 }), "invalid_argument", /^request\.model: invalid type: .*expected a string$/);
    throwsLlmcost(() => llm.price({ ...good, batch: "yes" }), "invalid_argument", /^request\.batch: /);
    throwsLlmcost(() => llm.price({ ...good, usage_format: "openai-chatty" }), "invalid_argument", /^request\.usage_format: unknown usage format "openai-chatty"; expected one of normalized, /);
    throwsLlmcost(() => llm.price({ ...good, colour: "red" }), "invalid_argument", /^request\.colour: unknown field `colour`, expected one of `model`, /);
    throwsLlmcost(() => llm.price({ ...good, usage: "550" }), "invalid_usage", /^usage: expected a usage object, got "550"$/);
    throwsLlmcost(() => llm.price({ ...good, usage: { input_tokens: 1n } }), "invalid_argument", /^request: cannot be read as JSON \(an object\)$/);
    throwsLlmcost(() => llm.price({ ...good, tags: { run: 5 } }), "invalid_argument", /^request\.tags\.run: /);
    throwsLlmcost(() => llm.parseUsage(), "invalid_argument", /^body: expected a value, got undefined$/);
    throwsLlmcost(() => llm.parseUsage({ prompt_tokens: 1 }, 7), "invalid_argument", /^format: /);
    throwsLlmcost(() => llm.models(5), "invalid_argument", /^query: expected a string, got a number$/);
    throwsLlmcost(() => llm.loadPrices(), "invalid_argument", /^text: expected a string, got undefined$/);
    throwsLlmcost(() => llm.loadPrices({ models: [] }), "invalid_argument", /^text: expected a string, got an object$/);
  });

  test(`${build}: bad requests throw the core's errors`, () => {
    throwsLlmcost(() => llm.price({ ...good, model: "gpt-nope" }), "unknown_model", /^unknown model `gpt-nope`/);
    throwsLlmcost(() => llm.price({ ...good, usage: { input_tokens: -5, output_tokens: 1 } }), "invalid_usage", /^usage\.input_tokens: /);
    throwsLlmcost(() => llm.price({ ...good, usage: { input_tokens: 1.5 } }), "invalid_usage", /got 1\.5/);
    throwsLlmcost(() => llm.price({ ...good, at: "yesterday" }), "invalid_request", /^at: /);
    throwsLlmcost(() => llm.price({ usage: good.usage }), "invalid_request", /^model: missing `model`$/);
    throwsLlmcost(() => llm.price({ ...good, response: { usage: {} } }), "invalid_request", /either `response` or `usage`/);
  });

  test(`${build}: huge arrays and strings are refused or handled, not fatal`, () => {
    const huge = new Array(1_000_000).fill(7);
    throwsLlmcost(() => llm.price(huge), "invalid_argument", /^request: /);
    throwsLlmcost(() => llm.price({ ...good, usage: huge }), "invalid_usage", /^usage: expected a usage object, got \[7,7,7/);
    throwsLlmcost(() => llm.parseUsage(huge), "invalid_usage", /^expected a response body \(a JSON object\), got \[7,7,7/);
    throwsLlmcost(() => llm.price({ ...good, model: "x".repeat(1_000_000) }), "invalid_request", /^model: a model name is at most 256 bytes$/);
    throwsLlmcost(() => llm.price({ ...good, model: "x".repeat(256) }), "unknown_model");
    assert.equal(llm.price(good).total.usd, "0.00084");
  });

  test(`${build}: a bad price file changes nothing`, () => {
    const before = llm.models().length;
    throwsLlmcost(() => llm.loadPrices("garbage"), "invalid_catalog", /^not a recognized price file/);
    throwsLlmcost(() => llm.loadPrices("{\"models\": 5}"), "invalid_catalog");
    throwsLlmcost(() => llm.loadPrices("[{\"id\": \"p\", \"models\": [{\"id\": \"m\", \"prices\": {\"input_mtok\": \"x\"}}]}]"), "invalid_catalog");
    assert.equal(llm.models().length, before);
    assert.equal(llm.price(good).total.usd, "0.00084");
  });

  test(`${build}: the module is usable after every error`, () => {
    for (const bad of [undefined, null, 1, "x", [], {}, { model: 1 }, { model: "nope", usage: {} }]) {
      assert.throws(() => llm.price(bad));
      assert.equal(llm.price(good).total.usd, "0.00084");
    }
  });
}

for (const name of ["web", "web estimate"]) {
  test(`${name}: 10,000 failed calls do not grow wasm memory`, () => {
    const llm = builds.find(([build]) => build === name)[1];
    const bad = [undefined, { model: 5 }, { ...good, model: "nope" }, { ...good, usage: { input_tokens: -1 } }];
    // Warm up: let the allocator reach its steady state first.
    for (let i = 0; i < 1000; i++) assert.throws(() => llm.price(bad[i % bad.length]));
    const before = llm.memory.buffer.byteLength;
    for (let i = 0; i < 10_000; i++) {
      assert.throws(() => llm.price(bad[i % bad.length]));
      assert.throws(() => llm.loadPrices("garbage"));
    }
    assert.equal(llm.memory.buffer.byteLength, before);
    assert.equal(llm.price(good).total.usd, "0.00084");
  });
}
