// I-writable: what a writable PTE, or a writable migration entry (which becomes one), may
// map. Since 5.19 (GUP-triggered unsharing) a page mapped writable into a private mapping
// is PageAnonExclusive: COW-shared pages are mapped read-only until do_wp_page copies or
// reuses them, and fork write-protects what it shares. A writable PTE needs VM_WRITE
// (mprotect takes it away), and never maps the zero page, a KSM page or, in a private
// mapping, a file's page-cache folio. This module is browser compatible.

import { VM_SHARED, VM_WRITE } from "../../model/flags.js";
import type { Kernel } from "../../model/kernel.js";
import type { InvariantViolation } from "../../report/record.js";
import type { ProcessEntries } from "./entries.js";

export function checkWritablePtes(
  k: Kernel,
  procs: readonly ProcessEntries[],
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  for (const p of procs) {
    p.entries.forEach(({ addr, pte, vma }) => {
      // a writable migration entry becomes a writable PTE (remove_migration_pte)
      if ((pte.kind !== "present" && pte.kind !== "migration") || !pte.writable) return;
      if (!vma) return; // reported by I-pte-orphan
      const f = pte.folio;
      const why = !(vma.flags & VM_WRITE)
        ? "its VMA has no VM_WRITE"
        : f.isZero
          ? "it maps the zero page"
          : f.isKsm
            ? `it maps KSM page ${f.name}`
            : vma.flags & VM_SHARED
              ? null
              : !f.isAnon
                ? `it maps page-cache folio ${f.name} in a private mapping`
                : !f.pageAnonExclusive(pte.sub)
                  ? `${f.name} page ${pte.sub} is not anon-exclusive`
                  : null;
      if (!why) return;
      const what = pte.kind === "migration" ? "has a writable migration entry" : "is writable";
      out.push({ id: "I-writable", message: `p${p.proc} page ${k.rel(addr)} ${what}: ${why}` });
    });
  }
  return out;
}
