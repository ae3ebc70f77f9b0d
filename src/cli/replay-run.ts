// Replaying inputs for `replay` and `evaluate`: one pass per input under every policy,
// with a progress bar on stderr when it is a terminal.

import { openInput, replayInput, type ReplayInput } from "../capture/load.js";
import type { ReplayReport } from "../replay/engine.js";
import type { CliIo } from "./io.js";

/** A one-line progress bar, redrawn in place, only on a terminal. */
function progressBar(
  io: CliIo,
  label: string,
): ((done: number, total: number) => void) & { end(): void } {
  const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
  let last = -1;
  const bar = (done: number, total: number) => {
    if (!tty) return;
    const pct = Math.floor((100 * done) / Math.max(1, total));
    if (pct === last) return;
    last = pct;
    const n = Math.round(pct / 4);
    io.stderr.write(`\r${label} [${"#".repeat(n)}${" ".repeat(25 - n)}] ${pct}%`);
  };
  return Object.assign(bar, { end: () => tty && io.stderr.write("\r\x1b[K") });
}

/** Opens every path first (so that a bad one fails before anything runs), then replays each. */
export async function replayAll(
  paths: readonly string[],
  policies: readonly string[],
  strict: boolean,
  io: CliIo,
): Promise<ReplayReport[]> {
  const inputs: ReplayInput[] = [];
  for (const p of paths) inputs.push(await openInput(p));
  const reports: ReplayReport[] = [];
  for (const input of inputs) {
    const bar = progressBar(io, `replay ${input.name}`);
    try {
      reports.push(await replayInput(input, policies, strict, bar));
    } finally {
      bar.end();
    }
  }
  return reports;
}
