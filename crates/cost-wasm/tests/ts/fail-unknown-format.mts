// Misuse: a usage format that does not exist. Must NOT compile.
import { parseUsage } from "llmcost";
parseUsage({ prompt_tokens: 1 }, "openai");
