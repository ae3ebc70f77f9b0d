// mprotect (mm/mprotect.c: do_mprotect_pkey, mprotect_fixup). Browser compatible.

import type { Prot } from "../input/ops.js";
import { isAligned, PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { populateVmaRange } from "./fault.js";
import {
  VM_ACCESS_FLAGS,
  VM_ACCOUNT,
  VM_HUGETLB,
  VM_LOCKED,
  VM_NORESERVE,
  VM_SEALED,
  VM_SHARED,
  VM_WRITE,
} from "./flags.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { protBits } from "./mmap.js";
import { vmaModifyFlags } from "./modify.js";
import { pageAlign } from "./munmap.js";
import type { Vma } from "./vma.js";

/** do_mprotect_pkey: VMAs are changed left to right; a hole stops the walk with ENOMEM. */
export function doMprotect(k: Kernel, mm: Mm, start: number, len: number, prot: Prot): void {
  if (!isAligned(start, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned address");
  if (len === 0) return;
  const end = start + pageAlign(len);
  let vma = mm.findVmaIntersection(start, end);
  if (!vma || vma.start > start) throw new Errno("ENOMEM", "range starts in a hole");
  let nstart = start;
  let tmp = vma.start;
  while (vma && vma.start < end) {
    if (vma.start !== tmp) throw new Errno("ENOMEM", "hole in range");
    const newflags = protBits(prot) | (vma.flags & ~VM_ACCESS_FLAGS);
    // newflags >> 4 shifts VM_MAY* onto VM_*
    if (newflags & ~(newflags >> 4) & VM_ACCESS_FLAGS) throw new Errno("EACCES");
    tmp = Math.min(vma.end, end);
    const covering = mprotectFixup(k, vma, nstart, tmp, newflags);
    tmp = covering.end; // vma_iter_end
    nstart = tmp;
    vma = tmp < end ? mm.findVmaIntersection(tmp, end) : undefined;
  }
  if (tmp < end) throw new Errno("ENOMEM", "range ends in a hole");
}

/**
 * mprotect_fixup: VM_ACCOUNT is added when a private mapping first becomes writable and
 * dropped when an unfaulted anonymous one stops being writable; a faulted one keeps it.
 */
function mprotectFixup(k: Kernel, vma: Vma, start: number, end: number, newflags: number): Vma {
  const oldflags = vma.flags;
  if (vma.flags & VM_SEALED) throw new Errno("EPERM");
  if (newflags === oldflags) return vma;
  if (newflags & VM_WRITE) {
    if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)))
      newflags |= VM_ACCOUNT;
  } else if (oldflags & VM_ACCOUNT && vma.isAnonymous && !vma.anonVma) {
    newflags &= ~VM_ACCOUNT;
  }
  const v = vmaModifyFlags(k, vma, start, end, newflags, "mprotect_fixup");
  // change_protection (change_pte_range): write permission removed from the PTEs; and a
  // writable migration entry becomes a readable one whatever the new protection ("a
  // protection check is difficult so just be safe and disable write"), so that
  // remove_migration_pte restores it read-only (exclusive still, for an anonymous folio)
  const removeWrite = !(newflags & VM_WRITE);
  if (removeWrite || k.migrations.size > 0) {
    const table = v.mm.pageTable;
    table.walk(
      start,
      end,
      (a, _folio, _sub, writable) => {
        if (removeWrite && writable) table.setWritable(a, false);
      },
      (a, pte) => {
        if (pte.kind === "migration" && pte.writable) table.set(a, { ...pte, writable: false });
      },
    );
  }
  // a private VM_LOCKED VMA becoming writable is populated to break COW
  if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && newflags & VM_WRITE) {
    try {
      populateVmaRange(k, v, start, end);
    } catch (e) {
      if (!(e instanceof Errno)) throw e; // populate errors are ignored here
    }
  }
  return v;
}
