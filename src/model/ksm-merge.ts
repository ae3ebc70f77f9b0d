// KSM merging (mm/ksm.c try_to_merge_with_ksm_page), as an explicit operation: the pages
// of a VM_MERGEABLE range are merged into one KSM folio, and each mapping gets an
// rmap_item naming the VMA's anon_vma. This module is browser compatible.

import { anonVmaPrepare } from "./fault.js";
import { VM_MERGEABLE, VM_WRITE } from "./flags.js";
import { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import { ksmFolioUnmapped, StableNode } from "./ksm.js";
import type { Mm } from "./mm.js";
import { dropMapping, mapPage, newAnonFolio } from "./rmap.js";
import type { Vma } from "./vma.js";

/**
 * Merges every exclusive, unpinned, small anonymous page mapped in [start, end) of a
 * VM_MERGEABLE VMA of `mm` into one new KSM folio (as if their contents were equal).
 * Returns the number of pages merged.
 */
export function ksmMergeRange(k: Kernel, mm: Mm, start: number, end: number): number {
  const node = new StableNode(k.nextId("ksm"));
  const ksmFolio = new Folio(k.nextId("folio"), node, 0);
  let merged = 0;
  for (const [addr, pte] of mm.pageTable.entries(start, end)) {
    if (pte.kind !== "present") continue;
    const old = pte.folio;
    const vma = mm.vmaLookup(addr);
    if (!vma?.anonVma || !(vma.flags & VM_MERGEABLE)) continue;
    if (!old.anonVma || old.nrPages > 1 || old.mapcount !== 1 || old.pins > 0 || old.swap) continue;
    // write_protect_page: a dirty PTE's bit moves to the folio (folio_mark_dirty) before
    // pte_mkclean; replace_page then maps the KSM page with a clean PTE
    if (pte.dirty) ksmFolio.dirty = true;
    ksmFolio.copyData(0, old, 0); // pages_identical: merged pages hold what the KSM page holds
    mm.pageTable.clear(addr); // replace_page: write-protected, then pointed at the KSM page
    dropMapping(mm, old);
    mapPage(mm, addr, ksmFolio, 0, false);
    node.rmapItems.push({ mm, address: addr, anonVma: vma.anonVma });
    vma.anonVma.refcount++; // get_anon_vma
    merged++;
  }
  if (merged > 0) k.stableNodes.add(node);
  return merged;
}

/**
 * break_ksm over [start, end) of `vma` (ksm_madvise MADV_UNMERGEABLE, as mremap does before
 * a move): each KSM page is replaced by a private copy, as a write fault would.
 */
export function breakKsm(k: Kernel, vma: Vma, start: number, end: number): void {
  if (k.stableNodes.size === 0) return; // no KSM folio anywhere: nothing to break
  // each visited entry is replaced in place, as forEach allows
  vma.mm.pageTable.forEach(start, end, (addr, pte) => {
    if (pte.kind !== "present" || !pte.folio.isKsm) return;
    vma.mm.pageTable.clear(addr);
    dropMapping(vma.mm, pte.folio);
    ksmFolioUnmapped(k, pte.folio);
    anonVmaPrepare(k, vma);
    const copy = newAnonFolio(k, vma, addr);
    copy.copyData(0, pte.folio, 0); // break_ksm's write fault: wp_page_copy
    mapPage(vma.mm, addr, copy, 0, (vma.flags & VM_WRITE) !== 0);
  });
}
