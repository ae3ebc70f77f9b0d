// The child process of `vmasim bench --baseline`: runs one order of the comparison
// (src/bench/ab.ts) from the JSON configuration in its argument and prints the results as
// JSON, or {"error": message} when it cannot (a build that lacks a module); progress goes to
// stderr. It imports no build's model itself: runOrder loads both.

import { applyV8Flags } from "../cli/v8-flags.js";
import { runOrder, type OrderConfig } from "./ab.js";

applyV8Flags(); // as the vmasim command runs, so that its figures compare with the report's

const config = JSON.parse(process.argv[2] ?? "") as OrderConfig;
try {
  const ab = await runOrder(config, (msg) => process.stderr.write(`${msg}\n`));
  process.stdout.write(`${JSON.stringify({ ab })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
  process.exitCode = 1;
}
