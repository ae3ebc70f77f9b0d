// Helpers for the scenario suites: listing scenario files and running them on the model.

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseScenario } from "../src/input/scenario.js";
import { DEFAULT_OPTIONS, type ModelOptions } from "../src/model/options.js";
import { runModel } from "../src/model/run.js";
import { isExpectFailure } from "../src/report/expect.js";
import type { RunRecord, StepRecord } from "../src/report/record.js";

export const ROOT = join(import.meta.dirname, "..");

/** The .vms files of a directory of the repository, sorted. */
export function scenarioFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith(".vms"))
    .sort()
    .map((f) => join(full, f));
}

export function scenarioName(path: string): string {
  return basename(path, ".vms");
}

/** Runs a scenario file on the model and returns its records. */
export function runModelFile(path: string, options: Partial<ModelOptions> = {}): RunRecord[] {
  const ops = parseScenario(readFileSync(path, "utf8"), path);
  return [...runModel(ops, path, { ...DEFAULT_OPTIONS, ...options })];
}

/** Failed expectations and invariant violations of a run, one line each. */
export function problems(records: readonly RunRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (!("op" in r)) continue;
    const s = r as StepRecord;
    if (isExpectFailure(s.note)) out.push(`step ${s.step} ${s.op}: ${s.note}`);
    for (const v of s.model?.violations ?? [])
      out.push(`step ${s.step} ${s.op}: ${v.id} ${v.message}`);
  }
  return out;
}
