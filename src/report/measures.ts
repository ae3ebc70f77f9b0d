// What a run costs and wins under its policy, computed from its records alone: VMAs at the
// end and at the peak, merge attempts and merges won, merge refusals by reason, pages
// walked and relocated, relocations refused by reason. Pure; browser compatible.

import { renderTable, type Column } from "./table.js";
import { isEcho, isHeader, type RunRecord } from "./record.js";

export interface RunMeasures {
  file: string;
  policy: string;
  vmasFinal: number;
  vmasPeak: number;
  mergeAttempts: number;
  mergesWon: number;
  /** Merge checks that said no, by reason code. */
  refusedBy: Record<string, number>;
  pagesWalked: number;
  pagesRelocated: number;
  /** Relocations the policy declined, by reason. */
  relocationRefusedBy: Record<string, number>;
  violations: number;
}

function bump(counts: Record<string, number>, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Accumulates the measures of one run as its records go by. */
export class MeasureCollector {
  private m: RunMeasures = blank("", "");

  add(r: RunRecord): void {
    if (isHeader(r)) {
      this.m = blank(r.file, r.policy ?? r.kernel ?? "kernel");
      return;
    }
    if (isEcho(r)) return;
    const m = this.m;
    m.vmasFinal = r.nvma;
    m.vmasPeak = Math.max(m.vmasPeak, r.nvma);
    for (const a of r.model?.merges ?? []) {
      m.mergeAttempts++;
      if (a.result !== "none") m.mergesWon++;
      for (const side of [a.prev, a.next]) {
        if (side && !side.merged && side.reason !== "not-taken") bump(m.refusedBy, side.reason);
      }
    }
    const cost = r.model?.cost;
    if (cost) {
      m.pagesWalked += cost.pages_walked;
      m.pagesRelocated += cost.pages_relocated;
      for (const [reason, n] of Object.entries(cost.refused ?? {}))
        bump(m.relocationRefusedBy, reason, n);
    }
    m.violations += r.model?.violations?.length ?? 0;
  }

  get result(): RunMeasures {
    return this.m;
  }
}

function blank(file: string, policy: string): RunMeasures {
  return {
    file,
    policy,
    vmasFinal: 0,
    vmasPeak: 0,
    mergeAttempts: 0,
    mergesWon: 0,
    refusedBy: {},
    pagesWalked: 0,
    pagesRelocated: 0,
    relocationRefusedBy: {},
    violations: 0,
  };
}

/** The measures of one run (its header first). O(records). */
export function measureRun(records: Iterable<RunRecord>): RunMeasures {
  const c = new MeasureCollector();
  for (const r of records) c.add(r);
  return c.result;
}

/** "reason×n, reason×n", most frequent first (ties by name); "-" when empty. */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return entries.length === 0 ? "-" : entries.map(([k, n]) => `${k}×${n}`).join(", ");
}

const COLUMNS: readonly Column[] = [
  { title: "file", align: "left" },
  { title: "policy", align: "left" },
  { title: "VMAs", align: "right" },
  { title: "peak", align: "right" },
  { title: "merges", align: "right" },
  { title: "tried", align: "right" },
  { title: "walked", align: "right" },
  { title: "relocated", align: "right" },
  { title: "violations", align: "right" },
  { title: "merges refused by", align: "left" },
  { title: "relocations refused by", align: "left" },
];

function cells(m: RunMeasures): string[] {
  return [
    m.file,
    m.policy,
    String(m.vmasFinal),
    String(m.vmasPeak),
    String(m.mergesWon),
    String(m.mergeAttempts),
    String(m.pagesWalked),
    String(m.pagesRelocated),
    String(m.violations),
    formatCounts(m.refusedBy),
    formatCounts(m.relocationRefusedBy),
  ];
}

/** The measures side by side, one row per run, as aligned text lines. */
export function measuresTable(
  ms: readonly RunMeasures[],
  styleTitle: (l: string) => string = (l) => l,
): string[] {
  return renderTable(
    COLUMNS,
    ms.map((m) => ({ cells: cells(m) })),
    "",
    styleTitle,
  );
}

/** The same table in Markdown. */
export function measuresMarkdown(ms: readonly RunMeasures[]): string[] {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${COLUMNS.map((c) => c.title).join(" | ")} |`,
    `| ${COLUMNS.map((c) => (c.align === "right" ? "---:" : "---")).join(" | ")} |`,
    ...ms.map((m) => `| ${cells(m).map(esc).join(" | ")} |`),
  ];
}
