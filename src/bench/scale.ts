// The scale section: one mm with N VMAs of 16 resident pages each (N up to 1,000,000, so
// 16 million pages), and the cost of single operations on VMAs spread over the whole
// address space, so that each operation finds its VMA cold as a real workload would. The
// same operations run on the real kernel at the sizes vm.max_map_count allows
// (src/kernel/helper/vmasim-bench.c --scale N), before the model at each size.
//
// The model's operations run twice: on VMAs spread apart, and on neighbouring VMAs one
// after another, whose data the previous operation left in the caches. The second isolates
// how the work grows with N (the index and page-table lookups); what the first costs beyond
// it is memory latency, which the row measures too (src/bench/load-latency.ts).

import { GCProfiler, getHeapStatistics } from "node:v8";
import { PAGE_SIZE } from "../model/constants.js";
import { MADVICE } from "../input/ops.js";
import { doMadvise } from "../model/madvise.js";
import { doMmap } from "../model/mmap.js";
import { doMprotect } from "../model/mprotect.js";
import { doMremap } from "../model/mremap.js";
import { doMunmap } from "../model/munmap.js";
import {
  BASE,
  fresh,
  MMAP_FLAGS,
  MREMAP_FLAGS,
  R,
  resetMerges,
  RW,
  touch,
  type Ctx,
} from "./ctx.js";
import { heapUsed } from "./heap.js";
import { loadLatencyNs } from "./load-latency.js";
import { cpuMs, measure, timed, type Timing } from "./measure.js";

/** Pages per VMA, all resident; each VMA is followed by a gap of the same size. */
export const SCALE_VMA_PAGES = 16;
const LEN = SCALE_VMA_PAGES * PAGE_SIZE;
/** VMA i's start: VMAs and gaps alternate, so no two VMAs are adjacent. */
const vmaAt = (i: number) => BASE + i * 2 * LEN;
/**
 * The step between successive operations' VMAs: spread apart (coprime with every size
 * measured, so that they land far apart), or neighbouring.
 */
const SCATTERED = 7_919;
const ADJACENT = 1;

/** The operations timed at each size, and how each touches VMA i. */
const OPS: ReadonlyArray<{ name: string; opsPerIter: number; run(c: Ctx, i: number): void }> = [
  {
    name: "mmap_munmap",
    opsPerIter: 1,
    run(c, i) {
      // half the gap after VMA i, adjacent to neither neighbour: a new VMA, no merge
      const addr = vmaAt(i) + LEN + LEN / 4;
      doMmap(c.k, c.mm, addr, LEN / 2, RW, MMAP_FLAGS);
      doMunmap(c.k, c.mm, addr, LEN / 2);
    },
  },
  {
    name: "mprotect_split_merge",
    opsPerIter: 1,
    run(c, i) {
      const mid = vmaAt(i) + LEN / 2;
      doMprotect(c.k, c.mm, mid, PAGE_SIZE, R);
      doMprotect(c.k, c.mm, mid, PAGE_SIZE, RW);
    },
  },
  {
    name: "mremap_move",
    opsPerIter: 2,
    run(c, i) {
      // into the gap after it and back, 16 resident pages each way; it lands between two
      // VMAs with other anon_vmas, so every move also tries and refuses two merges
      doMremap(c.k, c.mm, vmaAt(i), LEN, LEN, MREMAP_FLAGS, vmaAt(i) + LEN);
      doMremap(c.k, c.mm, vmaAt(i) + LEN, LEN, LEN, MREMAP_FLAGS, vmaAt(i));
    },
  },
  {
    name: "dontneed_write_fault",
    opsPerIter: 1,
    run(c, i) {
      const page = vmaAt(i) + PAGE_SIZE;
      doMadvise(c.k, c.mm, page, PAGE_SIZE, MADVICE.DONTNEED);
      touch(c, page, PAGE_SIZE, true);
    },
  },
];

export const SCALE_OPS: readonly string[] = OPS.map((o) => o.name);

export interface ScaleRow {
  vmas: number;
  residentPages: number;
  /** CPU seconds to build the mm (mmap and fault everything). */
  buildS: number;
  /** Heap bytes the mm holds. */
  heapBytes: number;
  /** Nanoseconds per operation on VMAs spread apart, by SCALE_OPS name. */
  nsPerOp: Record<string, number>;
  /** The same, each operation on the VMA after the previous one's. */
  adjacentNsPerOp: Record<string, number>;
  /** The share of each nsPerOp spent in the garbage collector's pauses (0 to 1). */
  gcShare: Record<string, number>;
  /** The same for adjacentNsPerOp. */
  adjacentGcShare: Record<string, number>;
  /** Nanoseconds per dependent random load over a buffer the size of the heap (capped at 1 GiB). */
  loadNs: number;
  /** The same on the real kernel, or null when the kernel did not run this size. */
  kernelNsPerOp: Record<string, number> | null;
}

/**
 * Nanoseconds per operation of `op` on the `n` VMAs of `c`, each `step` VMAs after the last,
 * and the share of the measurement's CPU time that the collector's pauses took.
 */
function timeOp(
  c: Ctx,
  n: number,
  op: (typeof OPS)[number],
  step: number,
  timing: Timing,
): { ns: number; gcShare: number } {
  let i = 0;
  const gc = new GCProfiler();
  const t0 = cpuMs();
  gc.start();
  const rate = measure(
    (iters) =>
      timed(iters, () => {
        op.run(c, i);
        resetMerges(c.k);
        i = (i + step) % n;
      }),
    op.opsPerIter,
    timing,
  );
  const pausesMs = gc.stop().statistics.reduce((sum, g) => sum + g.cost, 0) / 1000;
  return { ns: 1e9 / rate, gcShare: Math.min(1, pausesMs / (cpuMs() - t0)) };
}

/** Builds an mm of `n` VMAs and times every operation on it, spread apart and adjacent. */
export function scaleRow(
  n: number,
  timing: Timing,
  progress: (msg: string) => void,
): Omit<ScaleRow, "kernelNsPerOp"> {
  progress(`scale: building ${n.toLocaleString("en-US")} VMAs`);
  const h0 = heapUsed();
  const t0 = cpuMs();
  const c = fresh({ maxMapCount: n + 16 });
  for (let i = 0; i < n; i++) {
    doMmap(c.k, c.mm, vmaAt(i), LEN, RW, MMAP_FLAGS);
    touch(c, vmaAt(i), LEN, true);
    if (i > 0 && i % 100_000 === 0) progress(`scale: ${i.toLocaleString("en-US")} VMAs built`);
  }
  const buildS = (cpuMs() - t0) / 1000;
  if (c.mm.mapCount !== n) throw new Error(`bench: ${c.mm.mapCount} VMAs, wanted ${n}`);
  const heapBytes = heapUsed() - h0;
  const nsPerOp: Record<string, number> = {};
  const adjacentNsPerOp: Record<string, number> = {};
  const gcShare: Record<string, number> = {};
  const adjacentGcShare: Record<string, number> = {};
  for (const op of OPS) {
    progress(`scale: ${n.toLocaleString("en-US")} VMAs: ${op.name}`);
    const spread = timeOp(c, n, op, SCATTERED, timing);
    const adjacent = timeOp(c, n, op, ADJACENT, timing);
    nsPerOp[op.name] = spread.ns;
    gcShare[op.name] = spread.gcShare;
    adjacentNsPerOp[op.name] = adjacent.ns;
    adjacentGcShare[op.name] = adjacent.gcShare;
  }
  if (c.mm.mapCount !== n)
    throw new Error(`bench: ${c.mm.mapCount} VMAs after the run, wanted ${n}`);
  const loadNs = loadLatencyNs(heapBytes);
  return {
    vmas: n,
    residentPages: n * SCALE_VMA_PAGES,
    buildS,
    heapBytes,
    nsPerOp,
    adjacentNsPerOp,
    gcShare,
    adjacentGcShare,
    loadNs,
  };
}

/** The rows that fit in the heap, and why the larger sizes were left out (or null). */
export interface ScaleResult {
  rows: ScaleRow[];
  skipped: string | null;
}

/** Times the operations on the real kernel at `n` VMAs: ns per operation, or null. */
export type KernelScale = (n: number) => Promise<Record<string, number> | null>;

/**
 * A row per size, smallest first, each measured on the kernel (by `kernel`) and then on the
 * model. A size whose heap, extrapolated from the previous row with a quarter of margin,
 * would not fit under V8's heap limit is left out (with the larger ones) rather than run
 * out of memory.
 */
export async function scaleRows(
  sizes: readonly number[],
  timing: Timing,
  progress: (msg: string) => void,
  kernel: KernelScale,
): Promise<ScaleResult> {
  const rows: ScaleRow[] = [];
  for (const n of sizes) {
    const prev = rows[rows.length - 1];
    const limit = getHeapStatistics().heap_size_limit;
    const need = prev ? (prev.heapBytes / prev.vmas) * n * 1.25 : 0;
    if (need > limit) {
      const mib = (x: number) => Math.ceil(x / 2 ** 20).toLocaleString("en-US");
      const skipped =
        `${n.toLocaleString("en-US")} VMAs and more left out: they need about ${mib(need)} MiB of heap, ` +
        `the limit is ${mib(limit)} MiB; run node --max-old-space-size=${Math.ceil((need * 1.2) / 2 ** 30) * 1024} (npm run bench does)`;
      progress(`scale: ${skipped}`);
      return { rows, skipped };
    }
    const kernelNsPerOp = await kernel(n);
    rows.push({ ...scaleRow(n, timing, progress), kernelNsPerOp });
  }
  return { rows, skipped: null };
}
