// The links between folios, swap slots and migrations, checked both ways (I-swapcache,
// I-migration): a swap-cache folio is alive (the swap cache holds a reference), it and its
// slot name each other (folio->swap and the swap cache's entry for the slot), a lazily
// freed folio is never in the swap cache (MADV_FREE clears PG_swapbacked, and reclaim
// discards such a folio instead of writing it out), and a folio under migration is mapped
// by no present PTE (try_to_migrate replaced them all with migration entries). This module
// is browser compatible.

import type { Folio } from "../../model/folio.js";
import type { Kernel } from "../../model/kernel.js";
import type { SwapSlot } from "../../model/swap-slot.js";
import type { InvariantViolation } from "../../report/record.js";
import type { ProcessEntries } from "./entries.js";

export function checkSwapAndMigrationLinks(
  k: Kernel,
  procs: readonly ProcessEntries[],
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const folios = new Set<Folio>();
  const slots = new Set<SwapSlot>();
  for (const p of procs) {
    for (const { pte } of p.entries) {
      if (pte.kind === "present") folios.add(pte.folio);
      else if (pte.kind === "swap") slots.add(pte.slot);
    }
  }
  for (const slot of slots) {
    const f = slot.cache;
    if (f?.freed)
      out.push({
        id: "I-swapcache",
        message: `${slot.name}: its swap-cache folio ${f.name} was freed`,
      });
    if (f && f.swap !== slot)
      out.push({
        id: "I-swapcache",
        message: `${slot.name}: its swap-cache folio ${f.name} names ${f.swap?.name ?? "no slot"}`,
      });
  }
  for (const f of folios) {
    const slot = f.swap;
    if (slot && slot.cache !== f)
      out.push({
        id: "I-swapcache",
        message: `${f.name}: in the swap cache of ${slot.name}, which holds ${slot.cache?.name ?? "no folio"}`,
      });
    if (slot && f.lazyfree)
      out.push({ id: "I-swapcache", message: `${f.name}: lazily freed but in the swap cache` });
    if (k.migrations.has(f))
      out.push({ id: "I-migration", message: `${f.name}: under migration but still mapped` });
  }
  return out;
}
