// Reads and parses scenario files, all of them before anything runs.

import { readFile } from "node:fs/promises";
import type { Op } from "../input/ops.js";
import { parseScenario, ScenarioError } from "../input/scenario.js";
import { writeAll, type CliIo } from "./io.js";

/** A parsed scenario file. */
export interface Scenario {
  file: string;
  ops: Op[];
}

/** Every file parsed, or one message per file that could not be read or parsed. */
export type LoadResult = { ok: true; scenarios: Scenario[] } | { ok: false; errors: string[] };

/**
 * Reads and parses every file. Parse errors read `file:line: message (at 'token')`.
 * O(total size).
 */
export async function loadScenarios(files: readonly string[]): Promise<LoadResult> {
  const scenarios: Scenario[] = [];
  const errors: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      errors.push(`${file}: cannot read the scenario (${code}), check the path`);
      continue;
    }
    try {
      scenarios.push({ file, ops: parseScenario(text, file) });
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      errors.push(e.message);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenarios };
}

/**
 * loadScenarios for a command: on failure, writes one line per bad file to stderr and
 * returns null (the command then exits 2 before running anything).
 */
export async function loadScenariosOrReport(
  files: readonly string[],
  io: CliIo,
): Promise<Scenario[] | null> {
  const loaded = await loadScenarios(files);
  if (loaded.ok) return loaded.scenarios;
  await writeAll(io.stderr, loaded.errors.map((e) => `${e}\n`).join(""));
  return null;
}
