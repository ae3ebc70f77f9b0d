// Files behind file-backed mappings (model only, for replayed programs): told apart by
// path, with a page cache of the folios faulted from them. This module is browser compatible.

import type { Folio } from "./folio.js";
import type { ShmemFile } from "./shmem.js";

export class RegularFile {
  readonly kind = "file";
  /** Page cache: file page index → folio. */
  readonly pages = new Map<number, Folio>();
  /** Regular files are not sized in the model: no SIGBUS beyond EOF. */
  readonly sizePages = Number.POSITIVE_INFINITY;

  constructor(
    readonly id: number,
    readonly path: string,
  ) {}

  get name(): string {
    return this.path;
  }
}

/** What a VMA's vm_file can be. */
export type MappedFile = ShmemFile | RegularFile;
