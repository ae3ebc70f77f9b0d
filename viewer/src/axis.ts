// The map's horizontal axis: the address ranges VMAs ever cover, laid end to end, with each
// gap between them compressed to a fixed width. Positions are in "units" (bytes of mapped
// space plus gaps); the view is a [from, to) window of units that zoom and pan move.

export class Axis {
  /** Start of each extent in units. */
  private readonly at: number[] = [];
  readonly total: number;
  readonly gap: number;

  constructor(readonly extent: ReadonlyArray<readonly [number, number]>) {
    const mapped = extent.reduce((s, [a, b]) => s + (b - a), 0);
    // each gap 4% of the mapped space, all of them together at most a fifth
    this.gap = Math.max(mapped * Math.min(0.04, 0.2 / Math.max(1, extent.length - 1)), 1);
    let u = 0;
    for (const [a, b] of extent) {
      this.at.push(u);
      u += b - a + this.gap;
    }
    this.total = Math.max(u - this.gap, 1);
  }

  /** The unit of address `addr` (inside a gap: the gap's start). */
  unit(addr: number): number {
    let lo = 0;
    let hi = this.extent.length - 1;
    if (hi < 0) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.extent[mid] as readonly [number, number])[0] <= addr) lo = mid;
      else hi = mid - 1;
    }
    const [a, b] = this.extent[lo] as readonly [number, number];
    const base = this.at[lo] as number;
    if (addr < a) return base;
    return base + Math.min(addr, b) - a + (addr > b ? this.gap / 2 : 0);
  }

  /** Each extent's start and end unit, with its addresses (for ticks and gap marks). */
  segments(): Array<{ u0: number; u1: number; a: number; b: number }> {
    return this.extent.map(([a, b], i) => {
      const u0 = this.at[i] as number;
      return { u0, u1: u0 + b - a, a, b };
    });
  }
}
