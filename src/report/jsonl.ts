// The JSON-lines reporter: every record of every run, one JSON object per line, as the
// scenario language's output contract specifies. Pure; browser compatible.

import type { RunRecord } from "./record.js";

/**
 * Renders runs (each a record stream that starts with its header) as JSON lines, one chunk
 * per record. Byte-identical for identical records. O(total record size).
 */
export function* renderJsonl(runs: Iterable<Iterable<RunRecord>>): Generator<string> {
  for (const run of runs) {
    for (const record of run) yield `${JSON.stringify(record)}\n`;
  }
}
