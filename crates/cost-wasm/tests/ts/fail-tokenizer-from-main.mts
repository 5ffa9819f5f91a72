// Misuse: the tokenizer from the main module, which has the pricing API only. Must NOT compile.
import { Tokenizer } from "llmcost";
Tokenizer.load("o200k_base", new Uint8Array(0)).free();
