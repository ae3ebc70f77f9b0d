// Heap measurements and clean starts: full garbage collections, and the bytes the V8 heap
// (and the typed arrays' backing stores, which live outside it) holds after them. Uses
// the `gc` that `node --expose-gc` provides, else turns the flag on at run time and takes
// `gc` from a new context (where V8 installs it once the flag is set).

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** V8's `gc`: a full collection, or with `{ type: "minor" }` a scavenge of the young generation. */
type Gc = (options?: { type: "major" | "minor" }) => void;

let collect: Gc | null = null;

function gcFunction(): Gc {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: Gc }).gc;
  if (typeof exposed === "function") {
    collect = exposed;
  } else {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as Gc;
  }
  return collect;
}

/**
 * Two full collections (the second frees what finalizers let go). Also run before each
 * timed workload: what an earlier workload left in the heap (and the allocation decisions
 * V8 took from it) otherwise slows a later one, up to 4× for mprotect after the faults.
 */
export function collectGarbage(): void {
  const gc = gcFunction();
  gc();
  gc();
}

/**
 * Two scavenges: every object in the young generation survives two and moves to the old
 * one. Before an operation timed on its own, so that a scavenge inside the timing does not
 * copy what the set-up just built (a machine with thousands of fresh folios). Unlike a full
 * collection, it leaves no sweeping to run beside the timing on another thread, whose CPU
 * time the process's clock would count.
 */
export function promoteYoung(): void {
  const gc = gcFunction();
  gc({ type: "minor" });
  gc({ type: "minor" });
}

/**
 * Heap bytes in use after full collections, ArrayBuffer backing stores included (a typed
 * array over 64 bytes keeps its contents outside the V8 heap: the page tables' bits).
 */
export function heapUsed(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
