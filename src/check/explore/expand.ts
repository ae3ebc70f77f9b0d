// One step of the search: from a state (rebuilt by replaying the operations that first reached
// it), apply every applicable operation to a copy, key the result canonically and check the
// invariants of each state not seen before. This is the part worker threads run.
// This module is browser compatible.

import type { Op } from "../../input/ops.js";
import { Machine } from "../../model/machine.js";
import { DEFAULT_OPTIONS, type ModelOptions } from "../../model/options.js";
import type { Policy } from "../../policy/policy.js";
import { getPolicy } from "../../policy/registry.js";
import type { InvariantViolation } from "../../report/record.js";
import { checkInvariants } from "../invariants.js";
import { deriveSeed, Prng } from "../fuzz/prng.js";
import { applicable, buildAlphabet, viewOf, type Alphabet, type Bounds } from "./alphabet.js";
import { stateKey } from "./canonical.js";
import { cloneMachine } from "./clone.js";

/** What a search is over: the same in the main thread and in every worker. */
export interface SearchSpace {
  /** Registry name of the policy (what the replay command names). */
  policy: string;
  bounds: Bounds;
  /** Operation families (null: all of them). */
  families: readonly string[] | null;
  /** Orders the operations tried from each state, so a run is reproducible from it. */
  seed: number;
}

/** A state to expand: its number in the search and the operations (alphabet indexes) reaching it. */
export interface Task {
  node: number;
  path: readonly number[];
}

/** A state reached from a task's state: new as far as the expanding side knew, or a step that detected something. */
export interface Child {
  /** Index of the task in its batch. */
  from: number;
  /** Alphabet index of the operation applied. */
  op: number;
  key: string;
  /** Whether the state was new to the expanding side. */
  fresh: boolean;
  /** What the step itself detected (a transition can break a rule whatever state it ends in). */
  detected: InvariantViolation[];
  /** The invariants a fresh state violates (not checked again for a state seen before). */
  violations: InvariantViolation[];
}

/** The pseudo-invariant of a step that made the model throw (an internal error of `vmasim run`). */
export const MODEL_ERROR = "model-error";

/** The model options of every machine of a search: `vmasim run`'s defaults, so replays agree. */
export function searchOptions(policy: string): ModelOptions {
  return { ...DEFAULT_OPTIONS, policy, checkInvariants: false };
}

/** Expands states; keeps the keys it has met so it checks each state's invariants once. */
export class Expander {
  readonly alphabet: Alphabet;
  /** Operations applied (copies stepped), for the states-visited count. */
  applied = 0;

  constructor(
    private readonly space: SearchSpace,
    private readonly seen: Set<string> = new Set(),
    /** A policy object not in the registry (tests' planted bugs). */
    private readonly policy: Policy = getPolicy(space.policy),
  ) {
    this.alphabet = buildAlphabet(space.bounds, space.families);
  }

  /** A fresh machine: the empty state the search starts from. */
  root(): Machine {
    return new Machine(searchOptions(this.space.policy), this.policy);
  }

  /** The key of the root state, marked as seen. */
  rootKey(): string {
    const key = stateKey(this.root());
    this.seen.add(key);
    return key;
  }

  /** Marks keys found elsewhere (by other workers) as seen. */
  learn(keys: Iterable<string>): void {
    for (const k of keys) this.seen.add(k);
  }

  /** The machine after `path` from the root. O(path × step). */
  replay(path: readonly number[]): Machine {
    const m = this.root();
    for (const i of path) {
      const op = this.alphabet.ops[i] as Op;
      m.apply(op, op);
    }
    return m;
  }

  /**
   * Every state one operation away from each task's state that this side has not seen, in
   * task order, then in the seeded order of the operations. O(tasks × ops × (copy + step)).
   */
  expand(tasks: readonly Task[]): Child[] {
    const out: Child[] = [];
    tasks.forEach((t, from) => {
      const m = this.replay(t.path);
      const ops = applicable(this.alphabet, viewOf(m), this.space.bounds);
      shuffle(ops, new Prng(deriveSeed(this.space.seed, t.node)));
      for (const op of ops) {
        const c = cloneMachine(m);
        this.applied++;
        let detected: InvariantViolation[];
        const body = this.alphabet.ops[op] as Op;
        try {
          c.apply(body, body);
          detected = c.kernel.detections;
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          const crash = [{ id: MODEL_ERROR, message }];
          out.push({ from, op, key: MODEL_ERROR, fresh: false, detected: crash, violations: [] });
          continue;
        }
        const key = stateKey(c);
        const fresh = !this.seen.has(key);
        if (fresh) this.seen.add(key);
        const violations = fresh ? checkInvariants(c.kernel) : [];
        if (fresh || detected.length > 0) out.push({ from, op, key, fresh, detected, violations });
      }
    });
    return out;
  }
}

/** Fisher–Yates with the seeded generator. O(n). */
function shuffle<T>(xs: T[], rng: Prng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = t;
  }
}
