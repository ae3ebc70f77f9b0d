// Runs a scenario through the model: header record, then one record per operation.
// This module is browser compatible.

import type { Op } from "../input/ops.js";
import type { EchoRecord, RunRecord, StepRecord } from "../report/record.js";
import { Machine } from "./machine.js";
import type { ModelOptions } from "./options.js";

/**
 * Runs `ops` through a fresh model and yields the header and one record per operation;
 * `annotate`, if given, may add to each record from the machine's state after the step.
 */
export function* runModel(
  ops: readonly Op[],
  file: string,
  options: ModelOptions,
  annotate?: (machine: Machine, record: StepRecord | EchoRecord) => void,
): Generator<RunRecord> {
  const machine = new Machine(options);
  yield machine.header(file);
  for (const op of ops) {
    const rec = machine.step(op);
    annotate?.(machine, rec);
    yield rec;
  }
}
