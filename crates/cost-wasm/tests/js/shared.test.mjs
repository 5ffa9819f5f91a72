// The package's two modules in one program: a price file loaded, or prices reset, through
// either module applies to the other, so `estimate` from `llmcost/estimate` prices with what
// `loadPrices` from `llmcost` loaded (and a failed load changes neither).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mainBuilds, estimateBuilds } from "./builds.mjs";

const at = "2026-11-23";
// Acme Chat at $1 / $2.5 per MTok: 1,000 × 1 + 100 × 2.5 = $0.00125 a request; 600 calls of
// 550 input and 100 output tokens: 600 × (550 × 1 + 100 × 2.5) / 10^6 = $0.48.
const acme = JSON.stringify({
  models: [{ provider: "acme", id: "acme-chat", name: "Acme Chat", prices: [{ input_mtok: 1, output_mtok: "2.5" }] }],
});
// Haiku 3.5 with input overridden from $0.8 to $0.9: 550 × 0.9 + 100 × 4 = $0.000895.
const haikuOverride = JSON.stringify({ overrides: [{ model: "claude-3-5-haiku", input_mtok: "0.9" }] });
const acmeRequest = { model: "acme-chat", usage: { input_tokens: 1000, output_tokens: 100 }, at };
const haiku = { model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at };
const pipeline = { name: "p", phases: [{ name: "a", unit: "sentence", output: { fixed: 100 } }] };
const estimateOn = (model) => ({ pipeline, units: { units: 600, tokens_per_unit: 550 }, models: [model], options: { at, cache: "none" } });

for (const kind of ["nodejs", "web"]) {
  const main = mainBuilds.find(([name]) => name === kind)[1];
  const full = estimateBuilds.find(([name]) => name === `${kind} estimate`)[1];

  test(`${kind}: prices loaded through one module apply to the other`, () => {
    main.resetPrices();
    const bundled = full.models().length;
    assert.equal(main.models().length, bundled);
    assert.throws(() => full.estimate(estimateOn("acme-chat")), (e) => e.kind === "unknown_model");

    assert.equal(main.loadPrices(acme).added, 1);
    assert.equal(full.models().length, bundled + 1);
    assert.equal(full.price(acmeRequest).total.usd, "0.00125");
    assert.equal(full.estimate(estimateOn("acme-chat")).models[0].cost.expected.usd, "0.48");

    // A second file through the estimate module: both modules hold both files, in order.
    assert.equal(full.loadPrices(haikuOverride).overrides, 1);
    assert.equal(main.price(haiku).total.usd, "0.000895");
    assert.equal(main.price(acmeRequest).total.usd, "0.00125");
    assert.equal(full.estimate(estimateOn("claude-3-5-haiku")).models[0].cost.expected.usd, "0.537");

    // A failed load changes neither module.
    assert.throws(() => main.loadPrices("garbage"), (e) => e.kind === "invalid_catalog");
    assert.throws(() => full.loadPrices("{\"models\": 5}"), (e) => e.kind === "invalid_catalog");
    assert.equal(full.models().length, bundled + 1);
    assert.equal(main.price(haiku).total.usd, "0.000895");

    // A reset through either module resets both.
    full.resetPrices();
    assert.equal(main.models().length, bundled);
    assert.equal(main.price(haiku).total.usd, "0.00084");
    assert.throws(() => main.price(acmeRequest), (e) => e.kind === "unknown_model");
    main.loadPrices(acme);
    main.resetPrices();
    assert.equal(full.estimate(estimateOn("claude-3-5-haiku")).models[0].cost.expected.usd, "0.504");
    assert.throws(() => full.price(acmeRequest), (e) => e.kind === "unknown_model");
  });
}
