// Misuse: an estimate's text given twice, as a profile and as unit counts. Must NOT compile.
import { estimate, Tokenizer } from "llmcost/estimate";
const profile = Tokenizer.load("o200k_base", new Uint8Array(0)).profile("One. Two.");
estimate({ pipeline: "one-prompt-per-sentence", profile, units: { units: 600, tokens_per_unit: 50 }, models: ["gpt-4o"] });
