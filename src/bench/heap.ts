// Heap measurements and clean starts: full garbage collections, and the bytes the V8 heap
// (and the typed arrays' backing stores, which live outside it) holds after them. Uses
// the `gc` that `node --expose-gc` provides, else turns the flag on at run time and takes
// `gc` from a new context (where V8 installs it once the flag is set).

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | null = null;

function gcFunction(): () => void {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") {
    collect = exposed;
  } else {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
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
 * Heap bytes in use after full collections, ArrayBuffer backing stores included (a typed
 * array over 64 bytes keeps its contents outside the V8 heap: the page tables' bits).
 */
export function heapUsed(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
