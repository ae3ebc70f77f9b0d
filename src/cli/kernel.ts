// `vmasim kernel`: scenarios on the running Linux kernel, through the C helper.

import { mkdir, writeFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { KernelError } from "../kernel/errors.js";
import { toJsonLines } from "../kernel/record-fixtures.js";
import { runKernel } from "../kernel/runner.js";
import { isHeader, type RunRecord } from "../report/record.js";
import { emptySummary, isClean, tallied } from "../report/summary.js";
import { writeAll, type CliIo } from "./io.js";
import { TIMEOUT_OPTION, kernelObstacle, kernelOptionsOf } from "./kernel-engine.js";
import { REGION_OPTIONS } from "./region.js";
import { OUTPUT_OPTIONS, openReport } from "./report.js";
import { loadScenariosOrReport } from "./scenarios.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

/**
 * Writes a run as `dir/NAME.jsonl` (NAME: the scenario's file name without extension), with
 * the header naming the scenario by base name, as the kernel runner's recordFixtures does.
 */
async function writeFixture(
  dir: string,
  file: string,
  records: readonly RunRecord[],
): Promise<void> {
  const fixture = records.map((r) => (isHeader(r) ? { ...r, file: basename(file) } : r));
  await writeFile(join(dir, `${basename(file, extname(file))}.jsonl`), toJsonLines(fixture));
}

async function kernel(args: ParsedArgs, io: CliIo): Promise<number> {
  const options = kernelOptionsOf(args);
  const scenarios = await loadScenariosOrReport(args.positionals, io);
  if (!scenarios) return 2;
  const obstacle = kernelObstacle(scenarios, options.size);
  if (obstacle !== null) {
    await writeAll(io.stderr, `${obstacle}\n`);
    return 2;
  }
  const recordDir = args.optional("record");
  if (recordDir !== undefined) await mkdir(recordDir, { recursive: true });
  const write = await openReport(args, io);
  const runs: RunRecord[][] = [];
  let failure: KernelError | null = null;
  for (const s of scenarios) {
    try {
      const records = await runKernel(s.ops, s.file, options);
      runs.push(records);
      if (recordDir !== undefined) await writeFixture(recordDir, s.file, records);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      if (e.records.length > 0) runs.push(e.records);
      failure = e;
      break;
    }
  }
  const summary = emptySummary();
  await write(runs.map((r) => tallied(r, summary)));
  if (failure) {
    await writeAll(io.stderr, `${failure.message}\n`);
    return failure.exitCode;
  }
  return isClean(summary) ? 0 : 1;
}

/** The `kernel` command. */
export const kernelCommand: CommandSpec = {
  name: "kernel",
  summary: "run scenarios on the running Linux kernel and report every step",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim kernel scenarios/examples/*.vms", "the examples on this machine's kernel"],
    ["vmasim kernel --record fixtures s.vms", "also save the run as fixtures/s.jsonl"],
  ],
  options: [
    ...OUTPUT_OPTIONS,
    ...REGION_OPTIONS,
    {
      name: "record",
      type: "string",
      value: "DIR",
      help: "also write each run to DIR/NAME.jsonl (a fixture for the model's tests)",
    },
    TIMEOUT_OPTION,
  ],
  exits: [
    [0, "every expectation held"],
    [1, "an expectation failed"],
    [2, "usage error, bad scenario, model-only operation, engine unavailable or failed, timeout"],
  ],
  run: kernel,
};
