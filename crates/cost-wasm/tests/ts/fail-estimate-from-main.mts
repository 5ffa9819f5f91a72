// Misuse: estimate from the main module, which has the pricing API only. Must NOT compile.
import { estimate } from "llmcost";
estimate({ pipeline: "one-prompt-per-sentence", units: { units: 600, tokens_per_unit: 50 }, models: ["gpt-4o"] });
