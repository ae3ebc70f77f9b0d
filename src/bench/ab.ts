// Replays of a capture, or rounds of a side-by-side model workload, by this build and by
// another build of vmasim (a baseline, built from another commit), in one process and in
// alternating slices of time, so that both see the same machine load. Separate processes
// minutes apart differ by up to 10 % on this kind of machine; two copies of one build in
// one process agree within 1 to 3 % on most captures and workloads (up to 15 % on make-lua
// and the fork workloads, whose long rounds allocate a lot). The build loaded first and
// starting each pair can still run a few per cent faster or slower whatever it is, so a
// comparison runs once with each build first, and the two ratios' geometric mean is kept.

import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CLOCKS, FULL_TIMING, warmUp, type Clocks } from "./measure.js";
import type { ModelWorkloadRound } from "./model.js";
import { captureReplayer, loadReplayModules } from "./replay-modules.js";

/**
 * One side of a comparison: replays its capture once (or runs one round of its workload)
 * and returns the events replayed (or the operations run).
 */
export interface Side {
  once(): number;
}

/**
 * Replays with each side in turn, `sliceMs` of wall time each (whole replays, at least one),
 * until `totalMs` of wall time have passed; the first side starts every pair. Returns each
 * side's events per CPU second.
 */
export function alternate(
  sides: readonly Side[],
  sliceMs: number,
  totalMs: number,
  clocks: Clocks,
): number[] {
  const cpu = sides.map(() => 0);
  const events = sides.map(() => 0);
  const start = clocks.wallMs();
  for (let turn = 0; turn < sides.length || clocks.wallMs() - start < totalMs; turn++) {
    const i = turn % sides.length;
    const side = sides[i] as Side;
    const c0 = clocks.cpuMs();
    const w0 = clocks.wallMs();
    do events[i] = (events[i] as number) + side.once();
    while (clocks.wallMs() - w0 < sliceMs);
    cpu[i] = (cpu[i] as number) + clocks.cpuMs() - c0;
  }
  return events.map((e, i) => e / ((cpu[i] as number) / 1000));
}

/** The geometric mean of the ratios of the two orders: each order's position bias cancels. */
export function meanRatio(ratios: readonly number[]): number {
  return Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
}

/** One order of a comparison, as the parent hands it to a child process (ab-child.ts). */
export interface OrderConfig {
  /** Which build is loaded first and starts every pair. */
  first: "this" | "baseline";
  /** The compiled sources (dist/src) of this build and of the baseline. */
  thisSrc: string;
  baselineSrc: string;
  /** Capture directories, side-by-side model workloads, and how long each alternates. */
  captures: string[];
  workloads: string[];
  seconds: number;
}

/** Each build's rate for one capture (events) or model workload (operations), in one order. */
export interface OrderResult {
  kind: "capture" | "workload";
  name: string;
  this_per_s: number;
  baseline_per_s: number;
}

/** Alternation turns: short enough for many turns, long enough for whole replays. */
export const SLICE_MS = 100;

/** A workload round grows until it lasts this long (CPU ms), so that turns hold many rounds. */
const ROUND_MS = 2;

/**
 * A build's model workload as a side: rounds of n iterations, n doubled after every round
 * shorter than ROUND_MS. Calibrating once, up front, froze n at 1 whenever the first round
 * was slow (code not yet compiled, a collection), and the clock reads of so short a round
 * then counted more than the workload: a same-build control gave 0.15× and 4×.
 */
export function workloadSide(w: ModelWorkloadRound): Side {
  let n = 1;
  return {
    once: () => {
      const ms = w.round(n);
      const ops = n * w.opsPerIter;
      if (ms < ROUND_MS && n < 1 << 24) n *= 2;
      return ops;
    },
  };
}

type WorkloadSetup = (name: string) => ModelWorkloadRound;

/** The workload setup of the build whose compiled sources are at `src`. */
async function loadWorkloadSetup(src: string): Promise<WorkloadSetup> {
  const path = join(src, "bench", "model.js");
  const mod = (await import(pathToFileURL(path).href)) as { modelWorkloadRound?: WorkloadSetup };
  if (typeof mod.modelWorkloadRound !== "function") {
    throw new Error(
      `${path} does not export modelWorkloadRound: that build predates comparisons of model ` +
        "workloads; compare captures only",
    );
  }
  return mod.modelWorkloadRound;
}

/**
 * One order: both builds' modules are loaded, the first build's first, then every capture
 * and every workload alternates between them for `seconds` after a warm-up of each, the first
 * build starting every pair. Loading both here, in order, keeps the two orders mirror
 * images (a process that had imported one build statically would always have it loaded
 * first).
 */
export async function runOrder(
  c: OrderConfig,
  progress: (msg: string) => void,
): Promise<OrderResult[]> {
  const [firstSrc, secondSrc] =
    c.first === "this" ? [c.thisSrc, c.baselineSrc] : [c.baselineSrc, c.thisSrc];
  const out: OrderResult[] = [];
  const compare = (kind: OrderResult["kind"], name: string, sides: readonly [Side, Side]) => {
    progress(`ab: ${name}, ${c.first} build first`);
    // each side until V8 has compiled it (the compile's CPU time would count for the side
    // whose turn it falls in), for at most half the comparison's time
    const warm = { ...FULL_TIMING, warmMaxS: Math.min(FULL_TIMING.warmMaxS, c.seconds / 2) };
    for (const side of sides) warmUp(side.once, warm);
    const [a, b] = alternate(sides, SLICE_MS, c.seconds * 1000, CLOCKS) as [number, number];
    out.push({
      kind,
      name,
      this_per_s: c.first === "this" ? a : b,
      baseline_per_s: c.first === "this" ? b : a,
    });
  };
  if (c.captures.length > 0) {
    const firstBuild = await loadReplayModules(firstSrc);
    const secondBuild = await loadReplayModules(secondSrc);
    for (const path of c.captures) {
      const first = await captureReplayer(firstBuild, path);
      compare("capture", first.name, [first, await captureReplayer(secondBuild, path)]);
    }
  }
  if (c.workloads.length > 0) {
    const firstSetup = await loadWorkloadSetup(firstSrc);
    const secondSetup = await loadWorkloadSetup(secondSrc);
    for (const name of c.workloads) {
      compare("workload", name, [workloadSide(firstSetup(name)), workloadSide(secondSetup(name))]);
    }
  }
  return out;
}
