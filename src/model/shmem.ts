// The shmem file behind a MAP_SHARED|MAP_ANONYMOUS mapping (shmem_zero_setup): its page
// cache holds the folios, so a child after fork maps the same pages on fault.
// This module is browser compatible.

import type { Folio } from "./folio.js";

export class ShmemFile {
  readonly kind = "shmem";
  /** Page cache: file page index → folio. */
  readonly pages = new Map<number, Folio>();

  constructor(
    readonly id: number,
    /** File size in pages (the original mapping length). */
    readonly sizePages: number,
  ) {}

  get name(): string {
    return `shmem${this.id}`;
  }
}
