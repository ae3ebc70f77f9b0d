// The side-by-side section: each workload on the real kernel, then on the model, in turn
// (so that both see the same machine load); the model's rate, the kernel's and their ratio.

import type { Writable } from "node:stream";
import { runKernelWorkload, type KernelBench } from "./kernel.js";
import type { Timing } from "./measure.js";
import { runModelWorkload } from "./model.js";
import { WORKLOADS } from "./workloads.js";

/** One row: operations per second on each engine (null when not measured). */
export interface SideRow {
  name: string;
  label: string;
  unit: string;
  model: number;
  kernel: number | null;
  /** model / kernel. */
  ratio: number | null;
}

export interface SideOptions {
  quick: boolean;
  timing: Timing;
  kernel: KernelBench;
  /** Where the kernel program's progress goes. */
  stderr: Writable;
  progress(msg: string): void;
}

/** Runs every workload on both engines. */
export async function sideBySide(o: SideOptions): Promise<SideRow[]> {
  const rows: SideRow[] = [];
  for (const w of WORKLOADS) {
    let kernel: number | null = null;
    if (o.kernel.ok) {
      try {
        kernel = await runKernelWorkload(o.kernel.path, o.quick, w.name, o.stderr);
      } catch (e) {
        o.progress(`kernel: ${w.name}: ${(e as Error).message}`);
      }
    }
    o.progress(`model: ${w.name}`);
    const model = runModelWorkload(w.name, o.timing);
    const ratio = kernel !== null && kernel > 0 ? model / kernel : null;
    rows.push({ ...w, model, kernel, ratio });
  }
  return rows;
}
