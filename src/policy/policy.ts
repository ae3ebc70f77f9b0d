// The policy interface: the decisions a merge policy may take differently from Linux 6.18.
// A new policy is one new file implementing it. This module is browser compatible.

import type { Kernel } from "../model/kernel.js";
import type { Vma } from "../model/vma.js";
import type { Vmg } from "../model/vmg.js";

/** The outcome of one merge check, with a stable reason code and a human detail. */
export interface Check {
  ok: boolean;
  /** Stable code: "ok", "anon-vma-differs", "fork-child", "pgoff-not-linear", … */
  reason: string;
  detail?: string;
}

export const OK: Check = { ok: true, reason: "ok" };

export function refuse(reason: string, detail?: string): Check {
  return detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };
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
  isMergeableAnonVma(vmg: Vmg, tgt: Vma, mergeNext: boolean): Check;

  /**
   * can_vma_merge_right's pairwise test: when a range merges on both sides, may prev and
   * next (which become one VMA) be joined?
   */
  prevNextCompatible(prev: Vma, next: Vma): Check;

  /**
   * copy_vma's pgoff for the destination of an mremap move: `pgoff` is the source's
   * linear pgoff of the moved range.
   */
  copyVmaPgoff(src: Vma, newAddr: number, pgoff: number): number;

  /**
   * anon_vma_merge: `removed` (which has an anon_vma) is absorbed into `target` and is
   * about to be unlinked. Linux does nothing here; the 2022 RFC reconnects its pages.
   */
  beforeAnonVmaMerge?(k: Kernel, target: Vma, removed: Vma): void;
}
