// examples/js/index.html in headless Chromium (Debian's, driven by playwright-core from
// www/e2e): the plain page with no bundler loads the `web` build through an import map and
// prices a request as the person types. The page must request nothing from another origin,
// and not the estimate module until it imports it; then that module estimates with the
// prices the page's main module loaded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

const { chromium } = await import(pathToFileURL(path.join(root, "www/e2e/node_modules/playwright-core/index.mjs")).href);

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
let server;
let origin;
let browser;

before(async () => {
  server = createServer(async (req, res) => {
    const file = path.join(root, decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

test("the plain HTML example prices a request as you type", async () => {
  const page = await browser.newPage();
  const foreign = [];
  const errors = [];
  page.on("request", (r) => { if (!r.url().startsWith(origin)) foreign.push(r.url()); });
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/examples/js/index.html`);
  const cost = page.locator("#cost");
  // claude-haiku-4-5 at $1 / $5 per MTok: 550 input + 100 output tokens.
  await page.waitForFunction(() => document.getElementById("cost").textContent.startsWith("$"));
  assert.equal(await cost.textContent(), "$0.00105 on anthropic/claude-haiku-4-5");
  await page.fill("#output", "1000");
  await page.waitForFunction(() => document.getElementById("cost").textContent.startsWith("$0.00555"));
  await page.fill("#model", "no-such-model");
  await page.waitForFunction(() => document.getElementById("cost").className === "error");
  assert.match(await cost.textContent(), /^unknown model `no-such-model`/);
  await page.fill("#model", "claude-3-5-haiku");
  await page.waitForFunction(() => document.getElementById("cost").textContent.startsWith("$"));
  assert.ok((await page.locator("#models option").count()) >= 50);
  assert.deepEqual(errors, []);
  assert.deepEqual(foreign, []);
  await page.close();
});

test("the estimate module is fetched only when imported, and shares the page's prices", async () => {
  const page = await browser.newPage();
  const requested = [];
  const errors = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${origin}/examples/js/index.html`);
  await page.waitForFunction(() => document.getElementById("cost").textContent.startsWith("$"));
  const wasm = () => requested.filter((p) => p.endsWith(".wasm")).map((p) => path.basename(p));
  assert.deepEqual(wasm(), ["llmcost_bg.wasm"]);
  const got = await page.evaluate(async () => {
    // The same URL as the page's import map: the page's own instance of the main module.
    const main = await import("/target/npm/llmcost/web/llmcost.js");
    const full = await import("/target/npm/llmcost/web/estimate.js");
    await full.default();
    const input = {
      pipeline: { name: "p", phases: [{ name: "a", unit: "sentence", output: { fixed: 100 } }] },
      units: { units: 600, tokens_per_unit: 550 },
      models: ["claude-3-5-haiku"],
      options: { at: "2026-11-23", cache: "none" },
    };
    const before = full.estimate(input).models[0].cost.expected.usd;
    main.loadPrices(JSON.stringify({ overrides: [{ model: "claude-3-5-haiku", input_mtok: "0.9" }] }));
    const after = full.estimate(input).models[0].cost.expected.usd;
    full.resetPrices();
    const reset = main.price({ model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" }).total.usd;
    return [before, after, reset];
  });
  // 600 × (550 × $0.8 + 100 × $4) / 10^6, then with input at $0.9; the reset reaches the main module.
  assert.deepEqual(got, ["0.504", "0.537", "0.00084"]);
  assert.deepEqual(wasm(), ["llmcost_bg.wasm", "estimate_bg.wasm"]);
  assert.deepEqual(errors, []);
  await page.close();
});
