// The web app's benchmark in headless Chromium (`cargo xtask bench-web`):
// - the initial download: every file the first visit fetches before the page is interactive
//   and the network is quiet (HTML, JS, WASM, CSS; the tokenizer vocabulary excluded), gzip -9,
//   as served from dist/; the lazily loaded chunks fetched while models are chosen (the
//   estimator) and by the first drop (the vocabulary) are listed apart;
// - time to interactive: navigation start to the rendered navigation, cold, three runs;
// - dropping Pride and Prejudice to a full table of 60 models: the first drop (vocabulary
//   fetched and loaded) and a second one (vocabulary in memory), three runs each.
// Prints one JSON object.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium } from "./harness.mjs";

const base = process.argv[2];
const root = process.env.LLMCOST_ROOT;
const dist = process.env.LLMCOST_DIST;
const novel = join(root, "tests/fixtures/pride-and-prejudice-pg1342.txt");
const MODELS = 60;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// Every file of dist/, by the path it is served at.
const download = {};
let allFiles = 0;
for (const path of files(dist)) {
  const name = path.slice(dist.length + 1);
  if (name.startsWith(".")) continue;
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 }).length;
  download[name] = { bytes: raw.length, gzip: gz };
  if (!name.startsWith("vocab/")) allFiles += gz;
}

/** The dist/ files a page fetched from this origin (`/` is index.html). */
function fetched(urls) {
  const names = new Set();
  for (const url of urls) {
    const u = new URL(url);
    if (u.origin !== new URL(base).origin) continue;
    let name = decodeURIComponent(u.pathname.slice(1));
    if (name === "" || !(name in download)) name = "index.html";
    names.add(name);
  }
  return [...names].sort();
}
const gzipOf = (names) => names.filter((n) => !n.startsWith("vocab/")).reduce((sum, n) => sum + download[n].gzip, 0);

const browser = await launchChromium();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const interactive = [];
const firstDrop = [];
const secondDrop = [];
let initialFiles = [];
let pickingFiles = [];
let firstDropFiles = [];
for (let run = 0; run < 3; run++) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const urls = [];
  page.on("request", (request) => urls.push(request.url()));
  await page.goto(base);
  await page.waitForSelector("nav a");
  interactive.push(await page.evaluate(() => performance.now()));
  // Whatever the page fetches on its own once interactive is part of the first visit too.
  await page.waitForLoadState("networkidle");
  const initialUrls = urls.length;
  if (run === 0) initialFiles = fetched(urls);
  // Select 60 models, one click at a time (the list is redrawn after each).
  while ((await page.locator(".chips .chip").count()) < MODELS) {
    await page.locator(".model-list input[type=checkbox]:not(:checked)").first().click();
  }
  // Changing the inputs starts fetching the estimator (engine.rs), as a person choosing
  // models before dropping a book would.
  const pickedUrls = urls.length;
  if (run === 0) pickingFiles = fetched(urls.slice(initialUrls, pickedUrls)).filter((n) => !initialFiles.includes(n));
  for (const times of [firstDrop, secondDrop]) {
    const dropUrls = urls.length;
    // The wait is for this drop's table: counting must have been seen to start and end.
    await page.evaluate(() => {
      window.__sawProgress = false;
      const input = document.querySelector('[data-testid="book-file"]');
      input.value = "";
      new MutationObserver((_, obs) => {
        if (document.querySelector('[data-testid="progress"]')) {
          window.__sawProgress = true;
          obs.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const t0 = await page.evaluate(() => performance.now());
    await page.setInputFiles('[data-testid="book-file"]', novel);
    await page.waitForFunction(
      (n) =>
        window.__sawProgress &&
        !document.querySelector('[data-testid="progress"]') &&
        document.querySelectorAll('[data-testid="result-row"]').length === n,
      MODELS,
      { polling: "raf", timeout: 30000 },
    );
    const t1 = await page.evaluate(() => performance.now());
    times.push(t1 - t0);
    if (run === 0 && times === firstDrop) {
      firstDropFiles = fetched(urls.slice(dropUrls)).filter((n) => !initialFiles.includes(n) && !pickingFiles.includes(n));
    }
  }
  await ctx.close();
}
await browser.close();

console.log(
  JSON.stringify(
    {
      initial_download_gzip_bytes: gzipOf(initialFiles),
      initial_files: initialFiles,
      choosing_models_fetches: pickingFiles,
      choosing_models_fetches_gzip_bytes: gzipOf(pickingFiles),
      first_drop_also_fetches: firstDropFiles,
      first_drop_also_fetches_gzip_bytes: gzipOf(firstDropFiles),
      all_files_gzip_bytes: allFiles,
      files: download,
      interactive_ms: interactive.map(Math.round),
      interactive_median_ms: Math.round(median(interactive)),
      drop_to_table_first_ms: firstDrop.map(Math.round),
      drop_to_table_first_median_ms: Math.round(median(firstDrop)),
      drop_to_table_again_ms: secondDrop.map(Math.round),
      drop_to_table_again_median_ms: Math.round(median(secondDrop)),
      models: MODELS,
    },
    null,
    2,
  ),
);
