// The test region options (--base, --size) shared by the commands that run scenarios.

import { parseNumber } from "../input/scenario.js";
import { DEFAULT_BASE, DEFAULT_SIZE } from "../model/options.js";
import { UsageError } from "./errors.js";
import type { OptionSpec, ParsedArgs } from "./spec.js";

const PAGE = 4096;

/** A size as the scenario language spells it: `1g`, `64m`, `16k`, or hex. */
function spellSize(n: number): string {
  for (const [suffix, unit] of [
    ["g", 2 ** 30],
    ["m", 2 ** 20],
    ["k", 2 ** 10],
  ] as const) {
    if (n % unit === 0) return `${n / unit}${suffix}`;
  }
  return `0x${n.toString(16)}`;
}

/** --base and --size. */
export const REGION_OPTIONS: readonly OptionSpec[] = [
  {
    name: "base",
    type: "string",
    value: "ADDR",
    default: `0x${DEFAULT_BASE.toString(16)}`,
    help: "absolute address of relative address 0",
  },
  {
    name: "size",
    type: "string",
    value: "N",
    default: spellSize(DEFAULT_SIZE),
    help: "size of the test region (the default window)",
  },
];

/** A page-aligned number in the scenario language's syntax (decimal or 0x hex, p/k/m/g). */
function pageAligned(option: string, value: string, positive: boolean): number {
  const n = parseNumber(value);
  if (n === null) {
    throw new UsageError(
      `--${option}: '${value}' is not a number (decimal or 0x hex, suffix p/k/m/g)`,
      false,
    );
  }
  if (n % PAGE !== 0 || (positive && n === 0)) {
    const what = positive ? "a positive multiple" : "a multiple";
    throw new UsageError(
      `--${option}: ${value} is not page aligned, give ${what} of ${PAGE}`,
      false,
    );
  }
  return n;
}

/** The region the command line asks for. Throws UsageError on a bad value. */
export function regionOf(args: ParsedArgs): { base: number; size: number } {
  return {
    base: pageAligned("base", args.string("base"), false),
    size: pageAligned("size", args.string("size"), true),
  };
}
