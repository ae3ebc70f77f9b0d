// The state of a run after a step, decoded from the embedded data: each process's VMA list
// (splices applied from the nearest checkpoint), its resident pages, the anon_vmas.

import type { PageRun, ViewData, ViewRun, ViewStep } from "../../src/view/data.js";
import type { AnonVmaRecord, VmaRecord } from "../../src/report/record.js";

/** One process after a step. */
export interface Lane {
  proc: number;
  vmas: VmaRecord[];
  /** Indexes into `ViewData.vmas`, parallel to `vmas`: equal index, equal VMA. */
  ids: readonly number[];
  /** Resident pages, when the run reports them. */
  pages: PageRun[] | null;
  /** Indexes (into `vmas`) of the VMAs this step created or changed. */
  changed: ReadonlySet<number>;
  /** VMAs of the process before this step whose range no VMA covers any more. */
  unmapped: VmaRecord[];
}

/** A run after a step: the step that produced it (the last non-echo one) and its lanes. */
export interface RunState {
  step: ViewStep | null;
  /** The index of `step` in the run; -1 before any step. */
  index: number;
  lanes: Lane[];
  anonVmas: AnonVmaRecord[] | null;
}

const EVERY = 32;

type Lists = Map<number, readonly number[]>;

function apply(lists: Lists, step: ViewStep | undefined): void {
  for (const lane of step?.lanes ?? []) {
    const prev = lists.get(lane.proc) ?? [];
    const [keep = 0, tail = 0, ...mid] = lane.delta;
    lists.set(lane.proc, [...prev.slice(0, keep), ...mid, ...prev.slice(prev.length - tail)]);
  }
}

/** Decodes one run's steps on demand, keeping a checkpoint every EVERY steps. */
export class RunDecoder {
  /** before[k]: every process's last list before step k * EVERY. */
  private readonly before: Lists[] = [new Map()];

  constructor(
    private readonly data: ViewData,
    readonly run: ViewRun,
  ) {}

  private listsAfter(i: number): Lists {
    const k = Math.floor(i / EVERY);
    while (this.before.length <= k) {
      const j = this.before.length;
      const lists = new Map(this.before[j - 1]);
      for (let t = (j - 1) * EVERY; t < j * EVERY; t++) apply(lists, this.run.steps[t]);
      this.before.push(lists);
    }
    const lists = new Map(this.before[k]);
    for (let t = k * EVERY; t <= i; t++) apply(lists, this.run.steps[t]);
    return lists;
  }

  /** The state after step index `i` (clamped to the run); before any step when i < 0. */
  stateAfter(i: number): RunState {
    const steps = this.run.steps;
    let at = Math.min(i, steps.length - 1);
    while (at >= 0 && steps[at]?.lanes === undefined) at--;
    if (at < 0) return { step: null, index: -1, lanes: [], anonVmas: null };
    const step = steps[at] as ViewStep;
    const lists = this.listsAfter(at);
    const before = at > 0 ? this.listsAfter(at - 1) : new Map<number, readonly number[]>();
    const lanes = (step.lanes ?? []).map((l): Lane => {
      const ids = lists.get(l.proc) ?? [];
      const vmas = ids.map((id) => this.vma(id));
      const prev = before.get(l.proc) ?? [];
      const now = new Set(ids);
      const gone = prev.filter((id) => !now.has(id)).map((id) => this.vma(id));
      return {
        proc: l.proc,
        ids,
        vmas,
        pages: l.pages === undefined ? null : (this.data.pageSets[l.pages] ?? null),
        changed: this.changedIn(ids, now, prev),
        unmapped: gone.filter((v) => {
          const j = firstEndingAfter(vmas, v.start);
          return j >= vmas.length || (vmas[j] as VmaRecord).start >= v.end;
        }),
      };
    });
    const anonVmas = step.anonSet === undefined ? null : (this.data.anonSets[step.anonSet] ?? null);
    return { step, index: at, lanes, anonVmas };
  }

  private vma(id: number): VmaRecord {
    return this.data.vmas[id] as VmaRecord;
  }

  /**
   * The indexes of `ids` (whose set is `now`) whose VMA was not in `prev`, ignoring the
   * verdict on the next VMA (a neighbour arriving changes that verdict, not the VMA).
   */
  private changedIn(
    ids: readonly number[],
    now: ReadonlySet<number>,
    prev: readonly number[],
  ): Set<number> {
    const same = new Set(prev);
    const fresh = ids.flatMap((id, i) => (same.has(id) ? [] : [i]));
    if (fresh.length === 0) return new Set();
    const had = new Set(prev.filter((id) => !now.has(id)).map((id) => this.keyOf(id)));
    return new Set(fresh.filter((i) => !had.has(this.keyOf(ids[i] as number))));
  }

  private readonly keys = new Map<number, string>();

  private keyOf(id: number): string {
    let key = this.keys.get(id);
    if (key === undefined) {
      const v = this.vma(id);
      key = JSON.stringify(v.model ? { ...v, model: { ...v.model, next: null } } : v);
      this.keys.set(id, key);
    }
    return key;
  }
}

/** Index of the first VMA whose end is above `addr` (binary search; `vmas` sorted). */
export function firstEndingAfter(vmas: readonly VmaRecord[], addr: number): number {
  let lo = 0;
  let hi = vmas.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((vmas[mid] as VmaRecord).end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where a run of resident pages points, judged against the VMAs that map it: "ok" when
 * each page's folio is on its VMA's anon_vma chain at the VMA's linear index
 * (linear_page_index), else why not; "unknown" without the model's view.
 */
export function pageStatus(run: PageRun, vmas: readonly VmaRecord[], page: number): string {
  if (run.zero) return "ok";
  if (run.mapping === null) return "unknown";
  for (let i = firstEndingAfter(vmas, run.start); i < vmas.length; i++) {
    const v = vmas[i] as VmaRecord;
    if (v.start >= run.end) break;
    if (!v.model || v.kind !== "anon") continue;
    if (!v.model.chain.includes(run.mapping)) {
      return `stale: ${run.mapping} is not on the chain [${v.model.chain.join(" ")}]`;
    }
    const from = Math.max(v.start, run.start);
    const want = v.model.pgoff + (from - v.start) / page;
    const have = run.index + (from - run.start) / page;
    if (want !== have) return `stale: index ${have}, the VMA's pgoff gives ${want}`;
  }
  return "ok";
}
