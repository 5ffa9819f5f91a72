// Misuse: price needs a request. Must NOT compile.
import { price } from "llmcost";
price();
