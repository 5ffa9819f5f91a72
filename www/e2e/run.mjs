// End-to-end tests of the built web app in headless Chromium (Debian's), as a person uses it.
// `cargo xtask test` builds the app, serves dist/ on 127.0.0.1 and runs:
//   node www/e2e/run.mjs http://127.0.0.1:PORT/
// Every test also checks that the page made no request to another origin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserSession, dropBook, navigate } from "./harness.mjs";

const base = process.argv[2];
const root = process.env.LLMCOST_ROOT;
if (!base || !root) {
  console.error("usage: LLMCOST_ROOT=... node run.mjs http://127.0.0.1:PORT/");
  process.exit(2);
}
const novel = join(root, "tests/fixtures/pride-and-prejudice-pg1342.txt");
const work = mkdtempSync(join(tmpdir(), "llmcost-e2e-"));
const DEFAULT_MODELS = [
  "anthropic/claude-haiku-4-5",
  "openai/gpt-5-mini",
  "google/gemini-2.5-flash",
  "deepseek/deepseek-chat",
  "mistral/mistral-small-2603",
];

const session = browserSession(base);
const { open, pageErrors } = session;

const dropNovel = (page) => dropBook(page, novel);

/** Expected cost per model as the page shows it: the exact amount behind each figure. */
async function tableCosts(page) {
  return page.$$eval('[data-testid="result-row"]', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.model, r.querySelector('[data-testid="expected"]').dataset.usd])),
  );
}

/** `llmcost estimate` on the same inputs, as JSON. */
function cliEstimate(extra = []) {
  const exe = process.env.LLMCOST_CLI ?? join(root, "target/debug/llmcost");
  const out = execFileSync(
    exe,
    ["estimate", novel, "--pipeline", "one-prompt-per-sentence", "--models", DEFAULT_MODELS.join(","), "--format", "jsonl", ...extra],
    { encoding: "utf8", maxBuffer: 64 << 20 },
  );
  return JSON.parse(out);
}

test("dropping the novel shows its profile and every model's cost, equal to `llmcost estimate`", async () => {
  const { ctx, page } = await open();
  await dropNovel(page);
  assert.equal(await page.textContent('[data-testid="chapters"]'), "61");
  const sentences = Number((await page.textContent('[data-testid="sentences"]')).replace(/,/g, ""));
  assert.ok(sentences > 5500 && sentences < 7000, `sentences: ${sentences}`);
  assert.match(await page.textContent('[data-testid="gutenberg"]'), /excluded/);
  const shown = await tableCosts(page);
  const cli = cliEstimate();
  assert.equal(Object.keys(shown).length, DEFAULT_MODELS.length);
  for (const m of cli.models) {
    const id = `${m.provider}/${m.model}`;
    assert.equal(shown[id], m.cost.expected, `${id}: page ${shown[id]}, CLI ${m.cost.expected}`);
  }
  // Batch toggled: the table changes, and equals the CLI with --batch.
  await page.check('[data-testid="batch"]');
  await page.waitForFunction(
    (before) => document.querySelector('[data-testid="result-row"] [data-testid="expected"]')?.dataset.usd !== before,
    Object.values(shown)[0],
  );
  const batched = await tableCosts(page);
  for (const m of cliEstimate(["--batch"]).models) {
    const id = `${m.provider}/${m.model}`;
    assert.equal(batched[id], m.cost.expected, `${id} with batch`);
  }
  await ctx.close();
});

test("a book dropped on the page (a real drop event) is counted", async () => {
  const { ctx, page } = await open();
  await page.evaluate(() => {
    const text = "# The Test Book\n\n## Chapter One\n\nMr. Smith went to St. Ives. It rained.\n\n## Chapter Two\n\nDr. Jones stayed home.\n";
    const file = new File([text], "test-book.md", { type: "text/markdown" });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const zone = document.querySelector('[data-testid="drop"]');
    for (const type of ["dragenter", "dragover", "drop"]) {
      zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  });
  await page.waitForSelector('[data-testid="result-row"]');
  assert.equal(await page.textContent('[data-testid="chapters"]'), "2");
  assert.match(await page.textContent('[data-testid="profile"]'), /test-book\.md/);
  await ctx.close();
});

test("an estimate is kept: reload, find it in History, reopen it", async () => {
  const { ctx, page } = await open();
  await dropNovel(page);
  const before = await tableCosts(page);
  await page.reload();
  await navigate(page, "/history");
  await page.waitForSelector('[data-testid="history-entry"]');
  const names = await page.$$eval('[data-testid="history-name"]', (els) => els.map((e) => e.value));
  assert.equal(names.length, 1);
  assert.match(names[0], /Pride and Prejudice/);
  await page.click('[data-testid="reopen"]');
  await page.waitForSelector('[data-testid="result-row"]');
  assert.deepEqual(await tableCosts(page), before);
  // The saved record holds counts, not the book's text.
  const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith("llmcost.estimate.")));
  assert.equal(stored.length, 1);
  assert.ok(!stored[0][1].includes("It is a truth universally acknowledged"), "the text is not stored");
  await ctx.close();
});

test("rename, duplicate, delete with undo, export and import (merging)", async () => {
  const { ctx, page } = await open();
  await dropNovel(page);
  await navigate(page, "/history");
  await page.fill('[data-testid="history-name"]', "My novel run");
  await page.press('[data-testid="history-name"]', "Enter");
  await page.click("text=Duplicate");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="export"]')]);
  const exported = join(work, "history.json");
  await download.saveAs(exported);
  const doc = JSON.parse(readFileSync(exported, "utf8"));
  assert.equal(doc.format, "llmcost-history");
  assert.equal(doc.estimates.length, 2);
  assert.ok(doc.estimates.some((e) => e.name === "My novel run"));
  // Delete one, undo it.
  await page.click('[data-testid="delete"] >> nth=0');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 1);
  await page.click('[data-testid="notice"] >> text=Undo');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  // Import into a fresh browser: both arrive; importing again adds nothing.
  const other = await open("history");
  await other.page.setInputFiles('[data-testid="import"]', exported);
  await other.page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  assert.match(await other.page.textContent('[data-testid="notice"]'), /2 added/);
  await other.page.setInputFiles('[data-testid="import"]', exported);
  await other.page.waitForFunction(() => /already here/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""));
  assert.equal(await other.page.locator('[data-testid="history-entry"]').count(), 2);
  await other.ctx.close();
  await ctx.close();
});

test("a corrupt entry is kept as-is and reported; the others load", async () => {
  const { ctx, page } = await open();
  await dropNovel(page);
  await page.evaluate(() => {
    localStorage.setItem("llmcost.estimate.v1.broken", "{not json");
    localStorage.setItem("llmcost.estimate.v9.future", JSON.stringify({ from: "the future" }));
  });
  await page.reload();
  await page.waitForSelector('[data-testid="storage-problems"]');
  const text = await page.textContent('[data-testid="storage-problems"]');
  assert.match(text, /2 saved entries could not be read; they were kept as-is/);
  assert.match(text, /newer version/);
  await navigate(page, "/history");
  // The History page's code is fetched when it is first opened.
  await page.waitForSelector('[data-testid="history-entry"]');
  assert.equal(await page.locator('[data-testid="history-entry"]').count(), 1);
  const kept = await page.evaluate(() => [localStorage.getItem("llmcost.estimate.v1.broken"), localStorage.getItem("llmcost.estimate.v9.future")]);
  assert.deepEqual(kept, ["{not json", JSON.stringify({ from: "the future" })]);
  await ctx.close();
});

test("a full quota is reported and nothing saved before is lost", async () => {
  const { ctx, page } = await open();
  await dropNovel(page);
  const savedBefore = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("llmcost.estimate.")).length);
  assert.equal(savedBefore, 1);
  // Fill the quota with another page's data, then start a new estimate: its save must fail.
  await page.evaluate(() => {
    for (const size of [256 * 1024, 16 * 1024, 1024, 64, 8]) {
      const chunk = "x".repeat(size);
      for (let i = 0; i < 1000; i++) {
        try { localStorage.setItem(`filler.${size}.${i}`, chunk); } catch { break; }
      }
    }
  });
  await page.click("text=Paste text instead");
  await page.fill('[data-testid="paste"]', "Chapter 1\n\nA short book. It has two sentences.");
  await page.click("text=Count this text");
  await page.waitForSelector('[data-testid="notice"].error');
  assert.match(await page.textContent('[data-testid="notice"]'), /storage is full/);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), 5, "the estimate still shows");
  const after = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("llmcost.estimate.")).length);
  assert.equal(after, 1, "the estimate saved before is still there");
  await ctx.close();
});

test("storage that is switched off: history is off, estimates still work", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(() => {
    Object.defineProperty(window, "localStorage", { get() { throw new DOMException("denied", "SecurityError"); } });
  });
  const { page } = await open("", ctx);
  await page.waitForSelector("text=history is off");
  await dropNovel(page);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), DEFAULT_MODELS.length);
  await ctx.close();
});

test("a Compare link opens the same comparison in a new page", async () => {
  const { ctx, page } = await open("compare?m=anthropic/claude-sonnet-4-5,google/gemini-2.5-pro,openai/gpt-5-mini");
  await page.waitForSelector('[data-testid="compare-row"]');
  await page.fill('[data-testid="cmp-input"]', "250000");
  await page.press('[data-testid="cmp-input"]', "Tab");
  await page.waitForFunction(() => location.search.includes("in=250000"));
  const url = page.url();
  const totals = await page.$$eval('[data-testid="compare-total"]', (els) => els.map((e) => e.textContent));
  // A long prompt: some model shows its long-context price.
  assert.match(await page.textContent('[data-testid="compare-table"]'), /long-context price above/);
  const other = await open(url.slice(base.length));
  await other.page.waitForSelector('[data-testid="compare-row"]');
  assert.equal(await other.page.inputValue('[data-testid="cmp-input"]'), "250000");
  assert.deepEqual(await other.page.$$eval('[data-testid="compare-total"]', (els) => els.map((e) => e.textContent)), totals);
  await other.ctx.close();
  await ctx.close();
});

test("a price file is imported; a bad one changes nothing and says why", async () => {
  const { ctx, page } = await open("prices");
  const custom = join(work, "mine.json");
  writeFileSync(
    custom,
    JSON.stringify({
      providers: [{ id: "acme", name: "Acme" }],
      models: [{ provider: "acme", id: "writer-1", name: "Acme Writer 1", source: "https://acme.example/pricing", prices: [{ input_mtok: 0.5, output_mtok: 1.5 }] }],
    }),
  );
  await page.setInputFiles('[data-testid="prices-import"]', custom);
  await page.fill('[data-testid="prices-search"]', "writer-1");
  await page.waitForSelector('[data-testid="price-row"] >> text=Acme Writer 1');
  assert.match(await page.textContent('[data-testid="price-row"]'), /yours/);
  const bad = join(work, "bad.json");
  writeFileSync(bad, '{"models": [1, 2');
  await page.setInputFiles('[data-testid="prices-import"]', bad);
  await page.waitForSelector('[data-testid="notice"].error');
  assert.match(await page.textContent('[data-testid="notice"]'), /was not loaded \(nothing changed\)/);
  // llmcost's TOML form is for the command line; the app says it reads JSON.
  const toml = join(work, "mine.toml");
  writeFileSync(toml, '[[overrides]]\nmodel = "claude-haiku-4-5"\ninput_mtok = "9"\n');
  await page.setInputFiles('[data-testid="prices-import"]', toml);
  await page.waitForFunction(() => /JSON only/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""));
  // The custom model survives a reload and prices in Compare.
  const other = await open("compare?m=acme/writer-1&in=1000000&out=0&calls=1", ctx);
  await other.page.waitForSelector('[data-testid="compare-total"]');
  assert.equal(await other.page.textContent('[data-testid="compare-total"]'), "$0.50");
  await ctx.close();
});

test("bad books get a clear message", async () => {
  const { ctx, page } = await open();
  const cases = [
    ["empty.txt", Buffer.alloc(0), /empty/],
    ["random.bin", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), /cannot be read as a book|binary/i],
    ["broken.epub", Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(200, 1)]), /cannot be read as a book/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(work, name);
    writeFileSync(path, bytes);
    await page.setInputFiles('[data-testid="book-file"]', path);
    await page.waitForSelector('[data-testid="book-error"]');
    const text = await page.textContent('[data-testid="book-error"]');
    assert.match(text, pattern, `${name}: ${text}`);
  }
  await ctx.close();
});

test("usage: pasted responses are priced and totalled; a budget alerts at 80 %", async () => {
  const { ctx, page } = await open("usage");
  const response = {
    id: "msg_1",
    type: "message",
    model: "claude-3-5-haiku-20241022",
    usage: { input_tokens: 550, output_tokens: 100 },
  };
  const lines = Array.from({ length: 600 }, () => JSON.stringify(response)).join("\n");
  await page.fill('[data-testid="usage-paste"]', lines + "\nnot json at all");
  await page.click('[data-testid="usage-price"]');
  await page.waitForSelector('[data-testid="usage-log"]');
  assert.match(await page.textContent('[data-testid="usage-total"]'), /600 calls, \$0\.504 in all/);
  assert.match(await page.textContent('[data-testid="usage-errors"]'), /line 601/);
  await page.fill('[data-testid="budget-monthly"]', "0.60");
  await page.click('[data-testid="budget-save"]');
  await page.waitForSelector('[data-testid="budget-alert"]');
  assert.match(await page.textContent('[data-testid="budget-alert"]'), /80 % of the monthly limit/);
  await ctx.close();
});

test("the first visit fetches only the Estimate page's code; the other pages' and the estimator's come when needed", async () => {
  const ctx = await session.newContext();
  const requested = [];
  ctx.on("request", (r) => requested.push(new URL(r.url()).pathname));
  const { page } = await open("", ctx);
  await page.waitForLoadState("networkidle");
  const chunks = () => requested.filter((p) => p.startsWith("/snippets/llmcost-split/") && p.endsWith(".wasm"));
  assert.deepEqual(chunks(), [], "lazily loaded chunks fetched by the first visit");
  await navigate(page, "/usage");
  await page.waitForSelector('[data-testid="usage-paste"]');
  assert.ok(chunks().some((p) => p.includes("usage_route")), `chunks after opening Usage: ${chunks()}`);
  assert.ok(!chunks().some((p) => p.includes("prices_route")), `chunks after opening Usage: ${chunks()}`);
  await navigate(page, "/prices");
  await page.waitForSelector('[data-testid="prices-search"]');
  assert.ok(chunks().some((p) => p.includes("prices_route")), `chunks after opening Prices: ${chunks()}`);
  // The estimator comes with the first change to the Estimate page's inputs (or a book).
  assert.ok(!chunks().some((p) => p.includes("llmcost_engine")), `chunks before a book: ${chunks()}`);
  await navigate(page, "/");
  await page.waitForSelector('[data-testid="book-file"]');
  await page.waitForLoadState("networkidle");
  assert.ok(!chunks().some((p) => p.includes("llmcost_engine")), `chunks back on Estimate: ${chunks()}`);
  await page.locator(".model-list input[type=checkbox]:not(:checked)").first().click();
  await page.waitForFunction(() =>
    performance.getEntriesByType("resource").some((e) => e.name.includes("llmcost_engine")));
  await dropNovel(page);
  assert.ok(chunks().some((p) => p.includes("llmcost_engine")), `chunks after a book: ${chunks()}`);
  await ctx.close();
});

test("no page error was thrown", () => {
  assert.deepEqual(pageErrors, []);
});
