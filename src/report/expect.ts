// Evaluation of `expect` and `expectvmas` against the VMAs a step reports. Shared by the
// model and the kernel engine so both judge expectations identically. Browser compatible.

import type { OpBody } from "../input/ops.js";
import type { VmaRecord } from "./record.js";

const PAGE = 4096;

function formatRange(start: number, end: number): string {
  const unit = (n: number) => (n % PAGE === 0 ? `${n / PAGE}p` : `0x${n.toString(16)}`);
  return `${unit(start)}-${unit(end)}`;
}

/** Formats VMA boundaries the way `expectvmas` spells them: `0p-8p 8p-12p`. */
export function formatBoundaries(vmas: ReadonlyArray<{ start: number; end: number }>): string {
  return vmas.map((v) => formatRange(v.start, v.end)).join(" ");
}

/** "EXPECT OK" or "EXPECT FAIL <why>"; null for operations that are not expectations. */
export function checkExpectation(op: OpBody, vmas: readonly VmaRecord[]): string | null {
  if (op.kind === "expect") {
    return vmas.length === op.count
      ? "EXPECT OK"
      : `EXPECT FAIL expected ${op.count} VMAs, found ${vmas.length}: ${formatBoundaries(vmas)}`;
  }
  if (op.kind === "expectvmas") {
    const want = formatBoundaries(op.ranges.map(([start, end]) => ({ start, end })));
    const got = formatBoundaries(vmas);
    return want === got ? "EXPECT OK" : `EXPECT FAIL expected ${want || "(none)"}, found ${got || "(none)"}`;
  }
  return null;
}

/** Whether a note records a failed expectation. */
export function isExpectFailure(note: string): boolean {
  return note.startsWith("EXPECT FAIL");
}
