// Merge rules that userspace cannot reach on anonymous memory (close hooks, VM_SPECIAL),
// after the userspace VMA harness (tools/testing/vma, §8 of the 6.18 specification).

import { describe, expect, it } from "vitest";
import { VM_DONTEXPAND, VM_IO, VM_MIXEDMAP, VM_PFNMAP } from "./flags.js";
import { F, harness, P } from "./harness.test-util.js";
import { vmaMergeExistingRange, vmaMergeNewRange } from "./merge.js";
import { mergeRecord } from "./records.js";
import { newRangeVmg, vmaVmg } from "./vmg.js";

/** The step's first merge attempt, as its record shows it. */
function first(h: ReturnType<typeof harness>) {
  const t = h.k.merges[0];
  return t && mergeRecord(h.k, t);
}

describe("vma_merge_new_range", () => {
  it("simple_merge: a range between two VMAs merges all three", () => {
    const h = harness();
    const prev = h.vma(0, 1, 0);
    const next = h.vma(2, 3, 2);
    const merged = vmaMergeNewRange(h.k, newRangeVmg(h.mm, prev, next, 1 * P, 2 * P, 1, F, null));
    expect(merged).toBe(prev);
    expect(h.layout()).toEqual([[0, 3, 0]]);
    expect(first(h)).toMatchObject({
      result: "both",
      prev: { merged: true },
      next: { merged: true },
    });
  });

  it("merge_with_close (a): next with a close hook survives; prev expands up to it", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const next = h.vma(5, 9, 5);
    next.closeHook = true;
    const merged = vmaMergeNewRange(h.k, newRangeVmg(h.mm, prev, next, 3 * P, 5 * P, 3, F, null));
    expect(merged).toBe(prev);
    expect(h.layout()).toEqual([
      [0, 5, 0],
      [5, 9, 5],
    ]);
    expect(first(h)?.next).toMatchObject({ merged: false, reason: "close-hook" });
  });

  it("merge_new_with_close: a close hook on the target does not matter", () => {
    const h = harness();
    const prev = h.vma(0, 2, 0);
    prev.closeHook = true;
    const next = h.vma(5, 7, 5);
    next.closeHook = true;
    expect(vmaMergeNewRange(h.k, newRangeVmg(h.mm, prev, next, 2 * P, 5 * P, 2, F, null))).toBe(
      prev,
    );
    expect(h.layout()).toEqual([
      [0, 5, 0],
      [5, 7, 5],
    ]);
  });

  it.each([VM_IO, VM_DONTEXPAND, VM_PFNMAP, VM_MIXEDMAP])(
    "special_flags %i: never merges",
    (special) => {
      const h = harness();
      const a = h.vma(0, 3, 0, F | special);
      expect(
        vmaMergeNewRange(h.k, newRangeVmg(h.mm, a, null, 3 * P, 4 * P, 3, F | special, null)),
      ).toBeNull();
      expect(first(h)?.prev).toMatchObject({ merged: false, reason: "special-mapping" });
    },
  );

  it("anon_vma_non_mergeable (new): prev and next with different anon_vmas merge only left", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const next = h.vma(7, 9, 7);
    h.fault(prev, h.anonVma());
    h.fault(next, h.anonVma());
    expect(vmaMergeNewRange(h.k, newRangeVmg(h.mm, prev, next, 3 * P, 7 * P, 3, F, null))).toBe(
      prev,
    );
    expect(h.layout()).toEqual([
      [0, 7, 0],
      [7, 9, 7],
    ]);
    expect(first(h)?.next).toMatchObject({
      merged: false,
      reason: "prev-next-anon-vma-differ",
    });
  });

  it("a pgoff that is not linear refuses with the expected pgoff", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    expect(
      vmaMergeNewRange(h.k, newRangeVmg(h.mm, prev, null, 3 * P, 4 * P, 9, F, null)),
    ).toBeNull();
    prev.setRange(prev.start, prev.end, 5); // the record shows the pgoffs of the attempt, not of later states
    expect(first(h)?.prev).toEqual({
      merged: false,
      reason: "pgoff-not-linear",
      detail: `neighbour pgoff ${h.k.relPgoff(0)}, linear would be ${h.k.relPgoff(6)}`,
    });
  });
});

describe("vma_merge_existing_range", () => {
  it("merge_with_close (b): a middle with a close hook cannot be removed", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const v = h.vma(3, 5, 3);
    v.closeHook = true;
    expect(vmaMergeExistingRange(h.k, vmaVmg(h.mm, prev, v, 3 * P, 5 * P), "test")).toBeNull();
    expect(h.layout()).toEqual([
      [0, 3, 0],
      [3, 5, 3],
    ]);
  });

  it("merge_with_close (e): a next with a close hook reduces to a left merge", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const v = h.vma(3, 5, 3);
    const next = h.vma(5, 9, 5);
    next.closeHook = true;
    expect(vmaMergeExistingRange(h.k, vmaVmg(h.mm, prev, v, 3 * P, 5 * P), "test")).toBe(prev);
    expect(h.layout()).toEqual([
      [0, 5, 0],
      [5, 9, 5],
    ]);
  });

  it("merge_existing right partial: middle shrinks, next grows backwards", () => {
    const h = harness();
    const v = h.vma(2, 6, 2);
    const next = h.vma(6, 9, 6);
    const av = h.anonVma();
    h.fault(v, av);
    expect(vmaMergeExistingRange(h.k, vmaVmg(h.mm, v, v, 3 * P, 6 * P), "test")).toBe(next);
    expect(h.layout()).toEqual([
      [2, 3, 2],
      [3, 9, 3],
    ]);
    expect(next.anonVma).toBe(av); // dup_anon_vma
    expect(av.numActiveVmas).toBe(2);
  });

  it("dup_anon_vma (both, next faulted): prev takes next's anon_vma", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const v = h.vma(3, 5, 3);
    const next = h.vma(5, 8, 5);
    const av = h.anonVma();
    h.fault(next, av);
    expect(vmaMergeExistingRange(h.k, vmaVmg(h.mm, prev, v, 3 * P, 5 * P), "test")).toBe(prev);
    expect(h.layout()).toEqual([[0, 8, 0]]);
    expect(prev.anonVma).toBe(av);
    expect(av.numActiveVmas).toBe(1);
    expect(av.avcCount).toBe(1);
  });

  it("no merge for a range strictly inside the middle", () => {
    const h = harness();
    const prev = h.vma(0, 3, 0);
    const v = h.vma(3, 8, 3);
    h.vma(8, 10, 8);
    expect(vmaMergeExistingRange(h.k, vmaVmg(h.mm, prev, v, 4 * P, 5 * P), "test")).toBeNull();
    expect(h.k.merges).toEqual([]);
  });
});
