// A model process to benchmark: a Machine with invariant checks off, driven straight
// through the model's system-call functions (Machine.step would build per-step records,
// which is reporting, not the VMA machinery being measured).

import type { MmapFlag, MremapFlag, Prot } from "../input/ops.js";
import { PAGE_SIZE } from "../model/constants.js";
import { userAccess } from "../model/fault.js";
import type { Kernel } from "../model/kernel.js";
import { Machine } from "../model/machine.js";
import type { Mm } from "../model/mm.js";
import { DEFAULT_OPTIONS, type ModelOptions } from "../model/options.js";

/** Where the benchmarks map: the default test region's base. */
export const BASE = DEFAULT_OPTIONS.base;
export const GIB = 2 ** 30;
export const RW: Prot = { read: true, write: true, exec: false };
export const R: Prot = { read: true, write: false, exec: false };
/** Without FIXED the model's mmap is MAP_FIXED_NOREPLACE, as in the kernel program. */
export const MMAP_FLAGS: readonly MmapFlag[] = ["PRIVATE"];
export const MREMAP_FLAGS: readonly MremapFlag[] = ["MAYMOVE", "FIXED"];

export interface Ctx {
  k: Kernel;
  mm: Mm;
}

/** A machine with checks off (and `options` on top of the defaults); its process p0. */
export function fresh(options: Partial<ModelOptions> = {}): Ctx {
  const machine = new Machine({ ...DEFAULT_OPTIONS, checkInvariants: false, ...options });
  const k = machine.kernel;
  const p = k.procs[0];
  if (!p) throw new Error("bench: the machine has no process p0");
  return { k, mm: p.mm };
}

/**
 * Merge attempts accumulate in kernel.merges until Machine.step resets them; benchmark
 * loops reset them per iteration the same way, so the array never grows.
 */
export function resetMerges(k: Kernel): void {
  if (k.merges.length !== 0) k.merges = [];
}

/** Accesses every page of [addr, addr + len); throws unless each access succeeds. */
export function touch(c: Ctx, addr: number, len: number, write: boolean): void {
  for (let a = addr; a < addr + len; a += PAGE_SIZE) {
    const r = userAccess(c.k, c.mm, a, write);
    if (r !== "ok") throw new Error(`bench: access at 0x${a.toString(16)} gave ${r}`);
  }
  resetMerges(c.k);
}
