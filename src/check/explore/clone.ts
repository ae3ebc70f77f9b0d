// A deep copy of a model Machine, so the explorer can branch from a state without replaying
// the operations that led to it. Generic over the object graph (every own field of every
// reachable object, prototypes kept), so page-state fields added to the model later are
// copied without this file changing. This module is browser compatible.

import type { Machine } from "../../model/machine.js";
import { GUARD_PTE } from "../../model/page-table.js";
import { ZERO_FOLIO } from "../../model/rmap.js";
import { DEFAULT_ATTRS } from "../../model/vma.js";

/**
 * Module-level singletons of the model: shared by every machine, never copied (the model may
 * compare them by identity). A new singleton in the model must be added here; the test
 * "a clone behaves as a replay" fails otherwise.
 */
const SINGLETONS: readonly object[] = [ZERO_FOLIO, GUARD_PTE, DEFAULT_ATTRS];

/**
 * A machine that behaves exactly as `m` from here on, sharing nothing mutable with it. The
 * options and the policy object (configuration, not state) are shared. O(objects reachable).
 */
export function cloneMachine(m: Machine): Machine {
  const copies = new Map<object, unknown>();
  for (const s of [...SINGLETONS, m.options, m.kernel.policy]) copies.set(s, s);
  return copy(m, copies) as Machine;
}

function copy(v: unknown, copies: Map<object, unknown>): unknown {
  if (typeof v !== "object" || v === null) return v; // primitives; functions are shared
  const done = copies.get(v);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(v)) {
    const a = (v as Uint8Array).slice(); // typed arrays (page-table bits) hold numbers only
    copies.set(v, a);
    return a;
  }
  if (Array.isArray(v)) {
    const a: unknown[] = v.slice(); // holes (sparse page tables) stay holes
    copies.set(v, a);
    v.forEach((x: unknown, i) => {
      if (typeof x === "object" && x !== null) a[i] = copy(x, copies);
    });
    return a;
  }
  if (v instanceof Set) {
    const s = new Set<unknown>();
    copies.set(v, s);
    for (const x of v) s.add(copy(x, copies));
    return s;
  }
  if (v instanceof Map) {
    const mp = new Map<unknown, unknown>();
    copies.set(v, mp);
    for (const [key, x] of v) mp.set(copy(key, copies), copy(x, copies));
    return mp;
  }
  const o = Object.create(Object.getPrototypeOf(v) as object | null) as Record<string, unknown>;
  copies.set(v, o);
  const src = v as Record<string, unknown>;
  for (const key in src) o[key] = copy(src[key], copies);
  return o;
}
