// The tasks of a trace and the model processes standing for them: every task (thread or
// process) is one model process; threads and vfork children share their parent's mm.
// This module is browser compatible.

import type { SpawnKind } from "../input/trace/events.js";

export interface Task {
  tid: number;
  /** The model process (pN). */
  proc: number;
  /** Thread group id (tgid). */
  group: number;
  alive: boolean;
  /**
   * Whether the model knows its address space: false for a capture's first task until it
   * execs (before that it runs the sampler's code, in a copy of the sampler's mm).
   */
  known: boolean;
}

/** tid → task, and the live members of every thread group. */
export class TaskTable {
  private readonly byTid = new Map<number, Task>();
  private readonly groups = new Map<number, Set<Task>>();

  get(tid: number): Task | undefined {
    return this.byTid.get(tid);
  }

  add(tid: number, proc: number, group: number, known = true): Task {
    const t: Task = { tid, proc, group, alive: true, known };
    this.byTid.set(tid, t);
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = new Set()));
    g.add(t);
    return t;
  }

  /** The live tasks of `group`. */
  members(group: number): Task[] {
    return [...(this.groups.get(group) ?? [])];
  }

  /** Marks a task dead (its tid may be reused by a later task). */
  kill(t: Task): void {
    t.alive = false;
    this.groups.get(t.group)?.delete(t);
    if (this.groups.get(t.group)?.size === 0) this.groups.delete(t.group);
    if (this.byTid.get(t.tid) === t) this.byTid.delete(t.tid);
  }

  /** The group a child of `parent` joins. */
  static groupOf(parent: Task, child: number, kind: SpawnKind): number {
    return kind === "thread" ? parent.group : child;
  }
}
