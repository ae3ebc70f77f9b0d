// A time series kept in bounded memory: the maximum per time bucket, buckets doubling in
// width whenever there are too many. This module is browser compatible.

const MAX_POINTS = 600;

export class MaxSeries {
  private width = 1;
  private readonly buckets: number[] = [];
  private origin: number | null = null;
  private last = 0;

  /** Records value `v` at time `t` (ms, non-decreasing in practice). */
  add(t: number, v: number): void {
    this.origin ??= t;
    let i = Math.max(0, Math.floor((t - this.origin) / this.width));
    while (i >= MAX_POINTS) {
      this.coarsen();
      i = Math.floor((t - this.origin) / this.width);
    }
    while (this.buckets.length <= i) this.buckets.push(this.last);
    this.buckets[i] = Math.max(this.buckets[i] as number, v);
    this.last = v;
  }

  /** Points [ms since the first value, value], one per bucket. */
  points(): Array<[number, number]> {
    return this.buckets.map((v, i) => [i * this.width, v]);
  }

  private coarsen(): void {
    const merged: number[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      merged.push(Math.max(this.buckets[i] as number, this.buckets[i + 1] ?? 0));
    }
    this.buckets.splice(0, this.buckets.length, ...merged);
    this.width *= 2;
  }
}
