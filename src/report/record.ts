// The records both engines emit, one per step: the JSON-lines contract of the scenario
// language (docs/scenario-language.md). Every reporter is a function of these records.
// This module is browser compatible.

/** First line of every run. */
export interface HeaderRecord {
  vmasim: 1;
  engine: "model" | "kernel";
  /** Model engine: the policy name. */
  policy?: string;
  /** Kernel engine: `uname -r`. */
  kernel?: string;
  file: string;
  base: string;
  size: number;
  page: number;
  /** Whether a read fault on untouched private anonymous memory maps the shared zero page. */
  zero_page: boolean;
  /** Whether PR_SET_VMA_ANON_NAME is available (CONFIG_ANON_VMA_NAME). */
  anon_name: boolean;
}

/** One VMA as userspace sees it (maps + smaps), plus what only the model knows. */
export interface VmaRecord {
  start: number;
  end: number;
  perms: string;
  kind: "anon" | "shanon" | "file";
  rss_kb: number;
  anon_kb: number;
  shared_kb: number;
  swap_kb: number;
  thp_kb: number;
  vmflags: string;
  name?: string;
  model?: VmaModelInfo;
}

/** What userspace cannot see about a VMA. */
export interface VmaModelInfo {
  /** vm_pgoff, in pages. */
  pgoff: number;
  /** The VMA's own anon_vma (`vma->anon_vma`), by stable name, or null when unfaulted. */
  anon_vma: string | null;
  /** The anon_vmas on the VMA's chain, newest first. */
  chain: string[];
  /** Why this VMA did not merge with the next VMA in address order, when adjacent. */
  next?: MergeVerdict;
}

/** Verdict of one merge check against one neighbour. */
export interface MergeVerdict {
  merged: boolean;
  /** Stable reason code: "ok", "flags-differ", "pgoff-not-linear", "anon-vma-differs", … */
  reason: string;
  /** Human detail, e.g. which flags differ. */
  detail?: string;
}

/** One merge attempt made by the model during a step, with per-side verdicts. */
export interface MergeAttempt {
  /** The kernel function that attempted the merge. */
  fn: string;
  /** The proposed range, relative. */
  start: number;
  end: number;
  prev?: MergeVerdict;
  next?: MergeVerdict;
  /** Which neighbours the range merged with. */
  result: "none" | "prev" | "next" | "both";
}

/** Per-page detail (the `pages` operation). */
export interface PageRecord {
  addr: number;
  present: boolean;
  swapped: boolean;
  exclusive: boolean;
  mapcount: number;
  zero: boolean;
  thp: boolean;
  ksm: boolean;
  model?: {
    mapping: string | null;
    index: number;
    folio: string;
    /** A folio not mapped here: still in the swap cache, or under migration. */
    state?: "swapcache" | "migration";
    pins?: number;
  };
}

/** What the model reports about a step beyond the contract's fields. */
export interface StepModelInfo {
  merges: MergeAttempt[];
  violations?: InvariantViolation[];
  /** The policy's relocation work in this step, when it did any. */
  cost?: StepCost;
  /** Only for the viewer (`vmasim report --html`, `vmasim view`): the state after the step. */
  detail?: StepDetail;
}

/** Relocation work of one step: the price of the merges a policy wins. */
export interface StepCost {
  /** Page-table entries (or, for follow_page walks, virtual pages) visited. */
  pages_walked: number;
  /** Pages whose folio got a new mapping and/or index. */
  pages_relocated: number;
  /** Relocations declined, by reason. */
  refused?: Record<string, number>;
}

/** The whole model state after a step, as the viewer draws it. Not part of `run`'s output. */
export interface StepDetail {
  /** Every live process: the VMAs in its window and its resident (present) pages. */
  procs: Array<ProcRecord & { pages: PageRecord[] }>;
  /** Every live anon_vma with its parent and root, by name. */
  anon_vmas: AnonVmaRecord[];
}

/** One anon_vma's place in its tree (`anon_vma->parent`, `anon_vma->root`). */
export interface AnonVmaRecord {
  name: string;
  parent: string;
  root: string;
}

export interface InvariantViolation {
  /** Stable invariant ID, e.g. "I-rmap". */
  id: string;
  message: string;
}

export interface ProcRecord {
  proc: number;
  nvma: number;
  vmas: VmaRecord[];
}

/** The record of one operation. */
export interface StepRecord {
  step: number;
  proc: number;
  op: string;
  ret: number;
  err: string;
  note: string;
  nvma: number;
  vmas: VmaRecord[];
  /** `dumpall`: every live process. */
  procs?: ProcRecord[];
  /** `pages`: per-page detail. */
  pages?: PageRecord[];
  model?: StepModelInfo;
}

export interface EchoRecord {
  step: number;
  echo: string;
}

export type RunRecord = HeaderRecord | StepRecord | EchoRecord;

export function isEcho(r: StepRecord | EchoRecord): r is EchoRecord {
  return "echo" in r;
}

/** Whether a record is a run's header (its first record). */
export function isHeader(r: RunRecord): r is HeaderRecord {
  return "vmasim" in r;
}
