// Every page-table entry of every live process, with the VMA it lies in: walked once per
// check and shared by the invariant families, which would otherwise each walk every page
// table and look every entry's VMA up again. This module is browser compatible.

import type { Kernel } from "../../model/kernel.js";
import type { Mm } from "../../model/mm.js";
import type { Pte } from "../../model/page-table.js";
import type { Vma } from "../../model/vma.js";

/** One page-table entry: its address, the entry, and the VMA there (none: an orphan). */
export interface Entry {
  addr: number;
  pte: Pte;
  vma: Vma | undefined;
}

/** A live process's entries, in address order. */
export interface ProcessEntries {
  proc: number;
  mm: Mm;
  entries: Entry[];
}

/** Every live process (in process order) with its page-table entries. */
export function pageTableEntries(k: Kernel): ProcessEntries[] {
  return k.liveMms().map(({ proc, mm }) => {
    const entries: Entry[] = [];
    mm.pageTable.forEach(0, Number.MAX_SAFE_INTEGER, (addr, pte) => {
      entries.push({ addr, pte, vma: mm.vmaLookup(addr) });
    });
    return { proc, mm, entries };
  });
}
