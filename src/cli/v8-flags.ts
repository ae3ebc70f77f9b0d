// The V8 compiler settings the vmasim command runs with. bin/vmasim.js applies them at
// start-up, before any model code has run often enough for TurboFan to optimize it (the
// flags are read when a function is optimized, so setting them at run time works as on the
// command line). The heap sizes stay on the `#!` line: V8 reads those once, at start-up.

import { setFlagsFromString } from "node:v8";

/**
 * TurboFan's inlining budget, raised from V8's defaults of 920 bytes of bytecode inlined
 * into one optimized function and 460 for one callee. The model's system calls are chains
 * of small functions (do_munmap → vms_gather_munmap_vmas → __split_vma → anon_vma_clone,
 * each lookup a method of the VMA index), and with the defaults TurboFan stops inlining
 * halfway down them: every call left is a real call, and every number it passes or returns
 * that is not a small integer (an address) a new heap box. Measured by `vmasim bench --only
 * side --no-kernel`, four runs with these flags alternating with four without: every model
 * row's mean rose, by 1.05× to 1.28× on the workloads and 1.03× to 1.22× on the replays.
 * Larger budgets (8,000 and 16,000) were no faster, or slower.
 */
export const V8_FLAGS: readonly string[] = [
  "--max-inlined-bytecode-size-cumulative=4000",
  "--max-inlined-bytecode-size=1000",
];

/** The flags of V8_FLAGS this process set (those its command line did not). */
let applied: readonly string[] = [];

/** `--name=value`'s name. */
const nameOf = (flag: string) => flag.split("=")[0];

/**
 * Sets V8_FLAGS in this process, but for any its command line sets itself: `node
 * --max-inlined-bytecode-size-cumulative=920 --max-inlined-bytecode-size=460 bin/vmasim.js`
 * runs with V8's defaults, to measure what these flags change.
 */
export function applyV8Flags(): void {
  const given = new Set(process.execArgv.map(nameOf));
  applied = V8_FLAGS.filter((flag) => !given.has(nameOf(flag)));
  for (const flag of applied) setFlagsFromString(flag);
}

/** The V8 flags this process runs with: its command line's, then those applyV8Flags set. */
export function v8FlagsInForce(): string {
  return [...process.execArgv, ...applied].join(" ");
}
