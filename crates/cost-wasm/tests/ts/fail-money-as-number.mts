// Misuse: exact money treated as a number. Must NOT compile.
import { price } from "llmcost";
const total: number = price({ model: "gpt-4o", usage: { input_tokens: 1 } }).total.usd;
console.log(total);
