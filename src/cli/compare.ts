// `vmasim compare`: scenarios under several policies, one table row per scenario and policy
// (VMAs, merges won, pages walked and relocated, refusals by reason).

import { runModel } from "../model/run.js";
import { measureRun, measuresMarkdown, measuresTable } from "../report/measures.js";
import { writeAll, type CliIo } from "./io.js";
import { policiesOf } from "./policy-option.js";
import { REGION_OPTIONS } from "./region.js";
import { MODEL_OPTIONS, modelOptions } from "./run.js";
import { loadScenariosOrReport } from "./scenarios.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

async function compare(args: ParsedArgs, io: CliIo): Promise<number> {
  const options = modelOptions(args);
  const policies = policiesOf(args);
  const scenarios = await loadScenariosOrReport(args.positionals, io);
  if (!scenarios) return 2;
  const rows = scenarios.flatMap((s) =>
    policies.map((policy) => measureRun(runModel(s.ops, s.file, { ...options, policy }))),
  );
  const format = args.string("format");
  const text =
    format === "json"
      ? `${JSON.stringify({ results: rows })}\n`
      : `${(format === "markdown" ? measuresMarkdown(rows) : measuresTable(rows)).join("\n")}\n`;
  await writeAll(io.stdout, text);
  return rows.some((r) => r.violations > 0) ? 1 : 0;
}

/** The `compare` command. */
export const compareCommand: CommandSpec = {
  name: "compare",
  summary: "compare policies on scenarios: VMAs, merges, relocation cost, refusals",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim compare scenarios/policies/*.vms", "every held-out case under every policy"],
    [
      "vmasim compare --policy linux-6.18,safe-merge --format markdown s.vms",
      "two policies, as a Markdown table",
    ],
  ],
  options: [
    {
      name: "policy",
      type: "string",
      value: "NAME[,NAME…]|all",
      default: "all",
      help: "the policies to compare (see 'vmasim policies')",
    },
    {
      name: "format",
      type: "string",
      choices: ["text", "markdown", "json"],
      default: "text",
      help: "output format",
    },
    ...REGION_OPTIONS,
    ...MODEL_OPTIONS,
  ],
  exits: [
    [0, "no invariant was violated under any policy"],
    [1, "some policy violated an invariant (see the violations column)"],
    [2, "usage error, unreadable scenario or parse error (nothing runs)"],
  ],
  run: compare,
};
