// madvise (mm/madvise.c): advice validation, the VMA walk that reports holes as ENOMEM
// after advising what is mapped, flag changes through madvise_update_vma, and the
// advices that act on pages. This module is browser compatible.

import { MADVICE } from "../input/ops.js";
import { madviseCollapse } from "./collapse.js";
import { isAligned, PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { anonVmaPrepare, faultinPageRange } from "./fault.js";
import type { MappedFile } from "./file.js";
import {
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_HUGEPAGE,
  VM_HUGETLB,
  VM_IO,
  VM_LOCKED,
  VM_MAYBE_GUARD,
  VM_MAYSHARE,
  VM_MERGEABLE,
  VM_MIXEDMAP,
  VM_NOHUGEPAGE,
  VM_PFNMAP,
  VM_RAND_READ,
  VM_SEQ_READ,
  VM_SHARED,
  VM_SPECIAL,
  VM_WIPEONFORK,
} from "./flags.js";
import { type Folio, LargeFolio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { vmaModifyFlags } from "./modify.js";
import { pageAlign } from "./munmap.js";
import { splitFolio } from "./page-state.js";
import { GUARD_PTE } from "./page-table.js";
import { putFolio, zapRange } from "./rmap.js";
import { HPAGE_PMD_SIZE, pmdStart, splitHugePmd } from "./thp.js";
import type { Vma } from "./vma.js";

const A = MADVICE;
/** MADV_DONTNEED_LOCKED (5.18+): the scenario language has no name for it, only its number. */
const MADV_DONTNEED_LOCKED = 24;
const VALID = new Set<number>([...Object.values(MADVICE), MADV_DONTNEED_LOCKED]);

/** A visitor for one VMA part [start, end) of the advised range (madvise_walk_vmas). */
export type Visit = (k: Kernel, vma: Vma, start: number, end: number) => Vma;

/** do_madvise. */
export function doMadvise(k: Kernel, mm: Mm, start: number, len: number, advice: number): void {
  if (!VALID.has(advice)) throw new Errno("EINVAL", `unknown advice ${advice}`); // madvise_behavior_valid
  if (!isAligned(start, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned address");
  const end = start + pageAlign(len);
  if (end < start) throw new Errno("EINVAL");
  if (end === start) return;
  if (advice === A.POPULATE_READ || advice === A.POPULATE_WRITE) {
    faultinPageRange(k, mm, start, end, advice === A.POPULATE_WRITE); // madvise_populate
    return;
  }
  walkVmas(k, mm, start, end, visitorFor(advice));
}

/**
 * madvise_walk_vmas: visit every VMA part of [start, end); holes make the call fail with
 * ENOMEM, but only after the mapped parts were advised.
 */
export function walkVmas(k: Kernel, mm: Mm, start: number, end: number, visit: Visit): void {
  let unmapped = false;
  let vma = mm.findVma(start);
  for (;;) {
    if (!vma) throw new Errno("ENOMEM", "range ends in a hole");
    if (start < vma.start) {
      unmapped = true;
      start = vma.start;
      if (start >= end) break;
    }
    const tmp = Math.min(vma.end, end);
    const covering = visit(k, vma, start, tmp);
    start = Math.max(tmp, covering.end);
    if (start >= end) break;
    vma = mm.findVma(covering.end);
  }
  if (unmapped) throw new Errno("ENOMEM", "hole in range");
}

/** madvise_update_vma with new flags, skipped when nothing changes. */
function updateFlags(k: Kernel, vma: Vma, start: number, end: number, flags: number): Vma {
  if (flags === vma.flags) return vma;
  return vmaModifyFlags(k, vma, start, end, flags, "madvise_update_vma");
}

function flagChange(set: number, clear: number, check?: (vma: Vma) => void): Visit {
  return (k, vma, start, end) => {
    check?.(vma);
    return updateFlags(k, vma, start, end, (vma.flags & ~clear) | set);
  };
}

/** The visitor implementing `advice` on one VMA part. */
function visitorFor(advice: number): Visit {
  switch (advice) {
    case A.NORMAL:
      return flagChange(0, VM_SEQ_READ | VM_RAND_READ);
    case A.SEQUENTIAL:
      return flagChange(VM_SEQ_READ, VM_RAND_READ);
    case A.RANDOM:
      return flagChange(VM_RAND_READ, VM_SEQ_READ);
    case A.DONTFORK:
      return flagChange(VM_DONTCOPY, 0);
    case A.DOFORK:
      return flagChange(0, VM_DONTCOPY, (vma) => {
        if (vma.flags & VM_IO) throw new Errno("EINVAL");
      });
    case A.WIPEONFORK:
      return flagChange(VM_WIPEONFORK, 0, (vma) => {
        if (vma.file || vma.flags & VM_SHARED)
          throw new Errno("EINVAL", "WIPEONFORK needs private anonymous memory");
      });
    case A.KEEPONFORK:
      return flagChange(0, VM_WIPEONFORK);
    case A.DONTDUMP:
      return flagChange(VM_DONTDUMP, 0);
    case A.DODUMP:
      return flagChange(0, VM_DONTDUMP, (vma) => {
        if (!(vma.flags & VM_HUGETLB) && vma.flags & VM_SPECIAL) throw new Errno("EINVAL");
      });
    case A.MERGEABLE:
      return ksmMergeable;
    case A.UNMERGEABLE:
      return (k, vma, start, end) =>
        vma.flags & VM_MERGEABLE ? updateFlags(k, vma, start, end, vma.flags & ~VM_MERGEABLE) : vma;
    case A.HUGEPAGE:
      return flagChange(VM_HUGEPAGE, VM_NOHUGEPAGE);
    case A.NOHUGEPAGE:
      return flagChange(VM_NOHUGEPAGE, VM_HUGEPAGE);
    case A.DONTNEED:
    case A.FREE:
    case MADV_DONTNEED_LOCKED:
      return dontneedFree(advice);
    case A.REMOVE:
      return removeRange;
    case A.COLD:
    case A.PAGEOUT:
      return (k, vma, start, end) => {
        if (vma.flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB)) throw new Errno("EINVAL"); // can_madv_lru_vma
        // COLD only moves folios between LRU lists, but splits large ones as PAGEOUT does
        walkAdvisedFolios(k, vma, start, end, true, (addr, folio) => {
          if (advice === A.PAGEOUT) pageout(k, vma, addr, folio);
        });
        return vma;
      };
    case A.COLLAPSE:
      return madviseCollapse;
    case A.GUARD_INSTALL:
      return guardInstall;
    case A.GUARD_REMOVE:
      return guardRemove;
    default: // WILLNEED: swap-in read-ahead, nothing to do without swap
      return (_k, vma) => vma;
  }
}

/**
 * madvise_pageout without a swap device, for the folio mapped at `addr`: a small folio
 * mapped only here (folio_mapcount == nr_pages; a large one came here unshared and mapped
 * whole) goes to reclaim_pages, which runs shrink_folio_list on it. A lazily freed
 * anonymous folio nobody else holds (try_to_unmap_one: ref_count == 1 + map_count) is
 * discarded unless it was redirtied, a PMD-mapped one after split_huge_pmd_locked
 * (TTU_SPLIT_HUGE_PMD: probed, its page table stays). Redirtied means the folio is dirty
 * or a PTE mapping it is (try_to_unmap_one and __discard_anon_folio_pmd_locked move the
 * PTE's bit to the folio): such a folio stays mapped, whole (a PMD mapping split), and is
 * no longer lazily freeable (folio_set_swapbacked). Any other anonymous folio cannot get
 * swap space and stays mapped, a large one split first (add_to_swap fails,
 * split_folio_to_list) unless pinned (folio_maybe_dma_pinned). A shmem folio is unmapped
 * first (try_to_unmap); if written, shmem_writeout finds no swap and keeps it dirty in the
 * page cache, where the next fault finds it again; if clean, it leaves the page cache.
 */
function pageout(k: Kernel, vma: Vma, addr: number, folio: Folio): void {
  if (folio.mapcount !== folio.nrPages) return;
  const end = addr + folio.nrPages * PAGE_SIZE;
  const mapping = folio.mapping;
  if (mapping?.kind === "shmem") {
    splitHugePmd(vma.mm, addr);
    zapRange(k, vma.mm, addr, end); // try_to_unmap: a dirty PTE dirties the folio
    // a clean folio (populated or read, never written) is dropped (__remove_mapping), and
    // the next fault allocates a zeroed page again; fault-around no longer finds it
    if (!folio.dirty) removeFromPageCache(mapping, folio);
    return;
  }
  if (folio.lazyfree) {
    // the folio's mappings are its nr_pages PTEs here (mapped only here, whole): the ones
    // the rmap walk of try_to_unmap would find
    if (!folio.dirty && anyDirty(vma, addr, end)) folio.dirty = true;
    // a PMD that cannot be discarded (unmap_huge_pmd_locked fails) is split
    // (TTU_SPLIT_HUGE_PMD) and the walk goes on over its PTEs
    splitHugePmd(vma.mm, addr);
    if (folio.dirty) {
      folio.lazyfree = false; // redirtied: folio_set_swapbacked
    } else if (folio.refcount === folio.mapcount) zapRange(k, vma.mm, addr, end);
    return; // shrink_folio_list does not try add_to_swap on a lazily freed folio
  }
  if (folio.nrPages > 1 && folio.pins === 0) splitFolio(k, folio);
}

/** Whether a present PTE in [start, end) of `vma` is dirty (pte_dirty). */
function anyDirty(vma: Vma, start: number, end: number): boolean {
  const table = vma.mm.pageTable;
  for (let a = start; a < end; a += PAGE_SIZE) if (table.isDirty(a)) return true;
  return false;
}

/**
 * The folios present in [start, end) of `vma`, as madvise_free_pte_range (with
 * madvise_free_huge_pmd) and madvise_cold_or_pageout_pte_range walk them; `visit` gets
 * each small folio, and each large one the range covers whole (a PMD mapping, or a batch
 * of PTEs mapping all its pages in order: madvise_folio_pte_batch). A large folio that
 * may be mapped by another process (folio_maybe_mapped_shared: the shared bit of its MM
 * owner tracking) is left alone; COLD and PAGEOUT (`stopAtShared`) then skip the rest of
 * its page table. One the range covers only in part is split (split_folio) and its pages
 * are walked again as small folios; if the split fails, it is skipped (with the rest of
 * its table for COLD and PAGEOUT, or when PMD-mapped).
 */
function walkAdvisedFolios(
  k: Kernel,
  vma: Vma,
  start: number,
  end: number,
  stopAtShared: boolean,
  visit: (addr: number, folio: Folio) => void,
): void {
  const table = vma.mm.pageTable;
  for (let addr = start; addr < end;) {
    const pte = table.get(addr);
    if (pte?.kind !== "present" || pte.folio.isZero) {
      addr += PAGE_SIZE;
      continue;
    }
    const folio = pte.folio;
    if (folio.nrPages === 1) {
      visit(addr, folio);
      addr += PAGE_SIZE;
      continue;
    }
    const next = Math.min(end, pmdStart(addr) + HPAGE_PMD_SIZE);
    let nr = 1;
    if (pte.pmd) nr = next - addr === HPAGE_PMD_SIZE ? folio.nrPages : 0;
    else {
      while (addr + nr * PAGE_SIZE < next) {
        const p = table.get(addr + nr * PAGE_SIZE);
        if (p?.kind !== "present" || p.folio !== folio || p.sub !== pte.sub + nr) break;
        nr++;
      }
    }
    if (folio instanceof LargeFolio && folio.maybeMappedShared) {
      addr = pte.pmd || stopAtShared ? next : addr + nr * PAGE_SIZE;
    } else if (nr === folio.nrPages) {
      visit(addr, folio);
      addr += nr * PAGE_SIZE;
    } else if (!splitFolio(k, folio)) {
      addr = pte.pmd || stopAtShared ? next : addr + nr * PAGE_SIZE;
    }
  }
}

/** ksm_madvise(MADV_MERGEABLE): a no-op on VMAs KSM cannot handle. */
function ksmMergeable(k: Kernel, vma: Vma, start: number, end: number): Vma {
  const incompatible =
    VM_SHARED | VM_MAYSHARE | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_HUGETLB | VM_MIXEDMAP;
  if (vma.flags & (VM_MERGEABLE | incompatible)) return vma; // vma_ksm_compatible
  return updateFlags(k, vma, start, end, vma.flags | VM_MERGEABLE);
}

/** madvise_dontneed_free: zap (DONTNEED, DONTNEED_LOCKED) or mark lazy-free (FREE); guard markers stay. */
function dontneedFree(advice: number): Visit {
  // madvise_dontneed_free_valid_vma: only DONTNEED_LOCKED may zap a VM_LOCKED VMA
  const forbidden = VM_PFNMAP | VM_HUGETLB | (advice === MADV_DONTNEED_LOCKED ? 0 : VM_LOCKED);
  return (k, vma, start, end) => {
    if (vma.flags & forbidden) throw new Errno("EINVAL");
    if (advice === A.FREE) {
      if (!vma.isAnonymous) throw new Errno("EINVAL"); // madvise_free_single_vma
      walkAdvisedFolios(k, vma, start, end, false, (addr, folio) => markLazyfree(vma, addr, folio));
      return vma; // lazily freed pages stay mapped until reclaim
    }
    zapRange(k, vma.mm, start, end, true);
    // madvise_dontneed_single_vma zaps with reclaim_pt (CONFIG_PT_RECLAIM): a page table
    // whose whole span the zap covered and left empty is freed (zap_pte_range,
    // try_get_and_clear_pmd); one a guard marker keeps non-empty stays
    vma.mm.pageTable.freeTables(start, end, start, end);
    return vma;
  };
}

/**
 * madvise_free_pte_range (madvise_free_huge_pmd for a PMD) on the folio mapped at `addr`:
 * a dirty or swap-cache folio mapped elsewhere too (folio_mapcount != nr_pages) is
 * skipped, its PTEs left dirty; otherwise it loses PG_dirty (folio_clear_dirty), the PTEs
 * mapping it here are cleaned (clear_young_dirty_ptes; other processes' PTEs keep their
 * bit), and an anonymous folio is marked lazily freeable (folio_mark_lazyfree; not a
 * swap-cache folio).
 */
function markLazyfree(vma: Vma, addr: number, folio: Folio): void {
  if (folio.swap || folio.dirty) {
    if (folio.mapcount !== folio.nrPages) return;
    if (folio.swap) return; // the model does not free the slot here (folio_free_swap)
    folio.dirty = false;
  }
  const table = vma.mm.pageTable;
  for (let i = 0; i < folio.nrPages; i++) table.setDirty(addr + i * PAGE_SIZE, false);
  if (folio.isAnon && !folio.isKsm && !folio.swap) folio.lazyfree = true;
}

/**
 * madvise_remove: punch a hole in the shmem file behind a shared mapping
 * (shmem_fallocate): the pages leave the page cache and every mapping of them, in every
 * process (unmap_mapping_range).
 */
function removeRange(k: Kernel, vma: Vma, start: number, end: number): Vma {
  if (vma.flags & VM_LOCKED) throw new Errno("EINVAL");
  const file = vma.file;
  if (!file) throw new Errno("EINVAL", "MADV_REMOVE needs a shared mapping");
  const first = vma.linearIndex(start);
  const last = vma.linearIndex(end);
  for (const p of k.procs) {
    if (!p.alive) continue;
    for (const v of p.mm.allVmas()) {
      if (v.file !== file) continue;
      const lo = Math.max(first, v.pgoff);
      const hi = Math.min(last, v.pgoff + v.pages);
      if (lo < hi)
        zapRange(
          k,
          v.mm,
          v.start + (lo - v.pgoff) * PAGE_SIZE,
          v.start + (hi - v.pgoff) * PAGE_SIZE,
          true,
        );
    }
  }
  for (let index = first; index < last; index++) {
    const folio = file.pages.get(index);
    if (folio) removeFromPageCache(file, folio);
  }
  return vma;
}

/** filemap_remove_folio: `folio` leaves `file`'s page cache, which drops its reference. */
function removeFromPageCache(file: MappedFile, folio: Folio): void {
  file.pages.delete(folio.index);
  folio.mapping = null;
  putFolio(folio);
}

/**
 * madvise_guard_install: mark the whole VMA VM_MAYBE_GUARD (no split), give it an
 * anon_vma if it is anonymous (vma_is_anonymous: not shmem), zap the range and install
 * guard markers.
 */
function guardInstall(k: Kernel, vma: Vma, start: number, end: number): Vma {
  if (vma.flags & (VM_SPECIAL | VM_HUGETLB | VM_LOCKED)) throw new Errno("EINVAL"); // is_valid_guard_vma
  vma.flags |= VM_MAYBE_GUARD;
  if (vma.isAnonymous) anonVmaPrepare(k, vma);
  zapRange(k, vma.mm, start, end);
  for (let a = start; a < end; a += PAGE_SIZE) vma.mm.pageTable.set(a, GUARD_PTE);
  return vma;
}

/** madvise_guard_remove: drop guard markers in the range. */
function guardRemove(_k: Kernel, vma: Vma, start: number, end: number): Vma {
  if (vma.flags & (VM_SPECIAL | VM_HUGETLB)) throw new Errno("EINVAL");
  for (const [addr, pte] of vma.mm.pageTable.entries(start, end)) {
    if (pte.kind === "guard") vma.mm.pageTable.clear(addr);
  }
  return vma;
}
