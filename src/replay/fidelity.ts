// Fidelity: the replayed layout against every ground-truth sample. A sample is taken
// between two clock markers; a process that made a layout-changing call overlapping that
// window is left out (the sample may show it half done). This module is browser compatible.

import type { TraceEvent } from "../input/trace/events.js";
import { layoutDifference, modelLayout, truthLayout, type LayoutVma } from "./layout.js";
import type { Mm } from "../model/mm.js";
import { mmOf, type TraceReplay } from "./replay.js";
import type { Task } from "./tasks.js";
import type { Sample, Truth } from "./truth.js";

export interface Mismatch {
  sample: number;
  pid: number;
  /** Trace line at which the sample was compared. */
  line: number;
  countError: number;
  difference: string;
}

export interface FidelityResult {
  /** Samples (one process in one round) compared. */
  compared: number;
  exact: number;
  /** Left out: a layout change overlapped the sample. */
  overlapping: number;
  /** Left out: a process the replay does not know. */
  unknown: number;
  /** Sum and maximum of |model VMAs − real VMAs| over compared samples. */
  countErrorSum: number;
  countErrorMax: number;
  /** The first mismatches, for investigation. */
  mismatches: Mismatch[];
}

/** How long (trace ms) after a sample's end marker a late-printed call may still overlap it. */
const LAG_MS = 100;
const KEEP_MISMATCHES = 20;

interface Window {
  id: number;
  begin: number;
  end: number | null;
  dirty: Set<number>;
  snapshots: Map<number, LayoutVma[] | null>;
  line: number;
}

export class Fidelity {
  readonly result: FidelityResult = {
    compared: 0,
    exact: 0,
    overlapping: 0,
    unknown: 0,
    countErrorSum: 0,
    countErrorMax: 0,
    mismatches: [],
  };
  private readonly open: Window[] = [];
  /** The last layout of processes that are gone, for samples taken at their exit. */
  private readonly lastLayout = new Map<number, LayoutVma[]>();

  constructor(
    private readonly truth: Truth,
    private readonly replay: TraceReplay,
  ) {}

  /** Keeps the layout a process had before exit or exec replaced it. */
  beforeExit(task: Task): void {
    if (task.tid === task.group) this.lastLayout.set(task.group, modelLayout(this.mmOf(task)));
  }

  /** Called with every event, before the replay applies it. */
  observe(ev: TraceEvent): void {
    if (ev.kind === "marker") {
      if (ev.begin)
        this.open.push({
          id: ev.id,
          begin: ev.time,
          end: null,
          dirty: new Set(),
          snapshots: new Map(),
          line: ev.line,
        });
      else this.close(ev);
    } else if (ev.kind !== "fault") {
      const group = this.replay.tasks.get(ev.tid)?.group;
      if (group !== undefined) {
        for (const w of this.open) if (w.end === null || ev.time < w.end) w.dirty.add(group);
      }
    }
    while (this.open.length > 0) {
      const w = this.open[0] as Window;
      if (w.end === null || ev.time <= w.end + LAG_MS) break;
      this.open.shift();
      this.judge(w);
    }
  }

  /** Judges every sample still open (end of trace). */
  finish(): void {
    for (const w of this.open.splice(0)) if (w.end !== null) this.judge(w);
  }

  private close(ev: TraceEvent): void {
    const w = this.open.find((x) => x.id === (ev as { id: number }).id && x.end === null);
    if (!w) return;
    w.end = ev.time;
    w.line = ev.line;
    for (const s of this.truth.samples.get(w.id) ?? [])
      w.snapshots.set(s.pid, this.layoutOf(s.pid));
  }

  private layoutOf(pid: number): LayoutVma[] | null {
    const live = this.replay.tasks.members(pid)[0];
    if (live) return live.known ? modelLayout(this.mmOf(live)) : null;
    return this.lastLayout.get(pid) ?? null;
  }

  private mmOf(task: Task): Mm {
    return mmOf(this.replay, task);
  }

  private judge(w: Window): void {
    const r = this.result;
    for (const s of this.truth.samples.get(w.id) ?? []) {
      if (s.vmas.length === 0) continue; // a zombie: nothing to compare
      const model = w.snapshots.get(s.pid);
      if (!model) r.unknown++;
      else if (w.dirty.has(s.pid)) r.overlapping++;
      else this.compare(w, s, model);
    }
  }

  private compare(w: Window, s: Sample, model: LayoutVma[]): void {
    const r = this.result;
    const truth = truthLayout(s.vmas);
    const countError = Math.abs(model.length - truth.length);
    r.compared++;
    r.countErrorSum += countError;
    r.countErrorMax = Math.max(r.countErrorMax, countError);
    const difference = layoutDifference(model, truth);
    if (difference === null) r.exact++;
    else if (r.mismatches.length < KEEP_MISMATCHES) {
      r.mismatches.push({ sample: s.id, pid: s.pid, line: w.line, countError, difference });
    }
  }
}
