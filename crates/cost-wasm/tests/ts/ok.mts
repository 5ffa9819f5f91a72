// A typed use of the package: must compile under `tsc --strict` (cargo xtask test-package).
import init, { price, parseUsage, models, loadPrices, resetPrices, Tokenizer } from "llmcost";
import type { Cost, Money, Model, ParsedUsage, PriceRequest, UsageFormat, WarningKind } from "llmcost";

await init();
const request: PriceRequest = {
  model: "claude-3-5-haiku",
  usage: { input_tokens: 550, output_tokens: 100 },
  batch: false,
  at: "2026-11-23",
  tags: { run: "example" },
};
const cost: Cost = price(request);
const total: Money = cost.total;
const exact: string = total.usd;
const shown: number = total.approx;
const kinds: WarningKind[] = cost.warnings.map((w) => w.kind);
const tier: number | undefined = cost.tier?.above_tokens;
const parsed: ParsedUsage = parseUsage({ usage: { prompt_tokens: 10, completion_tokens: 2 } }, "openai-chat");
const format: UsageFormat = parsed.format;
const again: Cost = price({ model: "gpt-4o", usage: { ...parsed.usage }, usage_format: "normalized" });
const list: Model[] = models("haiku");
const firstInput: string | undefined = list[0]?.prices[0]?.standard.base.input_usd_per_mtok;
const report = loadPrices("{}");
const added: number = report.added;
resetPrices();
const tokenizer = Tokenizer.load("o200k_base", new Uint8Array(0));
const count: number = tokenizer.count("hello");
tokenizer.free();
console.log(exact, shown, kinds, tier, format, again.total.usd, firstInput, added, count);
