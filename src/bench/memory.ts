// The memory section: heap bytes per VMA (unfaulted, and the anon_vma and chain a first
// fault adds) and per resident page, each from the heap's growth while building them.

import { PAGE_SIZE } from "../model/constants.js";
import { doMmap } from "../model/mmap.js";
import { BASE, fresh, MMAP_FLAGS, RW, touch } from "./ctx.js";
import { heapUsed } from "./heap.js";

export interface MemoryResult {
  /** VMAs and pages the figures were measured on. */
  vmas: number;
  pages: number;
  /** One unfaulted 1-page VMA: the vm_area_struct and its index entry. */
  bytesPerVma: number;
  /** What a first write fault adds to a VMA besides its page: anon_vma and chain. */
  bytesPerFaultedVma: number;
  /** One resident anonymous page: folio, and the PTE (its page-table slot and bits). */
  bytesPerPage: number;
}

/** Measures on `vmas` one-page VMAs and on one VMA of `pages` resident pages. */
export function measureMemory(
  vmas: number,
  pages: number,
  progress: (msg: string) => void,
): MemoryResult {
  progress(`memory: ${vmas.toLocaleString("en-US")} VMAs, ${pages.toLocaleString("en-US")} pages`);
  const c = fresh({ maxMapCount: vmas + 16 });
  // 1-page VMAs one page apart, so that they never merge
  const at = (i: number) => BASE + i * 2 * PAGE_SIZE;
  const h0 = heapUsed();
  for (let i = 0; i < vmas; i++) doMmap(c.k, c.mm, at(i), PAGE_SIZE, RW, MMAP_FLAGS);
  const h1 = heapUsed();
  for (let i = 0; i < vmas; i++) touch(c, at(i), PAGE_SIZE, true);
  const h2 = heapUsed();
  const big = at(vmas + 1);
  doMmap(c.k, c.mm, big, pages * PAGE_SIZE, RW, MMAP_FLAGS);
  // the first page brings the VMA's anon_vma and a page table: outside the per-page figure
  touch(c, big, PAGE_SIZE, true);
  const h3 = heapUsed();
  touch(c, big + PAGE_SIZE, (pages - 1) * PAGE_SIZE, true);
  const h4 = heapUsed();
  if (c.mm.mapCount !== vmas + 1)
    throw new Error(`bench: ${c.mm.mapCount} VMAs, wanted ${vmas + 1}`);
  const bytesPerPage = (h4 - h3) / (pages - 1);
  return {
    vmas,
    pages,
    bytesPerVma: (h1 - h0) / vmas,
    bytesPerFaultedVma: (h2 - h1) / vmas - bytesPerPage,
    bytesPerPage,
  };
}
