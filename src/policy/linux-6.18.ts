// The default policy: Linux 6.18.8+ (mm/vma.c) exactly. This module is browser compatible.

import { isForkChild } from "../model/anon-vma.js";
import type { Kernel } from "../model/kernel.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";
import { LINUX_MOVE, OK, refuse, type Check, type Policy } from "./policy.js";

/**
 * is_mergeable_anon_vma (6.18.8+): case 1 (tgt unfaulted, src faulted: tgt will get a copy
 * of src's AVCs; refused when src or copied_from is a fork child), case 2 (src unfaulted,
 * tgt faulted: the range adopts tgt's anon_vma unless tgt is a fork child), case 3 (the
 * anon_vmas must be the same object).
 */
export function isMergeableAnonVma618(_k: Kernel, vmg: Vmg, tgt: Vma): Check {
  const tgtAnon = tgt.anonVma;
  const srcAnon = vmg.anonVma;
  if (!tgtAnon && srcAnon) {
    if (isForkChild(vmg.middle)) return refuse("fork-child", "the modified VMA is a fork child");
    if (isForkChild(vmg.copiedFrom)) {
      return refuse("fork-child", "the moved VMA (copied_from) is a fork child");
    }
    return OK;
  }
  if (tgtAnon && !srcAnon) {
    return isForkChild(tgt) ? refuse("fork-child", "the neighbour is a fork child") : OK;
  }
  if (srcAnon === tgtAnon) return OK;
  return refuse("anon-vma-differs", () => `${srcAnon?.name} ≠ ${tgtAnon?.name}`);
}

/** can_vma_merge_right: prev and next must not carry two different anon_vmas. */
export function prevNextCompatible618(_k: Kernel, prev: Vma, next: Vma): Check {
  if (!prev.anonVma || !next.anonVma || prev.anonVma === next.anonVma) return OK;
  const [a, b] = [prev.anonVma, next.anonVma];
  return refuse("prev-next-anon-vma-differ", () => `${a.name} ≠ ${b.name}`);
}

export const linux618: Policy = {
  name: "linux-6.18",
  summary:
    "Linux 6.18.8+ as it is: different anon_vmas never merge; a faulted VMA keeps its pgoff on mremap",
  isMergeableAnonVma: isMergeableAnonVma618,
  prevNextCompatible: prevNextCompatible618,
  planMove: () => LINUX_MOVE,
};
