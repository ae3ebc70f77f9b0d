import { describe, expect, it } from "vitest";
import { AvcSet, type AnonVmaChain } from "./anon-vma.js";
import { harness } from "./harness.test-util.js";

describe("AvcSet", () => {
  const { vma, anonVma } = harness();
  const av = anonVma();
  /** n distinct AVCs of the harness's VMAs. */
  const avcs = (n: number): AnonVmaChain[] =>
    Array.from({ length: n }, (_, i) => ({ vma: vma(2 * i, 2 * i + 1, 2 * i), anonVma: av }));

  it("keeps a Set's insertion order and membership through every size", () => {
    const xs = avcs(12);
    const set = new AvcSet();
    const ref = new Set<AnonVmaChain>();
    const same = () => {
      expect([...set]).toEqual([...ref]);
      expect(set.size).toBe(ref.size);
      for (const x of xs) expect(set.has(x)).toBe(ref.has(x));
    };
    same();
    for (const x of xs) {
      set.add(x);
      ref.add(x);
      same();
    }
    set.add(xs[3] as AnonVmaChain); // already there: no change
    same();
    for (const i of [0, 5, 11, 1, 2, 3, 4, 6, 7, 8, 9]) {
      expect(set.delete(xs[i] as AnonVmaChain)).toBe(true);
      ref.delete(xs[i] as AnonVmaChain);
      same();
    }
    expect(set.delete(xs[0] as AnonVmaChain)).toBe(false);
    for (const x of [xs[0], xs[1], xs[2]] as AnonVmaChain[]) {
      set.add(x);
      ref.add(x);
      same();
    }
  });
});
