/* eslint-disable no-restricted-imports -- the Node-side fuzz driver: it runs the real kernel and writes repro files */
// Differential fuzzing of the model against the real kernel: the Node-side driver around the pure
// loop in fuzz/differential.ts. Each run's scenario goes through `runKernel`, then through the
// model configured from the kernel's header (zero page, anon names); a divergence is shrunk and
// written to OUTDIR/fuzz-<seed>-<index>.vms with a header saying how to reproduce it.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Op, OpBody } from "../input/ops.js";
import { KernelError, KernelRefusedError, KernelScenarioError } from "../kernel/errors.js";
import { runKernel, type KernelOptions } from "../kernel/runner.js";
import { DEFAULT_OPTIONS, type ModelOptions } from "../model/options.js";
import { runModel } from "../model/run.js";
import type { HeaderRecord, RunRecord, StepRecord, VmaRecord } from "../report/record.js";
import {
  fuzzDifferential,
  type DifferentialReport,
  type Engine,
  type EnginePair,
  type Finding,
  type FuzzEvent,
} from "./fuzz/differential.js";
import { bodyOf, formatOp, formatScenario } from "./fuzz/format.js";
import type { GenerateOptions } from "./fuzz/generate.js";
import type { ShrinkOptions } from "./fuzz/shrink.js";

export {
  formatFuzzEvent,
  type Engine,
  type EnginePair,
  type Finding,
  type FuzzEvent,
} from "./fuzz/differential.js";

/**
 * Runs the model, collecting its records; if it throws, the error gets a `step` property (the
 * step it was executing), so a crash is reported at its step and shrinks around it, and a
 * `records` property (what the model reported before it).
 */
export function collectModel(ops: readonly Op[], file: string, options: ModelOptions): RunRecord[] {
  const out: RunRecord[] = [];
  try {
    for (const r of runModel(ops, file, options)) out.push(r);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    Object.assign(err, { step: out.length, records: out }); // header + (step - 1) records so far
    throw err;
  }
  return out;
}

/** The real kernel as a fuzz engine. */
export function kernelEngine(options: KernelOptions = {}): Engine {
  return (ops, file) => runKernel(ops, file, options);
}

/**
 * The model as a fuzz engine, configured from the reference's header: its region, and whether
 * the machine has the zero page and anon names. `options` override the rest (policy, overcommit…).
 */
export function modelEngine(options: Partial<ModelOptions> = {}): (header: HeaderRecord) => Engine {
  return (header) => {
    const o: ModelOptions = {
      ...DEFAULT_OPTIONS,
      base: Number(header.base),
      size: header.size,
      zeroPage: header.zero_page,
      anonName: header.anon_name,
      ...options,
    };
    return async (ops, file) => collectModel(ops, file, o);
  };
}

/** A kernel error that means "this scenario cannot run" rather than "the engine broke". */
export function isKernelRefusal(e: unknown): boolean {
  return e instanceof KernelRefusedError || e instanceof KernelScenarioError;
}

/** Model (subject) against the live kernel (reference). */
export function kernelPair(
  kernel: KernelOptions = {},
  model: Partial<ModelOptions> = {},
): EnginePair {
  return {
    referenceName: "kernel",
    subjectName: "model",
    reference: kernelEngine(kernel),
    subject: modelEngine(model),
    isRefusal: isKernelRefusal,
  };
}

/**
 * Model against model: the reference runs with `reference` options, the subject with `subject`
 * options (neither takes anything from the other's header). For testing the fuzzer itself, and
 * for asking "which scenarios does this option change?". A reference that crashes reports
 * the records it made before, so that the subject crashing at the same step is the finding.
 */
export function modelPair(
  reference: Partial<ModelOptions>,
  subject: Partial<ModelOptions>,
): EnginePair {
  const run = (o: Partial<ModelOptions>): Engine => {
    const options = { ...DEFAULT_OPTIONS, checkInvariants: false, ...o };
    return async (ops, file) => collectModel(ops, file, options);
  };
  const ref = run(reference);
  return {
    referenceName: "reference model",
    subjectName: "model",
    reference: (ops, file) =>
      ref(ops, file).catch((e: unknown) => {
        const records = (e as { records?: RunRecord[] }).records;
        if (!records) throw e;
        return records;
      }),
    subject: () => run(subject),
    isRefusal: () => false,
  };
}

/**
 * The model alone under `options` (policy, region…): it runs twice, the second time checking
 * every invariant after every step. Findings are then invariant violations and crashes (and
 * any divergence between the two runs, which would mean the model is not deterministic).
 */
export function modelAlonePair(options: Partial<ModelOptions>): EnginePair {
  return modelPair(options, { ...options, checkInvariants: true });
}

export interface KernelFuzzOptions {
  /** Campaign seed (any integer). */
  seed: number;
  /** Runs to do (default 100). */
  runs?: number;
  /** Operations per scenario (default 100). */
  steps?: number;
  /** Index of the first run (default 0): `skip: i, runs: 1` replays run i of the campaign. */
  skip?: number;
  /**
   * Where to write fuzz-<seed>-<index>.vms for each finding (created with the first one); null
   * or absent: write nothing.
   */
  outDir?: string | null;
  /** Progress events (the CLI prints `formatFuzzEvent(e)` on stderr). */
  onProgress?: (event: FuzzEvent) => void;
  /** Called with each shrunk finding once its file is written (`file`: null without outDir). */
  onFinding?: (finding: Finding, file: string | null) => void | Promise<void>;
  /** Generator knobs (slots, maxProcs, failing…). */
  generate?: Partial<GenerateOptions>;
  /** Shrinker knobs (maxCalls, default 300), or false not to shrink. */
  shrink?: Partial<ShrinkOptions> | false;
  /** Report model invariant violations too (default true). */
  invariants?: boolean;
  /** Stop after this many findings (default 0: run every run). */
  maxFindings?: number;
  /** Options of the kernel runner (region, timeout, compiler). */
  kernel?: KernelOptions;
  /** Model options beyond what the kernel header sets (policy…). */
  model?: Partial<ModelOptions>;
  /** Replace the engines (tests: model against model, or a mutated record stream). */
  engines?: EnginePair;
  /** The command that runs a finding's file, for the repro header (default `npx vmasim diff FILE`). */
  fileCommand?: (file: string) => string;
  /** The command that replays run `index`, for the repro header. */
  replayCommand?: (
    seed: number,
    index: number,
    steps: number,
    generate: Partial<GenerateOptions>,
  ) => string;
}

export interface KernelFuzzReport extends DifferentialReport {
  /** Files written, one per finding, in run order. */
  files: string[];
  /** Wall-clock time of the campaign, in ms. */
  elapsedMs: number;
}

/**
 * The `vmasim fuzz` command line that replays run `index` alone; `against` is what follows
 * `--against` (e.g. `invariants --policy linux-6.18`).
 */
export function defaultReplayCommand(
  seed: number,
  index: number,
  steps: number,
  generate: Partial<GenerateOptions> = {},
  against = "kernel",
): string {
  const extra: string[] = [];
  if (generate.slots !== undefined) extra.push(`--slots ${generate.slots}`);
  if (generate.avoid && generate.avoid.length > 0)
    extra.push(`--avoid ${generate.avoid.join(",")}`);
  if (generate.hugePages) extra.push("--thp");
  return [
    `npx vmasim fuzz --against ${against} --seed ${seed} --runs 1 --skip ${index} --steps ${steps}`,
    ...extra,
  ].join(" ");
}

/** The file a finding is written to: OUTDIR/fuzz-<seed>-<index>.vms. */
export function findingFile(outDir: string, finding: Pick<Finding, "seed" | "index">): string {
  return join(outDir, `fuzz-${finding.seed}-${finding.index}.vms`);
}

/** What a finding is, in one phrase: "divergence between the model and the kernel (Linux …)". */
export function findingTitle(finding: Finding, referenceName = "kernel"): string {
  const header = finding.referenceRecords[0] as HeaderRecord | undefined;
  switch (finding.comparison.kind) {
    case "divergence":
      return `divergence between the model and the ${referenceName}${header?.kernel ? ` (Linux ${header.kernel})` : ""}`;
    case "invariant":
      return `invariant violation in the model${header?.policy ? ` (policy ${header.policy})` : ""}`;
    case "crash":
      return "the model crashed";
  }
}

/** The repro file of a finding: a `#` header (what, where, how to reproduce), then the shrunk ops. */
export function reproText(
  finding: Finding,
  info: { steps: number; referenceName?: string; fileCommand: string; replay: string },
): string {
  const c = finding.comparison;
  const lines = [
    `vmasim fuzz: ${findingTitle(finding, info.referenceName)}`,
    `seed ${finding.seed}, run ${finding.index} (run seed 0x${finding.runSeed.toString(16)}), ${info.steps} steps`,
    `shrunk from ${finding.original.length} to ${finding.ops.length} ops in ${finding.shrinkCalls} tries${finding.exhausted ? " (budget exhausted: may not be minimal)" : ""}`,
    `first disagreement at step ${c.step} '${c.op}': ${c.what}`,
    ...(finding.first.what !== c.what || finding.first.step !== c.step
      ? [
          `(before shrinking: step ${finding.first.step} '${finding.first.op}': ${finding.first.what})`,
        ]
      : []),
    ...(finding.suspect ? [`suspect: ${finding.suspect}`] : []),
    "",
    "reproduce:",
    `  ${info.fileCommand}`,
    `  ${info.replay}`,
  ];
  return formatScenario(finding.ops.map(bodyOf), lines);
}

/** `expectvma` checks asserting a VMA as the kernel reported it (boundaries come from expectvmas). */
function vmaExpectation(v: VmaRecord): string {
  return formatOp({
    kind: "expectvma",
    addr: v.start,
    checks: [
      { key: "perms", value: v.perms },
      { key: "flags", value: v.vmflags },
      { key: "rss", value: v.rss_kb },
    ],
  });
}

/** Lines asserting the VMAs of one process's report: expectvmas (or expect 0) and expectvma each. */
export function expectationsFor(vmas: readonly VmaRecord[], maxVmas = 8): string[] {
  const out: string[] = [];
  if (vmas.length === 0) out.push("expect 0");
  else
    out.push(
      formatOp({
        kind: "expectvmas",
        ranges: vmas.map((v) => [v.start, v.end] as [number, number]),
      }),
    );
  if (vmas.length <= maxVmas) for (const v of vmas) out.push(vmaExpectation(v));
  return out;
}

const stepRecords = (rs: readonly RunRecord[]) => rs.filter((r): r is StepRecord => "op" in r);

function describeRet(r: StepRecord | undefined): string {
  if (!r) return "nothing";
  return r.err ? `ret ${r.ret} (${r.err})` : `ret ${r.ret}`;
}

/**
 * A regression scenario from a finding: its ops up to the disagreement, then `expect…` lines
 * asserting what the KERNEL (the reference) showed at that step, for the process that disagreed.
 * `description` becomes the first comment line. The kernel passes it; the model will once fixed.
 */
export function regressionText(finding: Finding, description: string): string {
  const c = finding.comparison;
  const ops: OpBody[] = finding.ops.slice(0, c.step).map(bodyOf);
  const kernel = stepRecords(finding.referenceRecords).find((r) => r.step === c.step);
  const model = stepRecords(finding.subjectRecords).find((r) => r.step === c.step);
  const lines = ops.map(formatOp);
  const other = /^p(\d+) /.exec(c.what);
  if (kernel) {
    lines.push(`# kernel: ${describeRet(kernel)}; model: ${describeRet(model)}`);
    if (other) {
      const proc = Number(other[1]);
      const vmas = kernel.procs?.find((p) => p.proc === proc)?.vmas ?? [];
      lines.push(`switch ${proc}`, ...expectationsFor(vmas), `switch ${kernel.proc}`);
    } else {
      lines.push(...expectationsFor(kernel.vmas));
    }
  }
  const header = finding.referenceRecords[0] as HeaderRecord | undefined;
  const comment = [
    description,
    "",
    `Found by the differential fuzzer (seed ${finding.seed}, run ${finding.index}), shrunk to ${finding.ops.length} ops.`,
    `At step ${c.step} '${c.op}': ${c.what}.`,
    `The expectations below assert what the kernel did${header?.kernel ? ` (Linux ${header.kernel})` : ""}; the model fails them until fixed.`,
    ...(finding.suspect ? [`Suspect: ${finding.suspect}.`] : []),
  ];
  return `${comment.map((l) => (l ? `# ${l}` : "#")).join("\n")}\n\n${lines.join("\n")}\n`;
}

/**
 * Fuzzes the model against the live kernel (or the given engines): `runs` scenarios of `steps`
 * ops from `seed`, each divergence shrunk and written to `outDir`. Rejects with a KernelError
 * only when the kernel engine is unavailable; refused or failed runs are reported per run.
 * O(runs × steps × helper round trip + findings × shrink budget × run cost).
 */
export async function fuzzAgainstKernel(options: KernelFuzzOptions): Promise<KernelFuzzReport> {
  const t0 = performance.now();
  const steps = options.steps ?? 100;
  const engines = options.engines ?? kernelPair(options.kernel, options.model);
  const files: string[] = [];
  const outDir = options.outDir ?? null;
  const report = await fuzzDifferential({
    seed: options.seed,
    runs: options.runs ?? 100,
    skip: options.skip ?? 0,
    steps,
    generate: options.generate ?? {},
    shrink: options.shrink === false ? false : { maxCalls: 300, ...options.shrink },
    invariants: options.invariants ?? true,
    maxFindings: options.maxFindings ?? 0,
    engines,
    onProgress: options.onProgress,
    onFinding: async (finding) => {
      if (!outDir) return options.onFinding?.(finding, null);
      await mkdir(outDir, { recursive: true }); // on the first finding: a clean campaign leaves no trace
      const file = findingFile(outDir, finding);
      const replay = (options.replayCommand ?? defaultReplayCommand)(
        finding.seed,
        finding.index,
        steps,
        options.generate ?? {},
      );
      const fileCommand = (options.fileCommand ?? ((f) => `npx vmasim diff ${f}`))(file);
      await writeFile(
        file,
        reproText(finding, { steps, referenceName: engines.referenceName, fileCommand, replay }),
      );
      files.push(file);
      await options.onFinding?.(finding, file);
    },
  });
  // Surface an unavailable kernel as an error instead of N "error" runs.
  const first = report.runs[0];
  if (first && first.status === "error" && report.runs.every((r) => r.status === "error")) {
    const unavailable = /no C compiler|needs Linux|compiling the helper failed/.test(first.message);
    if (unavailable) throw new KernelError(first.message);
  }
  return { ...report, files, elapsedMs: Math.round(performance.now() - t0) };
}

/** Ops of a finding as scenario lines (for reports). */
export function opsText(ops: readonly Op[]): string {
  return ops.map((o) => o.text).join("\n");
}
