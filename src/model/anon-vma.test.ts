import { describe, expect, it } from "vitest";
import { AnonVmaChain } from "./anon-vma.js";
import { harness } from "./harness.test-util.js";

describe("AnonVma's tree of AVCs", () => {
  const { vma, anonVma } = harness();
  /** n distinct AVCs of the harness's VMAs, all to `av`. */
  const avcs = (av: ReturnType<typeof anonVma>, n: number): AnonVmaChain[] =>
    Array.from({ length: n }, (_, i) => new AnonVmaChain(vma(2 * i, 2 * i + 1, 2 * i), av, null));

  it("keeps a Set's insertion order and membership through inserts and removals anywhere", () => {
    const av = anonVma();
    const xs = avcs(av, 12);
    const ref = new Set<AnonVmaChain>();
    const same = () => {
      expect([...av.avcs()]).toEqual([...ref]);
      expect(av.avcCount).toBe(ref.size);
      for (const x of xs) expect(av.hasAvc(x)).toBe(ref.has(x));
    };
    same();
    for (const x of xs) {
      av.insertAvc(x);
      ref.add(x);
      same();
    }
    for (const i of [0, 5, 11, 1, 2, 3, 4, 6, 7, 8, 9]) {
      av.removeAvc(xs[i] as AnonVmaChain);
      ref.delete(xs[i] as AnonVmaChain);
      same();
    }
    av.removeAvc(xs[0] as AnonVmaChain); // not there: no change
    same();
    for (const x of [xs[0], xs[1], xs[2]] as AnonVmaChain[]) {
      av.insertAvc(x);
      ref.add(x);
      same();
    }
  });
});
