// A swap slot (swp_entry_t with its swap_map count) and the swap cache's hold on a folio.
// This module is browser compatible.

import type { Folio } from "./folio.js";

export class SwapSlot {
  /** swap_map[offset]: swap PTEs referring to this slot (swap_duplicate / swap_free). */
  count = 0;
  /** The swap cache: the folio still holding this slot's data, or null once dropped. */
  cache: Folio | null = null;
  /** What was written out: whether the page held data when it left the swap cache. */
  holdsData = false;
  freed = false;

  constructor(readonly id: number) {}

  get name(): string {
    return `s${this.id}`;
  }
}
