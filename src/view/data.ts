// The data the viewer draws, built from record streams: what `vmasim report --html` embeds
// and `vmasim view` serves. Repeated values are stored once (VMAs, page sets and anon_vma
// sets are interned), and each step's VMA list is a splice of the same process's previous
// list, so a long run with many VMAs stays small. Pure; browser compatible.

import {
  isEcho,
  isHeader,
  type AnonVmaRecord,
  type HeaderRecord,
  type InvariantViolation,
  type MergeAttempt,
  type PageRecord,
  type RunRecord,
  type StepRecord,
  type VmaRecord,
} from "../report/record.js";
import type { Series } from "./series.js";

/** Everything the viewer shows. */
export interface ViewData {
  vmasim_view: 1;
  /** Every distinct VMA record, referenced by index. */
  vmas: VmaRecord[];
  /** Every distinct set of resident pages of one process, referenced by index. */
  pageSets: PageRun[][];
  /** Every distinct list of live anon_vmas, referenced by index. */
  anonSets: AnonVmaRecord[][];
  /** The runs, grouped by scenario file: several policies (or engines) of one scenario. */
  groups: ViewGroup[];
  /** VMA count over time of replays, from series files. */
  series: Series[];
}

export interface ViewGroup {
  file: string;
  /** The address ranges any VMA of any run ever covers, merged, in order: the map's axis. */
  extent: Array<[number, number]>;
  runs: ViewRun[];
}

export interface ViewRun {
  /** The policy, or `kernel RELEASE`. */
  label: string;
  header: HeaderRecord;
  steps: ViewStep[];
}

/** One step; an echo step has only `step` and `echo`. */
export interface ViewStep {
  step: number;
  echo?: string;
  proc?: number;
  op?: string;
  ret?: number;
  err?: string;
  note?: string;
  nvma?: number;
  merges?: MergeAttempt[];
  violations?: InvariantViolation[];
  /** The processes shown after the step: every live one when the model gave detail. */
  lanes?: ViewLane[];
  /** Index into `anonSets`, when the model gave detail. */
  anonSet?: number;
}

/** One process after a step. */
export interface ViewLane {
  proc: number;
  /**
   * Its VMAs as a splice of its list at its previous step: `[keep, keepTail, …ids]` keeps
   * the first `keep` and last `keepTail` entries of the previous list, with `ids` between.
   */
  delta: number[];
  /** Index into `pageSets`, when known (model detail or a `pages` step). */
  pages?: number;
}

/** Consecutive present pages with one mapping, consecutive indexes and one mapcount. */
export interface PageRun {
  start: number;
  end: number;
  /** The folio's mapping (anon_vma or file) by name; null for the zero page. */
  mapping: string | null;
  /** page->index of the first page (relative for anonymous folios); -1 when unknown. */
  index: number;
  mapcount: number;
  /** The shared zero page. */
  zero: boolean;
}

/** Stores each distinct value once; `id` returns its index. */
class Interner<T> {
  readonly values: T[] = [];
  private readonly ids = new Map<string, number>();

  id(value: T): number {
    const key = JSON.stringify(value);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(key, id);
    }
    return id;
  }
}

/** Builds the view of `runs` (each a record stream headed by its header) and `series`. */
export function buildViewData(
  runs: Iterable<Iterable<RunRecord>>,
  series: readonly Series[] = [],
): ViewData {
  const vmas = new Interner<VmaRecord>();
  const pageSets = new Interner<PageRun[]>();
  const anonSets = new Interner<AnonVmaRecord[]>();
  const groups = new Map<string, { runs: ViewRun[]; ids: Set<number> }>();
  for (const run of runs) {
    let header: HeaderRecord | null = null;
    let steps: ViewStep[] = [];
    const last = new Map<number, number[]>();
    let ids = new Set<number>();
    for (const r of run) {
      if (header === null) {
        if (!isHeader(r)) throw new Error("view: a run must start with its header record");
        header = r;
        const group = groups.get(r.file) ?? { runs: [], ids: new Set<number>() };
        groups.set(r.file, group);
        group.runs.push({ label: runLabel(r), header: r, steps: (steps = []) });
        ids = group.ids;
        continue;
      }
      if (isHeader(r)) throw new Error("view: a header record in the middle of a run");
      if (isEcho(r)) {
        steps.push({ step: r.step, echo: r.echo });
        continue;
      }
      steps.push(viewStep(r, header.page, last, ids, vmas, pageSets, anonSets));
    }
    if (header === null) throw new Error("view: a run must start with its header record");
  }
  return {
    vmasim_view: 1,
    vmas: vmas.values,
    pageSets: pageSets.values,
    anonSets: anonSets.values,
    groups: [...groups].map(([file, g]) => ({
      file,
      extent: extentOf([...g.ids].map((id) => vmas.values[id] as VmaRecord)),
      runs: g.runs,
    })),
    series: [...series],
  };
}

function runLabel(h: HeaderRecord): string {
  return h.engine === "kernel" ? `kernel ${h.kernel ?? "?"}` : (h.policy ?? "model");
}

function viewStep(
  r: StepRecord,
  pageSize: number,
  last: Map<number, number[]>,
  used: Set<number>,
  vmas: Interner<VmaRecord>,
  pageSets: Interner<PageRun[]>,
  anonSets: Interner<AnonVmaRecord[]>,
): ViewStep {
  const s: ViewStep = {
    step: r.step,
    proc: r.proc,
    op: r.op,
    ret: r.ret,
    err: r.err,
    note: r.note,
    nvma: r.nvma,
  };
  if (r.model) {
    s.merges = r.model.merges;
    if (r.model.violations) s.violations = r.model.violations;
  }
  const detail = r.model?.detail;
  const procs: Array<{ proc: number; vmas: VmaRecord[]; pages?: PageRecord[] }> = detail
    ? detail.procs
    : (r.procs ?? [{ proc: r.proc, vmas: r.vmas, ...(r.pages ? { pages: r.pages } : {}) }]);
  if (detail) s.anonSet = anonSets.id(detail.anon_vmas);
  s.lanes = procs.map((p) => {
    const list = p.vmas.map((v) => vmas.id(v));
    for (const id of list) used.add(id);
    const lane: ViewLane = { proc: p.proc, delta: splice(last.get(p.proc) ?? [], list) };
    last.set(p.proc, list);
    if (p.pages) lane.pages = pageSets.id(pageRuns(p.pages, pageSize));
    return lane;
  });
  return s;
}

/** `[keep, keepTail, …middle]`: `next` as the longest common head and tail of `prev`. */
function splice(prev: readonly number[], next: readonly number[]): number[] {
  let head = 0;
  while (head < prev.length && head < next.length && prev[head] === next[head]) head++;
  let tail = 0;
  while (
    tail < prev.length - head &&
    tail < next.length - head &&
    prev[prev.length - 1 - tail] === next[next.length - 1 - tail]
  ) {
    tail++;
  }
  return [head, tail, ...next.slice(head, next.length - tail)];
}

/** Present pages as runs; absent pages are left out. */
function pageRuns(pages: readonly PageRecord[], pageSize: number): PageRun[] {
  const out: PageRun[] = [];
  let cur: PageRun | null = null;
  for (const p of pages) {
    if (!p.present) continue;
    const mapping = p.model?.mapping ?? null;
    const index = p.model?.index ?? -1;
    const joins =
      cur !== null &&
      p.addr === cur.end &&
      p.zero === cur.zero &&
      mapping === cur.mapping &&
      p.mapcount === cur.mapcount &&
      (index === -1 ? cur.index === -1 : index === cur.index + (cur.end - cur.start) / pageSize);
    if (cur !== null && joins) {
      cur.end += pageSize;
      continue;
    }
    cur = {
      start: p.addr,
      end: p.addr + pageSize,
      mapping,
      index,
      mapcount: p.mapcount,
      zero: p.zero,
    };
    out.push(cur);
  }
  return out;
}

/** The merged ranges covered by `vmas`, in address order. */
function extentOf(vmas: readonly VmaRecord[]): Array<[number, number]> {
  const sorted = [...vmas].sort((a, b) => a.start - b.start);
  const out: Array<[number, number]> = [];
  for (const v of sorted) {
    const top = out[out.length - 1];
    if (top && v.start <= top[1]) top[1] = Math.max(top[1], v.end);
    else out.push([v.start, v.end]);
  }
  return out;
}
