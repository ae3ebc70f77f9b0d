// Rules the policies beyond Linux share: the RFC's "root anon_vma with no children" test,
// the pages a merge proposal brings in, and per-page sharing tests. Browser compatible.

import type { AnonVma } from "../model/anon-vma.js";
import type { Kernel } from "../model/kernel.js";
import type { Mm } from "../model/mm.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";
import { OK, refuse, type Check } from "./policy.js";

/** A range of one mm whose pages a merge would hand to another anon_vma. */
export interface PageRange {
  mm: Mm;
  start: number;
  end: number;
}

/**
 * The pages the proposal brings into the merge: the modified part of the middle VMA, or
 * the source of an mremap move; null for a new mapping (mmap, brk), which has none.
 */
export function incomingRange(vmg: Vmg): PageRange | null {
  if (vmg.middle) return { mm: vmg.middle.mm, start: vmg.start, end: vmg.end };
  const src = vmg.copiedFrom;
  if (!src) return null;
  const end = Math.min(src.end, vmg.copiedStart + (vmg.end - vmg.start));
  return { mm: src.mm, start: vmg.copiedStart, end };
}

/** The whole of a VMA as a page range. */
export function vmaRange(v: Vma): PageRange {
  return { mm: v.mm, start: v.start, end: v.end };
}

/**
 * rbt_no_children (RFC 2/4): every VMA in the anon_vma's interval tree uses it as its own
 * anon_vma, i.e. no VMA of a forked process hangs off it.
 */
export function rbtNoChildren(av: AnonVma): boolean {
  for (const avc of av.avcs()) if (avc.vma.anonVma !== av) return false;
  return true;
}

/** The RFC's condition on the anon_vma merged in: its own root, with no children. */
export function rootWithoutChildren(av: AnonVma): Check {
  if (av.root !== av)
    return refuse("anon-vma-not-root", `${av.name} is not its own root (fork child)`);
  if (!rbtNoChildren(av))
    return refuse("anon-vma-has-children", `a VMA of another process hangs off ${av.name}`);
  return OK;
}

/**
 * RFC v3's per-page test: a present page is shared if mapcount + swap count > 1, a swap
 * entry if its swap count is above one. Walks the populated entries. Returns the reason
 * of the first shared page, or null.
 */
export function firstSharedPage(k: Kernel, r: PageRange): Check | null {
  const entries = r.mm.pageTable.entries(r.start, r.end);
  k.stats.pagesWalked += entries.length;
  for (const [addr, pte] of entries) {
    if (pte.kind === "present" && !pte.folio.isZero) {
      const f = pte.folio;
      // page_mapcount: a PTE-mapped large folio's pages are mapped once each
      if (Math.ceil(f.mapcount / f.nrPages) + (f.swap?.count ?? 0) > 1)
        return refuse("page-shared", `${f.name} at ${k.rel(addr)} is mapped ${f.mapcount} times`);
    } else if (pte.kind === "swap" && pte.slot.count > 1) {
      return refuse("page-shared", `swap entry ${pte.slot.name} at ${k.rel(addr)} is shared`);
    }
  }
  return null;
}
