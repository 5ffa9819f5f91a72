// Comparing a fixture's expected JSON with the package's objects: every field `expected`
// gives must be in `actual`, and an amount (a decimal string) equals a Money's `usd` exactly.
import { femto } from "./builds.mjs";

export function subset(expected, actual, path, problems) {
  if (typeof expected === "string" && actual && typeof actual === "object" && "usd" in actual) {
    if (femto(expected) !== femto(actual.usd)) problems.push(`${path}: expected ${expected}, got ${actual.usd}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      problems.push(`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((e, i) => subset(e, actual[i], `${path}[${i}]`, problems));
  } else if (expected && typeof expected === "object") {
    for (const [key, value] of Object.entries(expected)) {
      if (!actual || !(key in actual)) problems.push(`${path}.${key}: missing`);
      else subset(value, actual[key], `${path}.${key}`, problems);
    }
  } else if (expected !== actual) {
    problems.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}
