// The benchmark's workloads on the real kernel: the kernel engine compiles the benchmark
// program (src/kernel/helper/vmasim-bench.c) into its cache. Each side-by-side workload runs
// in one process of it, and so does each size of the scale section; it prints
// "NAME<TAB>RATE".

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { compileHelper, helperSourcePath } from "../kernel/compile.js";

/** The compiled kernel benchmark, or why there is none. */
export type KernelBench = { ok: true; path: string } | { ok: false; reason: string };

/** Compiles (or finds in the cache) the kernel benchmark program. */
export async function prepareKernel(): Promise<KernelBench> {
  try {
    return {
      ok: true,
      path: await compileHelper({ sourcePath: helperSourcePath("vmasim-bench.c") }),
    };
  } catch (e) {
    return { ok: false, reason: (e as Error).message.replace(/^kernel: /, "") };
  }
}

/**
 * Runs the kernel benchmark with `args` in a process of its own; its progress goes to
 * `stderr`. Resolves to the rates it printed ("NAME<TAB>RATE" lines), by name.
 */
function runHelper(bin: string, args: string[], stderr: Writable): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (out += d));
    child.stderr.pipe(stderr, { end: false });
    child.on("error", (e) => reject(new Error(`running ${bin}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`the kernel benchmark exited with ${signal ?? `status ${code}`}`));
        return;
      }
      const rates = new Map<string, number>();
      for (const line of out.split("\n")) {
        const [name, rate] = line.split("\t");
        if (name && rate !== undefined) rates.set(name, Number(rate));
      }
      resolve(rates);
    });
  });
}

/** The rate `name` in `rates`, or an error that says it is missing. */
function rateOf(rates: Map<string, number>, name: string): number {
  const rate = rates.get(name);
  if (rate === undefined) throw new Error(`the kernel benchmark printed no figure for ${name}`);
  return rate;
}

/**
 * Runs the kernel workload `name` in a process of its own (so that kernel and model runs
 * of a workload can alternate). Resolves to ops/s.
 */
export async function runKernelWorkload(
  bin: string,
  quick: boolean,
  name: string,
  stderr: Writable,
): Promise<number> {
  return rateOf(
    await runHelper(bin, [...(quick ? ["--quick"] : []), "--only", name], stderr),
    name,
  );
}

/**
 * Runs the scale section's operations `ops` on the kernel, in one process holding `n`
 * VMAs of 16 resident pages. Resolves to nanoseconds per operation, by operation name.
 */
export async function runKernelScale(
  bin: string,
  quick: boolean,
  n: number,
  ops: readonly string[],
  stderr: Writable,
): Promise<Record<string, number>> {
  const rates = await runHelper(bin, [...(quick ? ["--quick"] : []), "--scale", String(n)], stderr);
  return Object.fromEntries(ops.map((op) => [op, 1e9 / rateOf(rates, `scale_${op}`)]));
}

/** The most VMAs the kernel side of the scale section maps (about 3.7 GiB resident). */
const KERNEL_SCALE_CAP = 60_000;

/**
 * The largest size, a multiple of 10,000, that the kernel side of the scale section can
 * map: vm.max_map_count bounds it (65,530 by default), less 1,000 for the process's own
 * mappings and the splits the operations make.
 */
export function kernelScaleLimit(): number {
  let max: number;
  try {
    max = Number(readFileSync("/proc/sys/vm/max_map_count", "utf8").trim());
  } catch {
    return 0;
  }
  return Math.min(KERNEL_SCALE_CAP, Math.floor((max - 1_000) / 10_000) * 10_000);
}
