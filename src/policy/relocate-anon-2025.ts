// MREMAP_RELOCATE_ANON (Lorenzo Stoakes, PATCH 00/11, June 2025), applied to every move
// and ported onto Linux 6.18: when copy_vma cannot merge, the destination becomes a fresh
// VMA with pgoff = new address that takes an anon_vma through __anon_vma_prepare (adopting
// a compatible neighbour's), every present folio is relocated (mapping and index) as its
// PTE moves, and the merge is retried. Not for fork children nor fork parents with live
// children; KSM and pinned folios make it fall back to a plain move; large folios that
// cross the range are split. Swap and migration entries are not touched (the review's
// objection). is_mergeable_anon_vma is Linux's. This module is browser compatible.

import { isSingular } from "../model/anon-vma.js";
import { PAGE_SIZE } from "../model/constants.js";
import type { Kernel } from "../model/kernel.js";
import { splitFolio } from "../model/page-state.js";
import type { Pte } from "../model/page-table.js";
import { refuseRelocation, relocateFolio, walkEntries } from "../model/relocate.js";
import type { Vma } from "../model/vma.js";
import { isMergeableAnonVma618, prevNextCompatible618 } from "./linux-6.18.js";
import { LINUX_MOVE, type MovePlan, type Policy } from "./policy.js";

/** relocate_anon_pte: a present, non-KSM anonymous folio follows its PTE. */
function relocatePresent(k: Kernel, dst: Vma, newAddr: number, pte: Pte): void {
  const av = dst.anonVma;
  if (pte.kind !== "present" || !pte.folio.anonVma || !av) return;
  relocateFolio(k, pte.folio, av, dst.linearIndex(newAddr), pte.sub);
}

/**
 * should_relocate_anon plus the pre-walk: eligible when the VMA has an anon_vma, is not a
 * fork child (singular chain) and is not a fork parent (num_children no more than its own
 * self-count). Returns the reason to fall back, or null.
 */
function whyNot(
  k: Kernel,
  src: Vma,
  addr: number,
  end: number,
  forkParentCheck: boolean,
): string | null {
  const av = src.anonVma;
  if (!av || !src.isAnonymous) return "unfaulted";
  if (!isSingular(src)) return "fork-child";
  if (forkParentCheck && av.numChildren > (av.root === av ? 1 : 0)) return "fork-parent";
  for (const [a, pte] of walkEntries(k, src.mm, addr, end)) {
    if (pte.kind !== "present" || pte.folio.isZero) continue;
    const f = pte.folio;
    if (f.isKsm) return "ksm";
    if (f.pins > 0) return "pinned";
    const first = a - pte.sub * PAGE_SIZE;
    if (f.nrPages > 1 && (first < addr || first + f.nrPages * PAGE_SIZE > end) && !splitFolio(k, f))
      return "large-folio";
  }
  return null;
}

function relocatePolicy(name: string, summary: string, forkParentCheck: boolean): Policy {
  return {
    name,
    summary,
    isMergeableAnonVma: isMergeableAnonVma618,
    prevNextCompatible: prevNextCompatible618,
    planMove(k, src, addr, len, newAddr): MovePlan {
      const why = whyNot(k, src, addr, addr + len, forkParentCheck);
      if (!why) return { pgoff: newAddr / PAGE_SIZE, relocatePte: relocatePresent, fresh: true };
      refuseRelocation(k, why);
      return LINUX_MOVE;
    },
  };
}

export const relocateAnon2025 = relocatePolicy(
  "relocate-anon-2025",
  "MREMAP_RELOCATE_ANON (PATCH, June 2025) on every move: a fresh destination adopts a neighbour's anon_vma, folios relocated as PTEs move, merge retried",
  true,
);

/**
 * The RFC of March 2025 as Jann Horn reviewed it: eligibility tested only
 * list_is_singular(&vma->anon_vma_chain), which catches a fork child but not a fork parent.
 */
export const relocateAnon2025Rfc = relocatePolicy(
  "relocate-anon-2025-rfc",
  "MREMAP_RELOCATE_ANON as first posted (RFC, March 2025): eligibility checks fork children only, not fork parents",
  false,
);
