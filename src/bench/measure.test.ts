// warmUp waits for the compiler: it goes on while the work gets faster, stops soon after the
// rate holds, shrugs off one slow window, and never runs past its bound.

import { describe, expect, it } from "vitest";
import { warmUp } from "./measure.js";

/** Windows of 100 ms, at most 5 s. */
const TIMING = { warmS: 0.1, warmMaxS: 5, repS: 0 };

/**
 * Fake clocks that only the work advances: each unit costs `costMs(t)` of both, t being the
 * fake time at its start.
 */
function fakeWork(costMs: (t: number) => number) {
  let now = 0;
  return {
    clocks: { cpuMs: () => now, wallMs: () => now },
    once: () => {
      now += costMs(now);
      return 1;
    },
    now: () => now,
  };
}

describe("warmUp", () => {
  it("stops two windows after the first once the rate holds", () => {
    const w = fakeWork(() => 1);
    warmUp(w.once, TIMING, w.clocks);
    expect(w.now()).toBe(300); // the first window sets the best, two more only match it
  });

  it("goes on while the work gets faster, as V8 compiles it, and stops soon after", () => {
    // twice as fast every 200 ms, from 20 ms per unit down to 1 ms (reached at 864 ms)
    const w = fakeWork((t) => Math.max(1, 20 * 2 ** (-t / 200)));
    warmUp(w.once, TIMING, w.clocks);
    expect(w.now()).toBeGreaterThan(864);
    expect(w.now()).toBeLessThanOrEqual(864 + 300 + 20);
  });

  it("is not stopped by one slow window among faster ones", () => {
    // faster every window until 1 s, but the fourth is slow (a collection, say)
    const cost = (t: number) => (t >= 300 && t < 400 ? 8 : t < 1000 ? 4 / 1.5 ** (t / 100) : 0.1);
    const w = fakeWork(cost);
    warmUp(w.once, TIMING, w.clocks);
    expect(w.now()).toBeGreaterThanOrEqual(1000);
  });

  it("ends at warmMaxS if the work keeps getting faster", () => {
    const w = fakeWork((t) => 10 / 1.5 ** (t / 100));
    warmUp(w.once, { ...TIMING, warmMaxS: 2 }, w.clocks);
    expect(w.now()).toBeGreaterThanOrEqual(2000);
    expect(w.now()).toBeLessThan(2100);
  });
});
