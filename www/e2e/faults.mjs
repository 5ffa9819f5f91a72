// End-to-end tests of the built web app under fault, in headless Chromium (Debian's): storage
// that fills mid-save, throws or holds entries of a newer version, two tabs saving at once,
// and hostile input (huge books, a zip bomb, markup in names, a price table of 100,000
// models). `cargo xtask test-web` runs it after run.mjs:
//   node www/e2e/faults.mjs http://127.0.0.1:PORT/
// Every test also checks that the page made no request to another origin, and at the end
// that no page threw.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, readFileSync, rmSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync, constants as zlibConstants } from "node:zlib";
import { browserSession, dropBook, navigate } from "./harness.mjs";

const base = process.argv[2];
const root = process.env.LLMCOST_ROOT;
if (!base || !root) {
  console.error("usage: LLMCOST_ROOT=... node faults.mjs http://127.0.0.1:PORT/");
  process.exit(2);
}
const novel = join(root, "tests/fixtures/pride-and-prejudice-pg1342.txt");
const work = mkdtempSync(join(tmpdir(), "llmcost-faults-"));
const DEFAULT_MODELS = 5;
/** The longest a trivial `page.evaluate` may take while the page works: a frozen tab fails. */
const RESPONSIVE_MS = 1000;

const session = browserSession(base);
const { open, pageErrors, dialogs } = session;

after(() => rmSync(work, { recursive: true, force: true }));

/** Every llmcost entry in localStorage, key to text. */
function entries(page) {
  return page.evaluate(() => Object.fromEntries(Object.entries(localStorage).filter(([k]) => k.startsWith("llmcost."))));
}

function estimateKeys(stored) {
  return Object.keys(stored).filter((k) => k.startsWith("llmcost.estimate.")).sort();
}

const dropNovel = (page) => dropBook(page, novel);

async function pasteBook(page, text) {
  await page.click("text=Paste text instead");
  await page.fill('[data-testid="paste"]', text);
  await page.click("text=Count this text");
}

/** Waits until the notice says something matching `pattern`, and returns its text. */
async function noticeMatching(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.querySelector('[data-testid="notice"]')?.textContent ?? ""),
    pattern.source,
  );
  return page.textContent('[data-testid="notice"]');
}

/**
 * Polls `probe` (run in the page) every 100 ms until it returns something truthy, timing each
 * call: a page busy in one long task answers late. Returns the probe's value, the slowest
 * answer and whether `seen` (a second probe) was ever true.
 */
async function watch(page, probe, { timeout = 120000, seen } = {}) {
  const start = Date.now();
  let slowest = 0;
  let sawIt = false;
  for (;;) {
    const asked = Date.now();
    // An expression, not a function built in the page: the app's CSP forbids eval.
    const [value, saw] = await page.evaluate(`[(${probe})(), (${seen ?? "() => false"})()]`);
    slowest = Math.max(slowest, Date.now() - asked);
    sawIt ||= Boolean(saw);
    if (value) return { value, slowest, sawIt, ms: Date.now() - start };
    if (Date.now() - start > timeout) throw new Error(`no answer within ${timeout} ms; slowest poll ${slowest} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// Storage under fault
// ---------------------------------------------------------------------------------------------

/**
 * localStorage whose llmcost writes start failing, as a full quota does, once
 * `window.__quota.allowed` of them have succeeded (unlimited until a test sets it). A failed
 * setItem changes nothing, as in browsers.
 */
function quotaAfterWrites() {
  const setItem = Storage.prototype.setItem;
  window.__quota = { allowed: Infinity, writes: 0 };
  Storage.prototype.setItem = function (key, value) {
    if (String(key).startsWith("llmcost.") && key !== "llmcost.probe") {
      if (window.__quota.writes >= window.__quota.allowed) {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      window.__quota.writes += 1;
    }
    return setItem.call(this, key, value);
  };
}

test("the quota fills between two saves of an estimate: the last saved version stays, the user is told", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(quotaAfterWrites);
  const { page } = await open("", ctx);
  await dropNovel(page);
  await pasteBook(page, "Chapter 1\n\nA second, short book. It has two sentences.");
  await page.waitForFunction(() => Object.keys(localStorage).filter((k) => k.startsWith("llmcost.estimate.")).length === 2);
  // The pasted book's estimate is the current one. One more save fits; the one after does not.
  await page.evaluate(() => (window.__quota.allowed = window.__quota.writes + 1));
  const before = await entries(page);
  await page.check('[data-testid="batch"]');
  await page.waitForFunction(() => window.__quota.writes === window.__quota.allowed);
  const afterBatch = await entries(page);
  const changed = Object.keys(before).filter((k) => before[k] !== afterBatch[k]);
  assert.equal(changed.length, 1, "the batch change re-saved one entry");
  assert.match(afterBatch[changed[0]], /"batch":true/);
  await page.selectOption('[data-testid="cache"]', "none");
  assert.match(await noticeMatching(page, /storage is full/), /everything saved before is intact/);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), DEFAULT_MODELS, "the estimate still shows");
  assert.deepEqual(await entries(page), afterBatch, "nothing saved was changed or lost");
  // After a reload (the quota is back) History holds both estimates, the second as last saved.
  await page.reload();
  await navigate(page, "/history");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  assert.match(await page.textContent('[data-testid="history"]'), /· batch/);
  await ctx.close();
});

test("the quota fills partway through an import: what was saved before stays, History shows what arrived", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(quotaAfterWrites);
  const { page } = await open("", ctx);
  await dropNovel(page);
  await navigate(page, "/history");
  await page.click("text=Duplicate");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 2);
  const before = await entries(page);
  const [first] = estimateKeys(before).map((k) => JSON.parse(before[k]));
  // A history file with three new estimates; the third does not fit.
  const imported = ["one", "two", "three"].map((n, i) => ({ ...first, id: `imported${n}`, name: `Imported ${n}`, updated_ms: first.updated_ms - 1000 * (i + 1) }));
  const file = join(work, "three-estimates.json");
  writeFileSync(file, JSON.stringify({ format: "llmcost-history", version: 1, estimates: imported }));
  await page.evaluate(() => (window.__quota.allowed = window.__quota.writes + 2));
  await page.setInputFiles('[data-testid="import"]', file);
  assert.match(await noticeMatching(page, /storage is full/), /everything saved before is intact/);
  const after = await entries(page);
  for (const [key, text] of Object.entries(before)) assert.equal(after[key], text, `${key} is intact`);
  const arrived = estimateKeys(after).filter((k) => !(k in before));
  assert.deepEqual(arrived, ["llmcost.estimate.v1.importedone", "llmcost.estimate.v1.importedtwo"]);
  // The page shows what is saved: the two that arrived, without a reload.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 4);
  await page.reload();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 4);
  await ctx.close();
});

/** localStorage that throws on every call (the object itself is there). */
function brokenStorage() {
  const fail = () => {
    throw new DOMException("storage is failing", "UnknownError");
  };
  for (const name of ["getItem", "setItem", "removeItem", "key", "clear"]) Storage.prototype[name] = fail;
  Object.defineProperty(Storage.prototype, "length", { get: fail, configurable: true });
}

test("storage that throws on every call: history is off, estimates, prices and usage still work", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(brokenStorage);
  const { page } = await open("", ctx);
  await page.waitForSelector("text=history is off");
  await dropNovel(page);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), DEFAULT_MODELS);
  await page.check('[data-testid="batch"]');
  await page.waitForSelector('[data-testid="result-row"]');
  await navigate(page, "/history");
  await page.waitForSelector("text=No saved estimates yet");
  // A custom model applies for this visit, though it cannot be kept.
  await navigate(page, "/prices");
  await page.fill('[data-testid="custom-provider"]', "acme");
  await page.fill('[data-testid="custom-id"]', "offline-1");
  await page.fill('[data-testid="custom-input"]', "1");
  await page.fill('[data-testid="custom-output"]', "2");
  await page.click('[data-testid="custom-add"]');
  await page.fill('[data-testid="prices-search"]', "offline-1");
  await page.waitForSelector('[data-testid="price-row"] >> text=offline-1');
  await navigate(page, "/usage");
  const response = { id: "msg_1", type: "message", model: "claude-3-5-haiku-20241022", usage: { input_tokens: 550, output_tokens: 100 } };
  await page.fill('[data-testid="usage-paste"]', JSON.stringify(response));
  await page.click('[data-testid="usage-price"]');
  await page.waitForSelector('[data-testid="usage-total"]');
  assert.match(await page.textContent('[data-testid="usage-total"]'), /1 call/);
  assert.ok(await page.isVisible("text=history is off"));
  await ctx.close();
});

test("storage that starts throwing mid-visit: the user is told nothing was saved, the estimate shows", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(() => {
    window.__break = () => {
      const fail = () => {
        throw new DOMException("storage is failing", "UnknownError");
      };
      for (const name of ["getItem", "setItem", "removeItem", "key", "clear"]) Storage.prototype[name] = fail;
      Object.defineProperty(Storage.prototype, "length", { get: fail, configurable: true });
    };
  });
  const { page } = await open("", ctx);
  await page.evaluate(() => window.__break());
  await dropNovel(page);
  assert.match(await noticeMatching(page, /could not save|storage/), /intact|history is off/);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), DEFAULT_MODELS);
  await ctx.close();
});

test("entries of a newer version are left byte for byte and reported", async () => {
  const { ctx, page } = await open();
  // The version is in the key (llmcost.<kind>.v<version>[.<id>]); these are what a later
  // llmcost might write, in shapes this one does not know.
  const future = {
    "llmcost.estimate.v2.fromthefuture": JSON.stringify({ id: "fromthefuture", title: "Written by llmcost 2", units: { sentences: 12 } }),
    "llmcost.usage.v3.later": JSON.stringify({ calls: [{ cost: "0.01" }], note: "ünïcödé and \u2028 separators" }),
    "llmcost.prices.v2": JSON.stringify({ sources: [{ url: "https://example.com/prices" }] }),
    "llmcost.budget.v2": JSON.stringify({ limits: [{ period: "week", usd: "5" }] }),
  };
  await page.evaluate((f) => Object.entries(f).forEach(([k, v]) => localStorage.setItem(k, v)), future);
  await page.reload();
  await page.waitForSelector('[data-testid="storage-problems"]');
  const reported = await page.textContent('[data-testid="storage-problems"]');
  for (const key of Object.keys(future)) assert.match(reported, new RegExp(`“${key.replace(/\./g, "\\.")}” was saved by a newer version`), `${key} reported`);
  // Saving other records never touches them: an estimate, a custom model, a budget.
  await dropNovel(page);
  await navigate(page, "/prices");
  await page.fill('[data-testid="custom-provider"]', "acme");
  await page.fill('[data-testid="custom-id"]', "now-1");
  await page.fill('[data-testid="custom-input"]', "1");
  await page.fill('[data-testid="custom-output"]', "2");
  await page.click('[data-testid="custom-add"]');
  await noticeMatching(page, /1 models added/);
  await navigate(page, "/usage");
  await page.fill('[data-testid="budget-monthly"]', "10");
  await page.click('[data-testid="budget-save"]');
  await navigate(page, "/history");
  // The History page's code is fetched when it is first opened.
  await page.waitForSelector('[data-testid="history-entry"]');
  assert.equal(await page.locator('[data-testid="history-entry"]').count(), 1);
  const stored = await entries(page);
  for (const [key, text] of Object.entries(future)) assert.equal(stored[key], text, `${key} untouched`);
  assert.ok(Object.keys(stored).some((k) => k.startsWith("llmcost.price.v1.")) && stored["llmcost.budget.v1"], "the current records were saved beside them");
  await page.reload();
  await page.waitForSelector('[data-testid="storage-problems"]');
  assert.equal(await page.locator('[data-testid="storage-problems"] li').count(), Object.keys(future).length);
  const again = await entries(page);
  for (const [key, text] of Object.entries(future)) assert.equal(again[key], text, `${key} untouched after a reload`);
  await ctx.close();
});

test("two tabs saving estimates at once: both are kept, neither erases the other", async () => {
  const ctx = await session.newContext();
  const a = await open("", ctx);
  const b = await open("", ctx);
  await Promise.all([
    dropNovel(a.page),
    (async () => {
      await pasteBook(b.page, "Chapter 1\n\nThe other tab's book. It is short.");
      await b.page.waitForSelector('[data-testid="result-row"]');
    })(),
  ]);
  // Each tab then saves again (its own entry), and B duplicates its estimate in History.
  await Promise.all([a.page.check('[data-testid="batch"]'), b.page.selectOption('[data-testid="cache"]', "none")]);
  await navigate(b.page, "/history");
  await b.page.click("text=Duplicate");
  await a.page.waitForFunction(() => Object.keys(localStorage).filter((k) => k.startsWith("llmcost.estimate.")).length === 3);
  for (const tab of [a, b]) {
    await tab.page.reload();
    await navigate(tab.page, "/history");
    await tab.page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 3);
    const names = await tab.page.$$eval('[data-testid="history-name"]', (els) => els.map((e) => e.value).join("\n"));
    assert.match(names, /Pride and Prejudice/);
    assert.match(names, /\(copy\)/);
    assert.equal((await tab.page.textContent('[data-testid="history"]')).match(/Pasted text · 45 bytes/g)?.length, 2);
  }
  await ctx.close();
});

test("two tabs adding price files at the same moment: both are kept", async () => {
  const ctx = await session.newContext();
  const a = await open("prices", ctx);
  const b = await open("prices", ctx);
  const addModel = async (page, provider, id) => {
    await page.fill('[data-testid="custom-provider"]', provider);
    await page.fill('[data-testid="custom-id"]', id);
    await page.fill('[data-testid="custom-input"]', "1");
    await page.fill('[data-testid="custom-output"]', "2");
    await page.click('[data-testid="custom-add"]');
    await noticeMatching(page, /1 models added/);
  };
  // Both forms filled, then both submitted at once: each price file is its own key, so
  // neither tab's write can replace the other's (one shared record would lose one).
  await Promise.all([addModel(a.page, "taba", "model-a"), addModel(b.page, "tabb", "model-b")]);
  await addModel(a.page, "taba", "model-c");
  const keys = Object.keys(await entries(a.page)).filter((k) => k.startsWith("llmcost.price.v1."));
  assert.equal(keys.length, 3, `one key per price file: ${keys}`);
  for (const tab of [a, b]) {
    await tab.page.reload();
    await tab.page.waitForSelector('[data-testid="price-layers"]');
    const layers = await tab.page.textContent('[data-testid="price-layers"]');
    assert.match(layers, /taba\/model-a/, "A's model is kept");
    assert.match(layers, /tabb\/model-b/, "B's model is kept");
    assert.match(layers, /taba\/model-c/, "A's later model is kept");
  }
  await ctx.close();
});

test("price files saved by an earlier version in one record still apply, and are split into one key each", async () => {
  const { ctx, page } = await open("prices");
  const model = (id, input) => JSON.stringify({
    providers: [{ id: "oldacme", name: "oldacme" }],
    models: [{ provider: "oldacme", id, name: id, source: "added by you in llmcost", context_window: 128000, prices: [{ input_mtok: input, output_mtok: "2" }] }],
  });
  const legacy = {
    layers: [
      { id: "old1", name: "Your model oldacme/first", text: model("first", "1"), added_ms: 1000 },
      { id: "old2", name: "Your model oldacme/second", text: model("second", "3"), added_ms: 2000 },
    ],
  };
  await page.evaluate((text) => localStorage.setItem("llmcost.prices.v1", text), JSON.stringify(legacy));
  await page.reload();
  await page.waitForSelector('[data-testid="price-layers"]');
  const layers = await page.textContent('[data-testid="price-layers"]');
  assert.match(layers, /oldacme\/first/);
  assert.match(layers, /oldacme\/second/);
  const stored = await entries(page);
  assert.equal(stored["llmcost.prices.v1"], undefined, "the old record is removed once split");
  assert.deepEqual(JSON.parse(stored["llmcost.price.v1.old2"]), legacy.layers[1]);
  await page.fill('[data-testid="prices-search"]', "oldacme");
  assert.match(await page.textContent('[data-testid="prices-table"]'), /second/);
  await ctx.close();
});

// ---------------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------------

/** A text file of about `mb` million bytes: chapters of plain English-like sentences. */
function bigText(mb) {
  const path = join(work, `big-${mb}mb.txt`);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const words = "the a of and to in that it was her she he his not be with as had you for on at by which have all but this from they were so been him would could very no what said when one there more their than sister mother letter house family happy manner answer replied perhaps however indeed".split(" ");
  let block = "";
  for (let chapter = 1; block.length < 1_000_000; chapter++) {
    block += `CHAPTER ${chapter}\n\n`;
    for (let p = 0; p < 40; p++) {
      for (let s = 0; s < 5; s++) {
        const sentence = Array.from({ length: 6 + Math.floor(random() * 14) }, () => words[Math.floor(random() * words.length)]).join(" ");
        block += sentence[0].toUpperCase() + sentence.slice(1) + ". ";
      }
      block += "\n\n";
    }
  }
  const bytes = Buffer.from(block.slice(0, 1_000_000));
  const fd = openSync(path, "w");
  for (let i = 0; i < mb; i++) writeSync(fd, bytes);
  closeSync(fd);
  return path;
}

test("a 50 MB book: the page answers throughout, shows progress, and gives the table", async (t) => {
  const path = bigText(50);
  const { ctx, page } = await open();
  const started = Date.now();
  await page.setInputFiles('[data-testid="book-file"]', path);
  const run = await watch(
    page,
    () => document.querySelectorAll('[data-testid="result-row"]').length || document.querySelector('[data-testid="book-error"]')?.textContent,
    { seen: () => /Counting… [\d.]+ (KB|MB) of/.test(document.querySelector('[data-testid="progress"]')?.textContent ?? "") },
  );
  t.diagnostic(`50 MB: table after ${Date.now() - started} ms; slowest answer ${run.slowest} ms`);
  assert.equal(run.value, DEFAULT_MODELS, `the table, not an error: ${run.value}`);
  assert.ok(run.sawIt, "progress was shown");
  assert.ok(run.slowest < RESPONSIVE_MS, `the page answered within ${RESPONSIVE_MS} ms each time (slowest ${run.slowest} ms)`);
  assert.match(await page.textContent('[data-testid="profile"]'), /50\.0 MB/);
  rmSync(path);
  await ctx.close();
});

test("a 200 MB book is refused at once, with the reason", async (t) => {
  const path = bigText(200);
  const { ctx, page } = await open();
  const started = Date.now();
  await page.setInputFiles('[data-testid="book-file"]', path);
  const run = await watch(page, () => document.querySelector('[data-testid="book-error"]')?.textContent, { timeout: 10000 });
  t.diagnostic(`200 MB: refused after ${Date.now() - started} ms; slowest answer ${run.slowest} ms`);
  assert.match(run.value, /is 200 MB; llmcost reads books of up to 64 MB/);
  assert.ok(run.slowest < RESPONSIVE_MS, `slowest answer ${run.slowest} ms`);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), 0);
  rmSync(path);
  await ctx.close();
});

/**
 * A zip archive of `files` ({name, data} stored, or {name, deflated, size, crc} with the sizes
 * and CRC the headers should claim). No zip64: sizes are 32-bit, as in every EPUB.
 */
function zip(files) {
  const parts = [];
  const directory = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const body = f.deflated ?? f.data;
    const method = f.deflated ? 8 : 0;
    const size = f.size ?? f.data.length;
    const crc = f.crc ?? crc32(f.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, name, body);
    directory.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

/** An EPUB titled `title` (markup allowed: it is XML-escaped) whose chapters are `chapters`. */
function epub(title, chapters) {
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const text = (name, s) => ({ name, data: Buffer.from(s) });
  const items = chapters.map((c, i) => `<item id="c${i}" href="${c.name}" media-type="application/xhtml+xml"/>`).join("");
  const spine = chapters.map((_, i) => `<itemref idref="c${i}"/>`).join("");
  return zip([
    text("mimetype", "application/epub+zip"),
    text(
      "META-INF/container.xml",
      '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
    ),
    text(
      "OEBPS/content.opf",
      `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier><dc:title>${escape(title)}</dc:title><dc:language>en</dc:language></metadata><manifest>${items}</manifest><spine>${spine}</spine></package>`,
    ),
    ...chapters.map((c) => ({ ...c, name: `OEBPS/${c.name}` })),
  ]);
}

/**
 * `gib` GiB of zeros, deflated: one 16 MiB block compressed alone and repeated (its matches
 * reach back only into itself, so the copies chain into a valid stream), then a final empty
 * block. About 16 KB per 16 MiB.
 */
function deflatedZeros(gib) {
  const chunk = Buffer.alloc(16 << 20);
  const block = deflateRawSync(chunk, { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const copies = gib * 64;
  const deflated = Buffer.concat([...Array(copies).fill(block), deflateRawSync(Buffer.alloc(0))]);
  let crc = 0;
  for (let i = 0; i < copies; i++) crc = crc32(chunk, crc);
  return { deflated, size: copies * chunk.length, crc };
}

test("a zip bomb posing as an EPUB is refused within the limits, saying why", async (t) => {
  const bomb = deflatedZeros(2);
  assert.equal(bomb.size, 2 ** 31);
  const cases = [
    // Its directory states the true size: 2 GiB.
    ["bomb-honest.epub", epub("Bomb", [{ name: "ch1.xhtml", ...bomb }])],
    // Its directory claims 4 KB; the data inflates to 2 GiB.
    ["bomb-lying.epub", epub("Bomb", [{ name: "ch1.xhtml", ...bomb, size: 4096 }])],
  ];
  const { ctx, page } = await open();
  for (const [name, bytes] of cases) {
    assert.ok(bytes.length < 4 << 20, `${name} is small (${bytes.length} bytes)`);
    const path = join(work, name);
    writeFileSync(path, bytes);
    const started = Date.now();
    await page.setInputFiles('[data-testid="book-file"]', path);
    const run = await watch(page, () => document.querySelector('[data-testid="book-error"]')?.textContent, { timeout: 15000 });
    t.diagnostic(`${name} (${bytes.length} bytes): refused after ${Date.now() - started} ms; slowest answer ${run.slowest} ms`);
    assert.match(run.value, new RegExp(`${name.replace(".", "\\.")} cannot be read as a book: .*refusing to inflate more than 67\\.1 MB .*zip bomb`));
    assert.ok(run.slowest < RESPONSIVE_MS, `slowest answer ${run.slowest} ms`);
    assert.equal(await page.locator('[data-testid="result-row"]').count(), 0);
    // The next file starts from a clean slate.
    await page.reload();
    await page.waitForSelector("nav a");
  }
  await ctx.close();
});

const MARKUP = "<img src=x onerror=alert(1)>";
const SCRIPT = "<script>alert(2)</script>";

/** Records what markup in text would leave behind if it were parsed as HTML. */
function watchInjection() {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** Elements or handlers that text must never become, and CSP violations. */
function injected(page) {
  return page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll("img, iframe, object, embed, svg script, script")) {
      if (!(el.tagName === "SCRIPT" && el.getAttribute("src") === "/boot.mjs")) found.push(el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll("*")) {
      for (const a of el.attributes) if (a.name.startsWith("on")) found.push(`${el.tagName} ${a.name}`);
    }
    return [...found, ...window.__csp];
  });
}

test("markup in book titles, file names, model names and fields is shown as text, never run", async () => {
  const ctx = await session.newContext();
  await ctx.addInitScript(watchInjection);
  const { page } = await open("", ctx);
  // A file named like an element, and an EPUB and a Markdown book with markup in titles.
  const named = join(work, `${MARKUP}.txt`);
  writeFileSync(named, "Chapter 1\n\nA plain book. It has a strange name.\n");
  await page.setInputFiles('[data-testid="book-file"]', named);
  await page.waitForSelector('[data-testid="result-row"]');
  assert.equal(await page.textContent('[data-testid="profile"] h2'), `${MARKUP}.txt`);
  const book = join(work, "titled.epub");
  const chapter = (title) => ({ name: "ch1.xhtml", data: Buffer.from(`<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>${title.replace(/</g, "&lt;")}</h1><p>It was a dark night. The end.</p></body></html>`) });
  writeFileSync(book, epub(`${SCRIPT} The Title`, [chapter(MARKUP)]));
  await page.setInputFiles('[data-testid="book-file"]', book);
  await page.waitForFunction((t) => document.querySelector('[data-testid="profile"] h2')?.textContent === t, `${SCRIPT} The Title`);
  const md = join(work, "headings.md");
  writeFileSync(md, `# ${SCRIPT}\n\nIt begins. It goes on.\n\n# ${MARKUP}\n\nIt ends here.\n`);
  await page.setInputFiles('[data-testid="book-file"]', md);
  await page.waitForFunction(() => document.querySelector('[data-testid="chapters"]')?.textContent === "2");
  const charts = await page.$$eval("svg.chart", (svgs) => svgs.map((svg) => svg.textContent).join("\n"));
  assert.ok(charts.includes(`Chapter 1 (${SCRIPT})`), "the chapter chart names the heading as text");
  await navigate(page, "/history");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="history-entry"]').length === 3);
  const history = await page.textContent('[data-testid="history"]');
  assert.ok(history.includes(`${MARKUP}.txt`) && history.includes(SCRIPT), "History shows the names as text");
  await page.fill('[data-testid="history-name"] >> nth=0', `${SCRIPT}${MARKUP}`);
  await page.press('[data-testid="history-name"] >> nth=0', "Enter");
  // A custom model whose provider and id are markup, and a LiteLLM table with markup names.
  await navigate(page, "/prices");
  await page.fill('[data-testid="custom-provider"]', "<em>evil");
  await page.fill('[data-testid="custom-id"]', MARKUP);
  await page.fill('[data-testid="custom-input"]', "1");
  await page.fill('[data-testid="custom-output"]', "2");
  await page.click('[data-testid="custom-add"]');
  await noticeMatching(page, /1 models added/);
  const table = join(work, "litellm-markup.json");
  writeFileSync(
    table,
    JSON.stringify({
      [`<svg onload=alert(3)>`]: { litellm_provider: "<iframe src=javascript:alert(4)>", mode: "chat", input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
      [SCRIPT]: { litellm_provider: "openai", mode: "chat", input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
    }),
  );
  await page.setInputFiles('[data-testid="prices-import"]', table);
  await noticeMatching(page, /2 models added/);
  await page.fill('[data-testid="prices-search"]', "alert");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="price-row"]').length === 3);
  const rows = await page.textContent('[data-testid="prices-table"]');
  for (const s of [MARKUP, SCRIPT, "<svg onload=alert(3)>", "<em>evil"]) assert.ok(rows.includes(s), `the table shows ${s} as text`);
  // Those models in the Estimate page's picker and table, in Compare and in Usage.
  await navigate(page, "/");
  await page.fill('[data-testid="model-search"]', "alert");
  await page.click('[data-testid="select-shown"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result-row"]').length === n, DEFAULT_MODELS + 3);
  assert.ok((await page.textContent('[data-testid="results"]')).includes(MARKUP));
  const compare = await open(`compare?m=${encodeURIComponent(`${SCRIPT},openai/${SCRIPT}`)}&in=1000&out=10&calls=1`, ctx);
  await compare.page.waitForSelector('[data-testid="compare-row"]');
  assert.ok((await compare.page.textContent("main")).includes(SCRIPT));
  assert.deepEqual(await injected(compare.page), []);
  await compare.page.close();
  await navigate(page, "/usage");
  const response = { id: "x", type: "message", model: MARKUP, usage: { input_tokens: 5, output_tokens: 1 } };
  await page.fill('[data-testid="usage-paste"]', `${JSON.stringify(response)}\n${SCRIPT}`);
  await page.click('[data-testid="usage-price"]');
  await page.waitForSelector('[data-testid="usage-errors"]');
  assert.ok((await page.textContent("main")).includes(MARKUP), "the unknown model is named as text");
  assert.deepEqual(await injected(page), []);
  await page.reload();
  await navigate(page, "/history");
  await page.waitForSelector('[data-testid="history-entry"]');
  assert.deepEqual(await injected(page), []);
  assert.deepEqual(dialogs, [], "no dialog opened");
  await ctx.close();
});

/** The Prices page's line under the search: "123 models." or "Showing 200 of 5,100 models…". */
function catalogHint(page) {
  return page.$$eval("p.hint", (ps) => ps.map((p) => p.textContent).find((t) => /^(Showing \d+ of )?[\d,]+ models/.test(t)));
}

/** A LiteLLM-shaped price table of `n` chat models. */
function litellmTable(n) {
  const table = {};
  for (let i = 0; i < n; i++) {
    table[`bulk-model-${String(i).padStart(6, "0")}`] = {
      litellm_provider: "bulkco",
      mode: "chat",
      input_cost_per_token: 1e-6 * (1 + (i % 7)),
      output_cost_per_token: 2e-6,
      max_input_tokens: 128000,
    };
  }
  const path = join(work, `litellm-${n}.json`);
  writeFileSync(path, JSON.stringify(table));
  return path;
}

test("a price table of 100,000 models: refused with the reason, the tab answers, the catalog is unchanged", async (t) => {
  const path = litellmTable(100_000);
  const { ctx, page } = await open("prices");
  const bundled = await catalogHint(page);
  const started = Date.now();
  await page.setInputFiles('[data-testid="prices-import"]', path);
  const run = await watch(page, () => document.querySelector('[data-testid="notice"]')?.textContent, { timeout: 60000 });
  t.diagnostic(`100,000 models (${readFileSync(path).length} bytes): answered after ${Date.now() - started} ms; slowest answer ${run.slowest} ms`);
  assert.match(run.value, /was not loaded \(nothing changed\): .*MB/);
  assert.ok(run.slowest < RESPONSIVE_MS, `slowest answer ${run.slowest} ms`);
  assert.equal(await catalogHint(page), bundled);
  assert.ok((await page.locator('[data-testid="price-row"]').count()) <= 200);
  await ctx.close();
});

test("a price table of 5,000 models loads: the table shows one page of rows, the model list stays short", async (t) => {
  const path = litellmTable(5_000);
  const { ctx, page } = await open("prices");
  const started = Date.now();
  await page.setInputFiles('[data-testid="prices-import"]', path);
  const run = await watch(page, () => document.querySelector('[data-testid="notice"]')?.textContent, { timeout: 60000 });
  t.diagnostic(`5,000 models: loaded after ${Date.now() - started} ms; slowest answer ${run.slowest} ms`);
  assert.match(run.value, /5000 models added/);
  assert.ok(run.slowest < RESPONSIVE_MS, `slowest answer ${run.slowest} ms`);
  assert.match(await catalogHint(page), /Showing 200 of 5,\d{3} models: search to narrow/);
  assert.equal(await page.locator('[data-testid="price-row"]').count(), 200);
  // The Estimate page lists a page of models too, and answers.
  await navigate(page, "/");
  const estimate = await watch(page, () => document.querySelectorAll(".model-list li").length);
  assert.ok(estimate.value <= 200, `the model list shows ${estimate.value} models`);
  assert.ok(estimate.slowest < RESPONSIVE_MS, `slowest answer ${estimate.slowest} ms`);
  await page.fill('[data-testid="model-search"]', "bulk-model-004321");
  await page.waitForFunction(() => document.querySelectorAll(".model-list li").length === 1);
  // After a reload the table is still there.
  await page.reload();
  await navigate(page, "/prices");
  assert.match(await catalogHint(page), /Showing 200 of 5,\d{3} models/);
  await ctx.close();
});

test("a damaged tokenizer vocabulary is reported, and the next book fetches it again", async () => {
  const asset = readFileSync(join(root, "crates/cost-core/data/vocab/o200k_base.vocab"));
  const { ctx, page } = await open();
  // Half the asset, as a download cut short would leave it (the stream is loaded as it comes).
  await page.route("**/vocab/o200k_base.vocab", (route) =>
    route.fulfill({ status: 200, contentType: "application/octet-stream", body: asset.subarray(0, asset.length >> 1) }));
  await pasteBook(page, "It is a truth universally acknowledged. A single man in possession of a good fortune.");
  const error = await watch(page, () => document.querySelector('[data-testid="book-error"]')?.textContent);
  assert.match(error.value, /tokenizer vocabulary is damaged: .*truncated/);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), 0);
  // The real asset now: the next book loads it and gets its table.
  await page.unroute("**/vocab/o200k_base.vocab");
  await dropNovel(page);
  const rows = await watch(page, () => document.querySelectorAll('[data-testid="result-row"]').length);
  assert.equal(rows.value, DEFAULT_MODELS);
  await ctx.close();
});

test("a page whose code cannot be fetched says so, the app keeps working, and opening it again retries", async () => {
  const { ctx, page } = await open();
  const chunk = "**/snippets/llmcost-split/*usage_route*.wasm";
  await page.route(chunk, (route) => route.abort("connectionrefused"));
  await page.click('nav a[href="/usage"]');
  const failed = await watch(page, () => document.querySelector('[data-testid="page-not-loaded"]')?.textContent);
  assert.match(failed.value, /Usage page could not be loaded/);
  // The rest of the app still answers.
  await navigate(page, "/");
  await page.waitForSelector('[data-testid="book-file"]');
  await page.unroute(chunk);
  await navigate(page, "/usage");
  await page.waitForSelector('[data-testid="usage-paste"]');
  assert.equal(await page.locator('[data-testid="page-not-loaded"]').count(), 0);
  await ctx.close();
});

test("the estimator's code cannot be fetched: the book is refused with the reason, the next drop retries", async () => {
  const { ctx, page } = await open();
  const chunk = "**/snippets/llmcost-split/*llmcost_engine*.wasm";
  await page.route(chunk, (route) => route.abort("connectionrefused"));
  await pasteBook(page, "It is a truth universally acknowledged. A single man in possession of a good fortune.");
  const error = await watch(page, () => document.querySelector('[data-testid="book-error"]')?.textContent);
  assert.match(error.value, /estimator could not be loaded from this site/);
  assert.equal(await page.locator('[data-testid="result-row"]').count(), 0);
  await page.unroute(chunk);
  await dropNovel(page);
  const rows = await watch(page, () => document.querySelectorAll('[data-testid="result-row"]').length);
  assert.equal(rows.value, DEFAULT_MODELS);
  await ctx.close();
});

test("no page error was thrown, no dialog opened", () => {
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(dialogs, []);
});
