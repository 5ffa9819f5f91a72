// Drives the benchmark page in headless Debian Chromium and prints its results as JSON.
// Usage: node run.mjs http://127.0.0.1:PORT/index.html
import { chromium } from 'playwright-core';

const url = process.argv[2];
const origin = new URL(url).origin;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
const foreign = [];
page.on('request', (request) => {
  if (!request.url().startsWith(origin)) foreign.push(request.url());
});
page.on('pageerror', (error) => console.error(`page error: ${error}`));
await page.goto(url);
await page.waitForFunction(() => window.__results || window.__error, null, { timeout: 300000 });
const results = await page.evaluate(() => window.__results || { error: window.__error });
results.foreign_requests = foreign;
console.log(JSON.stringify(results));
await browser.close();
process.exit(results.error ? 1 : 0);
