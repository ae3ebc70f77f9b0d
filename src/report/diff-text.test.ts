// Tests of the lines `vmasim diff` prints.

import { describe, expect, test } from "vitest";
import { agrees, comparisonLine, comparisonSummary, type Comparison } from "./diff-text.js";
import { plain } from "./text.js";

const same: Comparison = {
  file: "a.vms",
  policy: "linux-6.18",
  kernel: "6.18.44",
  steps: 12,
  divergence: null,
  violations: 0,
};
const diverging: Comparison = {
  ...same,
  file: "b.vms",
  divergence: {
    step: 7,
    op: "mremap 0 4p 4p MAYMOVE|FIXED 8p",
    what: "VMA count: model 1 [0x0-0x10000], kernel 2 [0x0-0x8000 0x8000-0x10000]",
    model: null,
    kernel: null,
  },
};

describe("comparisonLine", () => {
  test("an agreement names file, policy, kernel and steps", () => {
    expect(comparisonLine(same, plain)).toBe(
      "agree     a.vms (linux-6.18 vs kernel 6.18.44): 12 steps",
    );
    expect(agrees(same)).toBe(true);
  });

  test("a divergence names the step, the op and what differs", () => {
    expect(comparisonLine(diverging, plain)).toBe(
      "DIVERGES  b.vms (linux-6.18 vs kernel 6.18.44) at step 7 (mremap 0 4p 4p MAYMOVE|FIXED 8p): " +
        "VMA count: model 1 [0x0-0x10000], kernel 2 [0x0-0x8000 0x8000-0x10000]",
    );
  });

  test("model invariant violations spoil an agreement", () => {
    const broken = { ...same, violations: 2 };
    expect(comparisonLine(broken, plain)).toContain(
      "12 steps; 2 invariant violations in the model",
    );
    expect(agrees(broken)).toBe(false);
  });
});

test("comparisonSummary counts agreements and divergences", () => {
  expect(comparisonSummary([same, diverging, same], plain)).toBe(
    "diff: 3 comparisons, 2 agree, 1 diverge",
  );
});
