// The replay rows of the side-by-side section: each bundled capture (captures/NAME/)
// replayed on the model under linux-6.18, in trace events per second. The trace is read,
// parsed and put in time order first, untimed; the timed part is the model's replay
// (TraceReplay), without the fidelity, safety and metrics observers `vmasim replay` adds.
// The kernel column stays empty: the capture itself was the kernel's run.

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { CAPTURE_FILES, readLines } from "../capture/files.js";
import { openInput } from "../capture/load.js";
import { PerfTraceParser } from "../input/trace/perf-trace.js";
import { StraceParser } from "../input/trace/strace.js";
import { detectFormat, FIDELITY_POLICY } from "../replay/engine.js";
import { Reorder } from "../replay/reorder.js";
import { TraceReplay } from "../replay/replay.js";
import { collectGarbage } from "./heap.js";
import { captureReplayer, type CaptureReplayer, type ReplayModules } from "./replay-modules.js";
import { cpuMs, warmUp, type Timing } from "./measure.js";
import type { SideRow } from "./side-by-side.js";

const CAPTURE_DIRS = [
  "../../captures", // running from src/bench
  "../../../captures", // running from dist/src/bench
];

/** The bundled capture directories; none when the captures are not installed. */
export function bundledCaptures(): string[] {
  for (const rel of CAPTURE_DIRS) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(dir)) continue;
    return readdirSync(dir)
      .sort()
      .map((name) => join(dir, name))
      .filter((p) => existsSync(join(p, CAPTURE_FILES.metadata)));
  }
  return [];
}

/** This build's replay modules. */
export const THIS_BUILD: ReplayModules = {
  openInput,
  readLines,
  PerfTraceParser,
  StraceParser,
  detectFormat,
  FIDELITY_POLICY,
  Reorder,
  TraceReplay,
};

/** One replay; returns the events replayed per CPU second. */
function replayRate(capture: CaptureReplayer): number {
  const t = cpuMs();
  const events = capture.once();
  return events / ((cpuMs() - t) / 1000);
}

/**
 * One row per capture: the median replay rate, in events per CPU second, of at least 3
 * replays after a warm-up (`warmUp`), repeated for 3 × `timing.repS` seconds.
 */
export async function replayRows(
  captures: readonly string[],
  timing: Timing,
  progress: (msg: string) => void,
): Promise<SideRow[]> {
  const rows: SideRow[] = [];
  for (const path of captures) {
    const capture = await captureReplayer(THIS_BUILD, path);
    progress(`model: replay ${capture.name}`);
    collectGarbage();
    warmUp(capture.once, timing);
    const rates: number[] = [];
    const end = performance.now() + 3 * timing.repS * 1000;
    while (rates.length < 3 || performance.now() < end) {
      rates.push(replayRate(capture));
    }
    rates.sort((a, b) => a - b);
    rows.push({
      name: `replay_${capture.name}`,
      label: `replay of capture ${capture.name}`,
      unit: "event",
      model: rates[rates.length >> 1] as number,
      kernel: null,
      ratio: null,
    });
  }
  return rows;
}
