// Timing loops shared by every benchmark section: a round of n iterations is timed in CPU
// time, grown until it lasts a few milliseconds, warmed up, then repeated; the median rate is kept.

import { performance } from "node:perf_hooks";

/** Warm-up and each of the 3 repetitions, in seconds. */
export interface Timing {
  warmS: number;
  repS: number;
}

export const FULL_TIMING: Timing = { warmS: 0.2, repS: 0.5 };
export const QUICK_TIMING: Timing = { warmS: 0.05, repS: 0.12 };

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

/** Calls `body` n times; returns the CPU milliseconds taken. */
export function timed(n: number, body: () => void): number {
  const t = cpuMs();
  for (let i = 0; i < n; i++) body();
  return cpuMs() - t;
}

/**
 * Warm-up, calibration, then 3 repetitions of at least timing.repS CPU seconds each
 * (bounded in wall time); returns the median rate in operations per CPU second.
 */
export function measure(round: Round, opsPerIter: number, timing: Timing): number {
  // warm-up first (compiled code before calibration), one iteration per round
  const warmEnd = performance.now() + timing.warmS * 1000;
  do {
    round(1);
  } while (performance.now() < warmEnd);
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
