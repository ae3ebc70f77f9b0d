// Timing loops shared by every benchmark section: a round of n iterations is timed in CPU
// time, grown until it lasts a few milliseconds, warmed up, then repeated; the median rate is kept.

import { performance } from "node:perf_hooks";

/** Warm-up and each of the 3 repetitions, in seconds (see `warmUp` for the warm-up's). */
export interface Timing {
  /** A warm-up window. */
  warmS: number;
  /** The longest warm-up. */
  warmMaxS: number;
  repS: number;
}

export const FULL_TIMING: Timing = { warmS: 0.25, warmMaxS: 5, repS: 0.5 };
export const QUICK_TIMING: Timing = { warmS: 0.05, warmMaxS: 1, repS: 0.12 };

/** One round: `n` iterations; returns the CPU milliseconds of the timed part. */
export type Round = (n: number) => number;

/**
 * CPU milliseconds (user + system, every thread: the garbage collector's too) this process
 * has used. Timed parts are measured with it, so that other load on the machine slows the
 * figures less than wall time would; wall time only bounds how long a measurement runs.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Clocks, in milliseconds: CPU time of this process, and wall time. */
export interface Clocks {
  cpuMs(): number;
  wallMs(): number;
}

export const CLOCKS: Clocks = { cpuMs, wallMs: () => performance.now() };

/** A window is faster only if its rate beats the fastest window before it by this factor. */
const WARM_GAIN = 1.1;

/**
 * Runs `once` (one unit of the work about to be timed; returns the operations it did) until
 * V8 has compiled what it runs: in windows of `timing.warmS` seconds, until two windows in
 * a row are no faster than the fastest before them, or for `timing.warmMaxS` at most. V8
 * compiles hot code on another thread (whose CPU time the process's clock counts), for a
 * second or more of a capture's replay, and each new workload brings code of its own: after
 * a fixed 0.05 s of warm-up, --quick reported the compactor's replay 20 times too slow.
 */
export function warmUp(once: () => number, timing: Timing, clocks: Clocks = CLOCKS): void {
  const start = clocks.wallMs();
  let best = 0;
  let flat = 0;
  while (flat < 2 && clocks.wallMs() - start < timing.warmMaxS * 1000) {
    const c0 = clocks.cpuMs();
    const w0 = clocks.wallMs();
    let ops = 0;
    do ops += once();
    while (clocks.wallMs() - w0 < timing.warmS * 1000);
    const rate = ops / Math.max(clocks.cpuMs() - c0, Number.MIN_VALUE);
    flat = rate > best * WARM_GAIN ? 0 : flat + 1;
    best = Math.max(best, rate);
  }
}

/** Calls `body` n times; returns the CPU milliseconds taken. */
export function timed(n: number, body: () => void): number {
  const t = cpuMs();
  for (let i = 0; i < n; i++) body();
  return cpuMs() - t;
}

/**
 * Warm-up (`warmUp`), calibration, then 3 repetitions of at least timing.repS CPU seconds each
 * (bounded in wall time); returns the median rate in operations per CPU second.
 */
export function measure(round: Round, opsPerIter: number, timing: Timing): number {
  // warm-up first (compiled code before calibration), one iteration per round
  warmUp(() => {
    round(1);
    return 1;
  }, timing);
  // then double the iterations per round until a round lasts 5 ms, so that the clock's own
  // cost (about 2 µs) does not show; the faster of two rounds, so that one spike (a
  // collection) does not stop the doubling early
  let n = 1;
  while (n < 1 << 24 && Math.min(round(n), round(n)) < 5) n *= 2;
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    let total = 0;
    let iters = 0;
    const wall0 = performance.now();
    while (total < timing.repS * 1000 && performance.now() - wall0 < (4 * timing.repS + 1) * 1000) {
      total += round(n);
      iters += n;
    }
    rates.push((iters * opsPerIter) / (total / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[1] as number;
}
