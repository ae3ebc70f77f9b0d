// Options of a model run. This module is browser compatible.

/** The default test region: where relative addresses start, and the default window. */
export const DEFAULT_BASE = 0x200000000000;
export const DEFAULT_SIZE = 1024 * 1024 * 1024;

export interface ModelOptions {
  /** Policy name (see `vmasim policies`). */
  policy: string;
  /** Absolute address of relative address 0. */
  base: number;
  /** Size of the test region (the default window). */
  size: number;
  /**
   * A read fault on untouched private anonymous memory maps the shared zero page
   * (do_anonymous_page). Some kernels are booted without it (e.g. `pvm_no_zero_page=1`):
   * then a read fault allocates an anonymous folio like a write fault does.
   */
  zeroPage: boolean;
  /** CONFIG_ANON_VMA_NAME: PR_SET_VMA_ANON_NAME works; otherwise it fails with EINVAL. */
  anonName: boolean;
  /** Check every invariant after every step (off for speed). */
  checkInvariants: boolean;
  /** vm.max_map_count. */
  maxMapCount: number;
  /** vm.overcommit_memory: with 2, MAP_NORESERVE is ignored. */
  overcommit: 0 | 1 | 2;
  /** /sys/kernel/mm/transparent_hugepage/enabled: when a fault may map a PMD-sized THP. */
  thp: "always" | "madvise" | "never";
}

export const DEFAULT_OPTIONS: ModelOptions = {
  policy: "linux-6.18",
  base: DEFAULT_BASE,
  size: DEFAULT_SIZE,
  zeroPage: true,
  anonName: false,
  checkInvariants: true,
  maxMapCount: 65530,
  overcommit: 0,
  thp: "madvise",
};
