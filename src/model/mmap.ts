// mmap of anonymous memory (mm/mmap.c do_mmap, mm/vma.c __mmap_region).
// This module is browser compatible.

import type { FileRef, MmapFlag, Prot } from "../input/ops.js";
import { isAligned, MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { mmPopulate } from "./fault.js";
import {
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_PFNMAP,
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
import type { RegularFile } from "./file.js";
import { ShmemFile } from "./shmem.js";
import { Vma } from "./vma.js";
import { newRangeVmg } from "./vmg.js";

/** calc_vm_prot_bits. */
export function protBits(prot: Prot): number {
  return (prot.read ? VM_READ : 0) | (prot.write ? VM_WRITE : 0) | (prot.exec ? VM_EXEC : 0);
}

/**
 * do_mmap at `addr` (MAP_FIXED, or MAP_FIXED_NOREPLACE when FIXED is absent, as the
 * scenario language specifies): anonymous, or of a file (model only). Returns the address.
 */
export function doMmap(
  k: Kernel,
  mm: Mm,
  addr: number,
  len: number,
  prot: Prot,
  flags: readonly MmapFlag[],
  fileRef: FileRef | null = null,
): number {
  const has = (f: MmapFlag) => flags.includes(f);
  if (len === 0) throw new Errno("EINVAL", "zero length");
  if (fileRef && !isAligned(fileRef.offset, PAGE_SIZE))
    throw new Errno("EINVAL", "unaligned file offset");
  len = pageAlign(len);
  if (mm.mapCount > k.options.maxMapCount) throw new Errno("ENOMEM", "vm.max_map_count reached");
  // __get_unmapped_area with MAP_FIXED: the address is taken as is
  if (len > TASK_SIZE || addr > TASK_SIZE - len) throw new Errno("ENOMEM");
  if (!isAligned(addr, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned address");
  if (addr < MMAP_MIN_ADDR) throw new Errno("EPERM", "below vm.mmap_min_addr");
  const end = addr + len;
  if (!has("FIXED") && mm.findVmaIntersection(addr, end)) throw new Errno("EEXIST");

  // calc_vm_prot_bits | calc_vm_flag_bits | VM_MAY*
  let vmFlags = protBits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (has("GROWSDOWN")) vmFlags |= VM_GROWSDOWN;
  if (has("LOCKED")) vmFlags |= VM_LOCKED;
  if (has("STACK")) vmFlags |= VM_NOHUGEPAGE; // MAP_STACK implies VM_NOHUGEPAGE (6.7+)
  const shared = has("SHARED");
  if (shared) {
    if (!fileRef && vmFlags & VM_GROWSDOWN)
      throw new Errno("EINVAL", "MAP_SHARED with MAP_GROWSDOWN");
    vmFlags |= VM_SHARED | VM_MAYSHARE;
  }
  // anonymous shared: the shmem file ignores pgoff; anonymous private: "Set pgoff
  // according to addr for anon_vma"; files: the offset
  const pgoff = fileRef ? fileRef.offset / PAGE_SIZE : shared ? 0 : addr / PAGE_SIZE;
  if (has("NORESERVE") && k.options.overcommit !== 2) vmFlags |= VM_NORESERVE;

  const file = fileRef ? k.file(fileRef.path) : null;
  mmapRegion(k, mm, addr, end, vmFlags, pgoff, file, shared);
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
  file: RegularFile | null,
  shared: boolean,
): void {
  const old = gatherMunmapVmas(k, mm, addr, end);
  // accountable_mapping
  if ((flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) flags |= VM_ACCOUNT;
  // __mmap_setup: the neighbours gathered with the VMAs unmapped, else those of the hole
  const gathered = old.vmas.length > 0;
  const prev = gathered ? old.prev : (mm.prevOf(addr) ?? null);
  const next = gathered ? old.next : (mm.nextFrom(end) ?? null);
  let vma: Vma | null = null;
  if (prev || next) {
    vma = vmaMergeNewRange(
      k,
      newRangeVmg(mm, prev, next, addr, end, pgoff, flags, file),
      "__mmap_region",
    );
  }
  if (!vma) {
    // __mmap_new_vma; shmem_zero_setup for anonymous MAP_SHARED
    const shmem =
      !file && shared ? new ShmemFile(k.nextId("shmem"), (end - addr) / PAGE_SIZE) : null;
    vma = new Vma(mm, addr, end, pgoff, flags, file ?? shmem);
    mm.insert(vma);
  }
  completeMunmap(k, mm, old);
}

/**
 * _install_special_mapping (exec's [vdso], [vvar]…): a VMA that never merges
 * (VM_DONTEXPAND; [vvar] is also VM_IO|VM_PFNMAP), named for /proc/PID/maps.
 */
export function installSpecialMapping(
  mm: Mm,
  addr: number,
  len: number,
  prot: Prot,
  name: string,
): number {
  const end = addr + pageAlign(len);
  if (!isAligned(addr, PAGE_SIZE) || end <= addr) throw new Errno("EINVAL");
  if (mm.findVmaIntersection(addr, end))
    throw new Errno("ENOMEM", "insert_vm_struct: range is occupied");
  const data = name.startsWith("[vvar");
  const flags =
    protBits(prot) |
    VM_DONTEXPAND |
    (data ? VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTDUMP : VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
  const vma = new Vma(mm, addr, end, 0, flags, null);
  vma.specialName = name;
  mm.insert(vma);
  return addr;
}
