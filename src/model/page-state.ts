// Model-only page states: GUP pins (pin_user_pages with FOLL_LONGTERM), and large
// anonymous folios mapped by PTEs (an mTHP fault, alloc_anon_folio). This module is
// browser compatible.

import { PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { anonVmaPrepare, handleMmFault } from "./fault.js";
import { VM_LOCKED, VM_SHARED, VM_WRITE } from "./flags.js";
import { Folio, LargeFolio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { mapPage, putFolio, ZERO_FOLIO } from "./rmap.js";
import { rmapWalk } from "./rmap-walk.js";

/**
 * pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) over [start, end): faults each page in for
 * writing (so an anonymous page is exclusive), then pins its folio. EFAULT on a hole or
 * a failing fault.
 */
export function pinRange(k: Kernel, mm: Mm, start: number, end: number): number {
  let pinned = 0;
  for (let a = start; a < end; a += PAGE_SIZE) {
    const vma = mm.vmaLookup(a);
    if (!vma || !(vma.flags & VM_WRITE)) throw new Errno("EFAULT");
    if (handleMmFault(k, vma, a, true) !== "ok") throw new Errno("EFAULT");
    const folio = mm.pageTable.folioAt(a);
    if (!folio) throw new Errno("EFAULT");
    folio.pins++;
    folio.refcount++;
    pinned++;
  }
  return pinned;
}

/** unpin_user_pages over the present pages of [start, end) that are pinned. */
export function unpinRange(mm: Mm, start: number, end: number): number {
  let unpinned = 0;
  for (const [, pte] of mm.pageTable.entries(start, end)) {
    if (pte.kind !== "present" || pte.folio.pins === 0) continue;
    pte.folio.pins--;
    putFolio(pte.folio);
    unpinned++;
  }
  return unpinned;
}

/**
 * A large anonymous folio of len/PAGE_SIZE pages (a power of two, naturally aligned)
 * mapped by PTEs at [addr, addr + len), as a write fault with mTHP enabled allocates it
 * (alloc_anon_folio), every page written since. The range must be empty and inside one
 * private writable VMA.
 */
export function mapLargeFolio(k: Kernel, mm: Mm, addr: number, len: number): number {
  const nr = len / PAGE_SIZE;
  if (nr < 2 || (nr & (nr - 1)) !== 0 || addr % len !== 0) {
    throw new Errno("EINVAL", "a large folio is 2^n pages, naturally aligned");
  }
  const vma = mm.vmaLookup(addr);
  if (!vma || vma.end < addr + len || vma.file || vma.flags & VM_SHARED || !(vma.flags & VM_WRITE))
    throw new Errno("EINVAL", "the range must lie in one private writable anonymous VMA");
  if (mm.pageTable.any(addr, addr + len)) throw new Errno("EEXIST", "pages already mapped");
  anonVmaPrepare(k, vma);
  // every page counts as written: the folio stands for memory the program filled
  const folio = new LargeFolio(k.nextId("folio"), vma.anonVma, vma.linearIndex(addr), nr, true);
  folio.anonExclusive = true;
  for (let i = 0; i < nr; i++) mapPage(mm, addr + i * PAGE_SIZE, folio, i, true, false, true);
  return nr;
}

/**
 * split_folio: replace a large folio by small ones, each PTE mapping its own page. Found
 * through the rmap walk; fails (returns false) for a pinned folio or one whose mappings
 * the walk cannot all find. An anonymous folio's pages that never held data are mapped to
 * the shared zero page instead (remap_page with RMP_USE_SHARED_ZEROPAGE,
 * try_to_map_unused_to_zeropage: not in a VM_LOCKED VMA, nor where the kernel has no zero
 * page), and their small folios are freed with the split.
 */
export function splitFolio(k: Kernel, folio: Folio): boolean {
  if (!(folio instanceof LargeFolio)) return true;
  if (folio.pins > 0 || folio.swap) return false;
  const hits = rmapWalk(k, { kind: "present", folio }, folio, `split of ${folio.name}`);
  if (hits.length !== folio.mapcount) return false;
  const zeroUnused = folio.anonVma !== null && k.options.zeroPage;
  // unmap_folio → try_to_migrate_one moves a dirty PTE's bit to the folio, and
  // __split_folio_to_order gives PG_dirty to every page; remap_page then restores each
  // PTE dirty if its migration entry was (remove_migration_pte)
  const dirty = folio.dirty || hits.some((h) => h.pte.kind === "present" && !!h.pte.dirty);
  const parts: Folio[] = [];
  for (let i = 0; i < folio.nrPages; i++) {
    const f = new Folio(k.nextId("folio"), folio.mapping, folio.index + i);
    f.anonExclusive = folio.pageAnonExclusive(i);
    f.everShared = folio.everShared;
    f.lazyfree = folio.lazyfree; // the pages keep PG_swapbacked clear
    f.copyData(0, folio, i); // __split_folio_to_order: each page keeps its contents
    f.dirty = dirty;
    parts.push(f);
  }
  for (const h of hits) {
    if (h.pte.kind !== "present") continue;
    h.mm.pageTable.clear(h.addr);
    if (zeroUnused && !folio.holdsData(h.pte.sub) && !(h.vma.flags & VM_LOCKED))
      mapPage(h.mm, h.addr, ZERO_FOLIO, 0, false);
    else mapPage(h.mm, h.addr, parts[h.pte.sub] as Folio, 0, h.pte.writable, false, !!h.pte.dirty);
  }
  folio.mapcount = 0;
  folio.refcount = 0;
  folio.freed = true;
  return true;
}
