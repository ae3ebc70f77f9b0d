// The policy interface: the decisions a merge policy may take differently from Linux 6.18.
// A new policy is one new file implementing it. This module is browser compatible.

import type { Kernel } from "../model/kernel.js";
import type { Pte } from "../model/page-table.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";

/**
 * A human detail, or how to write it: only step records show details, and replays of long
 * traces make none, so a detail that takes formatting is written only when asked for. The
 * function must capture the values it shows, since the state changes before it runs.
 */
export type Detail = string | (() => string);

/** The outcome of one merge check, with a stable reason code and a human detail. */
export interface Check {
  ok: boolean;
  /** Stable code: "ok", "anon-vma-differs", "fork-child", "pgoff-not-linear", … */
  reason: string;
  detail?: Detail;
}

export const OK: Check = { ok: true, reason: "ok" };

export function refuse(reason: string, detail?: Detail): Check {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
}

/** The check's detail, written out. */
export function detailOf(c: Check): string | undefined {
  return typeof c.detail === "function" ? c.detail() : c.detail;
}

/** How move_vma treats the range it moves (mremap), decided before copy_vma. */
export interface MovePlan {
  /** The destination pgoff, or null for Linux's rule (copy_vma). */
  pgoff: number | null;
  /**
   * Called for every page-table entry as move_page_tables moves it to `newAddr` in `dst`
   * (the VMA that covers the destination after copy_vma): relocates its folio.
   */
  relocatePte: ((k: Kernel, dst: Vma, newAddr: number, pte: Pte) => void) | null;
  /**
   * MREMAP_RELOCATE_ANON: when copy_vma cannot merge, the destination is a fresh VMA with
   * no anon_vma chain that takes one through __anon_vma_prepare (adopting a neighbour's),
   * and the merge is retried once the pages have moved.
   */
  fresh: boolean;
}

/** Linux's move: no pgoff change, nothing relocated. */
export const LINUX_MOVE: MovePlan = { pgoff: null, relocatePte: null, fresh: false };

/** Pages of [start, end) in `from` now belong to `to` (a merge moved the boundary). */
export interface OwnerChange {
  from: Vma;
  to: Vma;
  start: number;
  end: number;
  /** `from` is removed whole: the anon_vma_merge path. */
  removed: boolean;
}

export interface Policy {
  /** Name used with --policy. */
  readonly name: string;
  /** One line for `vmasim policies`. */
  readonly summary: string;

  /**
   * is_mergeable_anon_vma: may the proposal `vmg` merge with its neighbour `tgt` (next
   * when `mergeNext`, else prev) as far as anon_vmas are concerned?
   */
  isMergeableAnonVma(k: Kernel, vmg: Vmg, tgt: Vma, mergeNext: boolean): Check;

  /**
   * can_vma_merge_right's pairwise test: when a range merges on both sides, may prev and
   * next (which become one VMA, next absorbed into prev) be joined?
   */
  prevNextCompatible(k: Kernel, prev: Vma, next: Vma): Check;

  /** move_vma: how to move `len` bytes of `src` from `addr` to `newAddr`. */
  planMove(k: Kernel, src: Vma, addr: number, len: number, newAddr: number): MovePlan;

  /**
   * commit_merge: the pages of a range changed owner, between VMAs with two different
   * anon_vmas (never called under Linux's rules, which forbid that).
   */
  ownerChange?(k: Kernel, change: OwnerChange): void;
}
