// Numbers kept in object fields as V8 small integers (Smis): a field that ever holds a
// number outside int32, or a double computed by arithmetic on addresses, is a separate
// 16-byte HeapNumber per object, read through a pointer. Page indexes of addresses pass
// 2^31, so they are kept in two int32 fields. This module is browser compatible.

/**
 * The unit of the high part. An integer n below 2^53 is kept as hi = floor(n / HIGH_UNIT)
 * and lo = n - hi * HIGH_UNIT, both int32, and read back as hi * HIGH_UNIT + lo. The owners
 * of such numbers (Vma's pgoff, Folio's index) write this arithmetic out rather than call a
 * helper: in the long merge and split paths V8 runs out of inlining budget, and a double
 * passed to or returned from a call it did not inline is a new HeapNumber (helpers here cost
 * mprotect split+merge of an unfaulted VMA 5 to 12 %, measured against this form).
 */
export const HIGH_UNIT = 2 ** 30;

/**
 * `n`, as a Smi when it is an int32 (`| 0` turns the double that arithmetic produced into
 * one), else unchanged: a count that rarely passes 2^31 stays unboxed until one does.
 */
export function smallInt(n: number): number {
  return n <= 0x7fffffff && n >= -0x80000000 ? n | 0 : n;
}
