// What the web app's browser scripts share (run.mjs, faults.mjs, bench.mjs): Debian's
// headless Chromium with the project's flags, and for the tests a browser per file whose
// pages record every request to another origin, page errors, crashes and dialogs.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

/** Debian's Chromium, headless, with nothing of its own going to the network. */
export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * The test file's browser, launched before its tests and closed after them, then failing
 * if any page requested another origin. `open(path, context?)` gives a page (in a fresh
 * context, so its own localStorage, unless one is given) at `base + path`, once the app has
 * rendered its navigation; `pageErrors` and `dialogs` collect what its pages did.
 */
export function browserSession(base) {
  const origin = new URL(base).origin;
  const session = { browser: undefined, foreign: [], pageErrors: [], dialogs: [] };
  before(async () => {
    session.browser = await launchChromium();
  });
  after(async () => {
    await session.browser?.close();
    assert.deepEqual(session.foreign, [], "requests to other origins");
  });
  session.newContext = () => session.browser.newContext();
  session.open = async (path = "", context) => {
    const ctx = context ?? (await session.newContext());
    const page = await ctx.newPage();
    page.on("request", (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith("blob:") && !url.startsWith("data:")) session.foreign.push(url);
    });
    page.on("pageerror", (e) => session.pageErrors.push(String(e)));
    page.on("crash", () => session.pageErrors.push(`the page crashed (${page.url()})`));
    page.on("dialog", (d) => {
      session.dialogs.push(`${d.type()}: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    await page.goto(base + path);
    await page.waitForSelector("nav a");
    // The routed page is drawn once its code is in (pages other than Estimate are fetched
    // when first opened).
    await page.waitForSelector("#main [data-page]");
    return { ctx, page };
  };
  return session;
}

const PAGE_TITLES = { "/": "Estimate", "/compare": "Compare", "/usage": "Usage", "/history": "History", "/prices": "Prices" };

/** Follows the navigation link to `href` and waits for that page to be drawn. */
export async function navigate(page, href) {
  await page.click(`nav a[href="${href}"]`);
  await page.waitForSelector(`#main [data-page="${PAGE_TITLES[href]}"]`);
}

/** Chooses the book at `path` in the Estimate page's file input and waits for the table. */
export async function dropBook(page, path) {
  await page.setInputFiles('[data-testid="book-file"]', path);
  await page.waitForSelector('[data-testid="result-row"]', { timeout: 20000 });
}
