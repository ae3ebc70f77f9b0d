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
import { openInput, type ReplayInput } from "../capture/load.js";
import type { TraceEvent, TraceParser } from "../input/trace/events.js";
import { PerfTraceParser } from "../input/trace/perf-trace.js";
import { StraceParser } from "../input/trace/strace.js";
import { detectFormat, FIDELITY_POLICY } from "../replay/engine.js";
import { Reorder } from "../replay/reorder.js";
import { TraceReplay } from "../replay/replay.js";
import { collectGarbage } from "./heap.js";
import { cpuMs, type Timing } from "./measure.js";
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

/** The capture's events in the order the replay takes them (as ReplayEngine.line does). */
async function timeOrderedEvents(input: ReplayInput): Promise<TraceEvent[]> {
  let parser: TraceParser | null = null;
  const reorder = new Reorder();
  const events: TraceEvent[] = [];
  let n = 0;
  for await (const text of readLines(input.trace)) {
    n++;
    if (!parser) {
      if (text.trim() === "") continue;
      parser = detectFormat(text) === "perf-trace" ? new PerfTraceParser() : new StraceParser();
    }
    for (const ev of parser.push(text, n)) events.push(...reorder.push(ev));
  }
  events.push(...reorder.drain());
  return events;
}

/** One replay of `events`; returns the events replayed per second. */
function replayOnce(input: ReplayInput, events: readonly TraceEvent[]): number {
  const excluded = new Set(input.truth?.sampler == null ? [] : [input.truth.sampler]);
  const t = cpuMs();
  const replay = new TraceReplay(FIDELITY_POLICY, input.name, input.truth, excluded);
  for (const ev of events) replay.push(ev);
  replay.finish();
  return replay.counts.events / ((cpuMs() - t) / 1000);
}

/**
 * One row per capture: the median replay rate, in events per CPU second, of at least 3
 * replays after a warm-up of `timing.warmS` seconds, repeated for 3 × `timing.repS` seconds.
 */
export async function replayRows(
  captures: readonly string[],
  timing: Timing,
  progress: (msg: string) => void,
): Promise<SideRow[]> {
  const rows: SideRow[] = [];
  for (const path of captures) {
    const input = await openInput(path);
    progress(`model: replay ${input.name}`);
    const events = await timeOrderedEvents(input);
    collectGarbage();
    const until = (s: number) => performance.now() + s * 1000;
    for (const end = until(timing.warmS); performance.now() < end;) replayOnce(input, events);
    const rates: number[] = [];
    for (const end = until(3 * timing.repS); rates.length < 3 || performance.now() < end;) {
      rates.push(replayOnce(input, events));
    }
    rates.sort((a, b) => a - b);
    rows.push({
      name: `replay_${input.name}`,
      label: `replay of capture ${input.name}`,
      unit: "event",
      model: rates[rates.length >> 1] as number,
      kernel: null,
      ratio: null,
    });
  }
  return rows;
}
