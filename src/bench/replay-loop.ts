// A fixed amount of replay work, to count the instructions a build executes: a count, unlike
// a rate, does not move with the machine's load. Replays one bundled capture N times on the
// model, as the side-by-side section's replay rows do (events parsed first, linux-6.18, no
// observers), and prints the events replayed. Under valgrind, with V8 compiling and
// collecting on the main thread, the count repeats to within 0.1 % (docs/performance-history.md):
//
//   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//     node --single-threaded --max-semi-space-size=64 dist/src/bench/replay-loop.js compactor 500

import { basename } from "node:path";
import { applyV8Flags } from "../cli/v8-flags.js";
import { bundledCaptures, THIS_BUILD } from "./replay.js";
import { captureReplayer } from "./replay-modules.js";

const USAGE = "usage: node dist/src/bench/replay-loop.js CAPTURE TIMES";

async function replayLoop(args: readonly string[]): Promise<number> {
  const [name = "", times = ""] = args;
  const captures = bundledCaptures();
  const path = captures.find((p) => basename(p) === name);
  const wrong =
    args.length !== 2
      ? `expected 2 arguments, got ${args.length}`
      : !path
        ? `'${name}' is not a bundled capture`
        : !/^[1-9]\d*$/.test(times)
          ? `'${times}' is not a positive integer`
          : null;
  if (wrong !== null || !path) {
    const names = captures.map((p) => basename(p)).join(", ");
    process.stderr.write(`replay-loop: ${wrong}\n${USAGE}\n  CAPTURE: one of ${names}\n`);
    return 2;
  }
  applyV8Flags(); // the flags the vmasim command runs with, before the replays warm up
  const capture = await captureReplayer(THIS_BUILD, path);
  let events = 0;
  for (let i = Number(times); i > 0; i--) events += capture.once();
  process.stdout.write(`${capture.name}: ${times} replays, ${events} events\n`);
  return 0;
}

process.exitCode = await replayLoop(process.argv.slice(2));
