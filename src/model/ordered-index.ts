// The ordered map behind the VMA index (the maple tree's role) and the page tables: numeric
// keys in sorted runs ("leaves") of at most LEAF_MAX entries, with a sorted array of each
// leaf's separator above them. Every leaf owns a block of LEAF_MAX slots in two shared
// arrays, one of keys and one of values, so that a lookup reads the separators, then one
// block of keys and one value: no per-leaf array objects to chase through. Keys may exceed
// 2^32 (addresses), so they are plain numbers. This module is browser compatible.

/**
 * Leaf size bound: a full leaf splits in two; an emptied-out leaf merges into a neighbour.
 * Every insert or delete in a leaf shifts half of it on average (each shifted value a
 * pointer store), so leaves stay short: with 32 rather than 128, mprotect split+merge in an
 * mm of 1,000 VMAs took 2.2 µs instead of 3.0 µs, at 100,000 VMAs 6.4 µs instead of 8.0 µs.
 * Not 16: that executes 13 % fewer instructions for mprotect split+merge in an mm of 3,000
 * VMAs, but doubles the leaves, and with them the cost of a split (see `addLeaf`): at
 * 1,000,000 VMAs mmap+munmap took 1.7× to 3.9× as long (docs/performance-history.md).
 */
const LEAF_MAX = 32;
const LEAF_MIN = LEAF_MAX / 4;

export class OrderedIndex<V> {
  /**
   * The leaves in key order, each non-empty. firsts[i] separates leaf i from leaf i − 1: it
   * is above every key of leaf i − 1 and at most leaf i's first key (the key that started the
   * leaf; deleting a leaf's first key leaves it a valid separator, and firsts[0] is unused).
   */
  private firsts: number[] = [];
  /** Leaf i's block: its keys are keys[blocks[i] + j] for j < counts[i]. */
  private blocks: number[] = [];
  private counts: number[] = [];
  /** The blocks, LEAF_MAX slots each; a free block's slots hold 0 and undefined. */
  private keys: number[] = [];
  private vals: Array<V | undefined> = [];
  /** Blocks no leaf owns. */
  private free: number[] = [];
  size = 0;
  /**
   * The leaf found last: one system call looks up the same few addresses (the VMA, its
   * neighbours) again and again, and checking this leaf first spares the search over
   * `firsts`, whose lower levels miss the cache in large indexes. Not state.
   */
  private finger = 0;

  /** The leaf that holds `key` if anything does: the last leaf whose separator is ≤ key (0). */
  private leafOf(key: number): number {
    const f = this.firsts;
    const g = this.finger;
    // reads stay in bounds: an array read past its end takes V8's slow path (a prototype
    // chain lookup), and comparing its undefined takes the generic comparison
    if (
      g < f.length &&
      (g === 0 || (f[g] as number) <= key) &&
      (g + 1 === f.length || key < (f[g + 1] as number))
    )
      return g;
    let lo = 0;
    let hi = f.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((f[mid] as number) <= key) lo = mid;
      else hi = mid - 1;
    }
    this.finger = lo;
    return lo;
  }

  /** The slot of the first key ≥ `key` in leaf `l` (its block's end when none). */
  private lowerBound(l: number, key: number): number {
    const ks = this.keys;
    let lo = this.blocks[l] as number;
    let hi = lo + (this.counts[l] as number);
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ks[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** One past leaf `l`'s last slot. */
  private endOf(l: number): number {
    return (this.blocks[l] as number) + (this.counts[l] as number);
  }

  get(key: number): V | undefined {
    if (this.size === 0) return undefined;
    const l = this.leafOf(key);
    const i = this.lowerBound(l, key);
    return i < this.endOf(l) && this.keys[i] === key ? this.vals[i] : undefined;
  }

  /** Adds `key`; false (and no change) when it is already there, unless `replace`. */
  set(key: number, value: V, replace = true): boolean {
    if (this.size === 0) {
      this.addLeaf(0, [key], [value]);
      this.size = 1;
      return true;
    }
    const l = this.leafOf(key);
    const i = this.lowerBound(l, key);
    const end = this.endOf(l);
    if (i < end && this.keys[i] === key) {
      if (replace) this.vals[i] = value;
      return replace;
    }
    this.size++;
    const n = this.counts[l] as number;
    if (n === LEAF_MAX) {
      if (i === end && l === this.counts.length - 1) {
        // appending past the last key (fork builds its index in order): a new leaf, left full
        this.addLeaf(l + 1, [key], [value]);
        return true;
      }
      this.splitLeaf(l);
      return this.insertInto(key, value);
    }
    this.insertAt(l, i, key, value);
    return true;
  }

  /** Inserts a key known to be absent, into a leaf with room (after a split). */
  private insertInto(key: number, value: V): boolean {
    const l = this.leafOf(key);
    this.insertAt(l, this.lowerBound(l, key), key, value);
    return true;
  }

  /** Shifts leaf `l`'s slots from `i` up by one and puts the entry at `i`. */
  private insertAt(l: number, i: number, key: number, value: V): void {
    const ks = this.keys;
    const vs = this.vals;
    for (let j = this.endOf(l); j > i; j--) {
      ks[j] = ks[j - 1] as number;
      vs[j] = vs[j - 1];
    }
    ks[i] = key;
    vs[i] = value;
    this.counts[l] = (this.counts[l] as number) + 1;
  }

  /** Removes `key` (only if its value is `expected`, when given); false when it did not. */
  delete(key: number, expected?: V): boolean {
    if (this.size === 0) return false;
    const l = this.leafOf(key);
    const i = this.lowerBound(l, key);
    const end = this.endOf(l);
    if (i >= end || this.keys[i] !== key) return false;
    if (expected !== undefined && this.vals[i] !== expected) return false;
    this.size--;
    const ks = this.keys;
    const vs = this.vals;
    for (let j = i + 1; j < end; j++) {
      ks[j - 1] = ks[j] as number;
      vs[j - 1] = vs[j];
    }
    ks[end - 1] = 0;
    vs[end - 1] = undefined;
    const n = (this.counts[l] as number) - 1;
    this.counts[l] = n;
    if (n === 0) this.removeLeaf(l);
    else this.settle(l);
    return true;
  }

  /**
   * Removes every key in [lo, hi); returns how many. One pass over the leaves the range
   * spans: a delete per key would shift the rest of its leaf once for each.
   */
  deleteRange(lo: number, hi: number): number {
    if (this.size === 0 || lo >= hi) return 0;
    let l = this.leafOf(lo);
    let i = this.lowerBound(l, lo);
    let removed = 0;
    // the first leaf keeps its keys below lo; later ones keep only keys at or above hi
    const first = i > (this.blocks[l] as number) ? l : null;
    for (;;) {
      const end = this.endOf(l);
      const ks = this.keys;
      const vs = this.vals;
      let j = i; // the first slot at or above hi: a scan, as every slot it passes is removed
      while (j < end && (ks[j] as number) < hi) j++;
      const n = j - i;
      if (n > 0) {
        for (let s = j; s < end; s++) {
          ks[s - n] = ks[s] as number;
          vs[s - n] = vs[s];
        }
        for (let s = end - n; s < end; s++) {
          ks[s] = 0;
          vs[s] = undefined;
        }
        this.counts[l] = (this.counts[l] as number) - n;
        removed += n;
      }
      if (j < end || l + 1 === this.counts.length) break; // the range ends in this leaf
      // on into the next leaf; an emptied one goes, and the next moves down to its place
      if (this.counts[l] === 0) this.removeLeaf(l);
      else l++;
      i = this.blocks[l] as number;
    }
    this.size -= removed;
    // at most two leaves are left short: the last one reached, and the first one
    if (this.counts[l] === 0) this.removeLeaf(l);
    else if (l !== first) this.settle(l);
    if (first !== null) this.settle(first);
    return removed;
  }

  /** Folds leaf `l` into a neighbour when it is short and they fit in one leaf. */
  private settle(l: number): void {
    if ((this.counts[l] as number) < LEAF_MIN && this.counts.length > 1) this.mergeSmall(l);
  }

  /** The value of the greatest key < `key`. */
  below(key: number): V | undefined {
    if (this.size === 0) return undefined;
    const l = this.leafOf(key);
    const i = this.lowerBound(l, key);
    if (i > (this.blocks[l] as number)) return this.vals[i - 1];
    return l === 0 ? undefined : this.vals[this.endOf(l - 1) - 1];
  }

  /** The value of the least key ≥ `key`. */
  atOrAbove(key: number): V | undefined {
    const i = this.slotAtOrAbove(key);
    return i < 0 ? undefined : this.vals[i];
  }

  /** The least key ≥ `key`. */
  keyAtOrAbove(key: number): number | undefined {
    const i = this.slotAtOrAbove(key);
    return i < 0 ? undefined : this.keys[i];
  }

  /** The slot of the least key ≥ `key`, or -1. */
  private slotAtOrAbove(key: number): number {
    if (this.size === 0) return -1;
    const l = this.leafOf(key);
    const i = this.lowerBound(l, key);
    if (i < this.endOf(l)) return i;
    return l + 1 < this.counts.length ? (this.blocks[l + 1] as number) : -1;
  }

  /** The value of the greatest key. */
  last(): V | undefined {
    const l = this.counts.length - 1;
    return l < 0 ? undefined : this.vals[this.endOf(l) - 1];
  }

  /** Every value, in key order. */
  values(): V[] {
    const out: V[] = [];
    this.forEach((_k, v) => out.push(v));
    return out;
  }

  /** Calls `fn(key, value)` for every key in [lo, hi], in key order; `fn` must not edit. */
  forRange(lo: number, hi: number, fn: (key: number, value: V) => void): void {
    if (this.size === 0 || lo > hi) return;
    let l = this.leafOf(lo);
    let i = this.lowerBound(l, lo);
    for (; l < this.counts.length; l++, i = this.blocks[l] as number) {
      const end = this.endOf(l);
      for (; i < end; i++) {
        const k = this.keys[i] as number;
        if (k > hi) return;
        fn(k, this.vals[i] as V);
      }
    }
  }

  /** Calls `fn(key, value)` for every entry, in key order. */
  forEach(fn: (key: number, value: V) => void): void {
    this.forRange(-Infinity, Infinity, fn);
  }

  clear(): void {
    this.firsts = [];
    this.blocks = [];
    this.counts = [];
    this.keys = [];
    this.vals = [];
    this.free = [];
    this.size = 0;
  }

  /** A block no leaf owns, its slots cleared. */
  private takeBlock(): number {
    const b = this.free.pop();
    if (b !== undefined) return b;
    const at = this.keys.length;
    for (let j = 0; j < LEAF_MAX; j++) {
      this.keys.push(0);
      this.vals.push(undefined);
    }
    return at;
  }

  /**
   * A new leaf at position `at`, holding `ks` and `vs` (sorted, at most LEAF_MAX). Every leaf
   * after it moves up one place in `firsts`, `blocks` and `counts`, so a split costs time in
   * proportion to the leaves: about 20 µs at 1,000,000 VMAs. An index built in order (fork,
   * or an mm mapped from the bottom up) has only full leaves, so its first insert into each
   * pays this once (docs/performance-history.md).
   */
  private addLeaf(at: number, ks: readonly number[], vs: readonly V[]): void {
    const b = this.takeBlock();
    for (let j = 0; j < ks.length; j++) {
      this.keys[b + j] = ks[j] as number;
      this.vals[b + j] = vs[j];
    }
    insertItem(this.firsts, at, ks[0] as number);
    insertItem(this.blocks, at, b);
    insertItem(this.counts, at, ks.length);
  }

  private removeLeaf(l: number): void {
    const b = this.blocks[l] as number;
    for (let j = 0; j < LEAF_MAX; j++) {
      this.keys[b + j] = 0;
      this.vals[b + j] = undefined;
    }
    this.free.push(b);
    removeItem(this.firsts, l);
    removeItem(this.blocks, l);
    removeItem(this.counts, l);
  }

  /** Moves the upper half of full leaf `l` into a new leaf after it. */
  private splitLeaf(l: number): void {
    const b = this.blocks[l] as number;
    const half = LEAF_MAX >> 1;
    const ks = this.keys.slice(b + half, b + LEAF_MAX);
    const vs = this.vals.slice(b + half, b + LEAF_MAX) as V[];
    for (let j = half; j < LEAF_MAX; j++) {
      this.keys[b + j] = 0;
      this.vals[b + j] = undefined;
    }
    this.counts[l] = half;
    this.addLeaf(l + 1, ks, vs);
  }

  /** Folds leaf `l`, now short, into a neighbour when both fit in one leaf. */
  private mergeSmall(l: number): void {
    const n = this.counts[l] as number;
    const next = this.counts[l + 1];
    if (next !== undefined && next + n <= LEAF_MAX) return this.fold(l, l + 1);
    const prev = this.counts[l - 1];
    if (prev !== undefined && prev + n <= LEAF_MAX) this.fold(l - 1, l);
  }

  /** Appends leaf `b` to leaf `a` (a + 1 === b) and drops `b`. */
  private fold(a: number, b: number): void {
    let to = this.endOf(a);
    for (let i = this.blocks[b] as number; i < this.endOf(b); i++, to++) {
      this.keys[to] = this.keys[i] as number;
      this.vals[to] = this.vals[i];
    }
    this.counts[a] = (this.counts[a] as number) + (this.counts[b] as number);
    this.removeLeaf(b);
  }
}

/**
 * Inserts `v` at `at`: a push at the end, where splice would allocate the (empty) array of
 * removed items (an index that empties and fills again adds and drops its only leaf).
 */
function insertItem(a: number[], at: number, v: number): void {
  if (at === a.length) a.push(v);
  else a.splice(at, 0, v);
}

/** Removes the item at `at`: a pop at the end, where splice would allocate its result. */
function removeItem(a: number[], at: number): void {
  if (at === a.length - 1) a.pop();
  else a.splice(at, 1);
}
