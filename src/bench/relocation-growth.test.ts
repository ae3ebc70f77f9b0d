// relocationGrowth compares the right cells of the grid, and the report turns the
// safe-merge comparison into the goal's verdict.

import { expect, test } from "vitest";
import type { RelocationRow } from "./relocation.js";
import { relocationGrowth } from "./relocation-growth.js";
import { benchResult } from "./bench-result.test-util.js";
import { benchText } from "./report.js";

/** A row of `policy` whose mremap took `us` and walked `walked` pages. */
const row = (
  policy: string,
  vmaPages: number,
  residentPages: number,
  us: number,
  walked: number,
): RelocationRow => ({
  policy,
  vmaPages,
  residentPages,
  merged: walked > 0,
  pagesWalked: walked,
  pagesRelocated: walked > 0 ? residentPages : 0,
  usPerMerge: us,
});

/** The full grid's shape for one policy: times grow with `perPage` µs per resident page. */
function grid(policy: string, perPage: number, perLengthPage: number): RelocationRow[] {
  const cells: Array<[number, number]> = [
    [256, 16],
    [16_384, 16],
    [262_144, 16],
    [256, 256],
    [16_384, 256],
    [262_144, 256],
    [16_384, 16_384],
    [262_144, 16_384],
  ];
  return cells.map(([len, res]) =>
    row(policy, len, res, 10 + perPage * res + perLengthPage * len, 2 * res),
  );
}

test("length: the longest against the shortest VMA with the most resident pages; resident: the two largest counts at that length", () => {
  const [g] = relocationGrowth(grid("safe-merge", 0.1, 0));
  expect(g?.length?.from).toEqual({ vmaPages: 16_384, residentPages: 16_384 });
  expect(g?.length?.to).toEqual({ vmaPages: 262_144, residentPages: 16_384 });
  expect(g?.length?.time).toBeCloseTo(1, 10);
  expect(g?.length?.walked).toBe(1);
  expect(g?.resident?.from).toEqual({ vmaPages: 16_384, residentPages: 256 });
  expect(g?.resident?.to).toEqual({ vmaPages: 16_384, residentPages: 16_384 });
  expect(g?.resident?.time).toBeCloseTo((10 + 1638.4) / (10 + 25.6), 10);
  expect(g?.resident?.walked).toBe(64);
});

test("a policy that walks nothing has no walked ratio; policies keep their order", () => {
  const rows = [
    ...grid("linux-6.18", 0.1, 0).map((r) => ({ ...r, pagesWalked: 0 })),
    ...grid("safe-merge", 0.1, 0),
  ];
  const growths = relocationGrowth(rows);
  expect(growths.map((g) => g.policy)).toEqual(["linux-6.18", "safe-merge"]);
  expect(growths[0]?.length?.walked).toBeNull();
  expect(growths[0]?.resident?.walked).toBeNull();
});

test("a grid with one length at its largest resident count has no length comparison", () => {
  const quick = [row("safe-merge", 256, 16, 30, 32), row("safe-merge", 16_384, 16, 30, 32)];
  quick.push(row("safe-merge", 16_384, 1_024, 300, 2_048));
  const [g] = relocationGrowth(quick);
  expect(g?.length).toBeNull();
  expect(g?.resident?.from.residentPages).toBe(16);
  expect(g?.resident?.to.residentPages).toBe(1_024);
});

/** The report of a run with only the relocation section. */
const report = (rows: RelocationRow[]) => benchText(benchResult({ relocation: rows }));

test("the verdict: ok when a 16× longer VMA costs at most twice the time, MISS beyond", () => {
  const flat = report(grid("safe-merge", 0.1, 0));
  expect(flat).toContain(
    "  safe-merge: a VMA longer by 16× (16,384 → 262,144 VMA pages, 16,384 resident) takes 1.00× the time (goal ≤ 2×: time with the resident pages, not the length) ok\n",
  );
  // a walk over the VMA's length: 0.1 µs per page of length
  const walking = report(grid("safe-merge", 0.1, 0.1));
  expect(walking).toMatch(/takes ([3-9]|1[0-9])\.[0-9]{2}× the time \(goal ≤ 2×.*\) MISS\n/);
});

test("a grid without two lengths says the goal was not measured", () => {
  const text = report([
    row("safe-merge", 256, 16, 30, 32),
    row("safe-merge", 16_384, 16, 30, 32),
    row("safe-merge", 16_384, 1_024, 300, 2_048),
  ]);
  expect(text).toContain(
    "  safe-merge: no two VMA lengths with as many resident pages in this grid: the goal was not measured\n",
  );
});
