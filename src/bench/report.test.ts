// The report judges a goal only where the run measured it: not a --quick run's rates, and
// the scale goal only at 1,000,000 VMAs.

import { describe, expect, it } from "vitest";
import { benchResult } from "./bench-result.test-util.js";
import { benchText } from "./report.js";
import { SCALE_OPS, type ScaleRow } from "./scale.js";
import type { SideRow } from "./side-by-side.js";

const SIDE: SideRow[] = [
  { name: "w", label: "a workload", unit: "pair", model: 900, kernel: 100, ratio: 9 },
  { name: "v", label: "another", unit: "pair", model: 200, kernel: 100, ratio: 2 },
  { name: "replay_c", label: "replay of c", unit: "event", model: 5e5, kernel: null, ratio: null },
];

/** A scale row of `vmas` VMAs whose every operation takes `ns`. */
function scaleRow(vmas: number, ns: number): ScaleRow {
  const each = (x: number) => Object.fromEntries(SCALE_OPS.map((op) => [op, x]));
  return {
    vmas,
    residentPages: 16 * vmas,
    buildS: 1,
    heapBytes: 2 ** 20,
    nsPerOp: each(ns),
    adjacentNsPerOp: each(ns / 2),
    gcShare: each(0),
    adjacentGcShare: each(0),
    loadNs: 100,
    kernelNsPerOp: null,
  };
}

const lineOf = (text: string, start: string) =>
  text.split("\n").find((l) => l.startsWith(start)) ?? "";

describe("the report's verdicts", () => {
  it("judges every side-by-side row of a full run, against its goal", () => {
    const text = benchText(benchResult({ side: SIDE }));
    expect(lineOf(text, "a workload")).toMatch(/9\.00× +ok$/);
    expect(lineOf(text, "another")).toMatch(/2\.00× +MISS$/);
    expect(lineOf(text, "replay of c")).toMatch(/ +MISS$/);
    expect(text).not.toContain("--quick:");
  });

  it("judges no side-by-side row of a --quick run, and says why", () => {
    const text = benchText(benchResult({ quick: true, side: SIDE }));
    for (const label of ["a workload", "another", "replay of c"]) {
      expect(lineOf(text, label)).not.toMatch(/ok|MISS/);
    }
    expect(text).toContain("--quick: short warm-ups leave some code uncompiled");
  });

  it("judges the scale goal at 1,000,000 VMAs, and only there", () => {
    const scale = (rows: ScaleRow[]) => benchText(benchResult({ scale: { rows, skipped: null } }));
    const million = scale([scaleRow(1_000, 100), scaleRow(1_000_000, 150)]);
    expect(million).toContain(
      "  mmap_munmap: 1,000,000 VMAs cost 1.50× 1,000 VMAs (goal ≤ 2×) ok;",
    );
    const far = scale([scaleRow(1_000, 100), scaleRow(1_000_000, 500)]);
    expect(far).toContain("  mmap_munmap: 1,000,000 VMAs cost 5.00× 1,000 VMAs (goal ≤ 2×) MISS;");
    const small = scale([scaleRow(1_000, 100), scaleRow(10_000, 500)]);
    expect(small).toContain(
      "  mmap_munmap: 10,000 VMAs cost 5.00× 1,000 VMAs (the goal, ≤ 2×, is judged at 1,000,000 VMAs);",
    );
    expect(small).not.toMatch(/ok|MISS/);
    expect(small).not.toContain("the goal allows");
  });

  it("says how many loads from memory the scale goal leaves room for", () => {
    // loadNs is 100: 1,000 VMAs at 300 ns leave 300 ns, three loads; at 150 ns, 1.5
    const room = (ns: number) =>
      benchText(
        benchResult({
          scale: { rows: [scaleRow(1_000, ns), scaleRow(1_000_000, 900)], skipped: null },
        }),
      );
    expect(room(300)).toContain(
      "    the goal allows 300 ns more than at 1,000 VMAs: 3 such loads\n",
    );
    expect(room(150)).toContain(
      "    the goal allows 150 ns more than at 1,000 VMAs: 1.5 such loads\n",
    );
  });
});
