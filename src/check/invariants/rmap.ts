// I-rmap, I-live and I-mapcount: every present page is found by an rmap walk from its
// folio's mapping at its index (rmap_walk_anon / vma_address), no folio points at a
// freed anon_vma, and mapcounts and refcounts match the page tables.
// This module is browser compatible.

import type { AnonVma } from "../../model/anon-vma.js";
import type { Folio } from "../../model/folio.js";
import type { Kernel } from "../../model/kernel.js";
import type { Vma } from "../../model/vma.js";
import type { InvariantViolation } from "../../report/record.js";

export function checkRmap(k: Kernel): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const treeVmas = new Map<AnonVma, Set<Vma>>();
  const vmasOf = (av: AnonVma) => {
    let s = treeVmas.get(av);
    if (!s) {
      s = new Set([...av.avcs].map((c) => c.vma));
      treeVmas.set(av, s);
    }
    return s;
  };
  const mappings = new Map<Folio, number>();
  for (const p of k.liveMms()) {
    p.mm.pageTable.forEach(0, Number.MAX_SAFE_INTEGER, (addr, pte) => {
      if (pte.kind !== "present" || pte.folio.isZero) return;
      const f = pte.folio;
      mappings.set(f, (mappings.get(f) ?? 0) + 1);
      const where = `p${p.proc} page ${k.rel(addr)} (${f.name})`;
      if (f.freed) out.push({ id: "I-live", message: `${where}: maps a freed folio` });
      const vma = p.mm.vmaLookup(addr);
      if (!vma) return; // reported by I-pte-orphan
      const mapping = f.mapping;
      if (mapping === null) {
        out.push({ id: "I-rmap", message: `${where}: folio has no mapping` });
      } else if (mapping.kind !== "anon_vma") {
        if (mapping !== vma.file || f.index !== vma.linearIndex(addr)) {
          out.push({ id: "I-rmap", message: `${where}: file folio not at its file index` });
        }
      } else if (mapping.freed) {
        out.push({ id: "I-live", message: `${where}: folio mapping ${mapping.name} was freed` });
      } else if (!vmasOf(mapping).has(vma)) {
        out.push({
          id: "I-rmap",
          message: `${where}: ${mapping.name}'s tree does not hold the VMA mapping it`,
        });
      } else if (vma.addressOf(f.index + pte.sub) !== addr) {
        out.push({
          id: "I-rmap",
          message: `${where}: index ${k.relPgoff(f.index)} resolves to ${vma.addressOf(f.index + pte.sub) ?? "nothing"}, not ${k.rel(addr)}`,
        });
      }
    });
  }
  for (const [f, n] of mappings) {
    if (f.mapcount !== n)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: mapcount ${f.mapcount}, mapped ${n} times`,
      });
    const cached = f.mapping && f.mapping.kind !== "anon_vma" ? 1 : 0;
    if (f.refcount < n + cached)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: refcount ${f.refcount} below its ${n + cached} users`,
      });
    if (f.anonExclusive && n > 1)
      out.push({ id: "I-exclusive", message: `${f.name}: anon-exclusive but mapped ${n} times` });
  }
  return out;
}
