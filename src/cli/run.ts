// `vmasim run`: scenarios through the model, under one policy or several in turn.

import { DEFAULT_OPTIONS, type ModelOptions } from "../model/options.js";
import { runModel } from "../model/run.js";
import type { RunRecord } from "../report/record.js";
import { emptySummary, isClean, tallied, type RunSummary } from "../report/summary.js";
import type { CliIo } from "./io.js";
import { POLICY_OPTION, policiesOf } from "./policy-option.js";
import { REGION_OPTIONS, regionOf } from "./region.js";
import { OUTPUT_OPTIONS, openReport } from "./report.js";
import { loadScenariosOrReport, type Scenario } from "./scenarios.js";
import type { CommandSpec, OptionSpec, ParsedArgs } from "./spec.js";

/** --zero-page, --anon-name and --no-check: shared by the commands that run the model. */
export const MODEL_OPTIONS: readonly OptionSpec[] = [
  {
    name: "zero-page",
    type: "string",
    choices: ["on", "off"],
    default: DEFAULT_OPTIONS.zeroPage ? "on" : "off",
    help: "a read fault on untouched private memory maps the shared zero page",
  },
  {
    name: "anon-name",
    type: "boolean",
    help: "CONFIG_ANON_VMA_NAME: 'name' works (without it, EINVAL)",
  },
  {
    name: "thp",
    type: "string",
    choices: ["always", "madvise", "never"],
    default: DEFAULT_OPTIONS.thp,
    help: "transparent_hugepage/enabled: when a fault may map a PMD-sized THP",
  },
  {
    name: "no-check",
    type: "boolean",
    help: "skip the invariant checks after every step (faster)",
  },
];

/** Model options from REGION_OPTIONS and MODEL_OPTIONS; the policy is set per run. */
export function modelOptions(args: ParsedArgs): Omit<ModelOptions, "policy"> {
  return {
    ...DEFAULT_OPTIONS,
    ...regionOf(args),
    zeroPage: args.string("zero-page") === "on",
    anonName: args.flag("anon-name"),
    checkInvariants: !args.flag("no-check"),
    thp: args.string("thp") as ModelOptions["thp"],
  };
}

/** Every scenario under every policy, policy by policy, run lazily as the reporter reads. */
function* modelRuns(
  scenarios: readonly Scenario[],
  policies: readonly string[],
  options: Omit<ModelOptions, "policy">,
  summary: RunSummary,
): Generator<Iterable<RunRecord>> {
  for (const policy of policies) {
    for (const s of scenarios) {
      yield tallied(runModel(s.ops, s.file, { ...options, policy }), summary);
    }
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const options = modelOptions(args);
  const policies = policiesOf(args);
  const scenarios = await loadScenariosOrReport(args.positionals, io);
  if (!scenarios) return 2;
  const write = await openReport(args, io, { policySections: policies.length > 1 });
  const summary = emptySummary();
  await write(modelRuns(scenarios, policies, options, summary));
  return isClean(summary) ? 0 : 1;
}

/** The `run` command. */
export const runCommand: CommandSpec = {
  name: "run",
  summary: "run scenarios through the model and report every step",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim run scenarios/examples/*.vms", "every example, as readable text"],
    ["vmasim run --format jsonl s.vms > s.jsonl", "the records, one JSON object per line"],
    [
      "vmasim run --zero-page off --anon-name s.vms",
      "as on a kernel without the zero page, with anon names",
    ],
  ],
  options: [POLICY_OPTION, ...OUTPUT_OPTIONS, ...REGION_OPTIONS, ...MODEL_OPTIONS],
  exits: [
    [0, "every expectation held and no invariant was violated"],
    [1, "an expectation failed or an invariant was violated"],
    [2, "usage error, unreadable scenario or parse error (nothing runs)"],
  ],
  run,
};
