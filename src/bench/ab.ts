// Replays of a capture by this build and by another build of vmasim (a baseline, built from
// another commit), in one process and in alternating slices of time, so that both see the
// same machine load. Separate processes minutes apart differ by up to 10 % on this kind of
// machine; two builds of the same code in one process agree within 1 to 2 %. The build that
// starts the alternation can still run a few per cent faster or slower whatever it is, so a
// comparison runs once with each build first, and their ratios are averaged.

/** One side of a comparison: replays its capture once and returns the events replayed. */
export interface Side {
  once(): number;
}

/** Clocks, in milliseconds: CPU time of this process, and wall time. */
export interface Clocks {
  cpuMs(): number;
  wallMs(): number;
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
