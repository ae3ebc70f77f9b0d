// safe-merge: vmasim's own design (docs/policies/safe-merge.md). Two VMAs with different
// anon_vmas merge, and a moved faulted VMA takes pgoff = new address, exactly when every
// folio whose owner would change can be relocated safely, decided per folio rather than
// per anon_vma: never shared with another process (the "was ever COW-shared" bit
// suggested in the 2025 review), not KSM, not pinned, not under migration, not a large
// folio reaching outside the range, and a swap entry only when its slot is unshared, in
// which case its swap-cache folio is relocated with it. Relocation happens wherever pages
// change owner: in commit_merge for every merge path, and in move_page_tables for mremap.
// This module is browser compatible.

import { PAGE_SIZE } from "../model/constants.js";
import type { Folio } from "../model/folio.js";
import type { Kernel } from "../model/kernel.js";
import type { Pte } from "../model/page-table.js";
import { anonFolioOf, refuseRelocation, relocateFolio, walkEntries } from "../model/relocate.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";
import { incomingRange, vmaRange, type PageRange } from "./anon-rules.js";
import { isMergeableAnonVma618, prevNextCompatible618 } from "./linux-6.18.js";
import {
  LINUX_MOVE,
  OK,
  refuse,
  type Check,
  type MovePlan,
  type OwnerChange,
  type Policy,
} from "./policy.js";

/**
 * Whether every folio of `r` may change owner: walks the populated entries (cost ∝
 * resident pages, never the range's length).
 */
export function relocatable(k: Kernel, r: PageRange): Check {
  // large folios: PTEs of this range that map them where a whole, contiguous folio would be
  const inPlace = new Map<Folio, number>();
  for (const [addr, pte] of walkEntries(k, r.mm, r.start, r.end)) {
    const at = k.rel(addr);
    if (pte.kind === "guard") continue;
    if (pte.kind === "migration") return refuse("migration", `page ${at} is under migration`);
    if (pte.kind === "swap") {
      if (pte.slot.count > 1)
        return refuse("swap-shared", `swap entry ${pte.slot.name} at ${at} is shared`);
      const cached = pte.slot.cache;
      if (cached?.everShared)
        return refuse("cow-shared", `swap-cache ${cached.name} at ${at} was shared`);
      continue;
    }
    const f = pte.folio;
    if (f.isZero || !f.isAnon) continue; // the zero page and page-cache pages have no anon owner
    if (f.isKsm) return refuse("ksm", `${f.name} at ${at} is a KSM page`);
    if (f.pins > 0) return refuse("pinned", `${f.name} at ${at} is pinned`);
    if (f.everShared || f.mapcount > f.nrPages)
      return refuse("cow-shared", `${f.name} at ${at} was shared with another process`);
    if (f.nrPages === 1) continue;
    const first = addr - pte.sub * PAGE_SIZE;
    if (first < r.start || first + f.nrPages * PAGE_SIZE > r.end)
      return refuse("large-folio", `${f.name} at ${at} reaches outside the range`);
    inPlace.set(f, (inPlace.get(f) ?? 0) + 1);
  }
  // a large folio moves as one (one mapping, one index): every page of it must be mapped
  // here, once, in order; mremap can leave its pages scattered over several VMAs
  for (const [f, n] of inPlace) {
    if (n !== f.nrPages || f.mapcount !== f.nrPages)
      return refuse("large-folio", `${f.name} has pages mapped outside the range`);
  }
  return OK;
}

/** is_mergeable_anon_vma: Linux's cases, plus different anon_vmas when the incoming pages can move. */
function isMergeableAnonVmaSafe(k: Kernel, vmg: Vmg, tgt: Vma): Check {
  const linux = isMergeableAnonVma618(k, vmg, tgt);
  if (linux.ok || linux.reason !== "anon-vma-differs") return linux;
  const range = incomingRange(vmg);
  return range ? relocatable(k, range) : OK;
}

/** Three-way merges: next is absorbed into prev, so next's pages must be able to move. */
function prevNextCompatibleSafe(k: Kernel, prev: Vma, next: Vma): Check {
  const linux = prevNextCompatible618(k, prev, next);
  return linux.ok ? linux : relocatable(k, vmaRange(next));
}

/** A present or swap-cached anonymous folio takes the destination's anon_vma and index. */
function relocateMoved(k: Kernel, dst: Vma, newAddr: number, pte: Pte): void {
  const av = dst.anonVma;
  const found = anonFolioOf(pte, true);
  if (av && found) relocateFolio(k, found.folio, av, dst.linearIndex(newAddr), found.sub);
}

/** mremap of a faulted VMA: pgoff = new address when every folio of the range can move. */
function planMoveSafe(k: Kernel, src: Vma, addr: number, len: number, newAddr: number): MovePlan {
  if (!src.anonVma || !src.isAnonymous) return LINUX_MOVE;
  const ok = relocatable(k, { mm: src.mm, start: addr, end: addr + len });
  if (!ok.ok) {
    refuseRelocation(k, ok.reason);
    return LINUX_MOVE;
  }
  return { pgoff: newAddr / PAGE_SIZE, relocatePte: relocateMoved, fresh: false };
}

/** commit_merge: every folio of the range (mapped or swap-cached) moves to the new owner. */
function relocateRange(k: Kernel, c: OwnerChange): void {
  const to = c.to.anonVma;
  if (!to) return;
  for (const [, pte] of walkEntries(k, c.from.mm, c.start, c.end)) {
    const found = anonFolioOf(pte, true);
    if (found && found.folio.anonVma !== to)
      relocateFolio(k, found.folio, to, found.folio.index + found.sub, found.sub);
  }
}

export const safeMerge: Policy = {
  name: "safe-merge",
  summary:
    "vmasim's design: different anon_vmas merge and moved VMAs get linear pgoff when every folio can be relocated (never COW-shared, not KSM/pinned/migrating, swap cache moved along)",
  isMergeableAnonVma: isMergeableAnonVmaSafe,
  prevNextCompatible: prevNextCompatibleSafe,
  planMove: planMoveSafe,
  ownerChange: relocateRange,
};
