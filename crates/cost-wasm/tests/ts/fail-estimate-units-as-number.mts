// Misuse: a bare number where an estimate's unit counts go. Must NOT compile.
import { estimate } from "llmcost/estimate";
estimate({ pipeline: "one-prompt-per-sentence", units: 600, models: ["gpt-4o"] });
