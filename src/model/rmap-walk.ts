// rmap_walk (mm/rmap.c rmap_walk_anon, mm/ksm.c rmap_walk_ksm): find every PTE mapping a
// folio the way reclaim and migration do, through folio->mapping and folio->index only.
// A stale mapping or index makes the walk miss PTEs; a freed anon_vma is a use-after-free.
// Both are reported as detections. This module is browser compatible.

import type { AnonVma } from "./anon-vma.js";
import type { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import type { MigrationPte, PresentPte } from "./page-table.js";
import type { Vma } from "./vma.js";

/** One PTE the walk found. */
export interface WalkHit {
  mm: Mm;
  vma: Vma;
  addr: number;
  pte: PresentPte | MigrationPte;
}

/** Which entries the walk looks for: present PTEs, or migration entries of a folio. */
export type WalkTarget = { kind: "present"; folio: Folio } | { kind: "migration"; folio: Folio };

/**
 * rmap_walk: every entry of `target` reachable from `via` (the folio whose mapping and
 * index are used: the folio itself, or the new folio in remove_migration_ptes).
 * `who` names the walker for detections ("reclaim of f3").
 */
export function rmapWalk(k: Kernel, target: WalkTarget, via: Folio, who: string): WalkHit[] {
  const hits: WalkHit[] = [];
  const mapping = via.mapping;
  if (mapping?.kind === "ksm") {
    // rmap_walk_ksm: each rmap_item's anon_vma, at the item's address only; the item's own
    // mm first, then forked mms (search_new_forks)
    for (const newForks of [false, true]) {
      for (const item of mapping.rmapItems) {
        if (!liveAnonVma(k, item.anonVma, who)) continue;
        for (const avc of item.anonVma.avcs()) {
          const vma = avc.vma;
          if ((vma.mm === item.mm) === newForks) continue;
          if (item.address < vma.start || item.address >= vma.end) continue;
          if (!hits.some((h) => h.mm === vma.mm && h.addr === item.address))
            collect(hits, target, vma, item.address, 0);
        }
      }
    }
    return hits;
  }
  if (mapping?.kind !== "anon_vma" || !liveAnonVma(k, mapping, who)) return hits;
  // rmap_walk_anon: anon_vma_interval_tree_foreach over [index, index + nr - 1]
  for (const avc of mapping.avcs()) {
    for (let sub = 0; sub < via.nrPages; sub++) {
      const addr = avc.vma.addressOf(via.index + sub);
      if (addr !== null) collect(hits, target, avc.vma, addr, sub);
    }
  }
  return hits;
}

function collect(hits: WalkHit[], target: WalkTarget, vma: Vma, addr: number, sub: number): void {
  const pte = vma.mm.pageTable.get(addr);
  if (pte?.kind !== target.kind || pte.folio !== target.folio || pte.sub !== sub) return;
  hits.push({ mm: vma.mm, vma, addr, pte });
}

function liveAnonVma(k: Kernel, av: AnonVma, who: string): boolean {
  if (!av.freed) return true;
  k.detect("I-live", `${who}: rmap walk reached ${av.name}, which was freed (use-after-free)`);
  return false;
}
