// struct vma_merge_struct (mm/vma.h): one merge proposal flowing through the predicates.
// This module is browser compatible.

import type { AnonVma } from "./anon-vma.js";
import type { Mm } from "./mm.js";
import type { MappedFile } from "./file.js";
import type { Vma } from "./vma.js";

export interface Vmg {
  mm: Mm;
  prev: Vma | null;
  /** The VMA being modified (existing-range merge); null for a new range. */
  middle: Vma | null;
  next: Vma | null;
  /** The VMA that survives and expands. */
  target: Vma | null;
  start: number;
  end: number;
  /** Proposed pgoff of `start`, in pages. */
  pgoff: number;
  flags: number;
  file: MappedFile | null;
  anonVma: AnonVma | null;
  policy: number | null;
  uffdCtx: number | null;
  anonName: string | null;
  /** mremap: the source VMA (6.18.8+). */
  copiedFrom: Vma | null;
  /**
   * mremap: where in the source the moved range starts (model only: policies walk it); NaN
   * when copiedFrom is null. An address, so a double: NaN rather than 0 keeps V8 from
   * building vmgs with a small-integer field that every mremap then had to migrate.
   */
  copiedStart: number;
  /** brk: only expand prev. */
  justExpand: boolean;
  removeMiddle: boolean;
  removeNext: boolean;
  adjustMiddleStart: boolean;
  adjustNextStart: boolean;
}

/** VMG_STATE for a new range with explicit attributes. */
export function newRangeVmg(
  mm: Mm,
  prev: Vma | null,
  next: Vma | null,
  start: number,
  end: number,
  pgoff: number,
  flags: number,
  file: MappedFile | null,
): Vmg {
  return {
    mm,
    prev,
    middle: null,
    next,
    target: null,
    start,
    end,
    pgoff,
    flags,
    file,
    anonVma: null,
    policy: null,
    uffdCtx: null,
    anonName: null,
    copiedFrom: null,
    copiedStart: NaN,
    justExpand: false,
    removeMiddle: false,
    removeNext: false,
    adjustMiddleStart: false,
    adjustNextStart: false,
  };
}

/** VMG_VMA_STATE: a proposal for [start, end) carrying `vma`'s attributes. */
export function vmaVmg(mm: Mm, prev: Vma | null, vma: Vma, start: number, end: number): Vmg {
  const vmg = newRangeVmg(
    mm,
    prev,
    null,
    start,
    end,
    vma.pgoff + (start - vma.start) / 4096,
    vma.flags,
    vma.file,
  );
  vmg.middle = vma;
  vmg.anonVma = vma.anonVma;
  vmg.policy = vma.policy;
  vmg.uffdCtx = vma.uffdCtx;
  vmg.anonName = vma.anonName;
  return vmg;
}
