// `vmasim evaluate`: the main job. Replays every bundled capture (or the given ones)
// under every policy, prints the comparison tables, and writes a report directory: an
// offline HTML page with plots of VMA count over time, and the same tables in Markdown.

import { existsSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_OPTIONS } from "../model/options.js";
import { listPolicies } from "../policy/registry.js";
import { renderHtml } from "../view/html.js";
import { evaluationHtml } from "../report/evaluation/html.js";
import { comparisonTable, fidelityTable, rfcTable } from "../report/evaluation/table.js";
import { markdownTable, textTable } from "../report/evaluation/text.js";
import { writeAll, type CliIo } from "./io.js";
import { policiesOf } from "./policy-option.js";
import { inputErrorsAsUsage } from "./replay.js";
import { replayAll } from "./replay-run.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";
import { loadViewerAssets } from "./viewer-assets.js";
import { loadViewInputs } from "./viewer-inputs.js";

const TITLE = "vmasim evaluation: real programs replayed under every merge policy";

/** A directory at the package root (from src/cli or dist/src/cli), or null. */
function packageDir(name: string): string | null {
  for (const up of ["../../", "../../../"]) {
    const dir = fileURLToPath(new URL(`${up}${name}/`, import.meta.url));
    if (existsSync(dir)) return dir;
  }
  return null;
}

/** The captures bundled with vmasim (`captures/` at the package root). */
export function bundledCaptures(): string[] {
  const dir = packageDir("captures");
  if (!dir) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "metadata.json")))
    .map((d) => join(dir, d.name))
    .sort();
}

/** The policies the examples page sets side by side: Linux and vmasim's own design. */
const EXAMPLE_POLICIES = ["linux-6.18", "safe-merge"];

/**
 * The viewer over the bundled example scenarios (`scenarios/examples/`), under Linux and
 * safe-merge side by side, as one offline page; null when the examples are not there.
 */
async function examplesPage(): Promise<string | null> {
  const dir = packageDir("scenarios/examples");
  if (!dir) return null;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".vms"))
    .sort()
    .map((f) => relative(process.cwd(), join(dir, f))); // shown in the page: keep it short
  const inputs = await loadViewInputs(files, EXAMPLE_POLICIES, DEFAULT_OPTIONS);
  if (!inputs.ok) throw new Error(`examples: ${inputs.errors.join("; ")}`);
  const title = "vmasim examples: linux-6.18 and safe-merge side by side";
  return renderHtml(inputs.data, await loadViewerAssets(), title);
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
  const examples = await examplesPage();
  if (examples !== null) await writeFile(join(dir, "examples.html"), examples);
  const link = examples === null ? null : "examples.html";
  await writeFile(join(dir, "index.html"), evaluationHtml(TITLE, tables, reports, link));
  const more = examples === null ? "" : ", examples.html";
  await writeAll(
    io.stdout,
    `${tables.map(textTable).join("\n")}\nreport written to ${join(dir, "index.html")} (and report.md${more})\n`,
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
