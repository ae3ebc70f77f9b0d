// The output formats a command offers (--format), each a reporter over runs of records.

import { renderJson } from "../report/json.js";
import { renderJsonl } from "../report/jsonl.js";
import type { RunRecord } from "../report/record.js";
import { renderText, type TextOptions } from "../report/text.js";

/** A reporter: runs (record streams, each headed by its header) in, text chunks out. */
export type Reporter = (runs: Iterable<Iterable<RunRecord>>) => Iterable<string>;

const REPORTERS = {
  text:
    (options: TextOptions): Reporter =>
    (runs) =>
      renderText(runs, options),
  json: (): Reporter => renderJson,
  jsonl: (): Reporter => renderJsonl,
} as const;

export type Format = keyof typeof REPORTERS;

/** Every format, in the order help lists them. */
export const FORMATS = Object.keys(REPORTERS) as readonly Format[];

/** The reporter for `format` (one of FORMATS, checked by the option table). */
export function reporterFor(format: string, textOptions: TextOptions): Reporter {
  if (!(format in REPORTERS)) throw new Error(`--format: unknown format '${format}'`);
  return REPORTERS[format as Format](textOptions);
}
