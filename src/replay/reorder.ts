// Puts trace events in the order their effects completed (entry time + duration), within a
// bounded window: tracers print a call when it returns, and several CPUs' buffers
// interleave. This module is browser compatible.

import type { TraceEvent } from "../input/trace/events.js";

/** Events are held until the trace is this many ms past them. */
const WINDOW_MS = 100;

const key = (e: TraceEvent) => e.time + e.dur;

export class Reorder {
  private readonly heap: Array<{ k: number; seq: number; ev: TraceEvent }> = [];
  private seq = 0;
  private latest = -Infinity;

  /** Adds an event; returns the events now safe to release, in order. */
  push(ev: TraceEvent): TraceEvent[] {
    this.insert({ k: key(ev), seq: this.seq++, ev });
    this.latest = Math.max(this.latest, key(ev));
    const out: TraceEvent[] = [];
    while (this.heap.length > 0 && (this.heap[0]?.k as number) < this.latest - WINDOW_MS)
      out.push(this.pop());
    return out;
  }

  /** Every event still held, in order. */
  drain(): TraceEvent[] {
    const out: TraceEvent[] = [];
    while (this.heap.length > 0) out.push(this.pop());
    return out;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as { k: number; seq: number };
    const b = this.heap[j] as { k: number; seq: number };
    return a.k < b.k || (a.k === b.k && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j] as (typeof h)[number], h[i] as (typeof h)[number]];
  }

  private insert(x: { k: number; seq: number; ev: TraceEvent }): void {
    this.heap.push(x);
    let i = this.heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private pop(): TraceEvent {
    const top = this.heap[0] as { ev: TraceEvent };
    const last = this.heap.pop() as (typeof this.heap)[number];
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && this.less(l, m)) m = l;
        if (r < this.heap.length && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top.ev;
  }
}
