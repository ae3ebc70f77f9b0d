// What a policy did over a replay: VMA count over time, the adjacent anonymous VMAs each
// process ended with and why they stayed separate, the model's merge statistics, and the
// RFC's figure (failing anon merges whose pages are shared with another process).
// This module is browser compatible.

import type { OpBody } from "../input/ops.js";
import { explainAdjacent } from "../model/merge.js";
import type { Mm } from "../model/mm.js";
import type { Stats } from "../model/kernel.js";
import { mmOf, type TraceReplay } from "./replay.js";
import { MaxSeries } from "./series.js";
import type { Task } from "./tasks.js";

/** Merge refusals that exist only because of anon_vma rules (what the RFC targets). */
export const ANON_REASONS: ReadonlySet<string> = new Set([
  "anon-vma-differs",
  "prev-next-anon-vma-differ",
  "fork-child",
  "pgoff-not-linear",
]);

export interface PolicyMetrics {
  policy: string;
  /** Total VMAs of the live processes over time: [ms, count]. */
  series: Array<[number, number]>;
  peak: number;
  /** Sum over processes of the VMAs each had when it exited (or at the end). */
  atExit: number;
  /** Adjacent anonymous VMA pairs left separate at exit, by the merge verdict's reason. */
  separate: Record<string, number>;
  stats: Stats;
  /** Anon-only merge refusals, and those whose VMAs map pages shared with another process. */
  anonRefusals: number;
  anonRefusalsShared: number;
}

/** Operations that may change a layout (faults and switches do not change the count). */
const LAYOUT_OPS: ReadonlySet<OpBody["kind"]> = new Set([
  "mmap",
  "munmap",
  "mprotect",
  "mremap",
  "madvise",
  "brk",
  "mlock",
  "munlock",
  "name",
  "exec",
  "exit",
  "fork",
  "vfork",
  "special",
  "touch",
]);

export class Metrics {
  private readonly series = new MaxSeries();
  private readonly counts = new Map<Mm, number>();
  private total = 0;
  private peak = 0;
  private atExit = 0;
  private readonly separate: Record<string, number> = {};
  private anonRefusals = 0;
  private anonRefusalsShared = 0;
  private dropped: Mm | null = null;
  /** Time of the event being replayed. */
  now = 0;

  constructor(
    private readonly policy: string,
    private readonly replay: TraceReplay,
  ) {}

  beforeExit(task: Task): void {
    const mm = mmOf(this.replay, task);
    this.dropped = mm;
    if (mm.users === 1) this.ended(mm);
  }

  afterOp(task: Task, kind: OpBody["kind"]): void {
    if (!LAYOUT_OPS.has(kind)) return;
    this.recount(mmOf(this.replay, task));
    if (this.dropped) this.recount(this.dropped);
    this.dropped = null;
    this.series.add(this.now, this.total);
    this.peak = Math.max(this.peak, this.total);
    if (kind !== "touch") this.checkRefusals(mmOf(this.replay, task));
  }

  /** The processes still alive when the trace ends count as exiting then. */
  finish(): PolicyMetrics {
    for (const [mm] of this.counts) if (mm.users > 0 && mm.mapCount > 0) this.ended(mm);
    return {
      policy: this.policy,
      series: this.series.points(),
      peak: this.peak,
      atExit: this.atExit,
      separate: this.separate,
      stats: this.replay.machine.kernel.stats,
      anonRefusals: this.anonRefusals,
      anonRefusalsShared: this.anonRefusalsShared,
    };
  }

  private recount(mm: Mm): void {
    const n = mm.users > 0 ? mm.mapCount : 0;
    this.total += n - (this.counts.get(mm) ?? 0);
    if (n === 0) this.counts.delete(mm);
    else this.counts.set(mm, n);
  }

  /** A process's final layout: count it, and say why adjacent anonymous VMAs stayed apart. */
  private ended(mm: Mm): void {
    const k = this.replay.machine.kernel;
    const vmas = mm.allVmas();
    this.atExit += vmas.length;
    for (let i = 1; i < vmas.length; i++) {
      const a = vmas[i - 1];
      const b = vmas[i];
      if (!a || !b || a.end !== b.start || !isPlainAnon(a) || !isPlainAnon(b)) continue;
      const c = explainAdjacent(k, a, b);
      const reason = c.ok ? "mergeable" : c.reason;
      this.separate[reason] = (this.separate[reason] ?? 0) + 1;
    }
  }

  /** The RFC's question for every anon-only refusal of this step: are pages shared? */
  private checkRefusals(mm: Mm): void {
    for (const a of this.replay.machine.kernel.merges) {
      for (const [side, c] of [
        ["prev", a.prev],
        ["next", a.next],
      ] as const) {
        if (!c || c.ok || !ANON_REASONS.has(c.reason)) continue;
        const neighbour = side === "prev" ? mm.vmaLookup(a.start - 1) : mm.vmaLookup(a.end);
        if (!neighbour || !isPlainAnon(neighbour)) continue;
        this.anonRefusals++;
        const lo = Math.min(neighbour.start, a.start);
        const hi = Math.max(neighbour.end, a.end);
        if (sharesPages(mm, lo, hi)) this.anonRefusalsShared++;
      }
    }
  }
}

type Vma = ReturnType<Mm["allVmas"]>[number];

/** A private anonymous VMA that is no special mapping. */
function isPlainAnon(v: Vma): boolean {
  return v.file === null && v.specialName === null;
}

/** Whether any anonymous page in [lo, hi) is mapped by more than one process. */
function sharesPages(mm: Mm, lo: number, hi: number): boolean {
  let shared = false;
  mm.pageTable.forEach(lo, hi, (_addr, pte) => {
    if (pte.kind === "present" && !pte.folio.isZero && pte.folio.mapcount > 1) shared = true;
  });
  return shared;
}
