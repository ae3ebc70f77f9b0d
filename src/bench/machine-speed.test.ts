// The machine-speed figures time real work: the xorshift32 chain computes what xorshift32
// computes, and a step of it, several instructions in a chain, takes a plausible time.

import { expect, test } from "vitest";
import { cpuStepNs, xorshiftChain } from "./machine-speed.js";

test("xorshiftChain is xorshift32 (13, 17, 5), one step after another", () => {
  expect(xorshiftChain(1, 1)).toBe(270369);
  expect(xorshiftChain(1, 2)).toBe(xorshiftChain(270369, 1));
  expect(xorshiftChain(1, 1000)).toBe(xorshiftChain(xorshiftChain(1, 400), 600));
  expect(xorshiftChain(12345, 0)).toBe(12345);
});

test("a dependent integer step takes a plausible time: more than 0.2 ns, less than 1 µs", () => {
  const ns = cpuStepNs();
  expect(ns).toBeGreaterThan(0.2);
  expect(ns).toBeLessThan(1000);
});
