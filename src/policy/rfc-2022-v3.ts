// The 2022 RFC v3 design (May 2022), ported onto Linux 6.18: one page-table walk instead
// of follow_page, per-page sharing checks (mapcount + swap count), folio index and mapping
// updated as each PTE moves in move_page_tables, migration entries waited for on the
// mremap path, and the range whose owner changes in an mprotect-type merge reconnected too.
// As posted, the reconnect walk asks for neither migration waiting nor rmap locking
// (WALK_MIGRATION & WALK_LOCK_RMAP = 0), and swap and KSM entries are left alone.
// This module is browser compatible.

import { PAGE_SIZE } from "../model/constants.js";
import type { Kernel } from "../model/kernel.js";
import { finishMigration } from "../model/migrate.js";
import type { Pte } from "../model/page-table.js";
import { refuseRelocation, relocateFolio, walkEntries } from "../model/relocate.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";
import { firstSharedPage, incomingRange, rootWithoutChildren, vmaRange } from "./anon-rules.js";
import { isMergeableAnonVma618, prevNextCompatible618 } from "./linux-6.18.js";
import {
  LINUX_MOVE,
  OK,
  type Check,
  type MovePlan,
  type OwnerChange,
  type Policy,
} from "./policy.js";

/** is_mergeable_anon_vma (v3 5/6): the anon_vma test, then no page of the range shared. */
function isMergeableAnonVmaV3(k: Kernel, vmg: Vmg, tgt: Vma): Check {
  const linux = isMergeableAnonVma618(k, vmg, tgt);
  if (linux.ok || linux.reason !== "anon-vma-differs" || !vmg.anonVma) return linux;
  const av = rootWithoutChildren(vmg.anonVma);
  if (!av.ok) return av;
  const range = incomingRange(vmg);
  return (range && firstSharedPage(k, range)) ?? OK;
}

/** The three-way case with v3's fix: next (absorbed into prev) is the side tested. */
function prevNextCompatibleV3(k: Kernel, prev: Vma, next: Vma): Check {
  const linux = prevNextCompatible618(k, prev, next);
  if (linux.ok || !next.anonVma) return linux;
  const av = rootWithoutChildren(next.anonVma);
  if (!av.ok) return av;
  return firstSharedPage(k, vmaRange(next)) ?? OK;
}

/** move_ptes (v3 4/6): a present anonymous page takes the destination's mapping and index. */
function relocateMovedPte(k: Kernel, dst: Vma, newAddr: number, pte: Pte): void {
  const av = dst.anonVma;
  if (pte.kind !== "present" || !pte.folio.anonVma || !av) return; // swap entries: "reconstructed on swap-in"
  relocateFolio(k, pte.folio, av, dst.linearIndex(newAddr), pte.sub);
}

/**
 * copy_vma / move_page_tables (v3 4/6): when the anon_vma is a root with no children and
 * no page is shared, wait for migration entries, then update each page as it moves (PTE
 * level only: no PMD-level moves).
 */
function planMoveV3(k: Kernel, src: Vma, addr: number, len: number, newAddr: number): MovePlan {
  const av = src.anonVma;
  if (!av || !src.isAnonymous) return LINUX_MOVE;
  const anon = rootWithoutChildren(av);
  const why = anon.ok ? firstSharedPage(k, { mm: src.mm, start: addr, end: addr + len }) : anon;
  if (why) {
    refuseRelocation(k, why.reason);
    return LINUX_MOVE;
  }
  for (const [, pte] of src.mm.pageTable.entries(addr, addr + len)) {
    if (pte.kind === "migration") finishMigration(k, pte.folio); // migration_entry_wait
  }
  return { pgoff: newAddr / PAGE_SIZE, relocatePte: relocateMovedPte, fresh: false };
}

/**
 * reconnect_pages_range (v3 5/6), for every range whose owner changes in __vma_adjust:
 * present, non-KSM anonymous pages move to the new owner's anon_vma. Swap entries, zero
 * pages, KSM pages and migration entries are left alone.
 */
function reconnectRange(k: Kernel, c: OwnerChange): void {
  const from = c.from.anonVma;
  const to = c.to.anonVma;
  if (!from || !to) return;
  for (const [, pte] of walkEntries(k, c.from.mm, c.start, c.end)) {
    if (pte.kind !== "present" || pte.folio.anonVma !== from) continue;
    relocateFolio(k, pte.folio, to, pte.folio.index + pte.sub, pte.sub);
  }
}

export const rfc2022V3: Policy = {
  name: "rfc-2022-v3",
  summary:
    "RFC 2022 v3: one page walk, per-page sharing checks, index/mapping updated as PTEs move, mprotect-type merges reconnected",
  isMergeableAnonVma: isMergeableAnonVmaV3,
  prevNextCompatible: prevNextCompatibleV3,
  planMove: planMoveV3,
  ownerChange: reconnectRange,
};
