// `tokenizer.profile` on every build of `llmcost/estimate`: tests/fixtures/text-cases.json (decoding, Gutenberg,
// chapters, sentences, EPUBs built here) through one `check`, with the figures cost-core's
// native runner (crates/cost-core/tests/text.rs) asserts that a profile carries; the novel's
// exact token counts; and a profile passed back to `estimate`, counted exactly for
// o200k_base models and scaled per unit for the others, as the native estimate test does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import path from "node:path";
import { estimateBuilds as builds, fixture, femto, packageDir, root } from "./builds.mjs";

const cases = JSON.parse(fixture("text-cases.json"));
const vocab = {
  o200k_base: readFileSync(path.join(packageDir, "o200k_base.vocab")),
  cl100k_base: readFileSync(path.join(root, "crates/cost-core/data/vocab/cl100k_base.vocab")),
};
const novel = readFileSync(path.join(root, "tests/fixtures/pride-and-prejudice-pg1342.txt"));
const utf8 = (text) => Buffer.byteLength(text, "utf8");

/** CRC-32 (IEEE), bit by bit: the test's own, as the native runner's. */
function crc32(data) {
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

/** A minimal zip writer (the native runner's): local headers, data, central directory, end. */
function zip(entries) {
  const out = [];
  const central = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.text !== undefined ? Buffer.from(e.text, "utf8") : Buffer.alloc(e.zeros ?? 0);
    const method = e.stored ? 0 : 8;
    const packed = e.stored ? data : deflateRawSync(data, { level: 6 });
    const name = Buffer.from(e.path, "utf8");
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0); // version needed
    common.writeUInt16LE(0, 2); // flags
    common.writeUInt16LE(method, 4);
    common.writeUInt32LE(0, 6); // time, date
    common.writeUInt32LE(e.crc ?? crc32(data), 10);
    common.writeUInt32LE(packed.length, 14);
    common.writeUInt32LE(e.declared_size ?? data.length, 18);
    common.writeUInt16LE(name.length, 22);
    common.writeUInt16LE(0, 24); // extra length
    const local = Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), common, name, packed]);
    const tail = Buffer.alloc(14); // comment length, disk, internal and external attributes, offset
    tail.writeUInt32LE(offset, 10);
    central.push(Buffer.concat([Buffer.from("PK\x01\x02", "latin1"), Buffer.from([20, 0]), common, tail, name]));
    out.push(local);
    offset += local.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.write("PK\x05\x06", 0, "latin1");
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dir, end]);
}

/** The case's input: a string as JS has it, or bytes. */
function inputOf(c) {
  const i = c.input;
  let bytes;
  if (i.text !== undefined) return i.text;
  if (i.base64 !== undefined) bytes = Buffer.from(i.base64, "base64");
  else if (i.file !== undefined) bytes = readFileSync(path.join(root, "tests/fixtures", i.file));
  else bytes = zip(i.epub);
  if (i.truncate !== undefined) bytes = bytes.subarray(0, i.truncate);
  return new Uint8Array(bytes);
}

/** The count a text case expects (`n`, `{min, max}` or the units themselves). */
function countProblems(what, expected, got) {
  if (typeof expected === "number") return got === expected ? [] : [`${what}: ${got}, expected ${expected}`];
  if (Array.isArray(expected)) return got === expected.length ? [] : [`${what}: ${got}, expected ${expected.length}`];
  return expected.min <= got && got <= expected.max ? [] : [`${what}: ${got} not in ${expected.min}..=${expected.max}`];
}

/** `TokenStats::of`, written again: the statistics a profile must give for these counts. */
function stats(counts) {
  if (counts.length === 0) return { units: 0, total: 0, min: 0, mean_tenths: 0, p95: 0, max: 0 };
  const n = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const sorted = [...counts].sort((a, b) => a - b);
  const rank = Math.ceil((95 * n) / 100);
  return { units: n, total, min: sorted[0], mean_tenths: Math.floor((20 * total + n) / (2 * n)), p95: sorted[Math.max(rank, 1) - 1], max: sorted[n - 1] };
}

/** What holds for every profile: counts per unit agree with the unit counts and statistics. */
function invariants(p) {
  const problems = [];
  const chapterSentences = p.chapters.reduce((a, c) => a + c.sentences, 0) + (p.front_matter?.sentences ?? 0);
  const chapterParagraphs = p.chapters.reduce((a, c) => a + c.paragraphs, 0) + (p.front_matter?.paragraphs ?? 0);
  if (chapterSentences !== p.units.sentences) problems.push(`chapters hold ${chapterSentences} sentences of ${p.units.sentences}`);
  if (chapterParagraphs !== p.units.paragraphs) problems.push(`chapters hold ${chapterParagraphs} paragraphs of ${p.units.paragraphs}`);
  if (p.units.chapters !== p.chapters.length) problems.push("units.chapters differs from chapters");
  if (p.units.front_matter !== (p.front_matter ? 1 : 0)) problems.push("units.front_matter differs from front_matter");
  for (const e of p.encodings) {
    for (const [kind, n] of [["sentences", p.units.sentences], ["paragraphs", p.units.paragraphs], ["chapters", p.units.chapters]]) {
      if (e[kind].per_unit.length !== n) problems.push(`${e.encoding} ${kind}: ${e[kind].per_unit.length} counts for ${n} units`);
      if (JSON.stringify(e[kind].stats) !== JSON.stringify(stats(e[kind].per_unit))) problems.push(`${e.encoding} ${kind}: stats ${JSON.stringify(e[kind].stats)}`);
    }
    if ((e.front_matter_tokens !== undefined) !== Boolean(p.front_matter)) problems.push(`${e.encoding}: front matter tokens without front matter`);
  }
  return problems;
}

/** Profiles one case; returns what disagrees with its expectation. */
function check(tokenizer, c) {
  const e = c.expected;
  const options = { keep_gutenberg: c.input.options?.keep_gutenberg ?? false };
  if (c.input.name !== undefined) options.name = c.input.name;
  let p;
  try {
    p = tokenizer.profile(inputOf(c), options);
  } catch (error) {
    if (!e.error) return [`unexpected error ${error.kind}: ${error.message}`];
    const problems = [];
    if (error.name !== "LlmcostError" || error.kind !== e.error.kind) problems.push(`error ${error.name} ${error.kind} (expected ${e.error.kind}): ${error.message}`);
    if (!error.message.includes(e.error.contains)) problems.push(`error \`${error.message}\` lacks \`${e.error.contains}\``);
    if (error.message.endsWith(".")) problems.push("a trailing period");
    return problems;
  }
  if (e.error) return [`succeeded; expected ${e.error.kind}: ${e.error.contains}`];
  const problems = invariants(p);
  const eq = (what, got, want) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  };
  if (e.format !== undefined) eq("format", p.format, e.format);
  if (e.encoding !== undefined) eq("encoding", p.source.encoding, e.encoding);
  if (e.title !== undefined) eq("title", p.title, e.title);
  if (e.text !== undefined) {
    eq("bytes of the text", p.bytes, utf8(e.text));
    eq("chars of the text", p.chars, [...e.text].length);
  }
  if (e.replaced_bytes !== undefined) eq("replaced_bytes", p.source.replaced_bytes, e.replaced_bytes);
  if (e.warnings !== undefined) eq("warnings", p.warnings.map((w) => w.kind), e.warnings);
  if (e.warning_contains !== undefined && !p.warnings.some((w) => w.message.includes(e.warning_contains))) {
    problems.push(`no warning says ${e.warning_contains}: ${JSON.stringify(p.warnings)}`);
  }
  if (e.gutenberg !== undefined) {
    const g = p.gutenberg;
    if (!g) problems.push("Gutenberg boilerplate not found");
    else {
      eq("gutenberg.excluded", g.excluded, e.gutenberg.excluded);
      if (e.gutenberg.title !== undefined) eq("gutenberg.title", g.title, e.gutenberg.title);
      if (e.gutenberg.header_bytes !== undefined) eq("gutenberg.header.bytes", g.header?.bytes, e.gutenberg.header_bytes);
      if (e.gutenberg.licence_bytes !== undefined) eq("gutenberg.licence.bytes", g.licence?.bytes, e.gutenberg.licence_bytes);
      if (e.gutenberg.header_marker !== undefined) eq("gutenberg.header.marker", g.header?.marker, e.gutenberg.header_marker);
    }
  }
  // A profile holds sizes, not text: each unit's text is checked by its length in bytes.
  if (e.front_matter !== undefined) eq("front matter bytes", p.front_matter?.bytes ?? null, e.front_matter === null ? null : utf8(e.front_matter));
  if (e.front_matter_starts_with !== undefined && !p.front_matter) problems.push("no front matter");
  if (e.chapters !== undefined) eq("chapters", p.units.chapters, e.chapters);
  const titles = p.chapters.map((ch) => ch.title ?? null);
  if (e.chapter_titles !== undefined) eq("chapter titles", titles, e.chapter_titles);
  if (e.chapter_titles_start !== undefined) eq("first chapter titles", titles.slice(0, e.chapter_titles_start.length), e.chapter_titles_start);
  if (e.chapter_texts !== undefined) eq("chapter bytes", p.chapters.map((ch) => ch.bytes), e.chapter_texts.map(utf8));
  if (e.paragraphs !== undefined) problems.push(...countProblems("paragraphs", e.paragraphs, p.units.paragraphs));
  if (e.sentences !== undefined) problems.push(...countProblems("sentences", e.sentences, p.units.sentences));
  if (e.chapter_sentences !== undefined) {
    problems.push(...countProblems("sentences in chapters", e.chapter_sentences, p.chapters.reduce((a, ch) => a + ch.sentences, 0)));
  }
  if (e.words !== undefined) eq("words", p.words, e.words);
  if (e.chars !== undefined) eq("chars", p.chars, e.chars);
  if (e.bytes !== undefined) eq("bytes", p.bytes, e.bytes);
  return problems;
}

/** Size limits are not options of the package (the defaults apply): those cases are native only. */
const withLimits = (c) => c.input.options?.max_input_bytes !== undefined || c.input.options?.max_inflated_bytes !== undefined;

/** The claude row of the token-ratio table: its tokens per thousand o200k_base tokens. */
function claudePerMille() {
  const table = readFileSync(path.join(root, "crates/cost-core/data/token-ratios.toml"), "utf8");
  const row = table.split("[[ratio]]").find((r) => /^family = "claude"$/m.test(r));
  assert.ok(row && !/^relative_to/m.test(row), "claude is relative to o200k_base");
  return BigInt(/^per_mille = (\d+)$/m.exec(row)[1]);
}

for (const [build, llm] of builds) {
  test(`${build}: every text-cases.json case profiles as natively`, () => {
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    try {
      const run = cases.filter((c) => !withLimits(c));
      assert.equal(cases.length - run.length, 2);
      assert.ok(run.length >= 60);
      const failed = run.flatMap((c) => check(tokenizer, c).map((p) => `${c.name}: ${p}`));
      assert.deepEqual(failed, []);
    } finally {
      tokenizer.free();
    }
  });

  test(`${build}: the novel's profile has its exact token counts`, () => {
    for (const [encoding, total] of [["o200k_base", 174392], ["cl100k_base", 175627]]) {
      const tokenizer = llm.Tokenizer.load(encoding, vocab[encoding]);
      try {
        // The file as it stands (boilerplate kept) counts as tiktoken counts the file.
        const whole = tokenizer.profile(novel, { keep_gutenberg: true });
        assert.equal(whole.encodings.length, 1);
        assert.equal(whole.encodings[0].encoding, encoding);
        assert.equal(whole.encodings[0].total_tokens, total);
        assert.equal(whole.encodings[0].total_tokens, tokenizer.count(novel.toString("utf8")));
        assert.equal(whole.gutenberg.excluded, false);
        // By default the boilerplate is found, reported and left out.
        const p = tokenizer.profile(novel);
        assert.deepEqual(invariants(p), []);
        assert.equal(p.units.chapters, 61);
        assert.equal(p.units.front_matter, 1);
        assert.equal(p.gutenberg.excluded, true);
        assert.equal(p.title, "Pride and Prejudice");
        assert.equal(p.chapters[0].title, "Chapter I.");
        // Chapter I, counted by hand: 885 words (the `wc -w` of lines 701–837 of the file).
        assert.equal(p.chapters[0].words, 885);
        assert.ok(p.encodings[0].total_tokens < total);
        // A string and its UTF-8 bytes are the same text.
        assert.deepEqual(tokenizer.profile(novel.toString("utf8")), p);
        assert.equal(p.encodings[0].chunks, undefined);
      } finally {
        tokenizer.free();
      }
    }
  });

  test(`${build}: chunks are counted when asked for, within their size`, () => {
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    try {
      const options = { max_tokens: 512, overlap_tokens: 64 };
      const p = tokenizer.profile(novel, { chunks: options });
      const chunks = p.encodings[0].chunks;
      assert.deepEqual(chunks.options, options);
      assert.ok(chunks.tokens.per_unit.length > 200, `${chunks.tokens.per_unit.length} chunks`);
      assert.ok(chunks.tokens.per_unit.every((t) => t > 0 && t <= 512));
      assert.deepEqual(chunks.tokens.stats, stats(chunks.tokens.per_unit));
      // Overlapping chunks repeat text: together they hold more tokens than the sentences.
      assert.ok(chunks.tokens.stats.total > p.encodings[0].sentences.stats.total);
      // Everything else is what a profile without chunks gives.
      const plain = tokenizer.profile(novel);
      assert.deepEqual({ ...p, encodings: [{ ...p.encodings[0], chunks: undefined }] }, plain);
    } finally {
      tokenizer.free();
    }
  });

  test(`${build}: a profile passed to estimate is exact for o200k_base models and scaled for others`, () => {
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    const profile = tokenizer.profile(novel);
    tokenizer.free();
    const sentences = profile.encodings[0].sentences.per_unit;
    const pipeline = { name: "p", phases: [{ name: "a", unit: "sentence", output: { fixed: 1 } }] };
    const input = { pipeline, profile, models: ["gpt-4o-mini", "claude-haiku-4-5"], options: { at: "2026-11-23" } };
    const e = llm.estimate(input);
    assert.equal(e.sections.length, 62, "front matter and 61 chapters");
    assert.deepEqual(e.sections.slice(0, 2), [{ kind: "front_matter", number: undefined, title: undefined }, { kind: "chapter", number: 1, title: "Chapter I." }]);
    const [gpt, claude] = e.models;
    assert.equal(gpt.phases[0].token_count.kind, "exact");
    assert.equal(gpt.tokens.input_tokens, sentences.reduce((a, b) => a + b, 0));
    assert.equal(gpt.tokens.calls, sentences.length);
    assert.ok(gpt.warnings.every((w) => w.kind !== "approximate_token_count"));
    // Each sentence's o200k_base count times the ratio, rounded up on its own.
    const perMille = claudePerMille();
    const scaled = sentences.reduce((a, t) => a + (BigInt(t) * perMille + 999n) / 1000n, 0n);
    assert.equal(claude.phases[0].token_count.kind, "approximate");
    assert.equal(BigInt(claude.tokens.input_tokens), scaled);
    assert.ok(claude.warnings.some((w) => w.kind === "approximate_token_count"));
    // Chapter by chapter, the sections add up to the total.
    const bySection = gpt.by_section.reduce((a, m) => a + femto(m.usd), 0n);
    assert.equal(bySection, femto(gpt.cost.expected.usd));
    // A profile kept as JSON (history, a file) estimates the same.
    assert.deepEqual(llm.estimate({ ...input, profile: JSON.parse(JSON.stringify(profile)) }), e);
    // A cl100k_base profile alone is refused: estimates need o200k_base counts.
    const cl100k = llm.Tokenizer.load("cl100k_base", vocab.cl100k_base);
    const other = cl100k.profile(novel);
    cl100k.free();
    assert.throws(() => llm.estimate({ ...input, profile: other }), (err) => err.kind === "invalid_request" && err.path === "profile.encodings" && /o200k_base/.test(err.message));
  });

  test(`${build}: bad text and options throw clear errors and the tokenizer stays usable`, () => {
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    const throws = (f, kind, path, message) => assert.throws(f, (err) => {
      assert.equal(err.name, "LlmcostError");
      assert.equal(err.kind, kind, err.message);
      assert.equal(err.path, path, err.message);
      assert.match(err.message, message);
      return true;
    });
    throws(() => tokenizer.profile(), "invalid_argument", "text", /^text: expected a string or a Uint8Array, got undefined$/);
    throws(() => tokenizer.profile(42), "invalid_argument", "text", /^text: expected a string or a Uint8Array, got a number$/);
    throws(() => tokenizer.profile([1, 2]), "invalid_argument", "text", /got an array$/);
    throws(() => tokenizer.profile(""), "invalid_text", null, /the file is empty/);
    throws(() => tokenizer.profile("Some text.", "chapters"), "invalid_argument", "options", /^options: expected an object, got a string$/);
    throws(() => tokenizer.profile("Some text.", { chunk: 5 }), "invalid_argument", "options.chunk", /unknown field `chunk`, expected one of `chunks`, `name`, `keep_gutenberg`/);
    throws(() => tokenizer.profile("Some text.", { chunks: { max_tokens: 100 } }), "invalid_argument", "options.chunks", /missing field `overlap_tokens`/);
    throws(() => tokenizer.profile("Some text.", { chunks: { max_tokens: 0, overlap_tokens: 0 } }), "invalid_request", "options.chunks", /^options\.chunks: chunks must allow at least 1 token$/);
    throws(() => tokenizer.profile("Some text.", { chunks: { max_tokens: 10, overlap_tokens: 10 } }), "invalid_request", "options.chunks", /must be below the chunk size/);
    throws(() => tokenizer.profile(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31])), "invalid_text", null, /PDF/);
    const p = tokenizer.profile("CHAPTER I.\n\nOne. Two.\n", { name: "book.txt", chunks: null });
    assert.equal(p.units.sentences, 3);
    assert.equal(p.format, "text");
    assert.equal(tokenizer.profile("# Title\n\n## One\n\nText.\n", { name: "book.md" }).format, "markdown");
    tokenizer.free();
  });
}
