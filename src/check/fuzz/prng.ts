// A small seeded pseudo-random generator (mulberry32) with the draws the fuzzer needs.
// Deterministic across platforms: 32-bit integer arithmetic only. This module is browser compatible.

/** Normalises any number to an unsigned 32-bit seed (non-integers and negatives included). */
export function toSeed(n: number): number {
  if (!Number.isFinite(n)) return 0;
  const i = Math.trunc(n);
  // Seeds in [0, 2^32) are themselves; the high bits of others are folded in, so 2^32 + 1 ≠ 1.
  const hi = Math.floor(i / 0x100000000);
  const lo = i - hi * 0x100000000;
  return hi === 0 ? lo : (lo ^ mix32(hi >>> 0)) >>> 0;
}

/** A 32-bit avalanche mix (the splitmix32/murmur3 finaliser). O(1). */
export function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of run `index` of a fuzz campaign started with `seed`: independent streams per run. O(1). */
export function deriveSeed(seed: number, index: number): number {
  return mix32(toSeed(seed) ^ mix32(Math.imul(toSeed(index) + 1, 0x9e3779b9)));
}

/** mulberry32: a fast 32-bit generator with a 2^32 period, plenty for scenario generation. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = toSeed(seed);
  }

  /** The next unsigned 32-bit value. O(1). */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). O(1). */
  next(): number {
    return this.nextU32() / 0x100000000;
  }

  /** An integer in [lo, hi] (inclusive); lo when hi < lo. O(1). */
  int(lo: number, hi: number): number {
    if (hi <= lo) return lo;
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. O(1). */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element; throws on an empty list. O(1). */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("prng: pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** An element chosen with probability proportional to its weight (weights ≥ 0, not all 0). O(n). */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of items) total += Math.max(0, w);
    if (total <= 0) throw new Error("prng: weighted pick with no positive weight");
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= Math.max(0, w);
      if (r < 0 && w > 0) return item;
    }
    // Rounding: the last positive-weight item.
    for (let i = items.length - 1; i >= 0; i--) {
      const entry = items[i] as readonly [T, number];
      if (entry[1] > 0) return entry[0];
    }
    throw new Error("prng: unreachable");
  }
}
