// `Tokenizer` on every build of `llmcost/estimate` with the package's own o200k_base asset (and cl100k_base from
// cost-core's data): tests/fixtures/token-counts.json must count exactly as natively, whether the asset is loaded
// whole or streamed into a `TokenizerLoader`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { estimateBuilds as builds, fixture, packageDir, root } from "./builds.mjs";

const cases = JSON.parse(fixture("token-counts.json"));
const vocab = {
  o200k_base: readFileSync(path.join(packageDir, "o200k_base.vocab")),
  cl100k_base: readFileSync(path.join(root, "crates/cost-core/data/vocab/cl100k_base.vocab")),
};

for (const [build, llm] of builds) {
  for (const encoding of Object.keys(vocab)) {
    test(`${build}: ${encoding} counts every fixture string exactly`, () => {
      const tokenizer = llm.Tokenizer.load(encoding, vocab[encoding]);
      try {
        const wrong = [];
        for (const c of cases) {
          const got = tokenizer.count(c.input);
          if (got !== c.expected[encoding]) wrong.push(`${c.name}: ${got}, expected ${c.expected[encoding]}`);
        }
        assert.deepEqual(wrong, []);
        const book = fixture("pride-and-prejudice-pg1342.txt");
        assert.equal(tokenizer.count(book), encoding === "o200k_base" ? 174392 : 175627);
      } finally {
        tokenizer.free();
      }
    });
  }

  test(`${build}: bad vocabularies and arguments throw`, () => {
    assert.throws(() => llm.Tokenizer.load("p50k_base", vocab.o200k_base), (e) => e.kind === "invalid_argument" && /unknown encoding `p50k_base`/.test(e.message));
    assert.throws(() => llm.Tokenizer.load("o200k_base", new Uint8Array(10)), (e) => e.kind === "invalid_vocabulary");
    assert.throws(() => llm.Tokenizer.load("cl100k_base", vocab.o200k_base), (e) => e.kind === "invalid_vocabulary");
    assert.throws(() => llm.Tokenizer.load("o200k_base", [1, 2, 3]), (e) => e.kind === "invalid_argument" && /^bytes: expected a Uint8Array or an ArrayBuffer, got/.test(e.message));
    // An ArrayBuffer, as `response.arrayBuffer()` gives it, loads as its bytes (a slice of
    // Node's pooled Buffer memory would not be the asset alone: copy it out first).
    const whole = vocab.o200k_base.buffer.slice(vocab.o200k_base.byteOffset, vocab.o200k_base.byteOffset + vocab.o200k_base.byteLength);
    const fromBuffer = llm.Tokenizer.load("o200k_base", whole);
    assert.equal(fromBuffer.count("hello world"), 2);
    fromBuffer.free();
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    assert.throws(() => tokenizer.count(42), (e) => e.kind === "invalid_argument" && e.message === "text: expected a string, got a number");
    assert.equal(tokenizer.count("hello world"), 2);
    tokenizer.free();
  });

  test(`${build}: a TokenizerLoader fed small chunks counts as Tokenizer.load`, () => {
    const bytes = vocab.o200k_base;
    const loader = new llm.TokenizerLoader("o200k_base");
    assert.equal(loader.bytesRead, 0);
    assert.equal(loader.totalBytes, undefined);
    // A byte at a time over the header, then chunks of 1 to 4,000 bytes, cut anywhere.
    let at = 0;
    for (let i = 0; at < bytes.length; i++) {
      const end = Math.min(bytes.length, at + (at < 24 ? 1 : 1 + ((i * 7919) % 4000)));
      loader.push(bytes.subarray(at, end));
      at = end;
      assert.equal(loader.bytesRead, at);
      assert.equal(loader.totalBytes, at < 20 ? undefined : bytes.length);
    }
    const streamed = loader.finish();
    const whole = llm.Tokenizer.load("o200k_base", bytes);
    try {
      const differ = cases.filter((c) => streamed.count(c.input) !== whole.count(c.input)).map((c) => c.name);
      assert.deepEqual(differ, []);
      assert.equal(streamed.count(fixture("pride-and-prejudice-pg1342.txt")), 174392);
    } finally {
      streamed.free();
      whole.free();
    }
  });

  test(`${build}: a TokenizerLoader throws at a corrupted chunk, then keeps throwing the same error`, () => {
    const bytes = vocab.o200k_base;
    // A run of 1,000 bytes with no separator in it: a token far longer than any.
    const corrupt = Uint8Array.from(bytes);
    corrupt.fill(bytes[10] ^ 1, 100_000, 101_000);
    const message = /^invalid vocabulary: token \d+ is longer than 128 bytes$/;
    const loader = new llm.TokenizerLoader("o200k_base");
    loader.push(corrupt.subarray(0, 100_000));
    let error;
    assert.throws(() => loader.push(corrupt.subarray(100_000, 200_000)), (e) => {
      error = e;
      return e.name === "LlmcostError" && e.kind === "invalid_vocabulary" && message.test(e.message);
    });
    // Tokenizer.load says the same of the whole file; the spent loader says it again.
    assert.throws(() => llm.Tokenizer.load("o200k_base", corrupt), (e) => e.message === error.message);
    assert.throws(() => loader.push(corrupt.subarray(200_000)), (e) => e.message === error.message);
    assert.equal(loader.bytesRead, 200_000);
    assert.throws(() => loader.finish(), (e) => e.kind === "invalid_vocabulary" && e.message === error.message);

    // The wrong asset fails at its header; bad arguments are argument errors.
    const cl100k = new llm.TokenizerLoader("o200k_base");
    assert.throws(() => cl100k.push(vocab.cl100k_base.subarray(0, 10)), (e) => e.kind === "invalid_vocabulary" && e.message === "invalid vocabulary: this is the cl100k_base vocabulary, expected o200k_base");
    cl100k.free();
    assert.throws(() => new llm.TokenizerLoader("p50k_base"), (e) => e.kind === "invalid_argument" && /unknown encoding `p50k_base`/.test(e.message));
    const truncated = new llm.TokenizerLoader("o200k_base");
    assert.throws(() => truncated.push("LLMCVOCB"), (e) => e.kind === "invalid_argument" && e.message === "chunk: expected a Uint8Array or an ArrayBuffer, got a string");
    truncated.push(new Uint8Array(bytes.subarray(0, 500)).buffer); // an ArrayBuffer of its own
    truncated.push(bytes.subarray(500, 1000));
    assert.throws(() => truncated.finish(), (e) => e.kind === "invalid_vocabulary" && e.message === `invalid vocabulary: truncated: the body has 980 bytes, the header says ${bytes.length - 20}`);
  });
}
