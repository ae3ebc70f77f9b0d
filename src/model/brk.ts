// brk (mm/mmap.c SYSCALL_DEFINE1(brk), mm/vma.c do_brk_flags). This module is browser
// compatible.

import { PAGE_SIZE, STACK_GUARD_GAP } from "./constants.js";
import { Errno } from "./errno.js";
import {
  VM_ACCOUNT,
  VM_GROWSDOWN,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_READ,
  VM_WRITE,
} from "./flags.js";
import type { Kernel } from "./kernel.js";
import { vmaMergeNewRange } from "./merge.js";
import type { Mm } from "./mm.js";
import { completeMunmap, gatherMunmapVmas, pageAlign } from "./munmap.js";
import { Vma } from "./vma.js";
import { newRangeVmg } from "./vmg.js";

/** VM_DATA_DEFAULT_FLAGS on x86-64 (without READ_IMPLIES_EXEC). */
const VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

/**
 * The brk system call: grow or shrink the heap to `brk` and return the new break; on any
 * failure (below the heap's start, colliding with a mapping) the old break is returned.
 */
export function doBrk(k: Kernel, mm: Mm, brk: number): number {
  const origbrk = mm.brk;
  if (brk < mm.startBrk) return origbrk;
  const newbrk = pageAlign(brk);
  const oldbrk = pageAlign(mm.brk);
  if (oldbrk === newbrk) {
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    // always allow shrinking, unless a non-brk VMA is in the way
    const brkvma = mm.findVmaIntersection(newbrk, oldbrk);
    if (!brkvma || brkvma.start >= oldbrk) return origbrk;
    mm.brk = brk;
    completeMunmap(k, mm, gatherMunmapVmas(k, mm, newbrk, oldbrk));
    return brk;
  }
  // check against existing mappings, keeping a stack's guard gap (vm_start_gap)
  const next = mm.findVma(oldbrk);
  if (next) {
    const gap = next.flags & VM_GROWSDOWN ? STACK_GUARD_GAP : 0;
    if (newbrk + PAGE_SIZE > next.start - gap) return origbrk;
  }
  const prev = mm.prevOf(oldbrk);
  const brkvma = prev && prev.end > mm.startBrk ? prev : null; // vma_prev_limit(start_brk)
  try {
    doBrkFlags(k, mm, brkvma, oldbrk, newbrk - oldbrk);
  } catch (e) {
    if (e instanceof Errno) return origbrk;
    throw e;
  }
  mm.brk = brk;
  return brk;
}

/**
 * do_brk_flags: expand the heap VMA when it ends at the old break (a just_expand new-range
 * merge, which a faulted fork child refuses), otherwise create a new anonymous VMA.
 */
function doBrkFlags(k: Kernel, mm: Mm, vma: Vma | null, addr: number, len: number): void {
  const flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;
  if (mm.mapCount > k.options.maxMapCount) throw new Errno("ENOMEM", "vm.max_map_count reached");
  if (vma && vma.end === addr) {
    const vmg = newRangeVmg(mm, vma, null, addr, addr + len, addr / PAGE_SIZE, flags, null);
    vmg.justExpand = true;
    if (vmaMergeNewRange(k, vmg, "do_brk_flags")) return;
  }
  mm.insert(new Vma(mm, addr, addr + len, addr / PAGE_SIZE, flags, null));
}
