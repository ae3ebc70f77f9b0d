// Counts by name: merges by the kernel function that made them, refusals by reason.
// This module is browser compatible.

/**
 * Counts by key. A run adds to the same few keys again and again, so the cell of the key
 * added last is tried before the map. A plain object's property incremented by a key that
 * varies takes V8's generic keyed access, a few hundred instructions each time: a compactor
 * replay, which adds to a tally at every mremap, executes 1.6 % fewer instructions with
 * this (docs/performance-history.md).
 */
export class Tally {
  private readonly cells = new Map<string, { n: number }>();
  private lastKey: string | null = null;
  private last = { n: 0 };

  add(key: string): void {
    if (key !== this.lastKey) {
      let cell = this.cells.get(key);
      if (cell === undefined) this.cells.set(key, (cell = { n: 0 }));
      this.lastKey = key;
      this.last = cell;
    }
    this.last.n++;
  }

  /** The counts, keys in the order they were first added (also what JSON.stringify writes). */
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, cell] of this.cells) out[key] = cell.n;
    return out;
  }
}
