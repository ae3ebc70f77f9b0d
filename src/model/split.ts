// __split_vma and split_vma (mm/vma.c). This module is browser compatible.

import { anonVmaClone } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import type { Kernel } from "./kernel.js";
import { splitHugePmdAt } from "./thp.js";
import type { Vma } from "./vma.js";

/**
 * split_vma: refuses with ENOMEM at vm.max_map_count, then __split_vma.
 */
export function splitVma(k: Kernel, vma: Vma, addr: number, newBelow: boolean): Vma {
  if (vma.mm.mapCount >= k.options.maxMapCount)
    throw new Errno("ENOMEM", "vm.max_map_count reached");
  return splitVmaUnchecked(vma, addr, newBelow);
}

/**
 * __split_vma: split `vma` at `addr`. The new VMA (the lower part when `newBelow`, else the
 * upper part) is a copy sharing the anon_vma, with every AVC cloned; the upper part's
 * pgoff advances by the split offset. Returns the new VMA.
 */
export function splitVmaUnchecked(vma: Vma, addr: number, newBelow: boolean): Vma {
  const mm = vma.mm;
  // each read once: where V8 does not inline the getters, every read is a call
  const { start, end, pgoff } = vma;
  const upperPgoff = pgoff + (addr - start) / PAGE_SIZE;
  const n = vma.dup();
  if (newBelow) n.setRange(start, addr, pgoff);
  else n.setRange(addr, end, upperPgoff);
  anonVmaClone(n, vma);
  if (newBelow) {
    // the new lower part takes vma's place in the index, and vma is indexed at addr
    mm.replace(vma, n);
    vma.setRange(addr, end, upperPgoff);
    mm.insert(vma);
  } else {
    mm.setRange(vma, start, addr, pgoff);
    mm.insert(n);
  }
  splitHugePmdAt(mm, addr); // vma_adjust_trans_huge
  return n;
}
