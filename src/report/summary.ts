// Tallies a run's outcome from its records: steps, expectations, invariant violations.
// Shared by the text reporter (summary lines) and the CLI (exit status). Browser compatible.

import { isExpectFailure, isExpectPass } from "./expect.js";
import { isEcho, isHeader, type RunRecord } from "./record.js";

/** Counts of one run, or of several added together. */
export interface RunSummary {
  steps: number;
  expectPassed: number;
  expectFailed: number;
  violations: number;
}

/** A summary with every count at zero. */
export function emptySummary(): RunSummary {
  return { steps: 0, expectPassed: 0, expectFailed: 0, violations: 0 };
}

/** Adds one record's contribution to `summary` (in place). O(violations of the record). */
export function tally(summary: RunSummary, record: RunRecord): void {
  if (isHeader(record)) return;
  summary.steps++;
  if (isEcho(record)) return;
  if (isExpectFailure(record.note)) summary.expectFailed++;
  else if (isExpectPass(record.note)) summary.expectPassed++;
  summary.violations += record.model?.violations?.length ?? 0;
}

/** Passes records through unchanged, adding each to `summary` as it goes by. */
export function* tallied(records: Iterable<RunRecord>, summary: RunSummary): Generator<RunRecord> {
  for (const r of records) {
    tally(summary, r);
    yield r;
  }
}

/** Adds `more` into `total` (in place). */
export function addSummary(total: RunSummary, more: RunSummary): void {
  total.steps += more.steps;
  total.expectPassed += more.expectPassed;
  total.expectFailed += more.expectFailed;
  total.violations += more.violations;
}

/** Whether the summarised runs are clean: no failed expectation, no invariant violation. */
export function isClean(summary: RunSummary): boolean {
  return summary.expectFailed === 0 && summary.violations === 0;
}
