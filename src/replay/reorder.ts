// Puts trace events in the order their effects took place (mostly entry time + duration), within a
// bounded window: tracers print a call when it returns, and several CPUs' buffers
// interleave. This module is browser compatible.

import type { TraceEvent } from "../input/trace/events.js";

/** Events are held until the trace is this many ms past them. */
const WINDOW_MS = 100;

/**
 * When an event takes effect: a call when it returns, except fork, vfork and clone, whose
 * child exists once copy_process returns (wake_up_new_task), early in the call: a vfork
 * parent's call returns only when the child has exec'd or exited (wait_for_vfork_done), and
 * until then the child runs, and /proc shows it, with the parent's mm.
 */
const key = (e: TraceEvent) => (e.kind === "spawn" ? e.time : e.time + e.dur);

interface Held {
  k: number;
  seq: number;
  ev: TraceEvent;
}

export class Reorder {
  private readonly heap: Held[] = [];
  private seq = 0;
  private latest = -Infinity;

  /** Adds an event; returns the events now safe to release, in order. */
  push(ev: TraceEvent): TraceEvent[] {
    const held = { k: key(ev), seq: this.seq++, ev };
    this.insert(held);
    if (ev.kind === "exec") this.afterExec(held);
    this.latest = Math.max(this.latest, held.k);
    const out: TraceEvent[] = [];
    while (this.heap.length > 0 && (this.heap[0]?.k as number) < this.latest - WINDOW_MS)
      out.push(this.pop());
    return out;
  }

  /**
   * The faults a task takes while in execve are the kernel's, on the new image (padzero
   * clearing the bss, create_elf_tables writing the stack), after exec_mmap installed the
   * new mm: they take effect after the exec, in their own order. Those already released
   * (an exec longer than the window) stay where they were.
   */
  private afterExec(exec: Held): void {
    const during = this.heap
      .filter(
        (h) =>
          h.ev.kind === "fault" &&
          h.ev.tid === exec.ev.tid &&
          h.ev.time >= exec.ev.time &&
          h.k < exec.k,
      )
      .sort((a, b) => a.k - b.k || a.seq - b.seq);
    if (during.length === 0) return;
    for (const h of during) {
      h.k = exec.k;
      h.seq = this.seq++;
    }
    // a sorted array is a heap
    this.heap.sort((a, b) => a.k - b.k || a.seq - b.seq);
  }

  /** Every event still held, in order. */
  drain(): TraceEvent[] {
    const out: TraceEvent[] = [];
    while (this.heap.length > 0) out.push(this.pop());
    return out;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i] as Held;
    const b = this.heap[j] as Held;
    return a.k < b.k || (a.k === b.k && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    [h[i], h[j]] = [h[j] as (typeof h)[number], h[i] as (typeof h)[number]];
  }

  private insert(x: Held): void {
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
    const top = this.heap[0] as Held;
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
