// mlock/munlock (mm/mlock.c: do_mlock, apply_vma_lock_flags, mlock_fixup).
// This module is browser compatible.

import { PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { mmPopulate } from "./fault.js";
import { VM_LOCKED, VM_LOCKED_MASK } from "./flags.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { vmaModifyFlags } from "./modify.js";
import { pageAlign } from "./munmap.js";
import type { Vma } from "./vma.js";

/**
 * do_mlock / do_munlock: the start is rounded down to a page; flags change VMA by VMA;
 * a hole fails with ENOMEM (earlier VMAs stay changed); mlock populates only on success.
 */
export function doMlock(k: Kernel, mm: Mm, addr: number, len: number, lock: boolean): void {
  const start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  const end = start + pageAlign(len + (addr - start));
  applyVmaLockFlags(k, mm, start, end, lock ? VM_LOCKED : 0);
  if (!lock) return;
  try {
    mmPopulate(k, mm, start, end, false);
  } catch (e) {
    // __mlock_posix_error_return
    if (e instanceof Errno && e.code === "EFAULT") throw new Errno("ENOMEM", "populating failed");
    throw e;
  }
}

/** apply_vma_lock_flags. */
function applyVmaLockFlags(k: Kernel, mm: Mm, start: number, end: number, flags: number): void {
  if (end === start) return;
  let vma = mm.vmaLookup(start);
  if (!vma) throw new Errno("ENOMEM", "range starts in a hole");
  let nstart = start;
  let tmp = vma.start;
  while (vma && vma.start < end) {
    if (vma.start !== tmp) throw new Errno("ENOMEM", "hole in range");
    const newflags = (vma.flags & ~VM_LOCKED_MASK) | flags;
    tmp = Math.min(vma.end, end);
    const covering = mlockFixup(k, vma, nstart, tmp, newflags);
    tmp = covering.end;
    nstart = tmp;
    vma = tmp < end ? mm.findVmaIntersection(tmp, end) : undefined;
  }
  if (tmp < end) throw new Errno("ENOMEM", "range ends in a hole");
}

/** mlock_fixup. */
function mlockFixup(k: Kernel, vma: Vma, start: number, end: number, newflags: number): Vma {
  if (newflags === vma.flags) return vma;
  return vmaModifyFlags(k, vma, start, end, newflags, "mlock_fixup");
}
