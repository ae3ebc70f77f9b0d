// `vmasim report --html`: one self-contained, offline HTML file with the viewer and the runs.

import { writeFile } from "node:fs/promises";
import { isClean } from "../report/summary.js";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";
import { VIEWER_OPTIONS, viewerPage } from "./viewer-page.js";

async function report(args: ParsedArgs, io: CliIo): Promise<number> {
  const out = args.optional("html");
  if (out === undefined) throw new UsageError("give the output file: --html OUT.html");
  const page = await viewerPage(args);
  if (!page.ok) {
    await writeAll(io.stderr, page.errors.map((e) => `${e}\n`).join(""));
    return 2;
  }
  try {
    await writeFile(out, page.html);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(
      `--html: cannot write '${out}' (${code}), check that its directory exists`,
      false,
    );
  }
  await writeAll(io.stderr, `vmasim report: wrote ${out} (${page.html.length} bytes)\n`);
  return isClean(page.summary) ? 0 : 1;
}

/** The `report` command. */
export const reportCommand: CommandSpec = {
  name: "report",
  summary: "write the viewer with the runs as one offline HTML file",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    [
      "vmasim report --html out.html scenarios/examples/faulted-move-next-to-neighbour.vms",
      "step through a scenario in a browser (open out.html)",
    ],
    [
      "vmasim report --html out.html --policy linux-6.18,safe-merge s.vms",
      "two policies side by side",
    ],
    [
      "vmasim report --html out.html s.vms s.jsonl counts.json",
      "the model next to a recorded kernel run, and a replay's VMA-count series",
    ],
  ],
  options: [
    {
      name: "html",
      type: "string",
      value: "OUT.html",
      help: "the file to write (required)",
    },
    ...VIEWER_OPTIONS,
  ],
  exits: [
    [0, "written; every expectation held and no invariant was violated"],
    [1, "written, but an expectation failed or an invariant was violated"],
    [2, "usage error, unreadable or unparsable input (nothing is written)"],
  ],
  run: report,
};
