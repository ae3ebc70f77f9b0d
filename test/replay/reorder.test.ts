// The order in which a replay applies trace events: when each call takes effect.

import { describe, expect, test } from "vitest";
import type { TraceEvent } from "../../src/input/trace/events.js";
import { Reorder } from "../../src/replay/reorder.js";

let line = 0;
const ev = (tid: number, time: number, dur: number, body: object): TraceEvent =>
  ({ tid, time, dur, line: ++line, ...body }) as TraceEvent;
const fault = (tid: number, time: number) =>
  ev(tid, time, 0, { kind: "fault", addr: 0x1000, write: true });

/** Pushes events in the order a tracer prints them (a call when it returns). */
function order(events: readonly TraceEvent[]): number[] {
  const r = new Reorder();
  return [...events.flatMap((e) => r.push(e)), ...r.drain()].map((e) => e.line);
}

describe("trace events are replayed in the order their effects took place", () => {
  test("a vfork child exists from the parent's call entry, before the call returns", () => {
    line = 0;
    const childFault = fault(11, 2); // 1: the child runs while its parent waits
    const spawn = ev(10, 1, 5, { kind: "spawn", child: 11, spawn: "vfork" }); // 2: printed at 6
    const later = ev(12, 3, 0.5, { kind: "munmap", addr: 0, len: 4096 }); // 3
    expect(order([childFault, later, spawn])).toEqual([2, 1, 3]);
  });

  test("faults a task takes during its execve land after the exec; others keep their place", () => {
    line = 0;
    const before = fault(7, 0.5); // 1: before the execve
    const inExec = [fault(7, 1.2), fault(7, 1.4)]; // 2, 3: the kernel on the new image
    const other = fault(8, 1.3); // 4: another task meanwhile
    const exec = ev(7, 1, 3, { kind: "exec" }); // 5: entered at 1, returned at 4
    const after = fault(7, 4.1); // 6
    expect(order([before, ...inExec, other, exec, after])).toEqual([1, 4, 5, 2, 3, 6]);
  });
});
