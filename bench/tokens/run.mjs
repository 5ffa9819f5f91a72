// Drives the benchmark page in headless Debian Chromium and prints its results as JSON.
// Usage: node run.mjs http://127.0.0.1:PORT/index.html [COLD_RUNS]
// The page runs once in full; then, COLD_RUNS times, a fresh browser loads it in `cold` mode
// (llmcost's first count only), since one cold sample on a shared machine proves little.
import { chromium } from 'playwright-core';

const url = process.argv[2];
const coldRuns = Number(process.argv[3] || 0);
const origin = new URL(url).origin;
const foreign = [];

async function load(pageUrl) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) foreign.push(request.url());
    });
    page.on('pageerror', (error) => console.error(`page error: ${error}`));
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.__results || window.__error, null, { timeout: 300000 });
    return await page.evaluate(() => window.__results || { error: window.__error });
  } finally {
    await browser.close();
  }
}

const results = await load(url);
if (!results.error) {
  results.cold_runs = [];
  for (let i = 0; i < coldRuns; i++) {
    const cold = await load(`${url}${url.includes('?') ? '&' : '?'}cold`);
    if (cold.error) {
      results.error = cold.error;
      break;
    }
    results.cold_runs.push(cold.tokenizers.llmcost);
  }
}
results.foreign_requests = foreign;
console.log(JSON.stringify(results));
process.exit(results.error ? 1 : 0);
