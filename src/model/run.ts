// Runs a scenario through the model: header record, then one record per operation.
// This module is browser compatible.

import type { Op } from "../input/ops.js";
import type { RunRecord } from "../report/record.js";
import { Machine } from "./machine.js";
import type { ModelOptions } from "./options.js";

/** Runs `ops` through a fresh model and yields the header and one record per operation. */
export function* runModel(
  ops: readonly Op[],
  file: string,
  options: ModelOptions,
): Generator<RunRecord> {
  const machine = new Machine(options);
  yield machine.header(file);
  for (const op of ops) yield machine.step(op);
}
