// The modelled machine: processes, the policy in force, object identities, and the merge
// attempts of the current step. This module is browser compatible.

import type { Check, Policy } from "../policy/policy.js";
import type { InvariantViolation, MergeAttempt } from "../report/record.js";
import type { AnonVma } from "./anon-vma.js";
import type { Folio } from "./folio.js";
import type { StableNode } from "./ksm.js";
import { PAGE_SIZE } from "./constants.js";
import { RegularFile } from "./file.js";
import { Tally } from "./tally.js";
import { Mm } from "./mm.js";
import type { ModelOptions } from "./options.js";

/** One process: its mm and its reporting window. */
export interface Process {
  readonly proc: number;
  /** Its address space: replaced at exec; shared with the parent after vfork. */
  mm: Mm;
  /** The parent's process index, or null for p0. */
  readonly parent: number | null;
  window: { start: number; end: number };
  alive: boolean;
}

type IdKind = "anon_vma" | "folio" | "shmem" | "file" | "swap" | "ksm";

/** Counters of the work the policy did, for comparing policies. */
export interface Stats {
  mergeAttempts: number;
  merges: Tally;
  /** Merge checks refused, by reason code. */
  refusals: Tally;
  /** Relocations a policy declined (pages it could not move safely), by reason code. */
  relocationRefusals: Tally;
  /** Page-table entries (or virtual pages, for follow_page walks) a policy visited. */
  pagesWalked: number;
  /** Pages whose folio a policy relocated (mapping and/or index rewritten). */
  pagesRelocated: number;
}

type MergeResult = MergeAttempt["result"];

/** One merge attempt as the model made it: the absolute range and each side's check. */
export interface MergeTry {
  /** The kernel function that attempted the merge. */
  fn: string;
  start: number;
  end: number;
  prev: Check | null;
  next: Check | null;
  result: MergeResult;
}

export class Kernel {
  readonly procs: Process[] = [];
  /** How many anon_vmas are allocated and not yet freed (anon_vma_alloc, __put_anon_vma). */
  liveAnonVmas = 0;
  /** Merge attempts of the step being executed (its record shows them: mergeRecord). */
  merges: MergeTry[] = [];
  /**
   * What the kernel itself would trip over during the step (an rmap walk missing a PTE or
   * reaching a freed anon_vma, a swap-in BUG_ON): reported with the invariant violations.
   */
  detections: InvariantViolation[] = [];
  /**
   * Migrations in flight (migrate … hold): the old folio of each, with the anon_vma the
   * migration pins (folio_get_anon_vma) until its PTEs are restored.
   */
  readonly migrations = new Map<Folio, AnonVma | null>();
  /** KSM's stable tree: every stable node whose folio is alive. */
  readonly stableNodes = new Set<StableNode>();
  readonly stats: Stats = {
    mergeAttempts: 0,
    merges: new Tally(),
    refusals: new Tally(),
    relocationRefusals: new Tally(),
    pagesWalked: 0,
    pagesRelocated: 0,
  };
  private readonly ids: Record<IdKind, number> = {
    anon_vma: 0,
    folio: 0,
    shmem: 0,
    file: 0,
    swap: 0,
    ksm: 0,
  };
  /** Mapped files by path. */
  private readonly files = new Map<string, RegularFile>();

  constructor(
    readonly options: ModelOptions,
    readonly policy: Policy,
  ) {}

  /**
   * The next id of `kind`. A switch with a named field per case, not `++this.ids[kind]`:
   * V8 serves a keyed access whose key varies by its slow generic path, and every new
   * folio asks (replays of fault-heavy captures ran 3 to 12 % faster without it).
   */
  nextId(kind: IdKind): number {
    const ids = this.ids;
    switch (kind) {
      case "folio":
        return ++ids.folio;
      case "anon_vma":
        return ++ids.anon_vma;
      case "shmem":
        return ++ids.shmem;
      case "file":
        return ++ids.file;
      case "swap":
        return ++ids.swap;
      case "ksm":
        return ++ids.ksm;
    }
  }

  /** Records a detection for the current step. */
  detect(id: string, message: string): void {
    this.detections.push({ id, message });
  }

  /** The file at `path`, the same object for every mapping of it. */
  file(path: string): RegularFile {
    let f = this.files.get(path);
    if (!f) {
      f = new RegularFile(this.nextId("file"), path);
      this.files.set(path, f);
    }
    return f;
  }

  /** Creates a process with an empty mm, or sharing `mm` (vfork). */
  spawn(parent: number | null, window: { start: number; end: number }, mm?: Mm): Process {
    const proc = this.procs.length;
    if (mm) mm.users++;
    const p: Process = { proc, mm: mm ?? new Mm(proc), parent, window: { ...window }, alive: true };
    this.procs.push(p);
    return p;
  }

  /** The distinct address spaces of live processes, each with the first process using it. */
  liveMms(): Array<{ proc: number; mm: Mm }> {
    const seen = new Set<Mm>();
    const out: Array<{ proc: number; mm: Mm }> = [];
    for (const p of this.procs) {
      if (!p.alive || seen.has(p.mm)) continue;
      seen.add(p.mm);
      out.push({ proc: p.proc, mm: p.mm });
    }
    return out;
  }

  /** An absolute address, relative to the test region's base. */
  rel(addr: number): number {
    return addr - this.options.base;
  }

  /** A pgoff, relative to the base's page. */
  relPgoff(pgoff: number): number {
    return pgoff - this.options.base / PAGE_SIZE;
  }

  /** Records one merge attempt of [start, end); sides with no adjacent neighbour are null. */
  recordMerge(
    fn: string,
    start: number,
    end: number,
    prev: Check | null,
    next: Check | null,
    result: MergeResult,
  ): void {
    if (!prev && !next) return;
    const attempt = { fn, start, end, prev, next, result };
    // a literal for the first (nearly always the only one): a push onto [] calls V8's builtin
    // that grows the backing store
    if (this.merges.length === 0) this.merges = [attempt];
    else this.merges.push(attempt);
    this.stats.mergeAttempts++;
    if (result !== "none") this.stats.merges.add(fn);
    if (prev && !prev.ok) this.stats.refusals.add(prev.reason);
    if (next && !next.ok) this.stats.refusals.add(next.reason);
  }
}
