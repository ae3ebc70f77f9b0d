// `vmasim evaluate`: the main job. Replays every bundled capture (or the given ones)
// under every policy, prints the comparison tables, and writes a report directory: an
// offline HTML page with plots of VMA count over time, and the same tables in Markdown.

import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { listPolicies } from "../policy/registry.js";
import { evaluationHtml } from "../report/evaluation/html.js";
import { comparisonTable, fidelityTable, rfcTable } from "../report/evaluation/table.js";
import { markdownTable, textTable } from "../report/evaluation/text.js";
import { writeAll, type CliIo } from "./io.js";
import { policiesOf } from "./policy-option.js";
import { inputErrorsAsUsage } from "./replay.js";
import { replayAll } from "./replay-run.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

const TITLE = "vmasim evaluation: real programs replayed under every merge policy";

/** The captures bundled with vmasim (`captures/` at the package root). */
export function bundledCaptures(): string[] {
  for (const up of ["../../", "../../../"]) {
    const dir = fileURLToPath(new URL(`${up}captures/`, import.meta.url));
    if (!existsSync(dir)) continue;
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "metadata.json")))
      .map((d) => join(dir, d.name))
      .sort();
  }
  return [];
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const policies =
    args.string("policy") === "all" ? listPolicies().map((p) => p.name) : policiesOf(args);
  const paths = args.positionals.length > 0 ? args.positionals : bundledCaptures();
  const reports = await inputErrorsAsUsage(() =>
    replayAll(paths, policies, args.flag("strict"), io),
  );
  const tables = [fidelityTable(reports), comparisonTable(reports), rfcTable(reports)];
  const dir = resolve(args.string("output"));
  await mkdir(dir, { recursive: true });
  const md = [`# ${TITLE}`, "", ...tables.map(markdownTable)].join("\n");
  await writeFile(join(dir, "report.md"), md);
  await writeFile(join(dir, "index.html"), evaluationHtml(TITLE, tables, reports));
  await writeAll(
    io.stdout,
    `${tables.map(textTable).join("\n")}\nreport written to ${join(dir, "index.html")} (and report.md)\n`,
  );
  return 0;
}

/** The `evaluate` command. */
export const evaluateCommand: CommandSpec = {
  name: "evaluate",
  summary:
    "replay every bundled capture under every policy; print the tables, write an HTML report",
  args: "[CAPTURE|TRACE…]",
  minArgs: 0,
  maxArgs: Infinity,
  examples: [
    ["vmasim evaluate", "every bundled capture under every policy, report in ./vmasim-report"],
    ["vmasim evaluate -o /tmp/r cap/mine", "your own capture, report in /tmp/r"],
    ["vmasim evaluate --policy linux-6.18,rfc-2022", "only these policies"],
  ],
  options: [
    {
      name: "policy",
      type: "string",
      value: "NAME[,NAME…]|all",
      default: "all",
      help: "policies to compare (default every policy of 'vmasim policies')",
    },
    {
      name: "output",
      short: "o",
      type: "string",
      value: "DIR",
      default: "vmasim-report",
      help: "report directory (created)",
    },
    { name: "strict", type: "boolean", help: "a malformed trace line is an error" },
  ],
  exits: [
    [0, "every capture was replayed and the report written"],
    [2, "usage error, unreadable capture, or (with --strict) a malformed line"],
  ],
  run,
};
