// Folios (struct folio): the unit of anonymous memory, with mapping/index/mapcount.
// This module is browser compatible.

import type { AnonVma } from "./anon-vma.js";
import type { MappedFile } from "./file.js";

/**
 * A folio. For anonymous folios `mapping` is the anon_vma (page->mapping with
 * PAGE_MAPPING_ANON) and `index` the linear page index in pgoff space
 * (`linear_page_index`); for shmem folios `mapping` is the file and `index` the file page.
 */
export class Folio {
  /** Total PTE mappings of the folio (folio_mapcount). */
  mapcount = 0;
  /** References: one per mapping plus extra (pins, swap cache). */
  refcount = 0;
  /** PageAnonExclusive: only this mapping may write without COW. */
  anonExclusive = false;
  /** Set when the folio was freed; a mapping to a freed folio is a model bug. */
  freed = false;

  constructor(
    readonly id: number,
    public mapping: AnonVma | MappedFile | null,
    public index: number,
    readonly nrPages: number = 1,
    /** The shared zero page: mapped read-only, never counted in RSS. */
    readonly isZero = false,
  ) {}

  /** folio_test_anon. */
  get isAnon(): boolean {
    return this.mapping !== null && this.mapping.kind === "anon_vma";
  }

  get name(): string {
    return this.isZero ? "zero" : `f${this.id}`;
  }
}
