// Numbers kept in object fields as V8 small integers (Smis): a field that ever holds a
// number outside int32, or a double computed by arithmetic on addresses, is a separate
// 16-byte HeapNumber per object, read through a pointer. Page indexes of addresses pass
// 2^31, so they are kept in two int32 fields. This module is browser compatible.

/** The unit of the high part: indexes below 2^53 split exactly. */
const SPLIT = 2 ** 30;

/** The high part of a non-negative integer below 2^53 (floor(n / 2^30)), as a Smi. */
export function highPart(n: number): number {
  return Math.floor(n / SPLIT) | 0;
}

/** The low part (n mod 2^30), as a Smi. */
export function lowPart(n: number): number {
  return (n - highPart(n) * SPLIT) | 0;
}

/** The integer whose parts are `hi` and `lo`. */
export function joinParts(hi: number, lo: number): number {
  return hi * SPLIT + lo;
}

/**
 * `n`, as a Smi when it is an int32 (`| 0` turns the double that arithmetic produced into
 * one), else unchanged: a count that rarely passes 2^31 stays unboxed until one does.
 */
export function smallInt(n: number): number {
  return n <= 0x7fffffff && n >= -0x80000000 ? n | 0 : n;
}
