import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Tally } from "./tally.js";

describe("Tally", () => {
  it("counts every key as a plain record would, in the order keys first came", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "pgoff-not-linear", "c")), (keys) => {
        const tally = new Tally();
        const expected: Record<string, number> = {};
        for (const key of keys) {
          tally.add(key);
          expected[key] = (expected[key] ?? 0) + 1;
        }
        expect(Object.entries(tally.toJSON())).toEqual(Object.entries(expected));
        expect(JSON.stringify({ t: tally })).toBe(JSON.stringify({ t: expected }));
      }),
    );
  });

  it("gives out a copy: the counts it returned do not move with it", () => {
    const tally = new Tally();
    tally.add("a");
    const before = tally.toJSON();
    tally.add("a");
    expect(before).toEqual({ a: 1 });
    expect(tally.toJSON()).toEqual({ a: 2 });
  });
});
