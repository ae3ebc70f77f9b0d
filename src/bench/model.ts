// The side-by-side workloads on the model: the same operations as the kernel program
// (src/kernel/helper/vmasim-bench.c), at the same addresses, with invariant checks off.

import { PAGE_SIZE } from "../model/constants.js";
import { userAccess } from "../model/fault.js";
import { dupMmap, exitMmap } from "../model/fork.js";
import { Mm } from "../model/mm.js";
import { doMmap } from "../model/mmap.js";
import { doMprotect } from "../model/mprotect.js";
import { doMremap } from "../model/mremap.js";
import { doMunmap } from "../model/munmap.js";
import { BASE, fresh, GIB, MMAP_FLAGS, MREMAP_FLAGS, R, resetMerges, RW, touch } from "./ctx.js";
import { collectGarbage } from "./heap.js";
import { cpuMs, measure, timed, type Round, type Timing } from "./measure.js";

/** Same layout as the kernel program: one 8 GiB slot per workload from BASE. */
const SLOT = 8 * GIB;
/** Pages mapped and touched per round of the fault workloads. */
const FAULT_PAGES = 4096;

const slot = (i: number): number => BASE + i * SLOT;

interface ModelWorkload {
  name: string;
  opsPerIter: number;
  /** Builds the state and returns the round function. */
  setup(): Round;
}

function mmapMunmap(name: string, s: number, len: number): ModelWorkload {
  return {
    name,
    opsPerIter: 1,
    setup() {
      const c = fresh();
      const addr = slot(s);
      return (n) =>
        timed(n, () => {
          doMmap(c.k, c.mm, addr, len, RW, MMAP_FLAGS);
          doMunmap(c.k, c.mm, addr, len);
          resetMerges(c.k);
        });
    },
  };
}

function mprotectSplitMerge(
  name: string,
  s: number,
  pages: number,
  faulted: boolean,
): ModelWorkload {
  return {
    name,
    opsPerIter: 1,
    setup() {
      const c = fresh();
      const addr = slot(s);
      doMmap(c.k, c.mm, addr, pages * PAGE_SIZE, RW, MMAP_FLAGS);
      if (faulted) touch(c, addr, pages * PAGE_SIZE, true);
      const mid = addr + Math.floor(pages / 2) * PAGE_SIZE;
      return (n) =>
        timed(n, () => {
          doMprotect(c.k, c.mm, mid, PAGE_SIZE, R);
          doMprotect(c.k, c.mm, mid, PAGE_SIZE, RW);
          resetMerges(c.k);
        });
    },
  };
}

function mremapMove(name: string, s: number, pages: number, faulted: boolean): ModelWorkload {
  return {
    name,
    opsPerIter: 1,
    setup() {
      const c = fresh();
      const a = slot(s);
      const b = slot(s) + SLOT / 2;
      const len = pages * PAGE_SIZE;
      doMmap(c.k, c.mm, a, len, RW, MMAP_FLAGS);
      if (faulted) touch(c, a, len, true);
      let atB = false;
      return (n) =>
        timed(n, () => {
          doMremap(c.k, c.mm, atB ? b : a, len, len, MREMAP_FLAGS, atB ? a : b);
          atB = !atB;
          resetMerges(c.k);
        });
    },
  };
}

function firstTouch(name: string, s: number, write: boolean): ModelWorkload {
  return {
    name,
    opsPerIter: FAULT_PAGES,
    setup() {
      const c = fresh();
      const addr = slot(s);
      const len = FAULT_PAGES * PAGE_SIZE;
      return (n) => {
        let ms = 0;
        for (let i = 0; i < n; i++) {
          doMmap(c.k, c.mm, addr, len, RW, MMAP_FLAGS);
          const t = cpuMs();
          for (let a = addr; a < addr + len; a += PAGE_SIZE) userAccess(c.k, c.mm, a, write);
          ms += cpuMs() - t;
          doMunmap(c.k, c.mm, addr, len);
          resetMerges(c.k);
        }
        return ms;
      };
    },
  };
}

function forkExit(name: string, s: number, nvmas: number): ModelWorkload {
  return {
    name,
    opsPerIter: 1,
    setup() {
      const c = fresh();
      const base = slot(s);
      // 1-page VMAs one page apart: the gaps keep them from merging
      for (let i = 0; i < nvmas; i++) {
        const a = base + i * 2 * PAGE_SIZE;
        doMmap(c.k, c.mm, a, PAGE_SIZE, RW, MMAP_FLAGS);
        touch(c, a, PAGE_SIZE, true);
      }
      if (c.mm.mapCount !== nvmas) throw new Error(`bench: ${c.mm.mapCount} VMAs, wanted ${nvmas}`);
      return (n) =>
        timed(n, () => {
          // the child's mm, as Kernel.spawn makes it, without growing kernel.procs
          const child = new Mm(1);
          dupMmap(c.k, c.mm, child);
          exitMmap(c.k, child);
          resetMerges(c.k);
        });
    },
  };
}

const MODEL_WORKLOADS: readonly ModelWorkload[] = [
  mmapMunmap("mmap_munmap_16p", 0, 16 * PAGE_SIZE),
  mprotectSplitMerge("mprotect_16p_unfaulted", 1, 16, false),
  mprotectSplitMerge("mprotect_16p_faulted", 2, 16, true),
  mremapMove("mremap_16p_faulted", 3, 16, true),
  mremapMove("mremap_16p_unfaulted", 4, 16, false),
  firstTouch("fault_write", 5, true),
  firstTouch("fault_read", 6, false),
  forkExit("fork_100", 7, 100),
  forkExit("fork_1000", 8, 1000),
  forkExit("fork_10000", 9, 10000),
  mprotectSplitMerge("mprotect_1g_unfaulted", 10, GIB / PAGE_SIZE, false),
  mremapMove("mremap_1g_unfaulted", 11, GIB / PAGE_SIZE, false),
  mmapMunmap("mmap_munmap_1g", 12, GIB),
];

/** A model workload set up and ready to time: each round runs n iterations. */
export interface ModelWorkloadRound {
  round: Round;
  /** Operations one iteration counts for. */
  opsPerIter: number;
}

/**
 * Sets up the model workload `name` (`bench --baseline --workloads` loads this function from
 * two builds and times their rounds in turn).
 */
export function modelWorkloadRound(name: string): ModelWorkloadRound {
  const w = MODEL_WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`bench: no model workload ${name}`);
  return { round: w.setup(), opsPerIter: w.opsPerIter };
}

/** Runs the model workload `name`; returns operations per second. */
export function runModelWorkload(name: string, timing: Timing): number {
  collectGarbage();
  const { round, opsPerIter } = modelWorkloadRound(name);
  return measure(round, opsPerIter, timing);
}
