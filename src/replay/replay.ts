// Replays a trace, event by event, on the model: every task becomes a model process
// (threads and vfork children share the mm), every successful memory call and page fault
// an operation. This module is browser compatible.

import type { SpawnKind, TraceEvent } from "../input/trace/events.js";
import type { OpBody } from "../input/ops.js";
import type { InvariantViolation } from "../report/record.js";
import { Machine } from "../model/machine.js";
import type { ModelOptions } from "../model/options.js";
import type { Process } from "../model/kernel.js";
import type { Mm } from "../model/mm.js";
import { TASK_SIZE } from "../model/constants.js";
import { execOps, mmapOp, mremapOp } from "./ops.js";
import { TaskTable, type Task } from "./tasks.js";
import type { Truth } from "./truth.js";

/** Model options for replays: the whole user address space, no per-step invariant checks. */
export function replayOptions(policy: string): ModelOptions {
  return {
    policy,
    base: 0,
    size: TASK_SIZE,
    zeroPage: true,
    anonName: true,
    checkInvariants: false,
    maxMapCount: 1 << 30, // the trace already obeyed the real limit
    overcommit: 0,
    thp: "madvise", // this machine's setting, where the captures were taken
  };
}

/** The mm of a task's model process. */
export function mmOf(replay: TraceReplay, task: Task): Mm {
  return (replay.machine.kernel.procs[task.proc] as Process).mm;
}

/** How the replay went: what it did and where the model disagreed with the trace. */
export interface ReplayCounts {
  events: number;
  ops: number;
  /** Calls that succeeded in the trace but failed in the model, by call and errno. */
  refused: Record<string, number>;
  /** Faults the model answered with a signal (the program may have expected it). */
  faultSignals: number;
  /** Calls the model cannot replay (mlockall…), by name. */
  unsupported: Record<string, number>;
  /** Events of tasks the trace never showed being created, replayed as new processes. */
  orphanTasks: number;
  /** Events of a capture's first task before its exec (the sampler's code): skipped. */
  beforeExec: number;
}

/** Hooks for observers (fidelity, metrics). */
export interface ReplayHooks {
  /** `task` is about to exit or exec: its process is about to lose its mm. */
  beforeExit?(task: Task): void;
  afterOp?(task: Task, kind: OpBody["kind"]): void;
  /** The operation of trace line `line` ran into what the kernel would trip over. */
  detected?(found: readonly InvariantViolation[], line: number): void;
}

/** Events kept for tasks not yet created (their parent's clone has not returned yet). */
const MAX_WAITING = 200_000;

/** Counts of a replay that has not started. */
export function emptyCounts(): ReplayCounts {
  return {
    events: 0,
    ops: 0,
    refused: {},
    faultSignals: 0,
    unsupported: {},
    orphanTasks: 0,
    beforeExec: 0,
  };
}

export class TraceReplay {
  readonly machine: Machine;
  readonly tasks = new TaskTable();
  readonly counts: ReplayCounts = emptyCounts();
  private nextProc = 1;
  private current = 0;
  private readonly waiting = new Map<number, TraceEvent[]>();
  private waitingCount = 0;
  private readonly execSeen = new Map<number, number>();
  private readonly fdGen = new Map<string, number>();
  private sawFirst = false;
  /**
   * The last event's task and its tid: most events come from the task of the one before,
   * and for them `push` looks up neither the excluded set nor the task table. Not state:
   * cleared when a task exits and when a root task takes a tid (a spawn's child never has
   * the tid of the event that spawns it, the one cached).
   */
  private lastTid = -1;
  private lastTask: Task | undefined = undefined;

  constructor(
    policy: string,
    private readonly file: string,
    private readonly truth: Truth | null,
    /** Tasks whose events are not replayed (the capture's sampler). */
    private readonly excluded: ReadonlySet<number>,
    private readonly hooks: ReplayHooks = {},
  ) {
    this.machine = new Machine(replayOptions(policy));
  }

  /** Replays one event (events must come in time order). */
  push(ev: TraceEvent): void {
    const tid = ev.tid;
    if (tid === this.lastTid) {
      this.counts.events++;
      this.event(this.lastTask as Task, ev);
      return;
    }
    if (this.excluded.has(tid)) {
      if (ev.kind === "spawn" && !this.excluded.has(ev.child)) this.root(ev.child);
      return;
    }
    this.counts.events++;
    let task = this.tasks.get(tid);
    if (!task) {
      const parent = this.truth?.tasks.get(tid)?.parent;
      const isRoot = !this.sawFirst || (parent !== undefined && this.excluded.has(parent));
      if (!isRoot) {
        this.wait(ev);
        return;
      }
      task = this.root(tid);
    }
    this.sawFirst = true;
    this.lastTid = tid;
    this.lastTask = task;
    this.event(task, ev);
  }

  /** Replays what is still waiting (end of trace): their tasks become new processes. */
  finish(): void {
    for (const tid of [...this.waiting.keys()]) {
      this.counts.orphanTasks++;
      this.root(tid);
    }
  }

  private wait(ev: TraceEvent): void {
    const list = this.waiting.get(ev.tid) ?? [];
    list.push(ev);
    this.waiting.set(ev.tid, list);
    if (++this.waitingCount > MAX_WAITING) this.finish();
  }

  /** A task with no known parent: a fresh process (a fork of the empty p0). */
  private root(tid: number): Task {
    this.lastTid = -1;
    this.switchTo(0);
    this.run({ kind: "fork", stay: true }, 0);
    const t = this.tasks.add(tid, this.nextProc++, tid, this.truth === null);
    this.sawFirst = true;
    this.flush(tid);
    return t;
  }

  private spawn(parent: Task, child: number, traced: SpawnKind | null, line: number): void {
    const kind = this.truth?.tasks.get(child)?.kind ?? traced ?? "vfork";
    this.switchTo(parent.proc);
    if (kind === "fork") this.run({ kind: "fork", stay: true }, line);
    else {
      this.run({ kind: "vfork" }, line);
      this.current = this.nextProc;
    }
    const group = TaskTable.groupOf(parent, child, kind);
    const t = this.tasks.add(child, this.nextProc++, group, parent.known);
    this.hooks.afterOp?.(t, kind === "fork" ? "fork" : "vfork");
    this.flush(child);
  }

  private flush(tid: number): void {
    const list = this.waiting.get(tid);
    if (!list) return;
    this.waiting.delete(tid);
    this.waitingCount -= list.length;
    for (const ev of list) this.push(ev);
  }

  private event(task: Task, ev: TraceEvent): void {
    // each read once: events come in many shapes, so every read is a megamorphic lookup
    const line = ev.line;
    const kind = ev.kind;
    if (!task.known && kind !== "exec" && kind !== "exit" && kind !== "spawn") {
      this.counts.beforeExec++;
      return;
    }
    switch (kind) {
      case "spawn":
        return this.spawn(task, ev.child, ev.spawn, line);
      case "exec":
        return this.exec(task, line);
      case "exit":
        for (const t of ev.group ? this.tasks.members(task.group) : [task]) this.exit(t, line);
        return;
      case "open":
        this.fdGen.set(`${task.group}:${ev.fd}`, line);
        return;
      case "marker":
        return;
      case "unsupported":
        this.counts.unsupported[ev.name] = (this.counts.unsupported[ev.name] ?? 0) + 1;
        return;
      case "fault":
        return this.call(
          task,
          ev.write
            ? { kind: "touch", addr: ev.addr, len: 1, value: 1 }
            : { kind: "read", addr: ev.addr, len: 1 },
          line,
        );
      case "mmap": {
        const f = ev.file?.startsWith("fd:")
          ? `${ev.file}@${task.group}:${this.fdGen.get(`${task.group}:${ev.file.slice(3)}`) ?? 0}`
          : ev.file;
        return this.call(task, mmapOp(ev, f), line);
      }
      case "mremap":
        return this.call(task, mremapOp(ev), line);
      case "brk":
        return this.call(task, { kind: "brk", addr: ev.ret }, line);
      case "name":
        return this.call(task, { kind: "name", addr: ev.addr, len: ev.len, name: "trace" }, line);
      case "munmap":
      case "mlock":
      case "munlock":
        return this.call(task, { kind, addr: ev.addr, len: ev.len }, line);
      case "mprotect":
        return this.call(
          task,
          { kind: "mprotect", addr: ev.addr, len: ev.len, prot: ev.prot },
          line,
        );
      case "madvise":
        return this.call(
          task,
          { kind: "madvise", addr: ev.addr, len: ev.len, advice: ev.advice },
          line,
        );
    }
  }

  /** execve: the other threads die (de_thread), then a fresh mm with exec's layout. */
  private exec(task: Task, line: number): void {
    task.known = true;
    for (const t of this.tasks.members(task.group)) if (t !== task) this.exit(t, line);
    const n = this.execSeen.get(task.tid) ?? 0;
    this.execSeen.set(task.tid, n + 1);
    const layout = this.truth?.execs.get(task.tid)?.[n] ?? null;
    this.hooks.beforeExit?.(task);
    for (const body of execOps(layout)) this.call(task, body, line);
  }

  private exit(task: Task, line: number): void {
    if (!task.alive) return;
    this.lastTid = -1;
    this.hooks.beforeExit?.(task);
    this.switchTo(task.proc);
    this.run({ kind: "exit" }, line);
    this.hooks.afterOp?.(task, "exit");
    this.current = -1;
    this.tasks.kill(task);
  }

  private call(task: Task, body: OpBody, line: number): void {
    this.switchTo(task.proc);
    const r = this.run(body, line);
    if (r.err !== "") {
      if (body.kind === "touch" || body.kind === "read") this.counts.faultSignals++;
      else {
        const key = `${body.kind} ${r.err}`;
        this.counts.refused[key] = (this.counts.refused[key] ?? 0) + 1;
      }
    }
    this.hooks.afterOp?.(task, body.kind);
  }

  private switchTo(proc: number): void {
    if (this.current === proc) return;
    this.run({ kind: "switch", proc }, 0);
    this.current = proc;
  }

  private run(body: OpBody, line: number): { ret: number; err: string } {
    this.counts.ops++;
    const r = this.machine.apply(body, { text: body.kind, loc: { file: this.file, line } });
    const found = this.machine.kernel.detections;
    if (found.length > 0) this.hooks.detected?.(found, line);
    return r;
  }
}
