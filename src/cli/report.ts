// The output options (--format, -o) shared by the commands that report runs, and the
// writer that renders runs to the chosen place in the chosen format.

import type { RunRecord } from "../report/record.js";
import { plain, type TextOptions } from "../report/text.js";
import { FORMATS, reporterFor } from "./formats.js";
import { drainTo, openSink, type CliIo } from "./io.js";
import type { OptionSpec, ParsedArgs } from "./spec.js";
import { terminalStyler } from "./style.js";

/** --format and -o/--output. */
export const OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { name: "format", type: "string", choices: FORMATS, default: "text", help: "output format" },
  {
    name: "output",
    short: "o",
    type: "string",
    value: "FILE",
    help: "write the report to FILE, not stdout",
  },
];

/** Renders runs (record streams, each headed by its header) and writes them out. */
export type ReportWriter = (runs: Iterable<Iterable<RunRecord>>) => Promise<void>;

/**
 * Opens the output now (so that a bad -o fails before any work) and returns the writer for
 * the chosen format. Text is coloured only on a terminal stdout. Throws UsageError.
 */
export async function openReport(
  args: ParsedArgs,
  io: CliIo,
  textOptions: Omit<TextOptions, "style"> = {},
): Promise<ReportWriter> {
  const output = args.optional("output");
  const sink = await openSink(output, io);
  const report = reporterFor(args.string("format"), {
    ...textOptions,
    style: output === undefined ? terminalStyler(io.stdout) : plain,
  });
  return (runs) => drainTo(sink, report(runs));
}
