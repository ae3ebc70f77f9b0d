// The benchmark's model side: the workloads of bench/workloads.ts driven straight through
// the model's system-call functions (doMmap, doMunmap, doMprotect, doMremap, userAccess,
// dupMmap, exitMmap) on a Machine with invariant checks off. Machine.step is not used: it
// builds per-step records, which is reporting, not the VMA machinery being measured.

import { performance } from "node:perf_hooks";
import type { MmapFlag, MremapFlag, Prot } from "../src/input/ops.js";
import { PAGE_SIZE } from "../src/model/constants.js";
import { userAccess } from "../src/model/fault.js";
import { dupMmap, exitMmap } from "../src/model/fork.js";
import type { Kernel } from "../src/model/kernel.js";
import { Machine } from "../src/model/machine.js";
import { Mm } from "../src/model/mm.js";
import { doMmap } from "../src/model/mmap.js";
import { doMprotect } from "../src/model/mprotect.js";
import { doMremap } from "../src/model/mremap.js";
import { doMunmap } from "../src/model/munmap.js";
import { DEFAULT_OPTIONS } from "../src/model/options.js";
import type { Timing } from "./workloads.js";

/** Same layout as bench/kernel.c: one 8 GiB slot per workload from 0x200000000000. */
const BASE = 0x200000000000;
const SLOT = 8 * 2 ** 30;
const GIB = 2 ** 30;
/** Pages mapped and touched per round of the fault workloads. */
const FAULT_PAGES = 4096;

const RW: Prot = { read: true, write: true, exec: false };
const R: Prot = { read: true, write: false, exec: false };
/** Without FIXED the model's mmap is MAP_FIXED_NOREPLACE, as in the kernel program. */
const MMAP_FLAGS: readonly MmapFlag[] = ["PRIVATE"];
const MREMAP_FLAGS: readonly MremapFlag[] = ["MAYMOVE", "FIXED"];

const slot = (i: number): number => BASE + i * SLOT;

/** One round: `n` iterations; returns the milliseconds of the timed part. */
type Round = (n: number) => number;

interface Ctx {
  k: Kernel;
  mm: Mm;
}

function fresh(): Ctx {
  const machine = new Machine({ ...DEFAULT_OPTIONS, checkInvariants: false });
  const k = machine.kernel;
  const p = k.procs[0];
  if (!p) throw new Error("bench: the machine has no process p0");
  return { k, mm: p.mm };
}

/**
 * Merge attempts accumulate in kernel.merges until Machine.step resets them; the workloads
 * reset them per iteration the same way, so the array never grows across iterations.
 */
function resetMerges(k: Kernel): void {
  if (k.merges.length !== 0) k.merges.length = 0;
}

function touch(c: Ctx, addr: number, len: number, write: boolean): void {
  for (let a = addr; a < addr + len; a += PAGE_SIZE) {
    const r = userAccess(c.k, c.mm, a, write);
    if (r !== "ok") throw new Error(`bench: access at 0x${a.toString(16)} gave ${r}`);
  }
}

/** Warm-up, then 3 repetitions of at least timing.repS each; the median rate in ops/s. */
export function measure(round: Round, opsPerIter: number, timing: Timing): number {
  let n = 1;
  const t0 = performance.now();
  for (;;) {
    const ms = round(n);
    if (ms >= 5 || n >= 1 << 24) break;
    n *= 2;
  }
  while (performance.now() - t0 < timing.warmS * 1000) round(n);
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    let total = 0;
    let iters = 0;
    const wall0 = performance.now();
    while (total < timing.repS * 1000 && performance.now() - wall0 < (4 * timing.repS + 1) * 1000) {
      total += round(n);
      iters += n;
    }
    rates.push((iters * opsPerIter) / (total / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[1] as number;
}

function timed(n: number, body: () => void): number {
  const t = performance.now();
  for (let i = 0; i < n; i++) body();
  return performance.now() - t;
}

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
          const t = performance.now();
          for (let a = addr; a < addr + len; a += PAGE_SIZE) userAccess(c.k, c.mm, a, write);
          ms += performance.now() - t;
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

/** Runs the model workload `name`; returns ops/s. */
export function runModelWorkload(name: string, timing: Timing): number {
  const w = MODEL_WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`bench: no model workload ${name}`);
  return measure(w.setup(), w.opsPerIter, timing);
}
