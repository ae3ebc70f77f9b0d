// The machine's memory latency: nanoseconds per load when each load's address depends on
// the one before and all land at random in a buffer of a given size. The scale section
// divides by it what an operation costs beyond its cost with warm neighbours, to say how
// many cache misses in a row that extra cost amounts to.

import { cpuMs } from "./measure.js";

/** Largest buffer chased: beyond L3 and the TLB's reach latency stops growing much. */
const MAX_BYTES = 2 ** 30;
/** Loads per round, and rounds (the fastest is kept: a spike of other load slows one). */
const LOADS = 2_000_000;
const ROUNDS = 3;

/**
 * Nanoseconds per dependent random load over a buffer of `bytes` (at most 1 GiB). The
 * addresses follow a full-period linear congruential sequence over the buffer's words,
 * offset by the word just loaded (always 1, but the compiler cannot know it), so that no
 * load can start before the previous one ends and every word is visited once per period.
 */
export function loadLatencyNs(bytes: number): number {
  const words = 2 ** Math.floor(Math.log2(Math.min(Math.max(bytes, 2 ** 20), MAX_BYTES) / 4));
  const mask = words - 1;
  const buf = new Int32Array(words).fill(1); // written, so every page is backed by its own frame
  let best = Infinity;
  let p = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t = cpuMs();
    for (let i = 0; i < LOADS; i++)
      p = (Math.imul(p, 1_664_525) + 1_013_903_222 + (buf[p] as number)) & mask;
    best = Math.min(best, ((cpuMs() - t) * 1e6) / LOADS);
  }
  return best;
}
