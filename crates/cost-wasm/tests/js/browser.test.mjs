// examples/js/index.html in headless Chromium (Debian's, driven by playwright-core from
// www/e2e): the plain page with no bundler loads the `web` build through an import map and
// prices a request as the person types. The page must request nothing from another origin.
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
