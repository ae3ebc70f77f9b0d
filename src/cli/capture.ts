// `vmasim capture`: runs a program under perf trace (or strace) and the ground-truth
// sampler, and writes a capture directory that `vmasim replay` reads.

import { capture, type CaptureTool } from "../capture/capture.js";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

function positiveInt(args: ParsedArgs, name: string): number {
  const v = Number(args.string(name));
  if (!Number.isInteger(v) || v <= 0)
    throw new UsageError(`--${name}: '${args.string(name)}' is not a positive integer`, false);
  return v;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const dir = args.optional("output");
  if (dir === undefined) throw new UsageError("missing -o DIR");
  const meta = await capture({
    dir,
    command: args.positionals,
    tool: args.string("tool") as CaptureTool | "auto",
    intervalMs: positiveInt(args, "interval"),
    maxSamples: positiveInt(args, "max-samples"),
    log: (line) => void writeAll(io.stderr, `${line}\n`),
  });
  await writeAll(
    io.stderr,
    `capture: ${meta.tool} trace of '${meta.command.join(" ")}' (exit status ${meta.exitStatus}) written to ${dir}\n` +
      `replay it with: vmasim replay ${dir}\n`,
  );
  return 0;
}

/** The `capture` command. */
export const captureCommand: CommandSpec = {
  name: "capture",
  summary: "run a program and record its memory calls, page faults and ground-truth layouts",
  args: "-- CMD [ARG…]",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim capture -o cap/python -- python3 grow.py", "capture a program (as root)"],
    ["vmasim capture -o cap/ls --tool strace -- ls -l", "use strace instead of perf trace"],
    ["vmasim replay cap/python", "then replay it under linux-6.18"],
  ],
  options: [
    {
      name: "output",
      short: "o",
      type: "string",
      value: "DIR",
      help: "the capture directory to write (created)",
    },
    {
      name: "tool",
      type: "string",
      choices: ["auto", "perf", "strace"],
      default: "auto",
      help: "tracer: perf trace with page faults, else strace -f (syscalls only)",
    },
    {
      name: "interval",
      type: "string",
      value: "MS",
      default: "20",
      help: "milliseconds between ground-truth samples",
    },
    {
      name: "max-samples",
      type: "string",
      value: "N",
      default: "300",
      help: "at most N sampling rounds",
    },
  ],
  exits: [
    [0, "the capture was written (whatever the program's own exit status)"],
    [2, "usage error, no tracer, no compiler, or the capture could not be written"],
  ],
  run,
};
