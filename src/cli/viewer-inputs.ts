// The viewer's inputs, by file name: scenarios (`.vms`, run through the model under each
// policy, with the viewer's detail), recorded runs (`.jsonl`, e.g. from `vmasim kernel
// --record`), and series files (`.json`, VMA count over time, docs/viewer.md).

import { readFile } from "node:fs/promises";
import type { ModelOptions } from "../model/options.js";
import { isHeader, type RunRecord } from "../report/record.js";
import { emptySummary, tallied, type RunSummary } from "../report/summary.js";
import { buildViewData, type ViewData } from "../view/data.js";
import { runModelDetailed } from "../view/detailed-run.js";
import { parseSeries, type Series } from "../view/series.js";
import { loadScenarios } from "./scenarios.js";

/** The data, or one message per file that could not be read or parsed. */
export type ViewInputs =
  { ok: true; data: ViewData; summary: RunSummary } | { ok: false; errors: string[] };

/**
 * Reads every file (all before anything runs), then runs the scenarios under each policy.
 * O(total records).
 */
export async function loadViewInputs(
  files: readonly string[],
  policies: readonly string[],
  options: Omit<ModelOptions, "policy">,
): Promise<ViewInputs> {
  const errors: string[] = [];
  const recorded: RunRecord[][] = [];
  const series: Series[] = [];
  const scenarioFiles: string[] = [];
  for (const file of files) {
    if (file.endsWith(".vms")) {
      scenarioFiles.push(file);
      continue;
    }
    const kind = file.endsWith(".jsonl") ? "records" : file.endsWith(".json") ? "series" : null;
    if (kind === null) {
      errors.push(`${file}: not a scenario (.vms), records (.jsonl) or series (.json) file`);
      continue;
    }
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      errors.push(`${file}: cannot read the ${kind} (${(e as NodeJS.ErrnoException).code})`);
      continue;
    }
    try {
      if (kind === "records") recorded.push(...parseRecords(text, file));
      else series.push(...parseSeries(text, file));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const loaded = await loadScenarios(scenarioFiles);
  if (!loaded.ok) errors.push(...loaded.errors);
  if (errors.length > 0 || !loaded.ok) return { ok: false, errors };
  const summary = emptySummary();
  const modelRuns = policies.flatMap((policy) =>
    loaded.scenarios.map((s) => [
      ...tallied(runModelDetailed(s.ops, s.file, { ...options, policy }), summary),
    ]),
  );
  return { ok: true, data: buildViewData([...modelRuns, ...recorded], series), summary };
}

/** JSON lines, split into runs at each header. Throws naming the file and line. */
function parseRecords(text: string, file: string): RunRecord[][] {
  const runs: RunRecord[][] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let r: RunRecord;
    try {
      r = JSON.parse(line) as RunRecord;
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not a JSON record (${(e as Error).message})`, {
        cause: e,
      });
    }
    if (typeof r !== "object" || r === null || !("vmasim" in r || "step" in r)) {
      throw new Error(`${file}:${i + 1}: not a vmasim record (no "vmasim" or "step" key)`);
    }
    if (isHeader(r)) runs.push([r]);
    else if (runs.length === 0) throw new Error(`${file}:${i + 1}: a record before any header`);
    else runs[runs.length - 1]?.push(r);
  });
  if (runs.length === 0) throw new Error(`${file}: no records`);
  return runs;
}
