// Relocating anonymous folios between anon_vmas and pgoffs: the primitive every merge
// policy beyond Linux's builds on (folio_move_anon_rmap plus a new folio->index, as
// UFFDIO_MOVE does per page), and the walks the policies use to find what to move.
// This module is browser compatible.

import type { AnonVma } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import type { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import type { Pte } from "./page-table.js";

/**
 * Points `folio` at `av` and sets its index so that page `sub` has index `index`
 * (folio_move_anon_rmap + folio->index = linear_page_index). Counts its pages as relocated.
 */
export function relocateFolio(
  k: Kernel,
  folio: Folio,
  av: AnonVma,
  index: number,
  sub: number,
): void {
  if (folio.mapping === av && folio.index === index - sub) return;
  folio.mapping = av;
  folio.index = index - sub;
  k.stats.pagesRelocated += folio.nrPages;
}

/** The anonymous, non-KSM folio an entry refers to (mapped, migrating or swap-cached). */
export function anonFolioOf(
  pte: Pte,
  withSwapCache: boolean,
): { folio: Folio; sub: number } | null {
  if (pte.kind === "present" || pte.kind === "migration") {
    const f = pte.folio;
    return f.isZero || !f.anonVma ? null : { folio: f, sub: pte.sub };
  }
  if (pte.kind === "swap" && withSwapCache && pte.slot.cache?.anonVma) {
    return { folio: pte.slot.cache, sub: 0 };
  }
  return null;
}

/**
 * walk_page_range over the populated entries of [start, end): each costs one walked page.
 * O(log n + populated entries).
 */
export function walkEntries(k: Kernel, mm: Mm, start: number, end: number): Array<[number, Pte]> {
  const entries = mm.pageTable.entries(start, end);
  k.stats.pagesWalked += entries.length;
  return entries;
}

/**
 * follow_page over every virtual page of [start, end), as the 2022 RFC v1/v2 walked:
 * costs one walked page per page of the range, and sees present PTEs only.
 */
export function followPages(k: Kernel, mm: Mm, start: number, end: number): Array<[number, Pte]> {
  k.stats.pagesWalked += (end - start) / PAGE_SIZE;
  return mm.pageTable.entries(start, end).filter(([, pte]) => pte.kind === "present");
}

/** Counts a relocation a policy declined, by reason. */
export function refuseRelocation(k: Kernel, reason: string): void {
  k.stats.relocationRefusals.add(reason);
}
