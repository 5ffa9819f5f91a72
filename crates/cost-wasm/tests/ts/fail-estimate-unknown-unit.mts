// Misuse: a phase unit that does not exist ("sentences" for "sentence"). Must NOT compile.
import { estimate } from "llmcost/estimate";
estimate({
  pipeline: { name: "p", phases: [{ name: "a", unit: "sentences", output: { fixed: 100 } }] },
  units: { units: 600, tokens_per_unit: 50 },
  models: ["gpt-4o"],
});
