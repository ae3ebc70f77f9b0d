// Records kernel runs of scenario files as JSON-lines fixtures, to check the model where no kernel is.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { parseScenario } from "../input/scenario.js";
import { isExpectFailure } from "../report/expect.js";
import type { RunRecord } from "../report/record.js";
import { runKernel, type KernelOptions } from "./runner.js";

/** What one recorded scenario produced. */
export interface FixtureResult {
  /** The scenario file as given. */
  scenario: string;
  /** The fixture written: `outDir/<name without extension>.jsonl`. */
  fixture: string;
  /** Number of step records (header excluded). */
  steps: number;
  /** Number of expectations that failed on the kernel. */
  failedExpectations: number;
}

/** The fixture text of a run: one JSON record per line, as `--format jsonl` prints it. */
export function toJsonLines(records: readonly RunRecord[]): string {
  return records.map((r) => JSON.stringify(r)).join("\n") + "\n";
}

/**
 * Runs each scenario on the kernel and writes `outDir/<basename>.jsonl` (the scenario's file
 * name without its extension). The header's `file` is the scenario's base name so fixtures do
 * not depend on where they were recorded; records hold no pids, so output is deterministic.
 * Scenarios run one after another; the first error (parse, refusal, timeout) is thrown.
 */
export async function recordFixtures(
  scenarioFiles: string[],
  outDir: string,
  options: KernelOptions = {},
): Promise<FixtureResult[]> {
  await mkdir(outDir, { recursive: true });
  const results: FixtureResult[] = [];
  for (const scenario of scenarioFiles) {
    const name = basename(scenario);
    const ops = parseScenario(await readFile(scenario, "utf8"), scenario);
    const records = await runKernel(ops, name, options);
    const fixture = join(outDir, `${basename(scenario, extname(scenario))}.jsonl`);
    await writeFile(fixture, toJsonLines(records));
    const failedExpectations = records.filter((r) => "note" in r && isExpectFailure(r.note)).length;
    results.push({ scenario, fixture, steps: records.length - 1, failedExpectations });
  }
  return results;
}
