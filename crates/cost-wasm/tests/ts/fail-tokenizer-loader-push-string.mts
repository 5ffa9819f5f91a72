// Misuse: a string pushed into a TokenizerLoader, which takes the asset's bytes. Must NOT compile.
import { TokenizerLoader } from "llmcost/estimate";
new TokenizerLoader("o200k_base").push("LLMCVOCB");
