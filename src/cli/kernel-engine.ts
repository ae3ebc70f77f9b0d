// What the commands that use the real kernel (`kernel`, `diff`) share: the --timeout option,
// the run options, and the checks made before the kernel runs anything.

import { checkOp } from "../kernel/commands.js";
import { KernelError } from "../kernel/errors.js";
import { DEFAULT_TIMEOUT_MS, kernelAvailability, type KernelOptions } from "../kernel/runner.js";
import { UsageError } from "./errors.js";
import { regionOf } from "./region.js";
import type { Scenario } from "./scenarios.js";
import type { OptionSpec, ParsedArgs } from "./spec.js";

/** --timeout S. */
export const TIMEOUT_OPTION: OptionSpec = {
  name: "timeout",
  type: "string",
  value: "S",
  default: `${DEFAULT_TIMEOUT_MS / 1000}`,
  help: "seconds one scenario may run before its processes are killed",
};

/** Region and time budget from the command line. Throws UsageError on a bad value. */
export function kernelOptionsOf(args: ParsedArgs): KernelOptions & { base: number; size: number } {
  const value = args.string("timeout");
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `--timeout: '${value}' is not a positive number of seconds, give e.g. 30`,
      false,
    );
  }
  return { ...regionOf(args), timeoutMs: seconds * 1000 };
}

/**
 * Why the kernel cannot run these scenarios, checked before anything runs: the first
 * operation it refuses (a model-only op, a range outside the region; `file:line: …`), or
 * the reason the kernel engine is unavailable here. Null when it can run them.
 */
export function kernelObstacle(scenarios: readonly Scenario[], size: number): string | null {
  try {
    for (const s of scenarios) for (const op of s.ops) checkOp(op, size);
  } catch (e) {
    if (e instanceof KernelError) return e.message;
    throw e;
  }
  const availability = kernelAvailability();
  if (availability.available) return null;
  return `vmasim ${availability.reason}`; // "vmasim kernel: no C compiler found…"
}
