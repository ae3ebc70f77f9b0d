// `vmasim replay`'s text output for one replayed trace. Pure.

import type { ReplayReport } from "../../replay/engine.js";
import { comparisonTable, topCounts } from "./table.js";
import { textTable } from "./text.js";

export function replayText(r: ReplayReport): string {
  const out: string[] = [];
  out.push(
    `${r.name}: ${r.format}, ${r.lines} lines, ${r.problems} malformed, ${(r.durationMs / 1000).toFixed(2)} s, ` +
      `${r.counts.events} events replayed as ${r.counts.ops} operations`,
  );
  for (const p of r.firstProblems) out.push(`  line ${p.line}: ${p.message}`);
  const f = r.fidelity;
  if (f) {
    const share = f.compared === 0 ? "–" : `${((100 * f.exact) / f.compared).toFixed(1)} %`;
    const mean = f.compared === 0 ? "–" : (f.countErrorSum / f.compared).toFixed(2);
    out.push(
      `  fidelity: ${f.exact}/${f.compared} samples exact (${share}), |ΔVMAs| mean ${mean} max ${f.countErrorMax}; ` +
        `left out: ${f.overlapping} overlapping a change, ${f.unknown} unknown processes`,
    );
    for (const m of f.mismatches.slice(0, 5)) {
      out.push(
        `  mismatch: sample ${m.sample} pid ${m.pid} (trace line ${m.line}): ${m.difference}`,
      );
    }
  } else {
    out.push("  fidelity: no ground truth (a bare trace)");
  }
  const c = r.counts;
  if (Object.keys(c.refused).length > 0)
    out.push(`  calls the model refused: ${topCounts(c.refused, 5)}`);
  if (Object.keys(c.unsupported).length > 0)
    out.push(`  calls not replayed: ${topCounts(c.unsupported, 5)}`);
  if (c.faultSignals > 0) out.push(`  faults answered with a signal: ${c.faultSignals}`);
  if (c.orphanTasks > 0) out.push(`  tasks of unknown origin: ${c.orphanTasks}`);
  if (c.beforeExec > 0)
    out.push(`  events before the first exec (the sampler's code), skipped: ${c.beforeExec}`);
  for (const p of r.policies) {
    const s = p.safety;
    if (s.violations === 0) continue;
    out.push(
      `  ${p.policy}: ${s.violations} distinct invariant violations (${s.detections} detected while replaying), ` +
        `found by ${s.failedChecks} of ${s.checks} checks; the first:`,
    );
    for (const v of s.first.slice(0, 3))
      out.push(`    trace line ${v.line}: ${v.id}: ${v.message}`);
  }
  const t = comparisonTable([r]);
  out.push(textTable({ ...t, title: "" }).replace(/^\n/, ""));
  return out.join("\n");
}
