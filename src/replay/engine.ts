// One pass over a trace, replayed under several policies at once: lines are parsed,
// reordered and fed to one model per policy; under linux-6.18 the layout is compared with
// the capture's ground truth. Memory is bounded by the reorder window and the models.
// This module is browser compatible.

import type { TraceEvent, TraceParser, TraceProblem } from "../input/trace/events.js";
import { PerfTraceParser } from "../input/trace/perf-trace.js";
import { StraceParser } from "../input/trace/strace.js";
import { Fidelity, type FidelityResult } from "./fidelity.js";
import { Metrics, type PolicyMetrics } from "./metrics.js";
import { emptyCounts, TraceReplay, type ReplayCounts } from "./replay.js";
import { Reorder } from "./reorder.js";
import { Safety, type SafetyResult } from "./safety.js";
import type { Truth } from "./truth.js";

/** The policy whose replay is compared with the ground truth. */
export const FIDELITY_POLICY = "linux-6.18";

export type TraceFormat = "perf-trace" | "strace";

/** Which tracer wrote `line` (the first non-empty line of a trace). */
export function detectFormat(line: string): TraceFormat {
  return /^\s*(\?|\d+(\.\d+)?) \(/.test(line) ? "perf-trace" : "strace";
}

export interface ReplayReport {
  name: string;
  format: TraceFormat;
  lines: number;
  problems: number;
  firstProblems: TraceProblem[];
  /** Trace time covered, ms. */
  durationMs: number;
  counts: ReplayCounts;
  fidelity: FidelityResult | null;
  policies: PolicyReport[];
}

/** What one policy did over the replay, and whether the model's invariants held. */
export interface PolicyReport extends PolicyMetrics {
  safety: SafetyResult;
}

interface Run {
  replay: TraceReplay;
  metrics: Metrics;
  fidelity: Fidelity | null;
  safety: Safety;
}

export class ReplayEngine {
  private parser: TraceParser | null = null;
  private format: TraceFormat = "strace";
  private readonly reorder = new Reorder();
  private readonly runs: Run[];
  private lines = 0;
  private first: number | null = null;
  private last = 0;

  constructor(
    private readonly name: string,
    policies: readonly string[],
    truth: Truth | null,
    excluded: readonly number[],
  ) {
    this.runs = policies.map((policy) => {
      let metrics: Metrics | null = null;
      let fidelity: Fidelity | null = null;
      let safety: Safety | null = null;
      const replay = new TraceReplay(policy, name, truth, new Set(excluded), {
        beforeExit: (t) => {
          fidelity?.beforeExit(t);
          metrics?.beforeExit(t);
        },
        afterOp: (t, kind) => metrics?.afterOp(t, kind),
        detected: (found, line) => safety?.detected(found, line),
      });
      metrics = new Metrics(policy, replay);
      safety = new Safety(replay);
      if (truth && policy === FIDELITY_POLICY) fidelity = new Fidelity(truth, replay);
      return { replay, metrics, fidelity, safety };
    });
  }

  /** The problems (malformed lines) found so far. */
  get problems(): readonly TraceProblem[] {
    return this.parser?.problems ?? [];
  }

  /** Feeds line `lineNo` (1-based) of the trace. */
  line(text: string, lineNo: number): void {
    this.lines = lineNo;
    if (!this.parser) {
      if (text.trim() === "") return;
      this.format = detectFormat(text);
      this.parser = this.format === "perf-trace" ? new PerfTraceParser() : new StraceParser();
    }
    for (const ev of this.parser.push(text, lineNo)) {
      for (const e of this.reorder.push(ev)) this.dispatch(e);
    }
  }

  finish(): ReplayReport {
    for (const e of this.reorder.drain()) this.dispatch(e);
    const first = this.runs[0];
    for (const r of this.runs) {
      r.replay.finish();
      r.fidelity?.finish();
    }
    return {
      name: this.name,
      format: this.format,
      lines: this.lines,
      problems: this.problems.length,
      firstProblems: this.problems.slice(0, 10),
      durationMs: this.first === null ? 0 : this.last - this.first,
      counts: first ? first.replay.counts : emptyCounts(),
      fidelity: this.runs.find((r) => r.fidelity)?.fidelity?.result ?? null,
      policies: this.runs.map((r) => ({
        ...r.metrics.finish(),
        safety: r.safety.finish(this.lines),
      })),
    };
  }

  private dispatch(ev: TraceEvent): void {
    this.first ??= ev.time;
    this.last = Math.max(this.last, ev.time + ev.dur);
    for (const r of this.runs) {
      r.fidelity?.observe(ev);
      r.safety.observe(ev);
      r.metrics.now = ev.time - (this.first ?? 0);
      r.replay.push(ev);
    }
  }
}
