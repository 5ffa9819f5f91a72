// `Tokenizer` on every build of `llmcost/estimate` with the package's own o200k_base asset (and cl100k_base from
// cost-core's data): tests/fixtures/token-counts.json must count exactly as natively.
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
    const tokenizer = llm.Tokenizer.load("o200k_base", vocab.o200k_base);
    assert.throws(() => tokenizer.count(42), (e) => e.kind === "invalid_argument" && e.message === "text: expected a string, got a number");
    assert.equal(tokenizer.count("hello world"), 2);
    tokenizer.free();
  });
}
