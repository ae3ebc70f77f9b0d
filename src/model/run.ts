// Runs a scenario through the model: header record, then one record per operation.
// This module is browser compatible.

import type { Op } from "../input/ops.js";
import type { RunRecord } from "../report/record.js";
import type { ModelOptions } from "./options.js";

/** Runs `ops` through a fresh model and yields the header and one record per operation. */
export function* runModel(_ops: readonly Op[], _file: string, _options: ModelOptions): Generator<RunRecord> {
  throw new Error("runModel: the model is being written (work in progress)");
}
