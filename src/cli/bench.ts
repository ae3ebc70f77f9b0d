// `vmasim bench`: the model against the real kernel on the same workloads, the model at
// the scale of large address spaces, its memory per VMA and per page, and the cost of
// relocation under each policy. Figures are printed, never asserted; progress on stderr.

import { availableParallelism, cpus, loadavg, release } from "node:os";
import {
  kernelScaleLimit,
  prepareKernel,
  runKernelScale,
  type KernelBench,
} from "../bench/kernel.js";
import { machineSpeed } from "../bench/machine-speed.js";
import { FULL_TIMING, QUICK_TIMING, type Timing } from "../bench/measure.js";
import { measureMemory } from "../bench/memory.js";
import { FULL_CASES, QUICK_CASES, relocationRows } from "../bench/relocation.js";
import { bundledCaptures, replayRows } from "../bench/replay.js";
import { benchJson, benchText, type BenchResult } from "../bench/report.js";
import { SCALE_OPS, scaleRows, type ScaleResult } from "../bench/scale.js";
import { sideBySide } from "../bench/side-by-side.js";
import { benchAgainstBaseline } from "./bench-ab.js";
import { UsageError } from "./errors.js";
import { v8FlagsInForce } from "./v8-flags.js";
import { writeAll, type CliIo } from "./io.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

const SECTIONS = ["side", "scale", "memory", "relocation"] as const;
type Section = (typeof SECTIONS)[number];

/** Sizes of each section, full and --quick. */
const SIZES = {
  full: { scale: [1_000, 10_000, 100_000, 1_000_000], memory: [100_000, 1 << 20], reloc: 0.3 },
  quick: { scale: [1_000, 10_000], memory: [10_000, 1 << 16], reloc: 0.05 },
} as const;

/** --only a,b: each a section name. */
function sectionsOf(args: ParsedArgs): Set<Section> {
  const value = args.optional("only");
  if (value === undefined) return new Set(SECTIONS);
  const names = value.split(",").map((s) => s.trim());
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) {
      throw new UsageError(
        `--only: '${n}' is not a section, choose from: ${SECTIONS.join(", ")}`,
        false,
      );
    }
  }
  return new Set(names as Section[]);
}

/**
 * The scale section at `sizes`, and on the kernel at those vm.max_map_count allows, plus
 * the largest it allows (so that the growth of the kernel's costs and the model's can be
 * compared between the same sizes).
 */
async function scaleSection(
  quick: boolean,
  timing: Timing,
  sizes: readonly number[],
  kernel: KernelBench,
  io: CliIo,
  progress: (msg: string) => void,
): Promise<ScaleResult> {
  const limit = kernel.ok ? kernelScaleLimit() : 0;
  const all =
    quick || limit === 0 || sizes.includes(limit) ? sizes : [...sizes, limit].sort((a, b) => a - b);
  return scaleRows(all, timing, progress, async (n) => {
    if (!kernel.ok || n > limit) return null;
    try {
      return await runKernelScale(kernel.path, quick, n, SCALE_OPS, io.stderr);
    } catch (e) {
      progress(`kernel: scale: ${n} VMAs: ${(e as Error).message}`);
      return null;
    }
  });
}

async function bench(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.optional("baseline") !== undefined) return benchAgainstBaseline(args, io);
  for (const name of ["captures", "workloads", "seconds"]) {
    if (args.optional(name) !== undefined)
      throw new UsageError(`--${name} goes with --baseline`, false);
  }
  const sections = sectionsOf(args);
  const quick = args.flag("quick");
  const sizes = quick ? SIZES.quick : SIZES.full;
  const timing = quick ? QUICK_TIMING : FULL_TIMING;
  const progress = (msg: string) => io.stderr.write(`${msg}\n`);
  progress("machine: measuring its speed");
  const speed = machineSpeed();

  let kernel: KernelBench = { ok: false, reason: "--no-kernel" };
  if ((sections.has("side") || sections.has("scale")) && !args.flag("no-kernel")) {
    progress("kernel: compiling the benchmark program");
    kernel = await prepareKernel();
    if (!kernel.ok) progress(`kernel: skipped: ${kernel.reason}`);
  }
  const side = sections.has("side")
    ? [
        ...(await sideBySide({ quick, timing, kernel, stderr: io.stderr, progress })),
        ...(await replayRows(bundledCaptures(), timing, progress)),
      ]
    : null;
  const scale = sections.has("scale")
    ? await scaleSection(quick, timing, sizes.scale, kernel, io, progress)
    : null;
  const memory = sections.has("memory")
    ? measureMemory(sizes.memory[0], sizes.memory[1], progress)
    : null;
  const relocation = sections.has("relocation")
    ? relocationRows(quick ? QUICK_CASES : FULL_CASES, sizes.reloc, progress)
    : null;
  const result: BenchResult = {
    quick,
    machine: {
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      kernel: release(),
      node: process.versions.node,
      nodeFlags: v8FlagsInForce(),
      load: loadavg()[0] ?? 0,
      speed,
    },
    kernelSkipped: (side || scale) && !kernel.ok ? kernel.reason : null,
    side,
    scale,
    memory,
    relocation,
  };
  await writeAll(io.stdout, args.flag("json") ? benchJson(result) : benchText(result));
  return 0;
}

/** The `bench` command. */
export const benchCommand: CommandSpec = {
  name: "bench",
  summary: "benchmark the model against the real kernel, at scale, in memory and per policy",
  args: "",
  minArgs: 0,
  maxArgs: 0,
  examples: [
    ["vmasim bench", "every section (several minutes; 1M VMAs need about 2 GiB of heap)"],
    ["vmasim bench --quick --json", "a short run, as one JSON object"],
    ["vmasim bench --only side --no-kernel", "the model's side-by-side rates only"],
    [
      "vmasim bench --baseline ../base --captures compactor,jvm",
      "replays of this build against another build's (a worktree of another commit)",
    ],
    [
      "vmasim bench --baseline ../base --workloads mprotect_16p_unfaulted,fork_1000",
      "side-by-side model workloads of this build against another build's",
    ],
    [
      "node --max-old-space-size=8192 --max-semi-space-size=64 bin/vmasim.js bench --only scale,memory",
      "scale and memory with room for 16 million pages",
    ],
  ],
  options: [
    {
      name: "json",
      type: "boolean",
      help: 'print {"results":[{name,model_per_s,kernel_per_s,ratio}…],…} (with --baseline: {"ab":[{capture|workload,orders,ratio}…],…})',
    },
    {
      name: "quick",
      type: "boolean",
      help: "short timings and small sizes (under a minute; rough rates, goals not judged)",
    },
    {
      name: "no-kernel",
      type: "boolean",
      help: "leave out the real kernel (side by side and scale: model only)",
    },
    {
      name: "only",
      type: "string",
      value: "SECTION[,SECTION…]",
      help: `run only these sections: ${SECTIONS.join(", ")}`,
    },
    {
      name: "baseline",
      type: "string",
      value: "DIR",
      help: "instead of the sections: replay the captures (or run the model workloads) with this build and the build at DIR (a repository, or its dist) in turn, and print both rates",
    },
    {
      name: "captures",
      type: "string",
      value: "NAME[,NAME…]",
      help: "with --baseline: the bundled captures to replay (default: all, or none with --workloads)",
    },
    {
      name: "workloads",
      type: "string",
      value: "NAME[,NAME…]|all",
      help: "with --baseline: the side-by-side model workloads to run, named as in --json's results (default: none)",
    },
    {
      name: "seconds",
      type: "string",
      value: "S",
      help: "with --baseline: how long each capture or workload alternates, in each of the two orders [default: 8]",
    },
  ],
  exits: [
    [0, "the figures were printed (goals are reported, not enforced)"],
    [2, "usage error or internal error"],
  ],
  run: bench,
};
