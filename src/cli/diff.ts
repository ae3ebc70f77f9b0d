// `vmasim diff`: each scenario on the real kernel and through the model, compared step by
// step on what userspace can see. The model is configured like the kernel it is compared
// with (zero page, anon names), as the kernel's header reports them.

import { KernelError } from "../kernel/errors.js";
import { runKernel } from "../kernel/runner.js";
import { DEFAULT_OPTIONS } from "../model/options.js";
import { runModel } from "../model/run.js";
import { firstDivergence } from "../report/diff.js";
import { agrees, comparisonLine, comparisonSummary, type Comparison } from "../report/diff-text.js";
import { isHeader, type RunRecord } from "../report/record.js";
import { emptySummary, tally } from "../report/summary.js";
import { writeAll, type CliIo } from "./io.js";
import { TIMEOUT_OPTION, kernelObstacle, kernelOptionsOf } from "./kernel-engine.js";
import { POLICY_OPTION, policiesOf } from "./policy-option.js";
import { REGION_OPTIONS } from "./region.js";
import type { Scenario } from "./scenarios.js";
import { loadScenariosOrReport } from "./scenarios.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";
import { terminalStyler } from "./style.js";

/** The model's run of `s` under `policy`, configured like the kernel run `kernel`. */
function compare(
  s: Scenario,
  policy: string,
  kernel: readonly RunRecord[],
  region: { base: number; size: number },
): Comparison {
  const header = kernel[0];
  if (!header || !isHeader(header)) throw new Error("diff: the kernel run has no header record");
  const model = [
    ...runModel(s.ops, s.file, {
      ...DEFAULT_OPTIONS,
      ...region,
      policy,
      zeroPage: header.zero_page,
      anonName: header.anon_name,
    }),
  ];
  const summary = emptySummary();
  for (const r of model) tally(summary, r);
  return {
    file: s.file,
    policy,
    kernel: header.kernel ?? "?",
    steps: kernel.length - 1,
    divergence: firstDivergence(model, kernel, region.size),
    violations: summary.violations,
  };
}

async function diff(args: ParsedArgs, io: CliIo): Promise<number> {
  const options = kernelOptionsOf(args);
  const policies = policiesOf(args);
  const scenarios = await loadScenariosOrReport(args.positionals, io);
  if (!scenarios) return 2;
  const obstacle = kernelObstacle(scenarios, options.size);
  if (obstacle !== null) {
    await writeAll(io.stderr, `${obstacle}\n`);
    return 2;
  }
  const style = terminalStyler(io.stdout);
  const all: Comparison[] = [];
  for (const s of scenarios) {
    let kernel: RunRecord[];
    try {
      kernel = await runKernel(s.ops, s.file, options);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      await writeAll(io.stderr, `${e.message}\n`);
      return e.exitCode;
    }
    for (const policy of policies) {
      const c = compare(s, policy, kernel, options);
      all.push(c);
      await writeAll(io.stdout, `${comparisonLine(c, style)}\n`);
    }
  }
  await writeAll(io.stdout, `${comparisonSummary(all, style)}\n`);
  return all.every(agrees) ? 0 : 1;
}

/** The `diff` command. */
export const diffCommand: CommandSpec = {
  name: "diff",
  summary: "run scenarios on the kernel and the model, and report where they diverge",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim diff scenarios/conformance/*.vms", "does the model agree with this kernel?"],
    ["vmasim diff --policy linux-6.18 s.vms", "compare one policy's model with the kernel"],
  ],
  options: [POLICY_OPTION, ...REGION_OPTIONS, TIMEOUT_OPTION],
  exits: [
    [0, "the model agreed with the kernel on every step and violated no invariant"],
    [1, "a divergence, or an invariant violation in the model"],
    [2, "usage error, bad scenario, model-only operation, engine unavailable or failed, timeout"],
  ],
  run: diff,
};
