// The benchmark's workloads: names shared by the model side (bench/model.ts) and the kernel
// side (bench/kernel.c), what one operation is, and the target for each.

/** How a workload's rate is judged against the kernel's. */
export type Target =
  /** An operation class: the model must reach at least twice the kernel's rate. */
  | "2x"
  /** fork of the 10,000-VMA process: the model must be faster than the kernel. */
  | "faster"
  /** Reported for context only (smaller forks, the 1 GiB halves of the length checks). */
  | "info";

export interface WorkloadInfo {
  /** Stable identifier: the JSON name and the kernel program's output key. */
  readonly name: string;
  /** What the table shows. */
  readonly label: string;
  /** What one operation is. */
  readonly unit: string;
  readonly target: Target;
}

export const WORKLOADS: readonly WorkloadInfo[] = [
  { name: "mmap_munmap_16p", label: "mmap+munmap, 16 pages", unit: "pair", target: "2x" },
  {
    name: "mprotect_16p_unfaulted",
    label: "mprotect split+merge, 16p unfaulted",
    unit: "pair",
    target: "2x",
  },
  {
    name: "mprotect_16p_faulted",
    label: "mprotect split+merge, 16p faulted",
    unit: "pair",
    target: "2x",
  },
  { name: "mremap_16p_faulted", label: "mremap move, 16p faulted", unit: "move", target: "2x" },
  { name: "mremap_16p_unfaulted", label: "mremap move, 16p unfaulted", unit: "move", target: "2x" },
  { name: "fault_write", label: "first-touch write fault", unit: "page", target: "2x" },
  { name: "fault_read", label: "first-touch read fault (zero page)", unit: "page", target: "2x" },
  { name: "fork_100", label: "fork+exit, 100 faulted VMAs", unit: "fork", target: "info" },
  { name: "fork_1000", label: "fork+exit, 1,000 faulted VMAs", unit: "fork", target: "info" },
  { name: "fork_10000", label: "fork+exit, 10,000 faulted VMAs", unit: "fork", target: "faster" },
  {
    name: "mprotect_1g_unfaulted",
    label: "mprotect split+merge, 1 GiB unfaulted",
    unit: "pair",
    target: "info",
  },
  {
    name: "mremap_1g_unfaulted",
    label: "mremap move, 1 GiB unfaulted",
    unit: "move",
    target: "info",
  },
  { name: "mmap_munmap_1g", label: "mmap+munmap, 1 GiB", unit: "pair", target: "info" },
];

/**
 * Length-independence pairs: the same operation on an unfaulted VMA of 16 pages and of
 * 262,144 pages (1 GiB). No page changes, so the rates should be about equal.
 */
export const LENGTH_PAIRS: ReadonlyArray<{ label: string; small: string; large: string }> = [
  {
    label: "mprotect split+merge",
    small: "mprotect_16p_unfaulted",
    large: "mprotect_1g_unfaulted",
  },
  { label: "mremap move", small: "mremap_16p_unfaulted", large: "mremap_1g_unfaulted" },
  { label: "mmap+munmap", small: "mmap_munmap_16p", large: "mmap_munmap_1g" },
];

/**
 * A 1 GiB rate below this fraction of the 16-page rate counts as length-dependent. Run-to-run
 * noise on a shared machine reaches about 2×; a cost linear in pages would be 16,384× here.
 */
export const LENGTH_TOLERANCE = 0.5;

/** Timing of one run: warm-up and each of the 3 repetitions, in seconds. */
export interface Timing {
  warmS: number;
  repS: number;
}

export const FULL_TIMING: Timing = { warmS: 0.2, repS: 0.5 };
export const QUICK_TIMING: Timing = { warmS: 0.05, repS: 0.12 };

/** Whether `name` passes the --filter substrings (all names pass with no filter). */
export function wanted(name: string, filters: readonly string[]): boolean {
  return filters.length === 0 || filters.some((f) => name.includes(f));
}
