// The ordered map behind the VMA index (the maple tree's role) and the page tables: numeric
// keys in sorted runs ("leaves") of at most LEAF_MAX entries, with a sorted array of each
// leaf's first key above them. A lookup is two binary searches over contiguous arrays of
// doubles; an insert or delete moves at most LEAF_MAX entries of one leaf. Keys may exceed
// 2^32 (addresses), so they are plain numbers. This module is browser compatible.

/**
 * Leaf size bound: a full leaf splits in two; an emptied-out leaf merges into a neighbour.
 * Every insert or delete in a leaf shifts half of it on average (each shifted value a
 * pointer store), so leaves stay short: with 32 rather than 128, mprotect split+merge in an
 * mm of 1,000 VMAs took 2.2 µs instead of 3.0 µs, at 100,000 VMAs 6.4 µs instead of 8.0 µs.
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
  private keys: number[][] = [];
  private vals: V[][] = [];
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
    if (g < f.length && (g === 0 || (f[g] as number) <= key) && !((f[g + 1] as number) <= key))
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

  get(key: number): V | undefined {
    if (this.size === 0) return undefined;
    const l = this.leafOf(key);
    const ks = this.keys[l] as number[];
    const i = lowerBound(ks, key);
    return ks[i] === key ? (this.vals[l] as V[])[i] : undefined;
  }

  /** Adds `key`; false (and no change) when it is already there, unless `replace`. */
  set(key: number, value: V, replace = true): boolean {
    if (this.size === 0) {
      this.firsts.push(key);
      this.keys.push([key]);
      this.vals.push([value]);
      this.size = 1;
      return true;
    }
    const l = this.leafOf(key);
    const ks = this.keys[l] as number[];
    const vs = this.vals[l] as V[];
    const i = lowerBound(ks, key);
    if (ks[i] === key) {
      if (replace) vs[i] = value;
      return replace;
    }
    this.size++;
    if (i === ks.length && ks.length === LEAF_MAX && l === this.keys.length - 1) {
      // appending past the last key (fork builds its index in order): a new leaf, left full
      this.addLeaf(l + 1, [key], [value]);
      return true;
    }
    insertAt(ks, i, key);
    insertAt(vs, i, value);
    if (ks.length > LEAF_MAX) {
      const half = ks.length >> 1;
      this.addLeaf(l + 1, ks.splice(half), vs.splice(half));
    }
    return true;
  }

  /** Removes `key` (only if its value is `expected`, when given); false when it did not. */
  delete(key: number, expected?: V): boolean {
    if (this.size === 0) return false;
    const l = this.leafOf(key);
    const ks = this.keys[l] as number[];
    const vs = this.vals[l] as V[];
    const i = lowerBound(ks, key);
    if (ks[i] !== key || (expected !== undefined && vs[i] !== expected)) return false;
    this.size--;
    removeAt(ks, i);
    removeAt(vs, i);
    if (ks.length === 0) this.removeLeaf(l);
    else if (ks.length < LEAF_MIN && this.keys.length > 1) this.mergeSmall(l);
    return true;
  }

  /** The value of the greatest key < `key`. */
  below(key: number): V | undefined {
    if (this.size === 0) return undefined;
    let l = this.leafOf(key);
    let i = lowerBound(this.keys[l] as number[], key) - 1;
    if (i < 0) {
      if (l === 0) return undefined;
      l--;
      i = (this.keys[l] as number[]).length - 1;
    }
    return (this.vals[l] as V[])[i];
  }

  /** The value of the least key ≥ `key`. */
  atOrAbove(key: number): V | undefined {
    if (this.size === 0) return undefined;
    const l = this.leafOf(key);
    const ks = this.keys[l] as number[];
    const i = lowerBound(ks, key);
    if (i < ks.length) return (this.vals[l] as V[])[i];
    return l + 1 < this.vals.length ? (this.vals[l + 1] as V[])[0] : undefined;
  }

  /** The value of the greatest key. */
  last(): V | undefined {
    const vs = this.vals[this.vals.length - 1];
    return vs === undefined ? undefined : vs[vs.length - 1];
  }

  /** Every value, in key order. */
  values(): V[] {
    const out: V[] = [];
    for (const vs of this.vals) for (const v of vs) out.push(v);
    return out;
  }

  /** Calls `fn(key, value)` for every key in [lo, hi], in key order; `fn` must not edit. */
  forRange(lo: number, hi: number, fn: (key: number, value: V) => void): void {
    if (this.size === 0 || lo > hi) return;
    let l = this.leafOf(lo);
    let i = lowerBound(this.keys[l] as number[], lo);
    for (; l < this.keys.length; l++, i = 0) {
      const ks = this.keys[l] as number[];
      const vs = this.vals[l] as V[];
      for (; i < ks.length; i++) {
        const k = ks[i] as number;
        if (k > hi) return;
        fn(k, vs[i] as V);
      }
    }
  }

  /** Calls `fn(key, value)` for every entry, in key order. */
  forEach(fn: (key: number, value: V) => void): void {
    this.forRange(-Infinity, Infinity, fn);
  }

  clear(): void {
    this.firsts = [];
    this.keys = [];
    this.vals = [];
    this.size = 0;
  }

  private addLeaf(at: number, ks: number[], vs: V[]): void {
    this.firsts.splice(at, 0, ks[0] as number);
    this.keys.splice(at, 0, ks);
    this.vals.splice(at, 0, vs);
  }

  private removeLeaf(l: number): void {
    this.firsts.splice(l, 1);
    this.keys.splice(l, 1);
    this.vals.splice(l, 1);
  }

  /** Folds leaf `l`, now short, into a neighbour when both fit in one leaf. */
  private mergeSmall(l: number): void {
    const n = (this.keys[l] as number[]).length;
    const next = this.keys[l + 1];
    if (next !== undefined && next.length + n <= LEAF_MAX) return this.fold(l, l + 1);
    const prev = this.keys[l - 1];
    if (prev !== undefined && prev.length + n <= LEAF_MAX) this.fold(l - 1, l);
  }

  /** Appends leaf `b` to leaf `a` (a + 1 === b) and drops `b`. */
  private fold(a: number, b: number): void {
    const ka = this.keys[a] as number[];
    const va = this.vals[a] as V[];
    for (const k of this.keys[b] as number[]) ka.push(k);
    for (const v of this.vals[b] as V[]) va.push(v);
    this.removeLeaf(b);
  }
}

/** The first index of sorted `ks` whose key is ≥ `key` (ks.length when none). */
function lowerBound(ks: number[], key: number): number {
  let lo = 0;
  let hi = ks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ks[mid] as number) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Array.splice without the array of removed elements it allocates: leaves are short, and
 * the index changes on every mmap, munmap, split and move.
 */
function insertAt<T>(a: T[], i: number, x: T): void {
  for (let j = a.length; j > i; j--) a[j] = a[j - 1] as T;
  a[i] = x;
}

function removeAt<T>(a: T[], i: number): void {
  const n = a.length - 1;
  for (let j = i; j < n; j++) a[j] = a[j + 1] as T;
  a.pop(); // not `a.length = n`, a call into the runtime
}
