// Mapping and unmapping folios (mm/rmap.c, mm/memory.c zap_pte_range): mapcounts,
// refcounts, folio_add_new_anon_rmap and folio_move_anon_rmap. Browser compatible.

import { isAligned } from "./constants.js";
import { Folio, LargeFolio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { ksmFolioUnmapped } from "./ksm.js";
import type { SwapSlot } from "./swap-slot.js";
import { HPAGE_PMD_SIZE, splitHugePmdAt } from "./thp.js";
import type { Vma } from "./vma.js";

/** The shared zero page (ZERO_PAGE). */
export const ZERO_FOLIO = new Folio(0, null, 0, true);

/**
 * Installs a PTE mapping page `sub` of `folio` at `addr` (folio_add_*_rmap + set_pte);
 * `dirty` is pte_dirty (the callers set it where the kernel does pte_mkdirty). A PMD
 * mapping is installed as its PTRS_PER_PTE entries; its page 0 counts the one mapping
 * the large mapcount takes for it.
 */
export function mapPage(
  mm: Mm,
  addr: number,
  folio: Folio,
  sub: number,
  writable: boolean,
  pmd = false,
  dirty = false,
): void {
  if (!folio.isZero) {
    folio.countMapping(sub, 1);
    folio.refcount++;
    if (folio instanceof LargeFolio && (!pmd || sub === 0)) folio.addLargeMapcount(mm, 1);
  }
  mm.pageTable.setPresent(addr, folio, sub, writable, pmd, dirty);
}

/**
 * Drops `mm`'s mapping of page `sub` of a folio (folio_remove_rmap + folio_put); frees it
 * at refcount 0. `pmd`: the entry was part of a PMD mapping (see mapPage).
 */
export function dropMapping(mm: Mm, folio: Folio, sub = 0, pmd = false): void {
  if (folio.isZero) return;
  folio.countMapping(sub, -1);
  if (folio instanceof LargeFolio && (!pmd || sub === 0)) folio.subLargeMapcount(mm, 1);
  putFolio(folio);
}

/** folio_put: drop a reference, freeing the folio at zero. */
export function putFolio(folio: Folio): void {
  if (--folio.refcount === 0) folio.freed = true;
}

/** delete_from_swap_cache: the folio no longer caches its slot. */
export function deleteFromSwapCache(folio: Folio): void {
  const slot = folio.swap;
  if (!slot) return;
  slot.cache = null;
  slot.holdsData = folio.holdsData(0); // what swap_writeout wrote to the slot
  folio.swap = null;
  putFolio(folio);
}

/**
 * swap_free / free_swap_and_cache: one swap PTE is gone; at count zero the slot is freed
 * and an unmapped swap-cache folio with it.
 */
export function swapFree(slot: SwapSlot): void {
  if (--slot.count > 0) return;
  slot.freed = true;
  if (slot.cache && slot.cache.mapcount === 0) deleteFromSwapCache(slot.cache);
}

/**
 * folio_add_new_anon_rmap with RMAP_EXCLUSIVE: a new anonymous folio for `vma` at `addr`,
 * mapping = vma's own anon_vma, index = linear_page_index.
 */
export function newAnonFolio(k: Kernel, vma: Vma, addr: number): Folio {
  const folio = new Folio(k.nextId("folio"), vma.anonVma, vma.linearIndex(addr));
  folio.anonExclusive = true;
  return folio;
}

/** folio_move_anon_rmap: the folio now belongs to `vma`'s own anon_vma (index unchanged). */
export function folioMoveAnonRmap(folio: Folio, vma: Vma): void {
  folio.mapping = vma.anonVma;
}

/** An empty list that is not allocated anew at each use (zapRange runs per VMA unmapped). */
const NO_ADDRESSES: readonly number[] = [];

/**
 * zap_pte_range over [start, end): unmap every present page; guard markers are removed
 * too unless `keepGuards` (MADV_DONTNEED keeps them).
 */
export function zapRange(k: Kernel, mm: Mm, start: number, end: number, keepGuards = false): void {
  splitHugePmdAt(mm, start); // zap_pmd_range: a partly zapped huge PMD is split first
  splitHugePmdAt(mm, end);
  const table = mm.pageTable;
  let hugePmds: number[] | null = null; // zap_huge_pmd leaves no table behind
  table.walk(
    start,
    end,
    (addr, folio, sub, _writable, pmd, dirty) => {
      // zap_present_folio_ptes: a page-cache folio keeps what was written through the PTE.
      // (The kernel dirties a shared folio at the write fault too, fault_dirty_shared_page;
      // in the model every write leaves its PTE dirty, so this one test sees them all.)
      if (dirty && !folio.isAnon && !folio.isZero) folio.dirty = true;
      table.clear(addr);
      if (pmd && isAligned(addr, HPAGE_PMD_SIZE)) (hugePmds ??= []).push(addr);
      dropMapping(mm, folio, sub, pmd);
      ksmFolioUnmapped(k, folio);
    },
    (addr, pte) => {
      if (pte.kind === "guard" && keepGuards) return;
      table.clear(addr);
      if (pte.kind === "swap") swapFree(pte.slot);
      // a migration entry holds no mapping: the migration finds one PTE fewer to restore
    },
  );
  for (const a of hugePmds ?? NO_ADDRESSES) table.dropTable(a);
}

/**
 * The folios the model reclaims and migrates: small, unpinned, anonymous (not KSM) and not
 * already in the swap cache. Others are left where they are, as the kernel skips or fails
 * them (large folios would be split first; pins make migration fail).
 */
export function isIsolatable(folio: Folio): boolean {
  return !folio.isZero && !!folio.anonVma && folio.nrPages === 1 && folio.pins === 0 && !folio.swap;
}
