// `models`, `loadPrices` and `resetPrices` on every build, with the shared price tables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { builds, fixture } from "./builds.mjs";

const litellm = fixture("litellm-1.109.1-model-prices.json");
const genai = fixture("genai-prices-v2-feed-2026-08-21.json");

for (const [build, llm] of builds) {
  test(`${build}: models lists the bundled catalog with exact prices`, () => {
    llm.resetPrices();
    const all = llm.models();
    assert.ok(all.length >= 50, `${all.length} models`);
    const haiku = llm.models("claude-3-5-haiku").find((m) => m.id === "claude-3-5-haiku-latest");
    assert.ok(haiku, "claude-3-5-haiku-latest is listed");
    assert.equal(haiku.provider, "anthropic");
    assert.equal(haiku.qualified_id, "anthropic/claude-3-5-haiku-latest");
    assert.equal(haiku.origin, "bundled");
    assert.equal(haiku.prices[0].standard.base.input_usd_per_mtok, "0.8");
    assert.equal(haiku.prices[0].standard.base.output_usd_per_mtok, "4");
    assert.ok(llm.models("HAIKU").length >= 1, "the query ignores case");
    assert.deepEqual(llm.models("no model is called this"), []);
  });

  test(`${build}: loadPrices adds a table, resetPrices drops it`, () => {
    llm.resetPrices();
    const before = llm.models().length;
    const report = llm.loadPrices(litellm);
    assert.equal(report.format, "litellm");
    assert.ok(report.models > 0);
    assert.ok(llm.models().length > before);
    const feed = llm.loadPrices(genai);
    assert.equal(feed.format, "genai-prices-feed");
    llm.resetPrices();
    assert.equal(llm.models().length, before);
  });

  test(`${build}: custom models and overrides price as the file says`, () => {
    llm.resetPrices();
    // By hand: Acme Chat at $1 / $2.5 per MTok: 1,000 × 1 + 100 × 2.5 = $0.00125. Haiku 3.5
    // with input overridden to $0.9: 550 × 0.9 + 100 × 4 = $0.000895 (bundled: $0.00084).
    const file = JSON.stringify({
      models: [{ provider: "acme", id: "acme-chat", name: "Acme Chat", prices: [{ input_mtok: 1, output_mtok: "2.5" }] }],
      overrides: [{ model: "claude-3-5-haiku", input_mtok: "0.9" }],
    });
    // The package reads price files as JSON; llmcost's TOML form is refused, saying so, and
    // changes nothing.
    const toml = ["[[overrides]]", 'model = "claude-3-5-haiku"', 'input_mtok = "0.9"'].join("\n");
    assert.throws(() => llm.loadPrices(toml),
      (e) => e.kind === "invalid_catalog" && e.message.includes("reads price files as JSON only"));
    const report = llm.loadPrices(file);
    assert.equal(report.format, "llmcost");
    assert.equal(report.added, 1);
    assert.equal(report.overrides, 1);
    const at = "2026-11-23";
    assert.equal(llm.price({ model: "acme-chat", usage: { input_tokens: 1000, output_tokens: 100 }, at }).total.usd, "0.00125");
    const haiku = { model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at };
    assert.equal(llm.price(haiku).total.usd, "0.000895");
    assert.equal(llm.models("acme-chat")[0].origin, "user");
    llm.resetPrices();
    assert.equal(llm.price(haiku).total.usd, "0.00084");
    assert.throws(() => llm.price({ ...haiku, model: "acme-chat" }), (e) => e.kind === "unknown_model");
  });
}
