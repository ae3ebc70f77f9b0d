// I-pmd: every PMD mapping is whole. The model stores a PMD mapping as the PTRS_PER_PTE
// entries of its span, each marked PMD; the kernel has one entry, which maps one naturally
// aligned THP (or the huge zero page) inside one VMA: vma_adjust_trans_huge and
// __split_huge_pmd split it before a VMA boundary, a partial zap or a partial mprotect can
// fall inside. This module is browser compatible.

import { PAGE_SIZE, PTRS_PER_PTE } from "../../model/constants.js";
import type { Kernel } from "../../model/kernel.js";
import type { PresentPte } from "../../model/page-table.js";
import { HPAGE_PMD_SIZE, pmdStart } from "../../model/thp.js";
import type { InvariantViolation } from "../../report/record.js";
import type { ProcessEntries } from "./entries.js";

export function checkPmdMappings(
  k: Kernel,
  procs: readonly ProcessEntries[],
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  for (const p of procs) {
    /**
     * The PMD span being checked: its head entry, how many of its entries were seen, and
     * whether it was reported (once a span: its first fault).
     */
    let haddr = -1;
    let head: PresentPte | null = null;
    let seen = 0;
    let reported = false;
    const report = (message: string) => {
      if (reported) return;
      reported = true;
      out.push({ id: "I-pmd", message: `p${p.proc} PMD at ${k.rel(haddr)}: ${message}` });
    };
    const close = () => {
      if (haddr >= 0 && seen !== PTRS_PER_PTE)
        report(`${seen} of its ${PTRS_PER_PTE} entries are mapped by it`);
    };
    p.entries.forEach(({ addr, pte, vma }) => {
      if (pte.kind !== "present" || !pte.pmd) return;
      const h = pmdStart(addr);
      if (h !== haddr) {
        close();
        haddr = h;
        head = null;
        seen = 0;
        reported = false;
        if (addr !== h) return report("its first page is not mapped by it");
        head = pte;
        if (!vma || vma.end < h + HPAGE_PMD_SIZE) report("it crosses the end of its VMA");
        if (!pte.folio.isZero && pte.folio.nrPages !== PTRS_PER_PTE)
          report(`${pte.folio.name} is not a PMD-sized folio`);
      }
      seen++;
      if (!head) return;
      const sub = pte.folio.isZero ? 0 : (addr - haddr) / PAGE_SIZE;
      if (pte.folio !== head.folio || pte.sub !== sub)
        report(
          `page ${k.rel(addr)} maps ${pte.folio.name} page ${pte.sub}, not page ${sub} of ${head.folio.name}`,
        );
      else if (pte.writable !== head.writable || !!pte.dirty !== !!head.dirty)
        report(`page ${k.rel(addr)} differs from the head in its write or dirty bit`);
    });
    close();
  }
  return out;
}
