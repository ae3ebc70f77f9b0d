// Tests of the run tally behind summary lines and exit statuses.

import { expect, test } from "vitest";
import { SAMPLE_RUN } from "../../test/report/sample-run.js";
import { addSummary, emptySummary, isClean, tally } from "./summary.js";

test("counts steps (echo included), expectations and violations, not the header", () => {
  const s = emptySummary();
  for (const r of SAMPLE_RUN) tally(s, r);
  expect(s).toEqual({ steps: 9, expectPassed: 1, expectFailed: 1, violations: 1 });
  expect(isClean(s)).toBe(false);
  const total = emptySummary();
  addSummary(total, s);
  addSummary(total, s);
  expect(total).toEqual({ steps: 18, expectPassed: 2, expectFailed: 2, violations: 2 });
});

test("a run is clean without failed expectations or violations", () => {
  const s = emptySummary();
  for (const r of SAMPLE_RUN.slice(0, 6)) tally(s, r);
  expect(s.expectPassed).toBe(1);
  expect(isClean(s)).toBe(true);
});
