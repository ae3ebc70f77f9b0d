// Which model process each trace event lands in: a tid the trace reuses for a new task, a
// task killed by another's exit_group, and the excluded sampler's events between them.

import { describe, expect, test } from "vitest";
import type { TraceBody, TraceEvent } from "../../src/input/trace/events.js";
import { FIDELITY_POLICY } from "../../src/replay/engine.js";
import { mmOf, TraceReplay } from "../../src/replay/replay.js";

const B = 0x7f0000000000;
const P = 4096;
const RW = { read: true, write: true, exec: false };
const SAMPLER = 7;

let line = 0;
const ev = (tid: number, body: TraceBody): TraceEvent => ({
  ...body,
  tid,
  line: ++line,
  time: line,
  dur: 0,
});
const mmap = (tid: number, page: number) =>
  ev(tid, {
    kind: "mmap",
    addr: B + page * P,
    len: P,
    prot: RW,
    flags: ["PRIVATE", "ANONYMOUS"],
    file: null,
    off: 0,
  });
const fork = (tid: number, child: number) => ev(tid, { kind: "spawn", child, spawn: "fork" });
const thread = (tid: number, child: number) => ev(tid, { kind: "spawn", child, spawn: "thread" });
const exitGroup = (tid: number) => ev(tid, { kind: "exit", group: true });
const write = (tid: number, page: number) =>
  ev(tid, { kind: "fault", addr: B + page * P, write: true });

/** The pages (relative to B) at which `tid`'s process has a VMA. */
function mapped(replay: TraceReplay, tid: number): number[] {
  const task = replay.tasks.get(tid);
  if (!task) throw new Error(`no task ${tid}`);
  return mmOf(replay, task)
    .allVmas()
    .map((v) => (v.start - B) / P);
}

describe("the task of each event", () => {
  test("a reused tid is the new task, never the one that exited", () => {
    const replay = new TraceReplay(FIDELITY_POLICY, "t", null, new Set([SAMPLER]));
    for (const e of [
      mmap(100, 0),
      fork(100, 101),
      mmap(101, 1), // the first 101's own mapping
      mmap(SAMPLER, 9), // the sampler's: not replayed
      exitGroup(101),
      fork(100, 101), // the tid comes back, as a new process
      mmap(101, 2),
      write(101, 2),
    ])
      replay.push(e);
    expect(mapped(replay, 101)).toEqual([0, 2]);
    expect(mapped(replay, 100)).toEqual([0]);
    expect(replay.counts).toMatchObject({ events: 7, faultSignals: 0, refused: {} });
  });

  test("a thread's events after its own exit_group are not its dead process's", () => {
    const replay = new TraceReplay(FIDELITY_POLICY, "t", null, new Set([SAMPLER]));
    for (const e of [mmap(100, 0), thread(100, 101), mmap(101, 1), exitGroup(101), mmap(101, 3)])
      replay.push(e);
    // 101 died with its group; its later event waits for a parent that never comes, and
    // becomes a process of its own at the end
    expect(replay.tasks.get(101)).toBeUndefined();
    replay.finish();
    expect(replay.counts.orphanTasks).toBe(1);
    expect(mapped(replay, 101)).toEqual([3]);
  });

  test("a tid the sampler spawns again is the new process, even with no exit between", () => {
    const replay = new TraceReplay(FIDELITY_POLICY, "t", null, new Set([SAMPLER]));
    for (const e of [
      mmap(100, 0),
      fork(SAMPLER, 100), // a second process 100, the first one's exit missing from the trace
      mmap(100, 1),
    ])
      replay.push(e);
    expect(mapped(replay, 100)).toEqual([1]);
  });
});
