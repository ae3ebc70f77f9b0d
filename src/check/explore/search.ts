// The bounded exhaustive search: breadth first from the empty state, one level per operation,
// each distinct state (canonical key) expanded once, states that violate an invariant kept as
// findings and not expanded. Breadth first, the first state found breaking an invariant is at
// the smallest depth. Expansion is delegated to a backend (in-process, or worker threads at the
// CLI edge); results are absorbed in batch order, so a run is the same whatever the backend.
// This module is browser compatible: the clock is passed in.

import type { InvariantViolation } from "../../report/record.js";
import type { Child, SearchSpace, Task } from "./expand.js";
import { Expander, MODEL_ERROR } from "./expand.js";

/** Expands batches of states; `learn` shares the keys of a finished level with every expander. */
export interface Backend {
  expand(batch: readonly Task[]): Promise<{ children: Child[]; applied: number }>;
  learn(keys: readonly string[]): Promise<void>;
  /** Batches in flight at once. */
  readonly parallelism: number;
  /** The key of the empty state the search starts from. */
  readonly rootKey: string;
}

/** The smallest-depth path found to one kind of violation (see signatureOf). */
export interface Finding {
  invariant: string;
  signature: string;
  message: string;
  /** Alphabet indexes of the operations, from the empty state. */
  path: number[];
  /** Violating states (and steps, for what a step detects) found for this invariant. */
  hits: number;
}

export interface Progress {
  depth: number;
  done: number;
  frontier: number;
  distinct: number;
  visited: number;
  elapsedMs: number;
}

export interface SearchControl {
  /** Milliseconds, monotonic (the CLI passes performance.now). */
  now(): number;
  /** Stop starting new batches once now() passes this (null: no limit). */
  deadline: number | null;
  /** States per batch handed to the backend. */
  batch: number;
  onProgress?(p: Progress): void;
}

export interface ExploreResult {
  space: SearchSpace;
  /** Operations applied: every edge of the search, repeats included. */
  visited: number;
  /** Distinct states (canonical keys), the empty state included. */
  distinct: number;
  /** Distinct states first reached at each depth (index 0: the empty state). */
  levels: number[];
  /** Deepest level whose every state was expanded (the bound when complete). */
  depthComplete: number;
  /** Whether the whole bound was explored before the deadline. */
  complete: boolean;
  elapsedMs: number;
  findings: Finding[];
}

/** Runs the search of `space` over `backend`. O(distinct states × alphabet × (copy + step)). */
export async function explore(
  space: SearchSpace,
  backend: Backend,
  control: SearchControl,
): Promise<ExploreResult> {
  const t0 = control.now();
  const seen = new Set<string>([backend.rootKey]);
  const parent: number[] = [-1];
  const via: number[] = [-1];
  const findings = new Map<string, Finding>();
  const levels = [1];
  let visited = 0;
  let frontier = [0];
  let depthComplete = 0;
  let stopped = false;
  const pathOf = (node: number): number[] => {
    const path: number[] = [];
    for (let n = node; n > 0; n = parent[n] as number) path.push(via[n] as number);
    return path.reverse();
  };
  const overdue = () => control.deadline !== null && control.now() >= control.deadline;

  for (let depth = 1; depth <= space.bounds.depth && frontier.length > 0 && !stopped; depth++) {
    const batches: Task[][] = [];
    for (let i = 0; i < frontier.length; i += control.batch) {
      batches.push(
        frontier.slice(i, i + control.batch).map((node) => ({ node, path: pathOf(node) })),
      );
    }
    const next: number[] = [];
    const fresh: string[] = [];
    const absorb = (batch: readonly Task[], children: readonly Child[]) => {
      for (const c of children) {
        const isNew = c.fresh && !seen.has(c.key);
        if (!isNew && c.detected.length === 0) continue;
        if (isNew) {
          seen.add(c.key);
          fresh.push(c.key);
        }
        const node = parent.length;
        parent.push((batch[c.from] as Task).node);
        via.push(c.op);
        const found = isNew ? [...c.detected, ...c.violations] : c.detected;
        if (found.length > 0) record(findings, found, () => pathOf(node));
        // A state that breaks an invariant is not expanded; one reached by a step that
        // detected something is (whether it was first reached that way depends on the order).
        if (isNew && c.violations.length === 0 && c.key !== MODEL_ERROR) next.push(node);
      }
    };
    // Up to `parallelism` batches in flight; results absorbed strictly in batch order.
    const pending = new Map<number, Promise<{ children: Child[]; applied: number }>>();
    let started = 0;
    let done = 0;
    while (done < batches.length) {
      while (!stopped && started < batches.length && pending.size < backend.parallelism) {
        if (overdue()) {
          stopped = true;
          break;
        }
        pending.set(started, backend.expand(batches[started] as Task[]));
        started++;
      }
      if (!pending.has(done)) break;
      const r = await (pending.get(done) as Promise<{ children: Child[]; applied: number }>);
      pending.delete(done);
      absorb(batches[done] as Task[], r.children);
      visited += r.applied;
      done++;
      control.onProgress?.({
        depth,
        done: Math.min(frontier.length, done * control.batch),
        frontier: frontier.length,
        distinct: seen.size,
        visited,
        elapsedMs: control.now() - t0,
      });
    }
    levels.push(fresh.length);
    if (done === batches.length) depthComplete = depth;
    else stopped = true;
    if (depth < space.bounds.depth) await backend.learn(fresh);
    frontier = next;
  }
  return {
    space,
    visited,
    distinct: seen.size,
    levels,
    depthComplete: frontier.length === 0 && !stopped ? space.bounds.depth : depthComplete,
    complete: !stopped,
    elapsedMs: control.now() - t0,
    findings: [...findings.values()].sort((a, b) => (a.signature < b.signature ? -1 : 1)),
  };
}

/**
 * A violation's kind: its invariant and its message with every number blanked (object names,
 * addresses, counts), so that states breaking a rule the same way make one finding, and
 * different ways of breaking it (a stale index, a freed anon_vma) make several.
 */
export function signatureOf(v: InvariantViolation): string {
  return `${v.id}: ${v.message.replace(/\d+/g, "#")}`;
}

/** Keeps the first (shallowest) path per kind of violation and counts what broke it. */
function record(
  findings: Map<string, Finding>,
  violations: readonly InvariantViolation[],
  path: () => number[],
): void {
  for (const v of violations) {
    const signature = signatureOf(v);
    const f = findings.get(signature);
    if (f) f.hits++;
    else
      findings.set(signature, {
        invariant: v.id,
        signature,
        message: v.message,
        path: path(),
        hits: 1,
      });
  }
}

/** The in-process backend: one expander, batches run one at a time. */
export function localBackend(space: SearchSpace, expander = new Expander(space)): Backend {
  return {
    parallelism: 1,
    rootKey: expander.rootKey(),
    expand(batch) {
      const before = expander.applied;
      const children = expander.expand(batch);
      return Promise.resolve({ children, applied: expander.applied - before });
    },
    learn(keys) {
      expander.learn(keys);
      return Promise.resolve();
    },
  };
}
