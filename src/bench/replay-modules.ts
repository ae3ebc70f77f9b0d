// A build's replay, as the benchmarks time it: the modules a replay needs from a build of
// vmasim (this one, or another loaded from its directory by src/bench/ab.ts) and a capture
// parsed once and replayed again and again with them. Only types are imported here, so that
// loading this module loads no build's model.

import type { readLines } from "../capture/files.js";
import type { openInput } from "../capture/load.js";
import type { TraceEvent, TraceParser } from "../input/trace/events.js";
import type { detectFormat } from "../replay/engine.js";
import type { Reorder } from "../replay/reorder.js";
import type { TraceReplay } from "../replay/replay.js";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** What a replay needs from a build of vmasim. */
export interface ReplayModules {
  openInput: typeof openInput;
  readLines: typeof readLines;
  PerfTraceParser: new () => TraceParser;
  StraceParser: new () => TraceParser;
  detectFormat: typeof detectFormat;
  FIDELITY_POLICY: string;
  Reorder: typeof Reorder;
  TraceReplay: typeof TraceReplay;
}

/** Where each of them lives in a build's compiled sources (dist/src). */
const MODULE_FILES: ReadonlyArray<readonly [string, readonly (keyof ReplayModules)[]]> = [
  ["capture/load.js", ["openInput"]],
  ["capture/files.js", ["readLines"]],
  ["input/trace/perf-trace.js", ["PerfTraceParser"]],
  ["input/trace/strace.js", ["StraceParser"]],
  ["replay/engine.js", ["detectFormat", "FIDELITY_POLICY"]],
  ["replay/reorder.js", ["Reorder"]],
  ["replay/replay.js", ["TraceReplay"]],
];

/** The replay modules of the build whose compiled sources are at `src`. */
export async function loadReplayModules(src: string): Promise<ReplayModules> {
  const found: Partial<Record<keyof ReplayModules, unknown>> = {};
  for (const [file, names] of MODULE_FILES) {
    const path = join(src, file);
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const name of names) {
      if (mod[name] === undefined) throw new Error(`${path} does not export ${name}`);
      found[name] = mod[name];
    }
  }
  return found as ReplayModules;
}

/** One capture, parsed and ready to replay again and again on the model. */
export interface CaptureReplayer {
  name: string;
  /** Replays the capture once, from a fresh machine; returns the events replayed. */
  once(): number;
}

/**
 * The capture at `path`, its events parsed and put in the order the replay takes them (as
 * ReplayEngine.line does), untimed; `once` replays them under linux-6.18 without the
 * observers `vmasim replay` adds.
 */
export async function captureReplayer(m: ReplayModules, path: string): Promise<CaptureReplayer> {
  const input = await m.openInput(path);
  let parser: TraceParser | null = null;
  const reorder = new m.Reorder();
  const events: TraceEvent[] = [];
  let n = 0;
  for await (const text of m.readLines(input.trace)) {
    n++;
    if (!parser) {
      if (text.trim() === "") continue;
      parser =
        m.detectFormat(text) === "perf-trace" ? new m.PerfTraceParser() : new m.StraceParser();
    }
    for (const ev of parser.push(text, n)) events.push(...reorder.push(ev));
  }
  events.push(...reorder.drain());
  const excluded = new Set(input.truth?.sampler == null ? [] : [input.truth.sampler]);
  return {
    name: input.name,
    once: () => {
      const replay = new m.TraceReplay(m.FIDELITY_POLICY, input.name, input.truth, excluded);
      for (const ev of events) replay.push(ev);
      replay.finish();
      return replay.counts.events;
    },
  };
}
