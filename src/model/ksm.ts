// KSM (mm/ksm.c), reduced to what merging cares about: a merged page is one KSM folio
// whose mapping is a stable node, and each mapping of it is remembered by an rmap_item
// that holds the anon_vma of the VMA it was found in and pins it (get_anon_vma).
// rmap_walk_ksm finds mappings only through those anon_vmas. Browser compatible.

import { putAnonVma, type AnonVma } from "./anon-vma.js";
import type { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";

/** struct ksm_rmap_item: one mapping of a stable page. */
export interface RmapItem {
  readonly mm: Mm;
  /** The user address (rmap_item->address). */
  readonly address: number;
  /** The anon_vma of the VMA the page was merged in, pinned by the item. */
  readonly anonVma: AnonVma;
}

/** struct ksm_stable_node: the stable tree node a KSM folio's mapping points at. */
export class StableNode {
  readonly kind = "ksm";
  readonly rmapItems: RmapItem[] = [];

  constructor(readonly id: number) {}

  get name(): string {
    return `ksm${this.id}`;
  }
}

/**
 * A mapping of a KSM folio went away; once the folio is freed its stable node goes and its
 * rmap_items drop their anon_vma pins (remove_node_from_stable_tree). Items of mappings
 * that are gone but whose folio lives stay, as ksmd only prunes them on its next scan.
 */
export function ksmFolioUnmapped(k: Kernel, folio: Folio): void {
  if (k.stableNodes.size === 0) return; // no KSM folio anywhere (spares reading the mapping)
  const node = folio.mapping;
  if (node?.kind !== "ksm" || !folio.freed) return;
  k.stableNodes.delete(node);
  for (const item of node.rmapItems.splice(0)) putAnonVma(k, item.anonVma);
}
