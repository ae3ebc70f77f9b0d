// The relocation section: what merging two independently faulted VMAs costs under each
// policy, as the VMA's length and its resident pages grow. Scenario: map A and touch its
// first pages, map B far away and touch as many, then mremap B (MAYMOVE|FIXED) to just
// after A, so that the two become adjacent with different anon_vmas. Linux 6.18 refuses
// that merge; relocating policies re-point B's pages at A's anon_vma. Only the mremap is
// timed; the policy's own counters (Kernel.stats) say how many pages it walked and moved.

import { performance } from "node:perf_hooks";
import { PAGE_SIZE } from "../model/constants.js";
import { doMmap } from "../model/mmap.js";
import { doMremap } from "../model/mremap.js";
import { listPolicies } from "../policy/registry.js";
import { collectGarbage, promoteYoung } from "./heap.js";
import { cpuMs } from "./measure.js";
import { BASE, fresh, GIB, MMAP_FLAGS, MREMAP_FLAGS, RW, touch, type Ctx } from "./ctx.js";

/** B's first address, far from A. */
const FAR = BASE + 64 * GIB;

/** One cell of the grid: a VMA length and how many of its pages are resident. */
export interface RelocationCase {
  vmaPages: number;
  residentPages: number;
}

export const FULL_CASES: readonly RelocationCase[] = [
  { vmaPages: 256, residentPages: 16 },
  { vmaPages: 16_384, residentPages: 16 },
  { vmaPages: 262_144, residentPages: 16 },
  { vmaPages: 256, residentPages: 256 },
  { vmaPages: 16_384, residentPages: 256 },
  { vmaPages: 262_144, residentPages: 256 },
  { vmaPages: 16_384, residentPages: 16_384 },
  { vmaPages: 262_144, residentPages: 16_384 },
];

export const QUICK_CASES: readonly RelocationCase[] = [
  { vmaPages: 256, residentPages: 16 },
  { vmaPages: 16_384, residentPages: 16 },
  { vmaPages: 16_384, residentPages: 1_024 },
];

export interface RelocationRow extends RelocationCase {
  policy: string;
  /** Whether A and B ended as one VMA. */
  merged: boolean;
  /** Kernel.stats counters of one mremap. */
  pagesWalked: number;
  pagesRelocated: number;
  /** CPU microseconds per mremap (median over the repetitions). */
  usPerMerge: number;
}

/**
 * Maps `pages` pages at `start` and touches the first `resident`: the same page tables
 * whatever the length, so that only a walk over the VMA's length makes time grow with it.
 */
function mapAndTouch(c: Ctx, start: number, pages: number, resident: number): void {
  doMmap(c.k, c.mm, start, pages * PAGE_SIZE, RW, MMAP_FLAGS);
  touch(c, start, resident * PAGE_SIZE, true);
}

/** One repetition of the scenario under `policy`; returns its row with the mremap's time. */
function once(policy: string, cs: RelocationCase): RelocationRow {
  const c = fresh({ policy });
  const len = cs.vmaPages * PAGE_SIZE;
  mapAndTouch(c, BASE, cs.vmaPages, cs.residentPages);
  mapAndTouch(c, FAR, cs.vmaPages, cs.residentPages);
  const walked = c.k.stats.pagesWalked;
  const relocated = c.k.stats.pagesRelocated;
  promoteYoung();
  const t = cpuMs();
  doMremap(c.k, c.mm, FAR, len, len, MREMAP_FLAGS, BASE + len);
  const us = (cpuMs() - t) * 1000;
  return {
    policy,
    ...cs,
    merged: c.mm.mapCount === 1,
    pagesWalked: c.k.stats.pagesWalked - walked,
    pagesRelocated: c.k.stats.pagesRelocated - relocated,
    usPerMerge: us,
  };
}

/**
 * Every policy on every case: repeated until `budgetS` seconds of wall time or 200
 * repetitions (at least 5); the time is the median of the repetitions after a warm-up one
 * (the median, because each repetition builds a machine and a garbage collection may
 * fall into any timed mremap).
 */
export function relocationRows(
  cases: readonly RelocationCase[],
  budgetS: number,
  progress: (msg: string) => void,
): RelocationRow[] {
  const rows: RelocationRow[] = [];
  for (const { name } of listPolicies()) {
    progress(`relocation: ${name}`);
    for (const cs of cases) {
      collectGarbage();
      const first = once(name, cs); // warm-up, and the counters (the same every time)
      const t0 = performance.now();
      const times: number[] = [];
      while (times.length < 5 || (times.length < 200 && performance.now() - t0 < budgetS * 1000)) {
        times.push(once(name, cs).usPerMerge);
      }
      times.sort((a, b) => a - b);
      rows.push({ ...first, usPerMerge: times[times.length >> 1] as number });
    }
  }
  return rows;
}
