// VMA merging (mm/vma.c, Linux 6.18.8+): the mergeability predicates, the new-range and
// existing-range merges, vma_expand, commit_merge and vma_modify. Every attempt is
// recorded with a per-side verdict. This module is browser compatible.

import type { Check } from "../policy/policy.js";
import { OK, refuse, type OwnerChange } from "../policy/policy.js";
import { anonVmaClone, unlinkAnonVmas } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import { describeFlagDifference, VM_IGNORE_MERGE, VM_SPECIAL, VM_STICKY } from "./flags.js";
import type { Kernel } from "./kernel.js";
import { splitVma } from "./split.js";
import { splitHugePmdAt } from "./thp.js";
import type { Vma } from "./vma.js";
import { vmaVmg, type Vmg } from "./vmg.js";

/** is_mergeable_vma: the attributes other than anon_vma and pgoff. */
export function isMergeableVma(vmg: Vmg, tgt: Vma): Check {
  if (vmg.policy !== tgt.policy) return refuse("mempolicy-differs"); // mpol_equal
  if ((tgt.flags ^ vmg.flags) & ~VM_IGNORE_MERGE) {
    const { flags } = vmg;
    const theirs = tgt.flags;
    return refuse("flags-differ", () => describeFlagDifference(flags, theirs));
  }
  if (tgt.file !== vmg.file) return refuse("file-differs");
  if (tgt.uffdCtx !== vmg.uffdCtx) return refuse("uffd-ctx-differs"); // is_mergeable_vm_userfaultfd_ctx
  if (tgt.anonName !== vmg.anonName) return refuse("anon-name-differs"); // anon_vma_name_eq
  return OK;
}

/** can_vma_merge_before (with next) and can_vma_merge_after (with prev). */
function canVmaMergeSide(k: Kernel, vmg: Vmg, tgt: Vma, mergeNext: boolean): Check {
  const attrs = isMergeableVma(vmg, tgt);
  if (!attrs.ok) return attrs;
  const anon = k.policy.isMergeableAnonVma(k, vmg, tgt, mergeNext);
  if (!anon.ok) return anon;
  const linear = mergeNext
    ? tgt.pgoff === vmg.pgoff + (vmg.end - vmg.start) / PAGE_SIZE
    : tgt.pgoff + tgt.pages === vmg.pgoff;
  if (!linear) {
    const want = mergeNext ? vmg.pgoff + (vmg.end - vmg.start) / PAGE_SIZE : vmg.pgoff - tgt.pages;
    const have = tgt.pgoff;
    return refuse(
      "pgoff-not-linear",
      () => `neighbour pgoff ${k.relPgoff(have)}, linear would be ${k.relPgoff(want)}`,
    );
  }
  return OK;
}

/** can_vma_merge_left: null when there is no adjacent prev. */
function canVmaMergeLeft(k: Kernel, vmg: Vmg): Check | null {
  if (!vmg.prev || vmg.prev.end !== vmg.start) return null;
  return canVmaMergeSide(k, vmg, vmg.prev, false);
}

/** can_vma_merge_right: null when there is no adjacent next. */
function canVmaMergeRight(k: Kernel, vmg: Vmg, canMergeLeft: boolean): Check | null {
  const next = vmg.next;
  if (!next || vmg.end !== next.start) return null;
  const side = canVmaMergeSide(k, vmg, next, true);
  if (!side.ok || !canMergeLeft) return side;
  return k.policy.prevNextCompatible(k, vmg.prev as Vma, next);
}

/** can_merge_remove_vma: a VMA with a close hook cannot be removed by a merge. */
function canMergeRemoveVma(vma: Vma): boolean {
  return !vma.closeHook;
}

/**
 * vma_merge_new_range: merge the new range [vmg.start, vmg.end) into prev and/or next.
 * Returns the expanded VMA, or null (the caller then creates a VMA).
 */
export function vmaMergeNewRange(k: Kernel, vmg: Vmg, fn = "vma_merge_new_range"): Vma | null {
  const { prev, next } = vmg;
  const end = vmg.end;
  const start = vmg.start;
  if (vmg.flags & VM_SPECIAL) {
    k.recordMerge(fn, start, end, special(vmg.prev), special(vmg.next), "none");
    return null;
  }
  if (!prev && !next) return null;

  const left = canVmaMergeLeft(k, vmg);
  const canMergeLeft = left?.ok ?? false;
  let right = vmg.justExpand ? null : canVmaMergeRight(k, vmg, canMergeLeft);
  if (vmg.justExpand && next && next.start === end)
    right = refuse("just-expand", "brk expands prev only");
  const canMergeRight = right?.ok ?? false;

  if (canMergeRight && next) {
    vmg.end = next.end;
    vmg.target = next;
  }
  if (canMergeLeft && prev) {
    vmg.start = prev.start;
    vmg.target = prev;
    vmg.pgoff = prev.pgoff;
    if (canMergeRight && next && !canMergeRemoveVma(next)) {
      vmg.end = end;
      right = refuse("close-hook", "next has vm_ops->close and cannot be removed");
    }
  }
  const merged = vmg.target !== null;
  const rightMerged = right?.ok ?? false;
  k.recordMerge(
    fn,
    start,
    end,
    left,
    right,
    merged ? (canMergeLeft ? (rightMerged ? "both" : "prev") : "next") : "none",
  );
  if (!vmg.target) return null;
  vmaExpand(k, vmg);
  return vmg.target;
}

function special(v: Vma | null): Check | null {
  return v
    ? refuse("special-mapping", "VM_SPECIAL (IO, DONTEXPAND, PFNMAP, MIXEDMAP) never merges")
    : null;
}

/**
 * dup_anon_vma: when the boundary moves, the expanding VMA must have an anon_vma if the
 * shrinking or removed one had, to cover the pages it imports.
 */
function dupAnonVma(dst: Vma, src: Vma): void {
  if (src.anonVma && !dst.anonVma) {
    dst.anonVma = src.anonVma;
    anonVmaClone(dst, src);
  }
}

/** vma_expand: grow vmg.target over [vmg.start, vmg.end), removing next if covered. */
export function vmaExpand(k: Kernel, vmg: Vmg): void {
  const target = vmg.target as Vma;
  const next = vmg.next;
  const removeNext = !!next && target !== next && vmg.end === next.end;
  if (removeNext && next) dupAnonVma(target, next);
  if (vmg.copiedFrom) dupAnonVma(target, vmg.copiedFrom); // 6.18.8+: 61f67c230a5e
  vmg.removeNext = removeNext;
  // sticky flags survive the merge (6.19 "mm: implement sticky VMA flags", in 6.18.44)
  let sticky = (vmg.flags | target.flags) & VM_STICKY;
  if (removeNext && next) sticky |= next.flags & VM_STICKY;
  commitMerge(k, vmg);
  target.flags |= sticky;
}

/**
 * commit_merge + vma_complete: set the surviving VMA's range, adjust a partially
 * absorbed neighbour, remove the absorbed VMAs and unlink their anon_vmas
 * (anon_vma_merge).
 */
function commitMerge(k: Kernel, vmg: Vmg): void {
  const mm = vmg.mm;
  const vma = vmg.adjustNextStart ? (vmg.middle as Vma) : (vmg.target as Vma);
  // literals, as a push onto [] calls V8's builtin that grows the backing store
  const middle = vmg.removeMiddle ? vmg.middle : null;
  const next = vmg.removeNext ? vmg.next : null;
  const removed: Vma[] = middle ? (next ? [middle, next] : [middle]) : next ? [next] : [];
  for (const r of removed) mm.remove(r);
  let moved: OwnerChange | null = null;
  if (vmg.adjustMiddleStart) {
    // vmg_adjust_set_range: middle now starts at vmg.end
    const m = vmg.middle as Vma;
    moved = { from: m, to: vma, start: m.start, end: vmg.end, removed: false };
    mm.setRange(m, vmg.end, m.end, m.pgoff + (vmg.end - m.start) / PAGE_SIZE);
    mm.setRange(vma, vmg.start, vmg.end, vmg.pgoff);
  } else if (vmg.adjustNextStart) {
    const n = vmg.next as Vma;
    moved = { from: vma, to: n, start: vmg.end, end: n.start, removed: false };
    mm.setRange(vma, vmg.start, vmg.end, vmg.pgoff);
    mm.setRange(n, vmg.end, n.end, n.pgoff - (n.start - vmg.end) / PAGE_SIZE);
  } else {
    mm.setRange(vma, vmg.start, vmg.end, vmg.pgoff);
  }
  // vma_adjust_trans_huge: a boundary now inside a huge PMD splits it
  splitHugePmdAt(mm, vmg.start);
  splitHugePmdAt(mm, vmg.end);
  if (moved) ownerChange(k, moved);
  for (const r of removed) {
    ownerChange(k, { from: r, to: vma, start: r.start, end: r.end, removed: true });
    if (r.anonVma) unlinkAnonVmas(k, r); // anon_vma_merge
  }
}

/** Lets the policy act when pages pass between two VMAs with different anon_vmas. */
function ownerChange(k: Kernel, c: OwnerChange): void {
  const a = c.from.anonVma;
  const b = c.to.anonVma;
  if (a && b && a !== b) k.policy.ownerChange?.(k, c);
}

/**
 * vma_merge_existing_range: the attributes of [vmg.start, vmg.end) inside vmg.middle are
 * changing; merge that range into prev and/or next when they match. Returns the VMA that
 * now covers the range, or null.
 */
export function vmaMergeExistingRange(k: Kernel, vmg: Vmg, fn: string): Vma | null {
  const middle = vmg.middle as Vma;
  const prev = vmg.prev;
  const { start, end } = vmg;
  const leftSide = start === middle.start;
  const rightSide = end === middle.end;

  if (vmg.flags & VM_SPECIAL || (!leftSide && !rightSide)) {
    if (vmg.flags & VM_SPECIAL)
      k.recordMerge(fn, start, end, special(prev), special(vmg.next), "none");
    return null;
  }
  const left = leftSide ? canVmaMergeLeft(k, vmg) : null;
  const mergeLeft = left?.ok ?? false;
  let right: Check | null = null;
  let next: Vma | null = null;
  if (rightSide) {
    next = vmg.next = vmg.mm.nextFrom(middle.end) ?? null;
    right = canVmaMergeRight(k, vmg, mergeLeft);
  }
  let mergeRight = right?.ok ?? false;
  const record = (result: "none" | "prev" | "next" | "both") =>
    k.recordMerge(fn, start, end, left, right, result);
  if (!mergeLeft && !mergeRight) {
    record("none");
    return null;
  }
  vmg.removeMiddle = leftSide && rightSide;
  if (vmg.removeMiddle && !canMergeRemoveVma(middle)) {
    record("none");
    return null;
  }
  let mergeBoth = mergeLeft && mergeRight;
  vmg.removeNext = mergeBoth;
  if (vmg.removeNext && next && !canMergeRemoveVma(next)) {
    vmg.removeNext = false;
    mergeRight = false;
    mergeBoth = false;
    right = refuse("close-hook", "next has vm_ops->close and cannot be removed");
  }
  let sticky = vmg.flags & VM_STICKY;
  if (mergeRight && next) {
    vmg.target = next;
    sticky |= next.flags & VM_STICKY;
  }
  if (mergeLeft && prev) {
    vmg.target = prev;
    sticky |= prev.flags & VM_STICKY;
  }

  if (mergeBoth && prev && next) {
    vmg.start = prev.start;
    vmg.end = next.end;
    vmg.pgoff = prev.pgoff;
    dupAnonVma(prev, next.anonVma ? next : middle);
    record("both");
  } else if (mergeLeft && prev) {
    vmg.start = prev.start;
    vmg.pgoff = prev.pgoff;
    if (!vmg.removeMiddle) vmg.adjustMiddleStart = true;
    dupAnonVma(prev, middle);
    record("prev");
  } else if (next) {
    const pglen = (vmg.end - vmg.start) / PAGE_SIZE;
    if (vmg.removeMiddle) {
      vmg.end = next.end;
      vmg.pgoff = next.pgoff - pglen;
    } else {
      vmg.adjustNextStart = true;
      vmg.start = middle.start;
      vmg.end = start;
      vmg.pgoff = middle.pgoff;
    }
    dupAnonVma(next, middle);
    record("next");
  }
  commitMerge(k, vmg);
  (vmg.target as Vma).flags |= sticky;
  return vmg.target;
}

/**
 * vma_modify: merge if possible, otherwise split so that one VMA covers exactly
 * [vmg.start, vmg.end). Returns that VMA; the caller sets the changed attribute on it.
 * Throws Errno("ENOMEM") when a split would exceed vm.max_map_count.
 */
export function vmaModify(k: Kernel, vmg: Vmg, fn: string): Vma {
  const vma = vmg.middle as Vma;
  const { start, end } = vmg;
  const merged = vmaMergeExistingRange(k, vmg, fn);
  if (merged) return merged;
  if (vma.start < start) splitVma(k, vma, start, true);
  if (vma.end > end) splitVma(k, vma, end, false);
  return vma;
}

/**
 * Why two adjacent VMAs are separate: the verdict of merging `next` into `prev` as an
 * existing-range merge would judge it (can_vma_merge_after with middle = next).
 */
export function explainAdjacent(k: Kernel, prev: Vma, next: Vma): Check {
  return canVmaMergeSide(k, vmaVmg(prev.mm, prev, next, next.start, next.end), prev, false);
}
