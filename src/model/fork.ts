// fork and exit of address spaces (mm/mmap.c dup_mmap, mm/memory.c copy_page_range,
// exit_mmap). This module is browser compatible.

import { anonVmaFork, unlinkAnonVmas } from "./anon-vma.js";
import {
  VM_DONTCOPY,
  VM_LOCKED_MASK,
  VM_MAYBE_GUARD,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_WIPEONFORK,
} from "./flags.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import type { MigrationPte, PageTable, SwapPte } from "./page-table.js";
import { mapPage, newAnonFolio, zapRange } from "./rmap.js";
import { HPAGE_PMD_SIZE, splitPinnedHugePmds } from "./thp.js";
import type { Vma } from "./vma.js";

/**
 * dup_mmap: copy every VMA of `parent` into the empty `child` in address order.
 * VM_DONTCOPY VMAs are skipped; VM_WIPEONFORK VMAs start empty; the others go through
 * anon_vma_fork and copy_page_range. The child's VMAs lose VM_LOCKED and VM_LOCKONFAULT.
 */
export function dupMmap(k: Kernel, parent: Mm, child: Mm): void {
  child.startBrk = parent.startBrk; // dup_mm copies the mm_struct
  child.brk = parent.brk;
  child.startStack = parent.startStack;
  for (const mpnt of parent.allVmas()) {
    if (mpnt.flags & VM_DONTCOPY) continue;
    const tmp = mpnt.dup();
    tmp.mm = child;
    if (tmp.flags & VM_WIPEONFORK) tmp.anonVma = null;
    else anonVmaFork(k, tmp, mpnt);
    tmp.flags &= ~VM_LOCKED_MASK;
    child.insert(tmp);
    if (!(tmp.flags & VM_WIPEONFORK)) copyPageRange(k, tmp, mpnt);
  }
}

/**
 * vma_needs_copy: only VMAs with an anon_vma, PFN maps, or VM_MAYBE_GUARD (guard markers
 * cannot be refaulted, so a shmem VMA that may hold some copies them) copy their page tables.
 */
function vmaNeedsCopy(src: Vma): boolean {
  return src.anonVma !== null || (src.flags & (VM_PFNMAP | VM_MIXEDMAP | VM_MAYBE_GUARD)) !== 0;
}

/**
 * copy_page_range: share every page with the child. Anonymous pages lose their
 * exclusive bit and are write-protected in both processes of a private mapping (COW);
 * swap entries are duplicated and lose their exclusive bit in both (copy_nonpresent_pte);
 * migration entries and guard markers are copied. A KSM page needs no new rmap_item: the
 * child's VMA is in the anon_vma the parent's item names (rmap_walk_ksm's search_new_forks).
 */
function copyPageRange(k: Kernel, dst: Vma, src: Vma): void {
  if (!vmaNeedsCopy(src)) return;
  const cow = !(src.flags & VM_SHARED);
  const from = src.mm.pageTable;
  const to = dst.mm.pageTable;
  copyPageTables(from, to, src.start, src.end);
  splitPinnedHugePmds(src.mm, src.start, src.end); // copy_huge_pmd
  // the walk changes only the parent's entry it visits: the child's table is another
  from.walk(
    src.start,
    src.end,
    (addr, folio, sub, writable, pmd, dirty) => {
      if (folio.anonVma && folio.pageAnonExclusive(sub) && folio.pins > 0) {
        // folio_try_dup_anon_rmap_pte refuses a possibly DMA-pinned exclusive page:
        // copy_present_page gives the child its own copy at once
        const copy = newAnonFolio(k, dst, addr);
        copy.copyData(0, folio, sub); // copy_present_page: copy_user_highpage
        mapPage(dst.mm, addr, copy, 0, writable, false, true); // pte_mkdirty
        return;
      }
      if (folio.isAnon) {
        folio.setPageAnonExclusive(sub, false); // folio_try_dup_anon_rmap_ptes: this page only
        folio.everShared = true;
      }
      if (cow && writable) from.setWritable(addr, false);
      // copy_huge_pmd keeps the PMD; copy_present_pte keeps the dirty bit of a private
      // mapping and cleans the child's PTE of a VM_SHARED one (pte_mkclean)
      mapPage(dst.mm, addr, folio, sub, writable && !cow, pmd, dirty && cow);
    },
    (addr, pte) => {
      if (pte.kind === "guard") {
        to.set(addr, pte);
      } else if (pte.kind === "swap") {
        pte.slot.count++; // swap_duplicate
        if (pte.slot.cache) pte.slot.cache.everShared = true;
        const shared: SwapPte = { kind: "swap", slot: pte.slot, exclusive: false };
        from.set(addr, shared);
        to.set(addr, { ...shared });
      } else {
        // copy_nonpresent_pte: an exclusive migration entry of a COW mapping becomes a
        // shared, readable one
        const shared: MigrationPte = cow ? { ...pte, writable: false } : pte;
        from.set(addr, shared);
        pte.folio.setPageAnonExclusive(pte.sub, false);
        pte.folio.everShared = true;
        to.set(addr, { ...shared });
      }
    },
  );
}

/**
 * copy_pmd_range: every PMD of [start, end) with a page table in the parent, even one with
 * no entry left, gets one in the child (copy_pte_range's pte_alloc), so that the child's
 * faults there map 4 KiB pages as the parent's do.
 */
function copyPageTables(from: PageTable, to: PageTable, start: number, end: number): void {
  for (
    let a = from.nextTable(start);
    a !== undefined && a < end;
    a = from.nextTable(a + HPAGE_PMD_SIZE)
  )
    to.alloc(a);
}

/** exit_mmap: unmap every VMA, dropping pages and anon_vma links, then empty the index. */
export function exitMmap(k: Kernel, mm: Mm): void {
  for (const vma of mm.allVmas()) {
    zapRange(k, mm, vma.start, vma.end);
    unlinkAnonVmas(k, vma);
  }
  mm.clear(); // __mt_destroy
}
