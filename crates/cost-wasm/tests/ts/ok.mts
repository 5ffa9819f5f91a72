// A typed use of the package: must compile under `tsc --strict` (cargo xtask test-package).
import init, { price, parseUsage, models, loadPrices, resetPrices, report, budget } from "llmcost";
import type {
  BudgetReport, Cost, Money, Model, ParsedUsage, PriceRequest, Report, UsageFormat, WarningKind,
} from "llmcost";
import initEstimate, { estimate, presets, price as priceHere, Tokenizer, TokenizerLoader } from "llmcost/estimate";
import type {
  CachePlan, Estimate, EstimateInput, EstimateWarningKind, Pipeline, Preset, TextProfile,
} from "llmcost/estimate";

await init();
await initEstimate();
const request: PriceRequest = {
  model: "claude-3-5-haiku",
  usage: { input_tokens: 550, output_tokens: 100 },
  batch: false,
  at: "2026-11-23",
  tags: { run: "example" },
};
const cost: Cost = price(request);
// The two modules' types are the same shapes: a request typed for one is priced by the other.
const same: Cost = priceHere(request);
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
const imported = loadPrices("{}");
const added: number = imported.added;
resetPrices();
const spend: Report = report({ requests: [request], by: ["model", "run"], where: { since: "2026-11-01" } });
const byModel: string | null | undefined = spend.groups[0]?.key["model"];
const status: BudgetReport = budget({ requests: [request], budget: { monthly_limit_usd: "50" }, today: "2026-11-23", estimate_usd: "1.5" });
const remaining: string = status.status.remaining_usd.usd;
const after: string | undefined = status.impact?.month_after_usd.usd;
const tokenizer = Tokenizer.load("o200k_base", new Uint8Array(0));
const count: number = tokenizer.count("hello");
const profile: TextProfile = tokenizer.profile("CHAPTER I.\n\nOne. Two.\n", {
  chunks: { max_tokens: 2000, overlap_tokens: 200 },
  name: "book.txt",
});
const fromBytes: TextProfile = tokenizer.profile(new Uint8Array(0), { keep_gutenberg: true });
const perSentence: number[] = profile.encodings[0].sentences.per_unit;
const chunkTokens: number[] | undefined = profile.encodings[0].chunks?.tokens.per_unit;
tokenizer.free();
const loader = new TokenizerLoader("o200k_base");
loader.push(new Uint8Array(0));
const bytesRead: number = loader.bytesRead;
const totalBytes: number | undefined = loader.totalBytes;
const streamed: Tokenizer = loader.finish();
const streamedCount: number = streamed.count("hello");
streamed.free();

// Estimates: plain units, a profile, hand-counted chapters; a pipeline object or a preset id.
const pipeline: Pipeline = {
  name: "image prompts",
  phases: [{ name: "image prompts", unit: "sentence", output: { fixed: 100 } }],
};
const cache: CachePlan = { explicit: { storage_hours: 2 } };
const input: EstimateInput = {
  pipeline,
  units: { units: 600, tokens_per_unit: 550, chapters: 12 },
  models: ["claude-3-5-haiku"],
  options: { at: "2026-11-23", batch: false, cache: "none" },
};
const byUnits: Estimate = estimate(input);
const expected: string = byUnits.models[0].cost.expected.usd;
const bySection: string[] = byUnits.models[0].by_section.map((m) => m.usd);
const warningKinds: EstimateWarningKind[] = byUnits.models[0].warnings.map((w) => w.kind);
const saves: string | undefined = byUnits.models[0].recommendations[0]?.saves_usd.usd;
const preset: Preset | undefined = presets()[0];
const fromBook: Estimate = estimate({
  pipeline: preset?.id ?? "one-prompt-per-sentence",
  profile,
  models: ["gpt-4o-mini", "claude-haiku-4-5"],
  options: { cache, calls_per_minute: "0.5", cache_hit_per_mille: 900 },
});
const rank: number = fromBook.models[0].rank;
const byChapters = estimate({
  pipeline: {
    name: "translate",
    phases: [{
      name: "chunks",
      unit: { chunk: { tokens: 2000, overlap: 200 } },
      context: { previous: { units: 2 } },
      output: { ratio_per_mille: { low: 900, expected: 1000, high: 1200 } },
      reasoning_tokens: 0,
      model: "gpt-4o",
    }],
  },
  chapters: [{ title: "One", sentences: [10, 20], paragraphs: [30] }],
  models: ["gpt-4o"],
});
const phaseCost: string = byChapters.models[0].phases[0].cost.high.usd;
console.log(exact, shown, kinds, tier, format, again.total.usd, firstInput, added, count, byModel, remaining, after, same.total.usd);
console.log(fromBytes.bytes, perSentence, chunkTokens, expected, bySection, warningKinds, saves, rank, phaseCost);
