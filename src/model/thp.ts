// PMD-mapped transparent huge pages (mm/huge_memory.c): the fault that allocates one
// (do_huge_pmd_anonymous_page, with the huge zero page for reads), its write fault
// (do_huge_pmd_wp_page) and __split_huge_pmd when a VMA boundary, a partial zap or an
// unaligned move cuts it. A PMD mapping is kept as its PTRS_PER_PTE entries marked `pmd`;
// split, they are ordinary PTEs of the same large folio. MADV_COLLAPSE is
// src/model/collapse.ts; khugepaged is not modelled.
// This module is browser compatible.

import { PAGE_SIZE, PTRS_PER_PTE } from "./constants.js";
import { VM_HUGEPAGE, VM_NOHUGEPAGE, VM_SHARED, VM_WRITE } from "./flags.js";
import { Folio, LargeFolio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { mapPage } from "./rmap.js";
import type { Vma } from "./vma.js";

/** HPAGE_PMD_SIZE. */
export const HPAGE_PMD_SIZE = PAGE_SIZE * PTRS_PER_PTE;

/** The PMD-aligned address at or below `addr`. */
export function pmdStart(addr: number): number {
  // exact for addresses below 2^53 (a power-of-two divisor); `%` on them is a slow fmod
  return Math.floor(addr / HPAGE_PMD_SIZE) * HPAGE_PMD_SIZE;
}

/**
 * thp_vma_allowable_order(PMD_ORDER) and thp_vma_suitable_order for a fault at `addr`: a
 * private anonymous VMA, THP enabled for it (always, or madvise with VM_HUGEPAGE; never
 * with VM_NOHUGEPAGE), the aligned 2 MiB around `addr` inside the VMA, and no page table
 * there (pmd_none: a table emptied by a zap still counts until munmap frees it).
 */
export function thpFaultable(k: Kernel, vma: Vma, addr: number): boolean {
  const mode = k.options.thp;
  if (mode === "never" || !vma.isAnonymous || vma.flags & (VM_SHARED | VM_NOHUGEPAGE)) return false;
  if (mode === "madvise" && !(vma.flags & VM_HUGEPAGE)) return false;
  const haddr = pmdStart(addr);
  if (haddr < vma.start || haddr + HPAGE_PMD_SIZE > vma.end) return false;
  return !vma.mm.pageTable.hasTable(haddr);
}

/**
 * Maps `folio` (PTRS_PER_PTE pages, or the zero page) by the PMD at `haddr` (set_pmd_at).
 * A THP is mapped dirty (map_anon_folio_pmd: pmd_mkdirty), the huge zero page clean.
 */
export function setHugePmd(mm: Mm, haddr: number, folio: Folio, writable: boolean): void {
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    const sub = folio.isZero ? 0 : i;
    mapPage(mm, haddr + i * PAGE_SIZE, folio, sub, writable, true, !folio.isZero);
  }
}

/**
 * do_huge_pmd_anonymous_page: a read maps the huge zero page (when the kernel has a zero
 * page); otherwise a new THP of the VMA's anon_vma is mapped by the PMD. `av` is the
 * VMA's anon_vma (the caller ran anon_vma_prepare).
 */
export function doHugePmdAnonymousPage(
  k: Kernel,
  vma: Vma,
  addr: number,
  write: boolean,
  zero: Folio,
): void {
  const haddr = pmdStart(addr);
  if (!write && k.options.zeroPage) {
    setHugePmd(vma.mm, haddr, zero, false);
    return;
  }
  setHugePmd(vma.mm, haddr, newThp(k, vma, haddr), (vma.flags & VM_WRITE) !== 0);
}

/**
 * do_huge_pmd_wp_page on the huge zero page (do_huge_zero_wp_pmd): a new THP replaces it.
 * Returns false when the entry is not a huge zero PMD.
 */
export function hugeZeroWpPmd(k: Kernel, vma: Vma, addr: number): boolean {
  const pte = vma.mm.pageTable.get(addr);
  if (pte?.kind !== "present" || !pte.pmd || !pte.folio.isZero) return false;
  const haddr = pmdStart(addr);
  for (let i = 0; i < PTRS_PER_PTE; i++) vma.mm.pageTable.clear(haddr + i * PAGE_SIZE);
  setHugePmd(vma.mm, haddr, newThp(k, vma, haddr), true);
  return true;
}

/** vma_alloc_anon_folio_pmd: a new, exclusive THP of the VMA's anon_vma for the PMD at `haddr`. */
export function newThp(k: Kernel, vma: Vma, haddr: number): LargeFolio {
  const folio = new LargeFolio(
    k.nextId("folio"),
    vma.anonVma,
    vma.linearIndex(haddr),
    PTRS_PER_PTE,
    false, // zero-filled (clear_huge_page); the store that faulted writes one page
  );
  folio.anonExclusive = true;
  return folio;
}

/**
 * do_huge_pmd_wp_page's reuse: the PMD at `addr` maps a THP whose head page is
 * anon-exclusive, or that has no reference but this PMD (folio_ref_count == 1 in the
 * kernel; here every reference is one of its PTRS_PER_PTE entries), which then becomes
 * this VMA's (folio_move_anon_rmap) with its head page exclusive; either way the PMD becomes
 * writable. Returns false when it cannot be reused. While a THP is mapped by its PMD the
 * model keeps the head page's PageAnonExclusive on every page: __split_huge_pmd_locked hands
 * the head's bit to every page it maps by PTE (folio_add_anon_rmap_ptes, RMAP_EXCLUSIVE).
 */
export function reuseHugePmd(vma: Vma, addr: number): boolean {
  const haddr = pmdStart(addr);
  const pte = vma.mm.pageTable.get(haddr);
  if (pte?.kind !== "present" || !pte.pmd) return false;
  const folio = pte.folio;
  if (folio.isZero || !folio.anonVma) return false;
  if (!folio.pageAnonExclusive(0)) {
    if (folio.mapcount !== folio.nrPages || folio.refcount !== folio.nrPages) return false;
    folio.mapping = vma.anonVma;
    folio.anonExclusive = true; // SetPageAnonExclusive(page) of the head: the PMD's bit
  }
  const table = vma.mm.pageTable;
  table.walk(haddr, haddr + HPAGE_PMD_SIZE, (a) => {
    table.setWritable(a, true);
    table.setDirty(a, true); // maybe_pmd_mkwrite(pmd_mkdirty())
  });
  return true;
}

/**
 * __split_huge_pmd: the PMD mapping around `addr`, if any, becomes PTRS_PER_PTE PTEs. A
 * dirty PMD gives dirty PTEs and moves its bit to the folio (__split_huge_pmd_locked:
 * folio_set_dirty); the THP gains a mapping per PTE, then loses the PMD's
 * (folio_add_anon_rmap_ptes, folio_remove_rmap_pmd).
 */
export function splitHugePmd(mm: Mm, addr: number): void {
  const haddr = pmdStart(addr);
  if (!mm.pageTable.isPmdMapped(haddr)) return;
  const folio = mm.pageTable.folioAt(haddr) as Folio;
  if (mm.pageTable.isDirty(haddr)) folio.dirty = true;
  if (folio instanceof LargeFolio) {
    folio.addLargeMapcount(mm, PTRS_PER_PTE);
    folio.subLargeMapcount(mm, 1);
  }
  mm.pageTable.clearPmd(haddr);
}

/**
 * copy_huge_pmd's refusal to share: a PMD-mapped anonymous THP that is exclusive and may be
 * DMA-pinned fails folio_try_dup_anon_rmap_pmd, so fork splits the parent's PMD
 * (__split_huge_pmd, every page keeping the head's exclusive bit) and copies the range one
 * PTE at a time, where each pinned exclusive page is copied for the child.
 */
export function splitPinnedHugePmds(mm: Mm, start: number, end: number): void {
  const table = mm.pageTable;
  if (!table.hasPmdMappings) return; // fork of an mm without THPs: no table to look at
  for (
    let a = table.nextTable(start);
    a !== undefined && a < end;
    a = table.nextTable(a + HPAGE_PMD_SIZE)
  ) {
    if (!table.isPmdMapped(a)) continue;
    const folio = table.folioAt(a) as Folio;
    if (folio.anonVma && folio.pageAnonExclusive(0) && folio.pins > 0) splitHugePmd(mm, a);
  }
}

/**
 * vma_adjust_trans_huge (and zap_pmd_range on a partial range): a boundary at an unaligned
 * `addr` inside a PMD mapping splits it. An mm with no PMD mapping (THP never, or none
 * faulted) has nothing to split: that is tested first, as it costs no arithmetic on the
 * address. Every split, zap and merge asks, and the compactor's replay executes 2.8 % fewer
 * instructions for it (docs/performance-history.md).
 */
export function splitHugePmdAt(mm: Mm, addr: number): void {
  if (mm.pageTable.hasPmdMappings && pmdStart(addr) !== addr) splitHugePmd(mm, addr);
}
