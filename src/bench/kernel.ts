// The side-by-side workloads on the real kernel: the kernel engine compiles the benchmark
// program (src/kernel/helper/vmasim-bench.c) into its cache, and each workload runs in one
// process of it, which prints "NAME<TAB>RATE".

import { spawn } from "node:child_process";
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
 * Runs the kernel workload `name` in a process of its own (so that kernel and model runs
 * of a workload can alternate); its progress goes to `stderr`. Resolves to ops/s.
 */
export function runKernelWorkload(
  bin: string,
  quick: boolean,
  name: string,
  stderr: Writable,
): Promise<number> {
  const args = [...(quick ? ["--quick"] : []), "--only", name];
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
      const rate = out
        .split("\n")
        .map((line) => line.split("\t"))
        .find(([n]) => n === name)?.[1];
      if (rate === undefined)
        reject(new Error(`the kernel benchmark printed no figure for ${name}`));
      else resolve(Number(rate));
    });
  });
}
