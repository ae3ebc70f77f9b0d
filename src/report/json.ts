// The JSON reporter: one document `{"runs":[{"header":…,"records":[…]}]}`, one record per
// line so that it streams and diffs well. Pure; browser compatible.

import { isHeader, type RunRecord } from "./record.js";

/**
 * Renders runs (each a record stream that starts with its header) as one JSON document, in
 * chunks. Throws if a run does not start with a header record. O(total record size).
 */
export function* renderJson(runs: Iterable<Iterable<RunRecord>>): Generator<string> {
  yield '{"runs":[';
  let runSep = "\n";
  for (const run of runs) {
    let recordSep: string | null = null;
    for (const record of run) {
      if (recordSep === null) {
        if (!isHeader(record)) throw new Error("json: a run must start with its header record");
        yield `${runSep}{"header":${JSON.stringify(record)},"records":[`;
        recordSep = "\n";
      } else {
        yield `${recordSep}${JSON.stringify(record)}`;
        recordSep = ",\n";
      }
    }
    if (recordSep === null) throw new Error("json: a run must start with its header record");
    yield "\n]}";
    runSep = ",\n";
  }
  yield "\n]}\n";
}
