// munmap (mm/vma.c: do_vmi_munmap, vms_gather_munmap_vmas, vms_complete_munmap_vmas).
// This module is browser compatible.

import { unlinkAnonVmas } from "./anon-vma.js";
import { isAligned, PAGE_SIZE, TASK_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { zapRange } from "./rmap.js";
import { splitVmaUnchecked } from "./split.js";
import type { Vma } from "./vma.js";

export const pageAlign = (n: number): number => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;

/**
 * VMAs detached by vms_gather_munmap_vmas (struct vma_munmap_struct): the VMAs either side
 * of the range after the splits (vms->prev and vms->next; both null when the range held no
 * VMA, so that nothing was gathered), and the page-table bounds of the range
 * (vms->unmap_start and unmap_end: the neighbours' edges, taken before anything new is
 * mapped there).
 */
export interface Detached {
  vmas: Vma[];
  prev: Vma | null;
  next: Vma | null;
  floor: number;
  ceiling: number;
}

/**
 * vms_gather_munmap_vmas: split the VMAs at the edges of [start, end) and detach every
 * VMA inside from the index. Returns them, in order, with the neighbours that the splits
 * and the walk over the range found on the way; pages and anon_vmas stay until
 * `completeMunmap`. Throws ENOMEM when splitting one VMA in three would pass
 * vm.max_map_count.
 */
export function gatherMunmapVmas(k: Kernel, mm: Mm, start: number, end: number): Detached {
  const first = mm.findVmaIntersection(start, end);
  if (!first) return { vmas: [], prev: null, next: null, floor: 0, ceiling: TASK_SIZE };
  let prev: Vma | null;
  if (start > first.start) {
    if (end < first.end && mm.mapCount >= k.options.maxMapCount) {
      throw new Errno("ENOMEM", "vm.max_map_count reached");
    }
    prev = splitVmaUnchecked(first, start, true); // first keeps the part from start on
  } else {
    prev = mm.prevOf(start) ?? null;
  }
  // for_each_vma_range: the VMA that ends the walk is the next one. The list starts as a
  // literal of `first`: a push onto [] calls V8's builtin that grows the backing store.
  if (first.end > end) splitVmaUnchecked(first, end, false);
  const vmas: Vma[] = [first];
  let next = mm.nextFrom(first.end);
  for (; next && next.start < end; next = mm.nextFrom(next.end)) {
    if (next.end > end) splitVmaUnchecked(next, end, false);
    vmas.push(next);
  }
  // vma_iter_clear_gfp: do_vmi_align_munmap clears the gathered range in one store
  if (mm.removeRange(start, end) !== vmas.length)
    throw new Error("munmap: the index and the VMAs gathered disagree");
  return {
    vmas,
    prev,
    next: next ?? null,
    floor: prev?.end ?? 0,
    ceiling: next?.start ?? TASK_SIZE,
  };
}

/**
 * vms_complete_munmap_vmas: zap the pages of detached VMAs, unlink their anon_vmas, and
 * free the page tables no remaining VMA shares (free_pgtables, between the neighbours).
 */
export function completeMunmap(k: Kernel, mm: Mm, detached: Detached): void {
  const { vmas, floor, ceiling } = detached;
  for (const v of vmas) {
    zapRange(k, mm, v.start, v.end);
    unlinkAnonVmas(k, v);
  }
  // nothing detached (an empty range) frees nothing; reading vmas[-1] would also be a slow
  // named-property lookup in V8
  if (vmas.length === 0) return;
  const first = vmas[0] as Vma;
  const last = vmas[vmas.length - 1] as Vma;
  mm.pageTable.freeTables(first.start, last.end, floor, ceiling);
}

/**
 * do_vmi_munmap: EINVAL for an unaligned start or empty range; no merge ever follows.
 * Returns what was detached, with the neighbours the VMA iterator is left between.
 */
export function doMunmap(k: Kernel, mm: Mm, start: number, len: number): Detached {
  if (!isAligned(start, PAGE_SIZE) || start > TASK_SIZE || len > TASK_SIZE - start) {
    throw new Errno("EINVAL");
  }
  const end = start + pageAlign(len);
  if (end === start) throw new Errno("EINVAL");
  const detached = gatherMunmapVmas(k, mm, start, end);
  completeMunmap(k, mm, detached);
  return detached;
}
