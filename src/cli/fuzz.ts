// `vmasim fuzz`: random scenarios biased toward merge decisions, run against the real kernel
// (differential) or through the model alone under a policy (invariants after every step).
// Each finding is shrunk, written to a file, and printed with the command that reproduces it.

import { PAGE_SIZE } from "../input/scenario.js";
import { KernelError } from "../kernel/errors.js";
import { kernelAvailability } from "../kernel/runner.js";
import { DEFAULT_OPTIONS } from "../model/options.js";
import {
  defaultReplayCommand,
  findingFile,
  findingTitle,
  formatFuzzEvent,
  fuzzAgainstKernel,
  kernelPair,
  modelAlonePair,
  type EnginePair,
  type Finding,
  type FuzzEvent,
  type KernelFuzzReport,
} from "../check/fuzz-kernel.js";
import {
  AVOIDABLE,
  DEFAULT_GENERATE_OPTIONS,
  type GenerateOptions,
} from "../check/fuzz/generate.js";
import { UsageError } from "./errors.js";
import { integerOption } from "./integer-option.js";
import { writeAll, type CliIo } from "./io.js";
import { TIMEOUT_OPTION, kernelOptionsOf } from "./kernel-engine.js";
import { policiesOf } from "./policy-option.js";
import { REGION_OPTIONS } from "./region.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

/** --avoid a,b,c: each a name the generator knows. */
function avoidOf(args: ParsedArgs): string[] {
  const value = args.optional("avoid");
  if (value === undefined) return [];
  const names = value.split(",").map((s) => s.trim().toUpperCase());
  for (const n of names) {
    if (!AVOIDABLE.includes(n)) {
      throw new UsageError(
        `--avoid: '${n}' is not an operation, advice or flag the generator makes, choose from: ${AVOIDABLE.join(", ")}`,
        false,
      );
    }
  }
  return names;
}

/** One policy, checked against the registry. */
function policyOf(args: ParsedArgs): string {
  const names = policiesOf(args);
  if (names.length > 1) {
    throw new UsageError(`--policy: give one policy, not '${args.string("policy")}'`, false);
  }
  return names[0] as string;
}

/** How a finding is reported on stdout: what, where it was written, how to reproduce it. */
function findingLines(
  f: Finding,
  file: string,
  fileCommand: (file: string) => string,
  referenceName: string,
): string {
  const c = f.comparison;
  return [
    `FINDING run ${f.index} (run seed 0x${f.runSeed.toString(16)}): ${findingTitle(f, referenceName)}`,
    `  at step ${c.step} of ${f.ops.length} (shrunk from ${f.original.length}${f.exhausted ? ", budget exhausted" : ""}) '${c.op}': ${c.what}`,
    `  written to ${file}`,
    `  reproduce: ${fileCommand(file)}`,
    "",
  ].join("\n");
}

/** The closing summary: counts, then one line per class of finding with its first file. */
function summaryLines(r: KernelFuzzReport, what: string, steps: number, outDir: string): string {
  const count = (s: string) => r.runs.filter((x) => x.status === s).length;
  const lines = [
    `fuzz: ${what}, seed ${r.seed}: ${r.runs.length} runs of ${steps} steps (${r.runs.length * steps} steps): ` +
      `${count("agree")} clean, ${r.findings.length} findings, ${count("flaky")} flaky, ${count("refused")} refused, ${count("error")} errors`,
  ];
  const classes = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const list = classes.get(f.comparison.signature) ?? [];
    list.push(f);
    classes.set(f.comparison.signature, list);
  }
  for (const [signature, list] of classes) {
    lines.push(
      `  ${String(list.length).padStart(4)} × ${signature} (first: ${findingFile(outDir, list[0] as Finding)})`,
    );
  }
  for (const x of r.runs) {
    if (x.status === "flaky" || x.status === "refused" || x.status === "error")
      lines.push(`  run ${x.index} ${x.status}: ${x.message}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Progress on stderr: every finding, a line every tenth of the campaign; everything with --verbose. */
function progress(io: CliIo, runs: number, verbose: boolean): (e: FuzzEvent) => void {
  const every = Math.max(1, Math.round(runs / 10));
  const t0 = performance.now();
  let findings = 0;
  let shrinking = -1;
  return (e) => {
    let line: string | null = verbose ? formatFuzzEvent(e) : null;
    if (e.kind === "run") {
      if (e.outcome.status === "diverged") findings++;
      if (!verbose && e.outcome.status !== "agree") line = formatFuzzEvent(e);
      if (!verbose && (e.done % every === 0 || e.done === e.total)) {
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        line = `${line ? `${line}\n` : ""}fuzz: ${e.done}/${e.total} runs, ${findings} findings, ${s} s`;
      }
    } else if (!verbose && shrinking !== e.index) {
      shrinking = e.index;
      line = `fuzz: run ${e.index}: shrinking…`;
    }
    if (line !== null) io.stderr.write(`${line}\n`);
  };
}

async function fuzz(args: ParsedArgs, io: CliIo): Promise<number> {
  const against = args.string("against");
  const policy = policyOf(args);
  const region = kernelOptionsOf(args);
  const seed = integerOption(args, "seed", -Number.MAX_SAFE_INTEGER);
  const runs = integerOption(args, "runs", 1);
  const steps = integerOption(args, "steps", 1);
  const skip = integerOption(args, "skip", 0);
  const shrinkCalls = integerOption(args, "shrink", 0);
  const maxFindings = integerOption(args, "max-findings", 0);
  const slots = integerOption(args, "slots", 4, Math.floor(region.size / PAGE_SIZE));
  const outDir = args.string("out");
  const generate: Partial<GenerateOptions> = {
    ...(slots === DEFAULT_GENERATE_OPTIONS.slots ? {} : { slots }),
    avoid: avoidOf(args),
    pageStates: against === "invariants", // the kernel engine refuses model-only operations
    hugePages: args.flag("thp"),
  };
  const model = { policy, base: region.base, size: region.size };
  let engines: EnginePair;
  let what: string;
  let fileCommand: (file: string) => string;
  let againstWords: string;
  if (against === "kernel") {
    const availability = kernelAvailability();
    if (!availability.available) {
      await writeAll(io.stderr, `vmasim ${availability.reason}\n`);
      return 2;
    }
    engines = kernelPair(region, model);
    fileCommand = (f) =>
      `npx vmasim diff${policy === DEFAULT_OPTIONS.policy ? "" : ` --policy ${policy}`} ${f}`;
    againstWords = policy === DEFAULT_OPTIONS.policy ? "kernel" : `kernel --policy ${policy}`;
    what = `model (${policy}) against the kernel`;
  } else {
    engines = modelAlonePair(model);
    fileCommand = (f) => `npx vmasim run --policy ${policy} ${f}`;
    againstWords = `invariants --policy ${policy}`;
    what = `model invariants under ${policy}`;
  }
  let report: KernelFuzzReport;
  try {
    report = await fuzzAgainstKernel({
      seed,
      runs,
      steps,
      skip,
      outDir,
      generate,
      shrink: shrinkCalls === 0 ? false : { maxCalls: shrinkCalls },
      maxFindings,
      engines,
      onProgress: progress(io, runs, args.flag("verbose")),
      fileCommand,
      replayCommand: (s, i, n, g) => defaultReplayCommand(s, i, n, g, againstWords),
      // `file` is never null here: the CLI always has an output directory.
      onFinding: (f, file) =>
        writeAll(io.stdout, findingLines(f, file as string, fileCommand, engines.referenceName)),
    });
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    await writeAll(io.stderr, `${e.message}\n`);
    return e.exitCode;
  }
  const stopped = report.runs.length < runs ? ` (stopped after ${maxFindings} findings)` : "";
  await writeAll(io.stdout, summaryLines(report, `${what}${stopped}`, steps, outDir));
  if (report.runs.some((x) => x.status === "refused" || x.status === "error")) return 2;
  return report.findings.length > 0 ? 1 : 0;
}

/** The `fuzz` command. */
export const fuzzCommand: CommandSpec = {
  name: "fuzz",
  summary: "random scenarios against the kernel (or the model's invariants), findings shrunk",
  args: "",
  minArgs: 0,
  maxArgs: 0,
  examples: [
    [
      "vmasim fuzz --against kernel --seed 1 --runs 300 --steps 60",
      "does the model agree with this kernel?",
    ],
    [
      "vmasim fuzz --against invariants --policy linux-6.18",
      "the model alone, invariants after every step",
    ],
    [
      "vmasim fuzz --seed 1 --runs 1 --skip 42 --steps 60",
      "replay run 42 of the first campaign alone",
    ],
    ["vmasim fuzz --avoid fork,GUARD_INSTALL --out findings", "steer away from known findings"],
    [
      "vmasim fuzz --against invariants --policy relocate-anon-2025 --avoid swapout,migrate",
      "look past a design's known hazards",
    ],
  ],
  options: [
    {
      name: "against",
      type: "string",
      choices: ["kernel", "invariants"],
      default: "kernel",
      help: "compare the model with the running kernel, or check the model's invariants alone",
    },
    {
      name: "policy",
      type: "string",
      value: "NAME",
      default: DEFAULT_OPTIONS.policy,
      help: "the model's merge policy (see 'vmasim policies')",
    },
    { name: "seed", type: "string", value: "S", default: "1", help: "campaign seed (any integer)" },
    { name: "runs", type: "string", value: "N", default: "100", help: "scenarios to generate" },
    { name: "steps", type: "string", value: "M", default: "100", help: "operations per scenario" },
    {
      name: "skip",
      type: "string",
      value: "I",
      default: "0",
      help: "start at run I of the campaign (with --runs 1: replay run I alone)",
    },
    {
      name: "out",
      type: "string",
      value: "DIR",
      default: "fuzz-findings",
      help: "where each finding is written, as fuzz-SEED-RUN.vms",
    },
    {
      name: "shrink",
      type: "string",
      value: "N",
      default: "300",
      help: "runs spent shrinking each finding; 0 keeps findings whole",
    },
    {
      name: "max-findings",
      type: "string",
      value: "N",
      default: "0",
      help: "stop the campaign after N findings; 0 runs every run",
    },
    {
      name: "slots",
      type: "string",
      value: "N",
      default: `${DEFAULT_GENERATE_OPTIONS.slots}`,
      help: "pages of the region the scenarios use, from relative address 0",
    },
    {
      name: "avoid",
      type: "string",
      value: "NAME[,NAME…]",
      help: "operations (fork, mremap…, pagestate), page-state operations (swapout, migrate, ksm, pin…), advice (GUARD_INSTALL…) or flags (SHARED, DONTUNMAP…) not to generate",
    },
    {
      name: "thp",
      type: "boolean",
      help: "also MADV_HUGEPAGE, MADV_COLLAPSE and PMD-sized ranges (give --slots 4096 or more)",
    },
    {
      name: "verbose",
      type: "boolean",
      help: "print every run and every shrinking step on stderr",
    },
    ...REGION_OPTIONS,
    TIMEOUT_OPTION,
  ],
  exits: [
    [0, "every run was clean"],
    [1, "a divergence from the kernel, an invariant violation or a model crash was found"],
    [2, "usage error, kernel engine unavailable or failed, or a run the kernel refused"],
  ],
  run: fuzz,
};
