// How fast the machine is at the time of a run, apart from the model: the latency of a
// dependent integer step, and of a dependent load at random in a buffer that fits in a
// large last-level cache and in one that does not. The machines the benchmarks run on are
// shared virtual machines whose speed changes from day to day (the host, and what else it
// runs); the model's rates change with it, mostly with the memory figures, since the
// model's work is chasing pointers. Printed at the head of a report, they tell a slower
// machine from a slower build.

import { loadLatencyNs } from "./load-latency.js";
import { cpuMs } from "./measure.js";

export interface MachineSpeed {
  /** CPU nanoseconds per step of xorshift32, each step depending on the one before. */
  stepNs: number;
  /** Nanoseconds per dependent load at random in CACHE_BYTES. */
  cacheLoadNs: number;
  /** Nanoseconds per dependent load at random in MEMORY_BYTES. */
  memoryLoadNs: number;
}

/** A buffer that a server's last-level cache holds, when the machine gets its share of it. */
export const CACHE_BYTES = 4 * 2 ** 20;
/** A buffer far past every cache and past the TLB's reach. */
export const MEMORY_BYTES = 256 * 2 ** 20;

/** Steps per round, and rounds (the fastest is kept: a spike of other load slows one). */
const STEPS = 20_000_000;
const ROUNDS = 3;

/** `steps` steps of xorshift32 from `x` (not 0), each depending on the one before. */
export function xorshiftChain(x: number, steps: number): number {
  for (let i = 0; i < steps; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}

/** Where each round starts: the last round's result, so that no round can be dropped. */
let seed = 1;

/** CPU nanoseconds per step of `xorshiftChain` (the fastest of three rounds). */
export function cpuStepNs(): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = cpuMs();
    seed = xorshiftChain(seed, STEPS) || 1;
    best = Math.min(best, ((cpuMs() - t) * 1e6) / STEPS);
  }
  return best;
}

/** The three figures, measured now (a few seconds). */
export function machineSpeed(): MachineSpeed {
  return {
    stepNs: cpuStepNs(),
    cacheLoadNs: loadLatencyNs(CACHE_BYTES),
    memoryLoadNs: loadLatencyNs(MEMORY_BYTES),
  };
}
