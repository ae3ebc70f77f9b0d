// Text lines for `vmasim diff`: one line per model-versus-kernel comparison, and a summary.
// Pure; browser compatible.

import type { Divergence } from "./diff.js";
import type { Styler } from "./text.js";

/** One scenario run by the model under one policy and by the kernel, compared. */
export interface Comparison {
  file: string;
  policy: string;
  /** The kernel's release (`uname -r`). */
  kernel: string;
  /** Step records the kernel produced. */
  steps: number;
  divergence: Divergence | null;
  /** Invariant violations in the model's run. */
  violations: number;
}

/** Whether the model agreed with the kernel and violated no invariant. */
export function agrees(c: Comparison): boolean {
  return c.divergence === null && c.violations === 0;
}

/** `agree  FILE (POLICY vs kernel R): N steps`, or where and how the two runs diverge. */
export function comparisonLine(c: Comparison, style: Styler): string {
  const what = `${c.file} (${c.policy} vs kernel ${c.kernel})`;
  const violations = c.violations > 0 ? `; ${c.violations} invariant violations in the model` : "";
  if (c.divergence === null) {
    return style(agrees(c) ? "ok" : "fail", `agree     ${what}: ${c.steps} steps${violations}`);
  }
  const d = c.divergence;
  return style("fail", `DIVERGES  ${what} at step ${d.step} (${d.op}): ${d.what}${violations}`);
}

/** `diff: N comparisons, A agree, D diverge`. */
export function comparisonSummary(all: readonly Comparison[], style: Styler): string {
  const diverge = all.filter((c) => c.divergence !== null).length;
  const clean = all.every(agrees);
  return style(
    clean ? "ok" : "fail",
    `diff: ${all.length} comparisons, ${all.length - diverge} agree, ${diverge} diverge`,
  );
}
