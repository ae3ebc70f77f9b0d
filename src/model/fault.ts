// Page faults (arch/x86/mm/fault.c, mm/memory.c): do_anonymous_page, do_wp_page (COW),
// shmem faults, stack growth (expand_downwards), anon_vma_prepare with
// find_mergeable_anon_vma, and GUP-style population. This module is browser compatible.

import { anonVmaAlloc, anonVmaChainLink, isSingular, type AnonVma } from "./anon-vma.js";
import {
  MMAP_MIN_ADDR,
  PAGE_SIZE,
  PTRS_PER_PTE,
  RLIMIT_STACK,
  STACK_GUARD_GAP,
} from "./constants.js";
import { Errno } from "./errno.js";
import {
  VM_ACCESS_FLAGS,
  VM_GROWSDOWN,
  VM_IO,
  VM_LOCKONFAULT,
  VM_PFNMAP,
  VM_READ,
  VM_SHARED,
  VM_IGNORE_MERGE,
  VM_WRITE,
} from "./flags.js";
import type { MappedFile } from "./file.js";
import { Folio, LargeFolio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { ksmFolioUnmapped } from "./ksm.js";
import { finishMigration } from "./migrate.js";
import { dropMapping, folioMoveAnonRmap, mapPage, newAnonFolio, ZERO_FOLIO } from "./rmap.js";
import { doSwapPage } from "./swap.js";
import {
  doHugePmdAnonymousPage,
  hugeZeroWpPmd,
  reuseHugePmd,
  splitHugePmd,
  thpFaultable,
} from "./thp.js";
import type { Vma } from "./vma.js";

/** anon_vma_compatible: may `b` (just after `a`) share `a`'s anon_vma? */
function anonVmaCompatible(a: Vma, b: Vma): boolean {
  return (
    a.end === b.start &&
    a.policy === b.policy &&
    a.file === b.file &&
    ((a.flags ^ b.flags) & ~(VM_ACCESS_FLAGS | VM_IGNORE_MERGE)) === 0 &&
    b.pgoff === a.pgoff + (b.start - a.start) / PAGE_SIZE
  );
}

/** reusable_anon_vma: `old`'s anon_vma, if compatible and `old` is not a fork child. */
function reusableAnonVma(old: Vma, a: Vma, b: Vma): AnonVma | null {
  if (!anonVmaCompatible(a, b)) return null;
  return old.anonVma && isSingular(old) ? old.anonVma : null;
}

/** find_mergeable_anon_vma: next first, then prev. */
export function findMergeableAnonVma(vma: Vma): AnonVma | null {
  const next = vma.mm.vmaLookup(vma.end);
  if (next) {
    const av = reusableAnonVma(next, vma, next);
    if (av) return av;
  }
  const prev = vma.mm.prevOf(vma.start);
  return prev ? reusableAnonVma(prev, prev, vma) : null;
}

/** anon_vma_prepare: give `vma` an anon_vma, reusing a neighbour's or allocating a root. */
export function anonVmaPrepare(k: Kernel, vma: Vma): AnonVma {
  if (vma.anonVma) return vma.anonVma;
  let av = findMergeableAnonVma(vma);
  if (!av) {
    av = anonVmaAlloc(k);
    av.numChildren++; // self-parent link for a new root
  }
  vma.anonVma = av;
  anonVmaChainLink(vma, av);
  av.numActiveVmas++;
  return av;
}

export type FaultResult = "ok" | "SIGSEGV" | "SIGBUS";

/**
 * A user access (do_user_addr_fault → handle_mm_fault). Accesses that need no fault (the
 * PTE already allows them) do nothing. A write stores the byte `value`.
 */
export function userAccess(
  k: Kernel,
  mm: Mm,
  addr: number,
  write: boolean,
  value = 1,
): FaultResult {
  let vma = mm.findVma(addr);
  if (!vma) return "SIGSEGV";
  if (vma.start > addr) {
    // lock_mm_and_find_vma → expand_stack
    if (!(vma.flags & VM_GROWSDOWN)) return "SIGSEGV";
    try {
      expandDownwards(k, vma, addr);
    } catch (e) {
      if (e instanceof Errno) return "SIGSEGV";
      throw e;
    }
    vma = mm.vmaLookup(addr) as Vma; // the stack VMA that now covers addr
  }
  // access_error: a write needs VM_WRITE; a read any of VM_READ|VM_WRITE|VM_EXEC
  if (write ? !(vma.flags & VM_WRITE) : !(vma.flags & VM_ACCESS_FLAGS)) return "SIGSEGV";
  // __handle_mm_fault: the fault is handled at vmf->address = address & PAGE_MASK
  const result = handleMmFault(k, vma, Math.floor(addr / PAGE_SIZE) * PAGE_SIZE, write);
  // the store sets the PTE's dirty bit (the CPU does, for a writable PTE; a PMD mapping's
  // bit is the PMD's: all its pages), which reclaim then finds (try_to_unmap_one)
  if (write && result === "ok") mm.pageTable.storeThrough(addr, value);
  return result;
}

/** handle_mm_fault for one page of `vma` that the access is allowed to touch. */
export function handleMmFault(k: Kernel, vma: Vma, addr: number, write: boolean): FaultResult {
  const mm = vma.mm;
  let pte = mm.pageTable.get(addr);
  if (pte?.kind === "guard") return "SIGSEGV";
  if (pte?.kind === "migration") {
    finishMigration(k, pte.folio); // migration_entry_wait: the fault retries once it is done
    pte = mm.pageTable.get(addr);
    if (pte?.kind === "migration") {
      k.detect(
        "I-migration",
        `fault at ${k.rel(addr)}: waits forever on a migration entry of ${pte.folio.name} that no migration will restore`,
      );
      return "SIGBUS";
    }
  }
  if (pte?.kind === "swap") {
    doSwapPage(k, vma, addr, pte, write);
    pte = mm.pageTable.get(addr);
  }
  if (pte === undefined) {
    return vma.file ? fileFault(k, vma, addr, write) : doAnonymousPage(k, vma, addr, write);
  }
  if (pte.kind === "present" && write && !pte.writable) {
    if (pte.pmd) {
      // do_huge_pmd_wp_page: the huge zero page is replaced by a THP; a THP only this PMD
      // references is reused; a shared one is split and the write falls back to the PTE
      // (VM_FAULT_FALLBACK)
      if (hugeZeroWpPmd(k, vma, addr) || reuseHugePmd(vma, addr)) return "ok";
      splitHugePmd(vma.mm, addr);
    }
    return doWpPage(k, vma, addr);
  }
  return "ok";
}

/** do_anonymous_page: the zero page for reads (when the kernel has it), else a new folio. */
function doAnonymousPage(k: Kernel, vma: Vma, addr: number, write: boolean): FaultResult {
  if (vma.flags & VM_SHARED) return "SIGBUS";
  if (thpFaultable(k, vma, addr)) {
    anonVmaPrepare(k, vma); // vmf_anon_prepare comes before the huge zero page choice
    doHugePmdAnonymousPage(k, vma, addr, write, ZERO_FOLIO);
    return "ok";
  }
  if (!write && k.options.zeroPage) {
    mapPage(vma.mm, addr, ZERO_FOLIO, 0, false);
    return "ok";
  }
  anonVmaPrepare(k, vma);
  const writable = (vma.flags & VM_WRITE) !== 0; // pte_mkwrite(pte_mkdirty()) with VM_WRITE
  mapPage(vma.mm, addr, newAnonFolio(k, vma, addr), 0, writable, false, writable);
  return "ok";
}

/** fault_around_bytes: 64 KiB. */
const FAULT_AROUND_PAGES = 16;

/**
 * do_fault_around (filemap_map_pages): a read fault first maps every page already in the
 * page cache within the aligned 64 KiB window around it, clamped to the VMA and the page
 * table.
 */
function faultAround(vma: Vma, addr: number): void {
  const file = vma.file;
  if (!file) return;
  const tableStart = Math.floor(addr / (PAGE_SIZE * PTRS_PER_PTE)) * PAGE_SIZE * PTRS_PER_PTE;
  const windowStart =
    Math.floor(addr / (PAGE_SIZE * FAULT_AROUND_PAGES)) * PAGE_SIZE * FAULT_AROUND_PAGES;
  const from = Math.max(windowStart, vma.start, tableStart);
  const to = Math.min(
    from + FAULT_AROUND_PAGES * PAGE_SIZE,
    vma.end,
    tableStart + PAGE_SIZE * PTRS_PER_PTE,
  );
  const table = vma.mm.pageTable;
  for (let a = from, index = vma.linearIndex(from); a < to; a += PAGE_SIZE, index++) {
    const folio = file.pages.get(index);
    if (folio && table.isNone(a)) mapPage(vma.mm, a, folio, 0, false);
  }
}

/** The page-cache folio of `index` in `file`, read in (allocated) when absent. */
function pageCacheFolio(k: Kernel, file: MappedFile, index: number): Folio {
  let folio = file.pages.get(index);
  if (!folio) {
    folio = new Folio(k.nextId("folio"), file, index);
    folio.refcount = 1; // the page cache's reference
    if (file.kind === "file") folio.store(0, 1); // read from the file; a new shmem page is zeroed
    file.pages.set(index, folio);
  }
  return folio;
}

/**
 * A fault on a file or shmem VMA (do_read_fault, do_shared_fault, do_cow_fault): reads
 * map the page-cache folio (after fault-around), shared writes map it writable, private
 * writes copy it into a new anonymous folio.
 */
function fileFault(k: Kernel, vma: Vma, addr: number, write: boolean): FaultResult {
  const file = vma.file as MappedFile;
  const index = vma.linearIndex(addr);
  const shared = (vma.flags & VM_SHARED) !== 0;
  if (!write) {
    // do_read_fault: ->map_pages first, even when the faulting page lies past EOF
    faultAround(vma, addr);
    if (!vma.mm.pageTable.isNone(addr)) return "ok";
  }
  if (index >= file.sizePages) return "SIGBUS"; // ->fault (shmem_fault): past i_size
  const folio = pageCacheFolio(k, file, index);
  if (!write || shared) {
    mapPage(vma.mm, addr, folio, 0, write, false, write); // set_pte_range: a write maps dirty
    return "ok";
  }
  anonVmaPrepare(k, vma); // do_cow_fault
  const copy = newAnonFolio(k, vma, addr);
  copy.copyData(0, folio, 0);
  mapPage(vma.mm, addr, copy, 0, true, false, true);
  return "ok";
}

/**
 * do_wp_page: a write to a present read-only PTE. Shared mappings just become writable;
 * an exclusive or reusable anonymous folio is reused (wp_can_reuse_anon_folio, which
 * moves it to this VMA's anon_vma); otherwise the page is copied (wp_page_copy).
 */
function doWpPage(k: Kernel, vma: Vma, addr: number): FaultResult {
  const mm = vma.mm;
  const pte = mm.pageTable.get(addr);
  if (pte?.kind !== "present") return "ok";
  const folio = pte.folio;
  if (vma.flags & VM_SHARED) return wpPageReuse(mm, addr);
  if (!folio.isZero && folio.isAnon && !folio.isKsm) {
    if (folio.pageAnonExclusive(pte.sub)) return wpPageReuse(mm, addr);
    if (folio.nrPages === 1 && folio.refcount === 1) {
      folioMoveAnonRmap(folio, vma);
      folio.anonExclusive = true;
      return wpPageReuse(mm, addr);
    }
    if (folio instanceof LargeFolio && canReuseLargeAnonFolio(folio)) {
      // no folio_move_anon_rmap for a large folio; SetPageAnonExclusive marks only the page
      // written, so a write to another page asks again
      folio.setPageAnonExclusive(pte.sub, true);
      return wpPageReuse(mm, addr);
    }
  }
  anonVmaPrepare(k, vma);
  const copy = newAnonFolio(k, vma, addr);
  copy.copyData(0, folio, pte.sub); // wp_page_copy: the zero page copies as zeroes
  mm.pageTable.clear(addr);
  dropMapping(mm, folio, pte.sub);
  ksmFolioUnmapped(k, folio);
  mapPage(mm, addr, copy, 0, true, false, true); // wp_page_copy: pte_mkdirty
  return "ok";
}

/** wp_page_reuse: the PTE becomes writable and dirty (maybe_mkwrite(pte_mkdirty())). */
function wpPageReuse(mm: Mm, addr: number): FaultResult {
  mm.pageTable.setWritable(addr, true);
  mm.pageTable.setDirty(addr, true);
  return "ok";
}

/**
 * __wp_can_reuse_large_anon_folio (COW reuse of a PTE-mapped THP, since 6.15): a large
 * folio with more than one page mapped, all by this mm, and no reference but its mappings
 * (a pin or the swap cache holds one more) is reused rather than copied.
 */
function canReuseLargeAnonFolio(folio: LargeFolio): boolean {
  if (folio.largeMapcount <= 1) return false; // a single mapped page: copy it and free the folio
  if (folio.maybeMappedShared) return false; // FOLIO_MM_IDS_SHARED_BIT
  return folio.mapcount === folio.refcount;
}

/**
 * expand_downwards: grow a VM_GROWSDOWN VMA down to `addr`, keeping pgoff linear.
 * Throws Errno on a guard-gap clash, pgoff underflow or RLIMIT_STACK.
 */
export function expandDownwards(k: Kernel, vma: Vma, addr: number): void {
  const address = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  if (address < MMAP_MIN_ADDR) throw new Errno("EPERM");
  const prev = vma.mm.prevOf(vma.start);
  if (prev && !(prev.flags & VM_GROWSDOWN) && prev.flags & VM_ACCESS_FLAGS) {
    if (address - prev.end < STACK_GUARD_GAP) throw new Errno("ENOMEM", "stack guard gap");
  }
  anonVmaPrepare(k, vma);
  const grow = (vma.start - address) / PAGE_SIZE;
  if (grow > vma.pgoff) throw new Errno("ENOMEM");
  if (vma.end - address > RLIMIT_STACK) throw new Errno("ENOMEM", "RLIMIT_STACK"); // acct_stack_growth
  vma.mm.setRange(vma, address, vma.end, vma.pgoff - grow);
}

/**
 * populate_vma_page_range over [start, end) ⊆ vma, as mm_populate does it: writable
 * private mappings are write-faulted (breaking COW), others read-faulted; VM_LOCKONFAULT
 * VMAs are left alone. Throws EFAULT for an inaccessible VMA or a failing fault.
 */
export function populateVmaRange(k: Kernel, vma: Vma, start: number, end: number): void {
  if (vma.flags & VM_LOCKONFAULT) return;
  if (!(vma.flags & VM_ACCESS_FLAGS)) throw new Errno("EFAULT", "PROT_NONE is not populated"); // no FOLL_FORCE
  const write = (vma.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  for (let a = start; a < end; a += PAGE_SIZE) {
    if (handleMmFault(k, vma, a, write) !== "ok") throw new Errno("EFAULT");
    if (write) gupWriteTouch(vma.mm, a);
  }
}

/**
 * FOLL_TOUCH of a FOLL_WRITE GUP once the page is mapped (follow_page_pte): a clean PTE
 * (MADV_FREE cleaned it; a fault would have mapped it dirty) makes the folio dirty
 * (folio_mark_dirty); a huge PMD is dirtied instead (touch_pmd).
 */
function gupWriteTouch(mm: Mm, addr: number): void {
  const table = mm.pageTable;
  if (table.isPmdMapped(addr)) {
    table.setPmdDirty(addr);
    return;
  }
  const folio = table.folioAt(addr);
  if (folio && !folio.isZero && !table.isDirty(addr)) folio.dirty = true;
}

/**
 * __mm_populate: populate every VMA part of [start, end). With `ignoreErrors`
 * (mm_populate: MAP_POPULATE, MAP_LOCKED, mremap growth) failures are skipped; without
 * (mlock) the first one stops the walk and is thrown.
 */
export function mmPopulate(
  k: Kernel,
  mm: Mm,
  start: number,
  end: number,
  ignoreErrors = true,
): void {
  let nstart = start;
  while (nstart < end) {
    const vma = mm.findVmaIntersection(nstart, end);
    if (!vma) return;
    const nend = Math.min(end, vma.end);
    if (!(vma.flags & (VM_IO | VM_PFNMAP))) {
      try {
        populateVmaRange(k, vma, Math.max(nstart, vma.start), nend);
      } catch (e) {
        if (!(e instanceof Errno) || !ignoreErrors) throw e;
      }
    }
    nstart = nend;
  }
}

/**
 * faultin_page_range (MADV_POPULATE_READ/WRITE): fault in [start, end) without FOLL_FORCE.
 * With FOLL_MADV_POPULATE, a hole is ENOMEM, a VMA failing check_vma_flags (permissions,
 * VM_IO/VM_PFNMAP) EINVAL, and a fault ending in SIGSEGV/SIGBUS EFAULT.
 */
export function faultinPageRange(
  k: Kernel,
  mm: Mm,
  start: number,
  end: number,
  write: boolean,
): void {
  for (let a = start; a < end;) {
    const vma = mm.vmaLookup(a);
    if (!vma) throw new Errno("ENOMEM");
    if (vma.flags & (VM_IO | VM_PFNMAP)) throw new Errno("EINVAL");
    if (write ? !(vma.flags & VM_WRITE) : !(vma.flags & VM_READ))
      throw new Errno("EINVAL", "check_vma_flags");
    const stop = Math.min(end, vma.end);
    for (; a < stop; a += PAGE_SIZE) {
      if (handleMmFault(k, vma, a, write) !== "ok") throw new Errno("EFAULT");
      if (write) gupWriteTouch(mm, a);
    }
  }
}
