// Swap (mm/vmscan.c shrink_folio_list, mm/memory.c do_swap_page), reduced to the states
// relocation must respect: a folio unmapped through the rmap into a swap slot, kept in the
// swap cache or dropped, and brought back by a fault. This module is browser compatible.

import { PAGE_SIZE } from "./constants.js";
import { anonVmaPrepare } from "./fault.js";
import { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import type { SwapPte } from "./page-table.js";
import { isIsolatable, deleteFromSwapCache, mapPage, swapFree, zapRange } from "./rmap.js";
import { rmapWalk } from "./rmap-walk.js";
import { SwapSlot } from "./swap-slot.js";
import type { Vma } from "./vma.js";

/**
 * Reclaim of the small, unpinned, non-KSM anonymous folios mapped in [start, end) of `mm`
 * (shrink_folio_list): add_to_swap, then try_to_unmap through the rmap walk. With
 * `keepCache` the folio stays in the swap cache (reclaim stopped before
 * __remove_mapping, or a swap-in readahead brought it back). A lazily freed folio gets no
 * swap slot: it is discarded, or kept if written since (discardLazyfree). Returns the
 * folios reclaimed.
 */
export function swapOutRange(
  k: Kernel,
  mm: Mm,
  start: number,
  end: number,
  keepCache: boolean,
): number {
  let done = 0;
  for (const [addr, pte] of mm.pageTable.entries(start, end)) {
    if (pte.kind !== "present") continue;
    const folio = pte.folio;
    if (!isIsolatable(folio)) continue;
    if (mm.pageTable.folioAt(addr) !== folio) continue; // already unmapped by this walk
    if (folio.lazyfree) {
      if (discardLazyfree(k, folio)) done++;
      continue;
    }
    const slot = new SwapSlot(k.nextId("swap"));
    slot.cache = folio; // add_to_swap
    folio.swap = slot;
    folio.refcount++;
    tryToUnmap(k, folio, slot);
    if (folio.mapcount > 0) continue; // still mapped: reclaim fails, the folio stays cached
    done++;
    if (!keepCache) deleteFromSwapCache(folio); // __remove_mapping
  }
  return done;
}

/**
 * shrink_folio_list for a lazily freed folio (MADV_FREE cleared PG_swapbacked): no swap
 * space is allocated; try_to_unmap_one moves each mapping's dirty bit to the folio and, in
 * walk order, discards the mapping while the folio is clean and nothing but its mappings
 * holds it, or else maps the page back, sets PG_swapbacked again and stops: the mappings
 * discarded before stay discarded. Returns whether every mapping was discarded (the folio
 * is freed).
 */
function discardLazyfree(k: Kernel, folio: Folio): boolean {
  for (const h of rmapWalk(k, { kind: "present", folio }, folio, `reclaim of ${folio.name}`)) {
    if (h.mm.pageTable.isDirty(h.addr)) folio.dirty = true;
    if (folio.dirty || folio.refcount !== folio.mapcount) {
      folio.lazyfree = false; // folio_set_swapbacked; walk_abort
      return false;
    }
    zapRange(k, h.mm, h.addr, h.addr + PAGE_SIZE); // discard: the PTE cleared, no swap entry
  }
  return folio.mapcount === 0;
}

/** try_to_unmap: every PTE the rmap walk finds becomes a swap entry. */
function tryToUnmap(k: Kernel, folio: Folio, slot: SwapSlot): void {
  const mapped = folio.mapcount;
  const hits = rmapWalk(k, { kind: "present", folio }, folio, `reclaim of ${folio.name}`);
  const exclusive = folio.anonExclusive;
  for (const h of hits) {
    h.mm.pageTable.set(h.addr, { kind: "swap", slot, exclusive });
    slot.count++;
    folio.mapcount--;
    folio.refcount--;
  }
  // folio_try_share_anon_rmap_pte: the exclusivity now lives in the swap entry
  // (pte_swp_exclusive) and comes back to the folio only through do_swap_page
  if (folio.mapcount === 0) folio.anonExclusive = false;
  if (folio.mapcount > 0) {
    k.detect(
      "I-walk",
      `reclaim of ${folio.name}: the rmap walk found ${hits.length} of its ${mapped} mappings (stale mapping or index); the folio cannot be reclaimed`,
    );
  }
}

/**
 * do_swap_page: a fault on a swap entry. A folio still in the swap cache is mapped again
 * as it is, after __page_check_anon_rmap's checks (its anon_vma must share the VMA's
 * root, its index must be this address's linear index: VM_BUG_ON otherwise); else a new
 * folio is read in for this VMA, so its mapping and index are rebuilt from the VMA.
 */
export function doSwapPage(k: Kernel, vma: Vma, addr: number, pte: SwapPte, write: boolean): void {
  const slot = pte.slot;
  let folio = slot.cache;
  if (folio) {
    const av = folio.anonVma;
    const want = vma.linearIndex(addr);
    if (!av || av.freed || av.root !== vma.anonVma?.root || folio.index !== want) {
      k.detect(
        "I-swapin",
        `swap-in of ${folio.name} at ${k.rel(addr)}: the swap-cache folio has ${av ? `${av.name}${av.freed ? " (freed)" : ""}` : "no anon_vma"} index ${k.relPgoff(folio.index)}, the VMA expects root ${vma.anonVma?.root.name ?? "-"} index ${k.relPgoff(want)} (VM_BUG_ON in __page_check_anon_rmap)`,
      );
    }
  } else {
    const av = anonVmaPrepare(k, vma);
    // __folio_set_anon: a folio not exclusive to this VMA takes the oldest anon_vma, the root
    folio = new Folio(k.nextId("folio"), pte.exclusive ? av : av.root, vma.linearIndex(addr));
    folio.swap = slot; // swapin_readahead adds it to the swap cache
    folio.refcount = 1;
    if (slot.holdsData) folio.store(0, 1); // swap_read_folio
    slot.cache = folio;
  }
  const exclusive = pte.exclusive;
  if (slot.count > 1 || folio.mapcount > 0) folio.everShared = true; // other processes hold the slot
  vma.mm.pageTable.clear(addr);
  if (exclusive) folio.anonExclusive = true;
  mapPage(vma.mm, addr, folio, 0, write && exclusive, false, write && exclusive); // pte_mkdirty on a write
  swapFree(slot);
  // folio_free_swap once nothing else needs the slot (should_try_to_free_swap)
  if (slot.freed && folio.swap === slot) deleteFromSwapCache(folio);
}

/** Read faults on every swap entry in [start, end) of `mm`. Returns the pages swapped in. */
export function swapInRange(k: Kernel, mm: Mm, start: number, end: number): number {
  let done = 0;
  for (const [addr, pte] of mm.pageTable.entries(start, end)) {
    const vma = mm.vmaLookup(addr);
    if (pte.kind !== "swap" || !vma) continue;
    doSwapPage(k, vma, addr, pte, false);
    done++;
  }
  return done;
}
