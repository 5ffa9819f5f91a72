// Misuse: a number where the model name goes. Must NOT compile.
import { price } from "llmcost";
price({ model: 42, usage: { input_tokens: 1 } });
