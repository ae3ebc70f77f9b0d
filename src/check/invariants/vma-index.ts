// I-vma: every live process's VMAs are page-aligned, non-empty, ordered and disjoint, and
// no page-table entry lies outside a VMA. This module is browser compatible.

import { PAGE_SIZE } from "../../model/constants.js";
import type { Kernel } from "../../model/kernel.js";
import type { InvariantViolation } from "../../report/record.js";
import { describeVma } from "./describe.js";
import type { ProcessEntries } from "./entries.js";

export function checkVmaIndex(k: Kernel, procs: readonly ProcessEntries[]): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  for (const p of procs) {
    let prevEnd = -1;
    for (const v of p.mm.allVmas()) {
      const what = describeVma(k, v);
      if (v.start % PAGE_SIZE || v.end % PAGE_SIZE || v.start >= v.end) {
        out.push({
          id: "I-vma-range",
          message: `p${p.proc}: ${what} is not a page-aligned non-empty range`,
        });
      }
      if (v.start < prevEnd)
        out.push({
          id: "I-vma-order",
          message: `p${p.proc}: ${what} overlaps or precedes the previous VMA`,
        });
      if (v.mm !== p.mm)
        out.push({ id: "I-vma-mm", message: `p${p.proc}: ${what} belongs to another mm` });
      prevEnd = v.end;
    }
    p.entries.forEach(({ addr, vma }) => {
      if (!vma) {
        out.push({
          id: "I-pte-orphan",
          message: `p${p.proc}: page-table entry at ${k.rel(addr)} outside every VMA`,
        });
      }
    });
  }
  return out;
}
