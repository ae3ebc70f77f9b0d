// Runs a scenario through the model for the viewer: the records of `runModel`, each step
// also carrying the whole state after it (every live process's VMAs and resident pages,
// and the anon_vma tree) in `model.detail`. This module is browser compatible.

import type { Op } from "../input/ops.js";
import { reachableAnonVmas } from "../model/anon-vma.js";
import type { Machine } from "../model/machine.js";
import type { ModelOptions } from "../model/options.js";
import { residentPageRecords, windowVmas } from "../model/records.js";
import { runModel } from "../model/run.js";
import { isEcho, type RunRecord, type StepDetail } from "../report/record.js";

/** Like runModel, with `model.detail` on every step record. */
export function runModelDetailed(
  ops: readonly Op[],
  file: string,
  options: ModelOptions,
): Generator<RunRecord> {
  return runModel(ops, file, options, (machine, rec) => {
    if (!isEcho(rec) && rec.model) rec.model.detail = stepDetail(machine);
  });
}

function stepDetail(machine: Machine): StepDetail {
  const k = machine.kernel;
  const procs = k.procs
    .filter((p) => p.alive)
    .map((p) => {
      const vmas = windowVmas(k, p);
      const pages = residentPageRecords(k, p.mm, p.window.start, p.window.end);
      return { proc: p.proc, nvma: vmas.length, vmas, pages };
    });
  const anonVmas = reachableAnonVmas(k).map((av) => ({
    name: av.name,
    parent: av.parent.name,
    root: av.root.name,
  }));
  return { procs, anon_vmas: anonVmas };
}
