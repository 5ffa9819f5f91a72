// Prices a JSON Lines usage log with the llmcost npm package, as `llmcost cost` does:
//
//   cargo xtask package && node examples/js/price-log.mjs tests/fixtures/sample-requests.jsonl
//
// Each line is a request ({model, usage, usage_format?, batch?, at?, tags?} or {response});
// each output line is its cost, or its error. The total is added exactly, in femto-dollars.
// In your own project: `import { price } from "llmcost";`.
import { readFileSync } from "node:fs";
import { price } from "../../target/npm/llmcost/node/llmcost.mjs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node price-log.mjs LOG.jsonl");
  process.exit(2);
}

const FEMTO = 10n ** 15n;
const femto = (usd) => {
  const [whole, frac = ""] = usd.replace("-", "").split(".");
  const value = BigInt(whole) * FEMTO + BigInt(frac.padEnd(15, "0"));
  return usd.startsWith("-") ? -value : value;
};
const dollars = (f) => {
  const frac = (f % FEMTO).toString().padStart(15, "0").replace(/0+$/, "");
  return `${f / FEMTO}${frac ? "." + frac : ""}`;
};

let total = 0n;
let failed = 0;
const lines = readFileSync(file, "utf8").split("\n");
lines.forEach((line, i) => {
  if (!line.trim()) return;
  try {
    const cost = price(JSON.parse(line));
    total += femto(cost.total.usd);
    console.log(`${i + 1}\t${cost.provider}/${cost.model}\t$${cost.total.usd}\t${cost.warnings.map((w) => w.kind).join(",")}`);
  } catch (error) {
    failed += 1;
    console.log(`${i + 1}\terror\t${error.kind ?? "invalid_json"}\t${error.message}`);
  }
});
console.log(`total\t$${dollars(total)}\t${failed} line(s) failed`);
process.exitCode = failed ? 1 : 0;
