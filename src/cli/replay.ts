// `vmasim replay`: replays captures and bare traces under one or more policies, with the
// fidelity of the replay against the capture's ground truth.

import { InputError } from "../capture/load.js";
import { replayText } from "../report/evaluation/replay-text.js";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import { POLICY_OPTION, policiesOf } from "./policy-option.js";
import { replayAll } from "./replay-run.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

/** Runs `body`, turning unreadable inputs and strict-mode failures into usage errors. */
export async function inputErrorsAsUsage<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message, false);
    throw e;
  }
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const policies = policiesOf(args);
  const reports = await inputErrorsAsUsage(() =>
    replayAll(args.positionals, policies, args.flag("strict"), io),
  );
  const text =
    args.string("format") === "json"
      ? `${JSON.stringify({ replays: reports }, null, 1)}\n`
      : `${reports.map(replayText).join("\n")}`;
  await writeAll(io.stdout, text);
  return 0;
}

/** The `replay` command. */
export const replayCommand: CommandSpec = {
  name: "replay",
  summary: "replay captures or perf trace / strace -f files on the model, with fidelity",
  args: "CAPTURE|TRACE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim replay captures/python-realloc", "a bundled capture, with its fidelity"],
    ["vmasim replay --policy linux-6.18,rfc-2022 cap/", "compare two policies on one capture"],
    ["vmasim replay trace.txt.gz", "a bare perf trace or strace -f file (gzip or not)"],
  ],
  options: [
    POLICY_OPTION,
    {
      name: "format",
      type: "string",
      choices: ["text", "json"],
      default: "text",
      help: "output format",
    },
    {
      name: "strict",
      type: "boolean",
      help: "a malformed or truncated trace line is an error (default: reported and skipped)",
    },
  ],
  exits: [
    [0, "every input was replayed (mismatches with the ground truth are reported, not failures)"],
    [2, "usage error, unreadable input, or (with --strict) a malformed line"],
  ],
  run,
};
