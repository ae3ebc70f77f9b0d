// The side-by-side workloads: names shared by the model side (src/bench/model.ts) and the
// kernel side (src/kernel/helper/vmasim-bench.c), and what one operation of each is.

export interface WorkloadInfo {
  /** Stable identifier: the JSON name and the kernel program's output key. */
  readonly name: string;
  /** What the table shows. */
  readonly label: string;
  /** What one operation is. */
  readonly unit: string;
}

export const WORKLOADS: readonly WorkloadInfo[] = [
  { name: "mmap_munmap_16p", label: "mmap+munmap, 16 pages", unit: "pair" },
  { name: "mprotect_16p_unfaulted", label: "mprotect split+merge, 16p unfaulted", unit: "pair" },
  { name: "mprotect_16p_faulted", label: "mprotect split+merge, 16p faulted", unit: "pair" },
  { name: "mremap_16p_faulted", label: "mremap move, 16p faulted", unit: "move" },
  { name: "mremap_16p_unfaulted", label: "mremap move, 16p unfaulted", unit: "move" },
  { name: "fault_write", label: "first-touch write fault", unit: "page" },
  { name: "fault_read", label: "first-touch read fault (zero page)", unit: "page" },
  { name: "fork_100", label: "fork+exit, 100 faulted VMAs", unit: "fork" },
  { name: "fork_1000", label: "fork+exit, 1,000 faulted VMAs", unit: "fork" },
  { name: "fork_10000", label: "fork+exit, 10,000 faulted VMAs", unit: "fork" },
  // the 16-page rows again on 1 GiB (262,144 pages): no page changes, so the rates should
  // stay about those of the 16-page rows (no cost grows with a VMA's length)
  { name: "mprotect_1g_unfaulted", label: "mprotect split+merge, 1 GiB unfaulted", unit: "pair" },
  { name: "mremap_1g_unfaulted", label: "mremap move, 1 GiB unfaulted", unit: "move" },
  { name: "mmap_munmap_1g", label: "mmap+munmap, 1 GiB", unit: "pair" },
];
