// The differential fuzzer against the live kernel, given a deliberately broken model rule:
// the model forgets that a fork child's anon_vma blocks merges (is_mergeable_anon_vma's
// fork-child cases). The fuzzer must find the divergence and shrink it to a handful of steps.

import { describe, expect, it, vi } from "vitest";
import { fuzzAgainstKernel } from "../src/check/fuzz-kernel.js";
import { kernelAvailability } from "../src/kernel/runner.js";

vi.mock("../src/model/anon-vma.js", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../src/model/anon-vma.js")>()),
  isForkChild: () => false,
}));

const live = kernelAvailability();

describe.skipIf(!live.available)("live differential fuzz, broken fork-child rule", () => {
  it("finds the divergence and shrinks it to a few steps around a fork", async () => {
    const r = await fuzzAgainstKernel({
      seed: 3,
      runs: 40,
      steps: 100,
      maxFindings: 2,
      shrink: { maxCalls: 150 },
    });
    // (Findings without a fork, if any, are real model bugs that the unbroken model shares.)
    const forked = r.findings.filter((f) => f.ops.some((o) => o.kind === "fork"));
    expect(forked.length).toBeGreaterThan(0);
    const smallest = forked.reduce((a, b) => (b.ops.length < a.ops.length ? b : a));
    expect(smallest.ops.length).toBeLessThanOrEqual(6);
    expect(smallest.comparison.kind).toBe("divergence");
  }, 120_000);
});

if (!live.available) {
  describe("live differential fuzz, broken fork-child rule", () => {
    it.skip(`skipped: ${live.reason}`, () => {});
  });
}
