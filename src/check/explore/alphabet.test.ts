// The alphabet: its table, and the two shortcuts the search takes (skipping operations that
// cannot change the state, and branching from a copy instead of a replay), checked on random
// walks through the same alphabet.

import { describe, expect, it } from "vitest";
import type { Op } from "../../input/ops.js";
import { Prng } from "../fuzz/prng.js";
import { applicable, buildAlphabet, FAMILY_NAMES, ranges, viewOf } from "./alphabet.js";
import { stateKey } from "./canonical.js";
import { cloneMachine } from "./clone.js";
import { Expander, type SearchSpace } from "./expand.js";

const space: SearchSpace = {
  policy: "linux-6.18",
  bounds: { slots: 3, procs: 2, depth: 7 },
  families: null,
  seed: 1,
};

describe("alphabet", () => {
  it("lists every range of slots once", () => {
    expect(ranges(3).map((r) => [r.addr / 4096, r.len / 4096])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
  });

  it("builds the operations of the families asked for, as scenario text", () => {
    const a = buildAlphabet({ slots: 2, procs: 2, depth: 2 }, ["mmap", "mremap", "fork"]);
    expect(a.ops.map((o) => o.text)).toEqual([
      "mmap 0 1p rw FIXED",
      "mmap 0 2p rw FIXED",
      "mmap 1p 1p rw FIXED",
      "mremap 0 1p 1p MAYMOVE|FIXED 1p",
      "mremap 1p 1p 1p MAYMOVE|FIXED 0",
      "fork",
      "fork stay",
    ]);
    expect(() => buildAlphabet(space.bounds, ["mmap", "nope"])).toThrow(
      /unknown operation family 'nope'/,
    );
    expect(new Set(FAMILY_NAMES).size).toBe(FAMILY_NAMES.length);
  });

  it("skips only operations that cannot change the state, and a copy behaves as a replay", () => {
    const x = new Expander(space);
    const ops = x.alphabet.ops;
    let skipped = 0;
    for (let walk = 0; walk < 40; walk++) {
      const rng = new Prng(walk);
      const path: number[] = [];
      let m = x.replay(path);
      for (let step = 0; step < space.bounds.depth; step++) {
        const key = stateKey(m);
        const can = applicable(x.alphabet, viewOf(m), space.bounds);
        for (let i = 0; i < ops.length; i++) {
          if (can.includes(i)) continue;
          // Process operations the bounds forbid (a third process, a dead one) are not no-ops.
          const op = ops[i] as Op;
          if (op.kind === "fork" || op.kind === "switch" || op.kind === "exit") continue;
          const c = cloneMachine(m);
          const rec = c.step(op);
          expect("model" in rec && rec.model?.violations).toBeFalsy();
          expect(stateKey(c), `${op.text} after ${path.map((j) => ops[j]!.text).join("; ")}`).toBe(
            key,
          );
          skipped++;
        }
        const next = can[rng.int(0, can.length - 1)] as number;
        path.push(next);
        const copy = cloneMachine(m);
        copy.step(ops[next] as Op);
        m = x.replay(path);
        expect(stateKey(copy)).toBe(stateKey(m));
      }
    }
    expect(skipped).toBeGreaterThan(1000);
  });
});
