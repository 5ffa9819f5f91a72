// The package resolved by name, as users get it: in Node, `import "llmcost"` (ES module, the
// README's five lines) and `require("llmcost")` both reach the nodejs build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { packageDir } from "./builds.mjs";

const request = `{ model: "claude-3-5-haiku", usage: { input_tokens: 550, output_tokens: 100 }, at: "2026-11-23" }`;

test("import and require of \"llmcost\" price the README example", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "llmcost-exports-"));
  try {
    mkdirSync(path.join(dir, "node_modules"));
    symlinkSync(packageDir, path.join(dir, "node_modules/llmcost"), "dir");
    writeFileSync(path.join(dir, "esm.mjs"),
      `import init, { price } from "llmcost";\nawait init();\nconsole.log(price(${request}).total.usd);\n`);
    writeFileSync(path.join(dir, "cjs.cjs"),
      `const { price } = require("llmcost");\nconsole.log(price(${request}).total.usd);\n`);
    for (const file of ["esm.mjs", "cjs.cjs"]) {
      const out = execFileSync("node", [path.join(dir, file)], { encoding: "utf8", cwd: dir });
      assert.equal(out.trim(), "0.00084", file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
