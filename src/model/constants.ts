// Page geometry of x86-64. This module is browser compatible.

export const PAGE_SIZE = 4096;
/** PTEs per page table (one PMD entry covers PTRS_PER_PTE pages). */
export const PTRS_PER_PTE = 512;
/** One past the highest user address with 4-level paging (TASK_SIZE). */
export const TASK_SIZE = 0x7ffffffff000;
/** Where top-down get_unmapped_area starts (mm->mmap_base, without randomisation). */
export const MMAP_BASE = 0x7f0000000000;
/** vm.mmap_min_addr. */
export const MMAP_MIN_ADDR = 0x1000;
/** stack_guard_gap: 256 pages. */
export const STACK_GUARD_GAP = 256 * 4096;
/** RLIMIT_STACK default (8 MiB). */
export const RLIMIT_STACK = 8 * 1024 * 1024;

/**
 * Whether `addr` is a multiple of `size`, a power of two (IS_ALIGNED). Exact below 2^53;
 * `addr % size` on addresses above 2^31 is a floating-point remainder, about 15× slower.
 */
export function isAligned(addr: number, size: number): boolean {
  return Math.floor(addr / size) * size === addr;
}
