// Safety: the model's invariant checks over a replay, under one policy. Checking after
// every event would cost too much on long traces, so the whole model state is checked
// at every ground-truth sample point (a capture's end-of-sample clock marker) and at the
// end of the trace; what the kernel itself runs into during an operation (the model's
// detections: a walk reaching a freed anon_vma…) is collected over the whole replay.
// This module is browser compatible.

import { checkInvariants } from "../check/invariants.js";
import type { TraceEvent } from "../input/trace/events.js";
import type { InvariantViolation } from "../report/record.js";
import type { TraceReplay } from "./replay.js";

export interface SafetyViolation extends InvariantViolation {
  /** Trace line at which it was found. */
  line: number;
}

export interface SafetyResult {
  /** Invariant checks run: one per ground-truth sample, one at the end of the trace. */
  checks: number;
  /** Checks that found a violation, or followed an operation that detected one. */
  failedChecks: number;
  /**
   * Distinct violations (invariant ID and message) from the checks and the detections: a
   * broken state that persists is counted once, however many checks see it.
   */
  violations: number;
  /** Distinct violations by invariant ID. */
  byId: Record<string, number>;
  /** How many of them were detections (found while an operation ran). */
  detections: number;
  /** The first distinct violations, for investigation. */
  first: SafetyViolation[];
}

const KEEP_FIRST = 10;

export class Safety {
  readonly result: SafetyResult = {
    checks: 0,
    failedChecks: 0,
    violations: 0,
    byId: {},
    detections: 0,
    first: [],
  };
  private readonly seen = new Set<string>();
  /** Whether a detection happened since the last check. */
  private pending = false;

  constructor(private readonly replay: TraceReplay) {}

  /** Called with every event, before the replay applies it: a sample's end is a check point. */
  observe(ev: TraceEvent): void {
    if (ev.kind === "marker" && !ev.begin) this.check(ev.line);
  }

  /** What the model detected while applying the operation of trace line `line`. */
  detected(found: readonly InvariantViolation[], line: number): void {
    this.pending = true;
    for (const v of found) if (this.add(v, line)) this.result.detections++;
  }

  /** The last check, once the replay has finished at trace line `line`. */
  finish(line: number): SafetyResult {
    this.check(line);
    return this.result;
  }

  private check(line: number): void {
    const r = this.result;
    r.checks++;
    const found = checkInvariants(this.replay.machine.kernel);
    if (found.length > 0 || this.pending) r.failedChecks++;
    this.pending = false;
    for (const v of found) this.add(v, line);
  }

  /** Counts `v` unless it was seen before; whether it was new. */
  private add(v: InvariantViolation, line: number): boolean {
    const key = `${v.id}\n${v.message}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const r = this.result;
    r.violations++;
    r.byId[v.id] = (r.byId[v.id] ?? 0) + 1;
    if (r.first.length < KEEP_FIRST) r.first.push({ ...v, line });
    return true;
  }
}
