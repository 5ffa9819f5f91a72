// Misuse: a field the request does not have. Must NOT compile.
import { price } from "llmcost";
price({ model: "gpt-4o", usage: { input_tokens: 1 }, colour: "red" });
