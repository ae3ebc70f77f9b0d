// mmap of anonymous memory (mm/mmap.c do_mmap, mm/vma.c __mmap_region).
// This module is browser compatible.

import type { MmapFlag, Prot } from "../input/ops.js";
import { MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { mmPopulate } from "./fault.js";
import {
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from "./flags.js";
import type { Kernel } from "./kernel.js";
import { vmaMergeNewRange } from "./merge.js";
import type { Mm } from "./mm.js";
import { completeMunmap, gatherMunmapVmas, pageAlign } from "./munmap.js";
import { ShmemFile } from "./shmem.js";
import { Vma } from "./vma.js";
import { newRangeVmg } from "./vmg.js";

/** calc_vm_prot_bits. */
export function protBits(prot: Prot): number {
  return (prot.read ? VM_READ : 0) | (prot.write ? VM_WRITE : 0) | (prot.exec ? VM_EXEC : 0);
}

/**
 * do_mmap for an anonymous mapping at `addr` (MAP_FIXED, or MAP_FIXED_NOREPLACE when FIXED
 * is absent, as the scenario language specifies). Returns the mapped address.
 */
export function doMmap(
  k: Kernel,
  mm: Mm,
  addr: number,
  len: number,
  prot: Prot,
  flags: readonly MmapFlag[],
): number {
  const has = (f: MmapFlag) => flags.includes(f);
  if (len === 0) throw new Errno("EINVAL", "zero length");
  len = pageAlign(len);
  if (mm.mapCount > k.options.maxMapCount) throw new Errno("ENOMEM", "vm.max_map_count reached");
  // __get_unmapped_area with MAP_FIXED: the address is taken as is
  if (len > TASK_SIZE || addr > TASK_SIZE - len) throw new Errno("ENOMEM");
  if (addr % PAGE_SIZE !== 0) throw new Errno("EINVAL", "unaligned address");
  if (addr < MMAP_MIN_ADDR) throw new Errno("EPERM", "below vm.mmap_min_addr");
  const end = addr + len;
  if (!has("FIXED") && mm.findVmaIntersection(addr, end)) throw new Errno("EEXIST");

  // calc_vm_prot_bits | calc_vm_flag_bits | VM_MAY*
  let vmFlags = protBits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (has("GROWSDOWN")) vmFlags |= VM_GROWSDOWN;
  if (has("LOCKED")) vmFlags |= VM_LOCKED;
  if (has("STACK")) vmFlags |= VM_NOHUGEPAGE; // MAP_STACK implies VM_NOHUGEPAGE (6.7+)
  let pgoff: number;
  const shared = has("SHARED");
  if (shared) {
    if (vmFlags & VM_GROWSDOWN) throw new Errno("EINVAL", "MAP_SHARED with MAP_GROWSDOWN");
    pgoff = 0;
    vmFlags |= VM_SHARED | VM_MAYSHARE;
  } else {
    pgoff = addr / PAGE_SIZE; // "Set pgoff according to addr for anon_vma"
  }
  if (has("NORESERVE") && k.options.overcommit !== 2) vmFlags |= VM_NORESERVE;

  mmapRegion(k, mm, addr, end, vmFlags, pgoff, shared);
  if (vmFlags & VM_LOCKED || has("POPULATE")) mmPopulate(k, mm, addr, end);
  return addr;
}

/**
 * __mmap_region: unmap what the range overlaps (after splitting its edges), merge the
 * new range with its neighbours or create a VMA, then finish the unmap.
 */
function mmapRegion(
  k: Kernel,
  mm: Mm,
  addr: number,
  end: number,
  flags: number,
  pgoff: number,
  shared: boolean,
): void {
  const old = gatherMunmapVmas(k, mm, addr, end);
  // accountable_mapping
  if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) flags |= VM_ACCOUNT;
  const prev = mm.prevOf(addr) ?? null;
  const next = mm.nextFrom(end) ?? null;
  let vma: Vma | null = null;
  if (prev || next) {
    vma = vmaMergeNewRange(
      k,
      newRangeVmg(mm, prev, next, addr, end, pgoff, flags, null),
      "__mmap_region",
    );
  }
  if (!vma) {
    // __mmap_new_vma; shmem_zero_setup for MAP_SHARED
    const file = shared ? new ShmemFile(k.nextId("shmem"), (end - addr) / PAGE_SIZE) : null;
    vma = new Vma(mm, addr, end, pgoff, flags, file);
    mm.insert(vma);
  }
  completeMunmap(k, mm, old);
}
