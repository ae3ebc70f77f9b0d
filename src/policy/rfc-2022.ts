// The 2022 RFC "Removing limitations of merging anonymous VMAs" (v1/v2) as posted, ported
// onto Linux 6.18: patch 3/4 lets two different anon_vmas merge when the one merged in is
// a root with no children and reconnects the absorbed VMA's pages in anon_vma_merge();
// patch 2/4 gives a moved faulted VMA pgoff = new address in copy_vma(). Its gaps are kept
// on purpose (docs/policies/rfc-2022.md). This module is browser compatible.

import { PAGE_SIZE } from "../model/constants.js";
import type { Kernel } from "../model/kernel.js";
import { followPages, refuseRelocation, relocateFolio } from "../model/relocate.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";
import { rootWithoutChildren } from "./anon-rules.js";
import { isMergeableAnonVma618, prevNextCompatible618 } from "./linux-6.18.js";
import { LINUX_MOVE, type Check, type MovePlan, type OwnerChange, type Policy } from "./policy.js";

/** is_mergeable_anon_vma (RFC 3/4): Linux's cases, plus different anon_vmas when anon_vma1 qualifies. */
function isMergeableAnonVmaRfc(k: Kernel, vmg: Vmg, tgt: Vma): Check {
  const linux = isMergeableAnonVma618(k, vmg, tgt);
  if (linux.ok || linux.reason !== "anon-vma-differs" || !vmg.anonVma) return linux;
  return rootWithoutChildren(vmg.anonVma);
}

/**
 * The three-way case as v1 wrote it: is_mergeable_anon_vma(prev->anon_vma,
 * next->anon_vma), so the *prev* side is tested although next's pages are the ones
 * reconnected (hazard 2; v3 swapped the arguments).
 */
function prevNextCompatibleRfc(k: Kernel, prev: Vma, next: Vma): Check {
  const linux = prevNextCompatible618(k, prev, next);
  if (linux.ok || !prev.anonVma) return linux;
  return rootWithoutChildren(prev.anonVma);
}

/**
 * reconnect_pages (RFC 3/4), from anon_vma_merge() only: follow_page over every page of the
 * removed VMA; each present anonymous page moves to the survivor's anon_vma with
 * page_move_anon_rmap (the whole folio). Swap and migration entries are not seen; KSM
 * pages have no anon_vma and are skipped.
 */
function reconnectPages(k: Kernel, c: OwnerChange): void {
  if (!c.removed) return; // __vma_adjust's boundary moves were not handled (fixed in v3)
  const to = c.to.anonVma;
  const from = c.from.anonVma;
  if (!to || !from) return;
  for (const [, pte] of followPages(k, c.from.mm, c.start, c.end)) {
    if (pte.kind !== "present" || pte.folio.anonVma !== from) continue;
    relocateFolio(k, pte.folio, to, pte.folio.index + pte.sub, pte.sub);
  }
}

/**
 * update_faulted_pgoff (RFC 2/4), from copy_vma(): when the source anon_vma is a root with
 * no children and no present page is mapped twice, every present page's index is
 * rewritten for the destination before the page tables move, and the destination gets
 * pgoff = new address. Swap-cache folios keep their old index (hazard 3).
 */
function updateFaultedPgoff(
  k: Kernel,
  src: Vma,
  addr: number,
  len: number,
  newAddr: number,
): MovePlan {
  const av = src.anonVma;
  if (!av || !src.isAnonymous) return LINUX_MOVE;
  if (!rootWithoutChildren(av).ok) {
    refuseRelocation(k, "anon-vma-shared");
    return LINUX_MOVE;
  }
  const pages = followPages(k, src.mm, addr, addr + len);
  if (pages.some(([, pte]) => pte.kind === "present" && pte.folio.mapcount > 1)) {
    refuseRelocation(k, "page-shared");
    return LINUX_MOVE;
  }
  const base = newAddr / PAGE_SIZE;
  for (const [a, pte] of pages) {
    const owner = pte.kind === "present" ? pte.folio.anonVma : null;
    if (pte.kind !== "present" || !owner) continue;
    relocateFolio(k, pte.folio, owner, base + (a - addr) / PAGE_SIZE, pte.sub);
  }
  return { pgoff: base, relocatePte: null, fresh: false };
}

function rfc2022Policy(name: string, summary: string, adjustPgoff: boolean): Policy {
  return {
    name,
    summary,
    isMergeableAnonVma: isMergeableAnonVmaRfc,
    prevNextCompatible: prevNextCompatibleRfc,
    planMove: adjustPgoff ? updateFaultedPgoff : () => LINUX_MOVE,
    ownerChange: reconnectPages,
  };
}

export const rfc2022AnonOnly = rfc2022Policy(
  "rfc-2022-anon-only",
  "RFC 2022 patch 3/4 alone: different anon_vmas merge (root, no children); pages reconnected in anon_vma_merge only",
  false,
);

export const rfc2022 = rfc2022Policy(
  "rfc-2022",
  "RFC 2022 patches 2/4 + 3/4: also pgoff = new address (and page->index rewritten) when mremap moves a faulted, unshared VMA",
  true,
);
