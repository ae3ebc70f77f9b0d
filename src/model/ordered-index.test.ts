import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OrderedIndex } from "./ordered-index.js";

type Op = { kind: "set" | "insert" | "delete"; key: number };

/** Keys cluster in a small range (so that deletes hit) and reach past 2^32, as addresses do. */
const key = fc.oneof(
  fc.integer({ min: 0, max: 400 }),
  fc.integer({ min: 0, max: 400 }).map((k) => 2 ** 40 + k * 4096),
);
const op = fc.record({ kind: fc.constantFrom("set", "insert", "delete"), key }) as fc.Arbitrary<Op>;

/** The index answers as `map` does: its keys sorted once, each probe bisected. */
function agree(idx: OrderedIndex<string>, map: Map<number, string>, probes: number[]): void {
  const ks = [...map.keys()].sort((a, b) => a - b);
  expect(idx.size).toBe(ks.length);
  expect(idx.values()).toEqual(ks.map((k) => map.get(k)));
  expect(idx.last()).toBe(ks.length ? map.get(ks[ks.length - 1] as number) : undefined);
  const rank = (p: number) => {
    let lo = 0;
    let hi = ks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ks[mid] as number) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo; // keys before it are < p
  };
  for (const p of probes) {
    const r = rank(p);
    const at = ks[r];
    expect(idx.get(p)).toBe(map.get(p));
    expect(idx.below(p)).toBe(r === 0 ? undefined : map.get(ks[r - 1] as number));
    expect(idx.keyAtOrAbove(p)).toBe(at);
    expect(idx.atOrAbove(p)).toBe(at === undefined ? undefined : map.get(at));
  }
}

describe("OrderedIndex", () => {
  it("answers as a sorted map through random inserts, replaces and deletes", () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 1500 }),
        fc.array(key, { maxLength: 20 }),
        (ops, probes) => {
          const idx = new OrderedIndex<string>();
          const ref = new Map<number, string>();
          ops.forEach((o, n) => {
            const v = `v${n}`;
            if (o.kind === "delete") {
              expect(idx.delete(o.key)).toBe(ref.delete(o.key));
            } else if (o.kind === "insert") {
              const fresh = !ref.has(o.key);
              expect(idx.set(o.key, v, false)).toBe(fresh);
              if (fresh) ref.set(o.key, v);
            } else {
              expect(idx.set(o.key, v)).toBe(true);
              ref.set(o.key, v);
            }
          });
          agree(idx, ref, [...probes, ...ops.map((o) => o.key)]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("removes key ranges as a sorted map does, within a leaf and across many", () => {
    // hundreds of keys (tens of leaves) and ranges up to a few hundred keys wide: some
    // inside one leaf, some emptying whole leaves, some reaching the first or the last
    const range = fc.record({ lo: fc.integer({ min: -5, max: 1200 }), span: fc.nat(300) });
    const everyKey = Array.from({ length: 1211 }, (_, i) => i - 5);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1200 }), { minLength: 200, maxLength: 1200 }),
        fc.array(fc.oneof(range, fc.integer({ min: 0, max: 1200 })), { maxLength: 40 }),
        (keys, steps) => {
          const idx = new OrderedIndex<string>();
          const ref = new Map<number, string>();
          for (const k of keys) {
            idx.set(k, `v${k}`);
            ref.set(k, `v${k}`);
          }
          for (const st of steps) {
            if (typeof st === "number") {
              // an insert between removals, so that later ranges meet refilled leaves
              idx.set(st, `w${st}`);
              ref.set(st, `w${st}`);
              continue;
            }
            const hi = st.lo + st.span;
            const gone = [...ref.keys()].filter((k) => k >= st.lo && k < hi);
            for (const k of gone) ref.delete(k);
            expect(idx.deleteRange(st.lo, hi)).toBe(gone.length);
          }
          // every key probed: an emptied leaf left behind shows in some neighbour lookup
          agree(idx, ref, everyKey);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("drops the leaves a range empties: a middle one, the last one, all of them", () => {
    const idx = new OrderedIndex<number>();
    for (let k = 0; k < 1024; k++) idx.set(k, k); // in order: 32 full leaves
    expect(idx.deleteRange(32, 64)).toBe(32); // exactly the second leaf, whose block is freed
    expect([idx.below(64), idx.atOrAbove(32)]).toEqual([31, 64]);
    idx.set(1024, 1024); // a new last leaf, in that block
    expect(idx.deleteRange(1024, 2000)).toBe(1); // exactly the last leaf
    expect([idx.last(), idx.below(Infinity), idx.atOrAbove(1000)]).toEqual([1023, 1023, 1000]);
    expect(idx.deleteRange(-Infinity, Infinity)).toBe(992);
    const empty = [idx.size, idx.values(), idx.last(), idx.deleteRange(0, 10)];
    expect(empty).toEqual([0, [], undefined, 0]);
    idx.set(5, 50);
    expect([idx.values(), idx.below(6), idx.atOrAbove(0), idx.last()]).toEqual([[50], 50, 50, 50]);
  });

  it("walks an inclusive key range in order, across leaves", () => {
    const idx = new OrderedIndex<number>();
    for (let k = 0; k < 2000; k += 2) idx.set(k, k * 10);
    const seen: number[] = [];
    idx.forRange(301, 1001, (k, v) => {
      expect(v).toBe(k * 10);
      seen.push(k);
    });
    expect(seen).toEqual(Array.from({ length: 350 }, (_, i) => 302 + 2 * i));
    const all: number[] = [];
    idx.forEach((k) => all.push(k));
    expect(all.length).toBe(1000);
  });

  it("answers as a sorted map with thousands of leaves, the first dropped again and again", () => {
    // tens of thousands of keys: thousands of leaves, split, folded and dropped as keys come
    // and go
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const idx = new OrderedIndex<string>();
        const ref = new Map<number, string>();
        let x = seed >>> 0 || 1;
        const next = (n: number) => {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          return (x >>> 0) % n;
        };
        const keyAt = (k: number) => (k % 2 === 0 ? k : 2 ** 40 + k * 4096);
        for (let n = 0; n < 120_000; n++) {
          // grow to about 50,000 keys, then churn the lowest few hundred
          const k = keyAt(next(n < 100_000 ? 80_000 : 300));
          if (n < 100_000 ? next(4) !== 0 : next(10) !== 0) {
            const v = `v${n}`;
            idx.set(k, v);
            ref.set(k, v);
          } else {
            expect(idx.delete(k)).toBe(ref.delete(k));
          }
          if (n % 50_000 === 49_999 || n >= 119_990) {
            const probes = Array.from({ length: 200 }, () => keyAt(next(80_000)));
            agree(idx, ref, probes);
          }
        }
        // then from the lowest key up, so that the first leaf goes again and again; each key
        // deleted comes back once, found through the separators
        const ascending = [...ref.keys()].sort((a, b) => a - b);
        const top = ascending[ascending.length - 1] as number;
        ascending.forEach((k, n) => {
          expect(idx.delete(k)).toBe(ref.delete(k));
          idx.get(top); // away from the first leaf: the next lookup searches the separators
          idx.set(k, "back");
          expect(idx.atOrAbove(-Infinity)).toBe("back");
          if (n % 500 === 0) expect(idx.values().length).toBe(ref.size + 1);
          expect(idx.delete(k)).toBe(true);
        });
        agree(idx, ref, [-1, 0, 1]);
        expect([idx.size, idx.values(), idx.below(Infinity)]).toEqual([0, [], undefined]);
      }),
      { numRuns: 2 },
    );
  });

  it("keeps answering after ascending appends, deletes of whole leaves and clear", () => {
    const idx = new OrderedIndex<number>();
    for (let k = 0; k < 1000; k++) idx.set(k, k);
    expect(idx.delete(100, 7)).toBe(false); // another value there: nothing removed
    expect(idx.get(100)).toBe(100);
    for (let k = 100; k < 900; k++) expect(idx.delete(k, k)).toBe(true);
    expect(idx.size).toBe(200);
    expect(idx.below(900)).toBe(99);
    expect(idx.atOrAbove(100)).toBe(900);
    expect(idx.get(500)).toBeUndefined();
    idx.clear();
    expect([idx.size, idx.last(), idx.below(5), idx.atOrAbove(0)]).toEqual([
      0,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
