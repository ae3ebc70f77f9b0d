// The evaluation's tables, as rows of cells: one row per capture and policy, the fidelity
// of each capture, and the RFC's own table (failing anon merges whose pages are shared).
// Pure functions of replay reports.

import { FIDELITY_POLICY, type PolicyReport, type ReplayReport } from "../../replay/engine.js";
import type { SafetyResult } from "../../replay/safety.js";

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  /** Notes printed under the table. */
  notes: string[];
}

const pct = (a: number, b: number) => (b === 0 ? "–" : `${((100 * a) / b).toFixed(1)} %`);
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** "a 3, b 1": the entries of a count map, largest first, at most `n`. */
export function topCounts(r: Record<string, number>, n = 3): string {
  const e = Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (e.length === 0) return "–";
  const shown = e.slice(0, n).map(([k, v]) => `${k} ${v}`);
  return e.length > n ? `${shown.join(", ")}, …` : shown.join(", ");
}

/** One row per capture and policy. */
export function comparisonTable(reports: readonly ReplayReport[]): Table {
  const rows: string[][] = [];
  for (const r of reports) {
    const base = r.policies.find((p) => p.policy === FIDELITY_POLICY);
    for (const p of r.policies) rows.push(policyRow(r.name, p, base));
  }
  return {
    title: "VMAs per policy",
    header: [
      "capture",
      "policy",
      "peak VMAs",
      "VMAs at exit",
      "adjacent anon left separate (why)",
      "merges",
      "merges won",
      "pages relocated",
      "merge refusals (top reasons)",
      "violations (top IDs)",
    ],
    rows,
    notes: [
      "peak: most VMAs of all live processes at once; at exit: sum over processes of the VMAs each ended with.",
      `merges won: merges beyond ${FIDELITY_POLICY}'s on the same trace.`,
      "violations: distinct invariant violations (docs/invariants.md), from the model's checks at every ground-truth sample and at the end of the trace, and from what it detected during the replay; " +
        `checks per capture: ${reports.map((r) => `${r.name} ${r.policies[0]?.safety.checks ?? 0}`).join(", ")}.`,
    ],
  };
}

/** "0", or the count of distinct violations and the IDs most of them have. */
export function violationsCell(s: SafetyResult): string {
  return s.violations === 0 ? "0" : `${s.violations} (${topCounts(s.byId, 2)})`;
}

function policyRow(name: string, p: PolicyReport, base: PolicyReport | undefined): string[] {
  const merges = sum(p.stats.merges.toJSON());
  const won = base ? merges - sum(base.stats.merges.toJSON()) : 0;
  return [
    name,
    p.policy,
    String(p.peak),
    String(p.atExit),
    `${sum(p.separate)}${sum(p.separate) ? ` (${topCounts(p.separate, 2)})` : ""}`,
    String(merges),
    base ? (won > 0 ? `+${won}` : String(won)) : "–",
    String(p.stats.pagesRelocated),
    topCounts(p.stats.refusals.toJSON()),
    violationsCell(p.safety),
  ];
}

/** Fidelity of every capture with ground truth. */
export function fidelityTable(reports: readonly ReplayReport[]): Table {
  const rows = reports.map((r) => {
    const f = r.fidelity;
    if (!f) return [r.name, r.format, "no ground truth", "–", "–", "–"];
    return [
      r.name,
      r.format,
      `${f.exact}/${f.compared} (${pct(f.exact, f.compared)})`,
      f.compared === 0 ? "–" : (f.countErrorSum / f.compared).toFixed(2),
      String(f.countErrorMax),
      String(f.overlapping),
    ];
  });
  const all = reports.flatMap((r) => (r.fidelity ? [r.fidelity] : []));
  const exact = all.reduce((a, f) => a + f.exact, 0);
  const compared = all.reduce((a, f) => a + f.compared, 0);
  return {
    title: `Fidelity under ${FIDELITY_POLICY}: replayed layout vs. /proc/PID/smaps samples`,
    header: [
      "capture",
      "tracer",
      "samples exact",
      "mean |ΔVMAs|",
      "max |ΔVMAs|",
      "left out (overlapping a change)",
    ],
    rows,
    notes: [`all captures: ${exact}/${compared} samples exact (${pct(exact, compared)}).`],
  };
}

/** The RFC's figures (cover letter of "Removing limitations of merging anonymous VMAs"). */
const RFC_REPORTED: ReadonlyArray<readonly [string, string]> = [
  ["jemalloc", "0 %"],
  ["redis", "2.7 %"],
  ["kernel compile (kcbench)", "1.2 %"],
];

/** Share of anon-only merge refusals under linux-6.18 whose pages are shared with another process. */
export function rfcTable(reports: readonly ReplayReport[]): Table {
  const rows: string[][] = [];
  for (const r of reports) {
    const p = r.policies.find((x) => x.policy === FIDELITY_POLICY);
    if (!p) continue;
    rows.push([
      r.name,
      String(p.anonRefusals),
      String(p.anonRefusalsShared),
      pct(p.anonRefusalsShared, p.anonRefusals),
      "",
    ]);
  }
  for (const [w, v] of RFC_REPORTED) rows.push([`${w} (RFC, 2022)`, "", "", "", v]);
  return {
    title:
      "Failing anonymous merges that would still fail because pages are shared (the RFC's table)",
    header: ["workload", "failing anon merges", "with shared pages", "share (here)", "share (RFC)"],
    rows,
    notes: [
      `failing anon merges: merge checks ${FIDELITY_POLICY} refused only for anon_vma reasons (different anon_vma, fork child, pgoff after mremap) between two private anonymous VMAs;`,
      "with shared pages: either VMA maps an anonymous page mapped by more than one process at that moment.",
    ],
  };
}
