// Integer-valued command-line options, checked against a range.

import { UsageError } from "./errors.js";
import type { ParsedArgs } from "./spec.js";

/**
 * The integer value of option `name`, within [min, max]; decimal or 0x hex, with an
 * optional minus sign (for negative `min`). Throws UsageError otherwise.
 */
export function integerOption(
  args: ParsedArgs,
  name: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = args.string(name);
  const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(value.trim());
  const n = m ? (m[1] ? -Number(m[2]) : Number(m[2])) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`--${name}: '${value}' is not an integer ${range}`, false);
  }
  return n;
}
