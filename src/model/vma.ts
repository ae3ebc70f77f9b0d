// struct vm_area_struct: the fields that matter for anonymous merging.
// This module is browser compatible.

import type { AnonVma, AnonVmaChain } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import type { Mm } from "./mm.js";
import type { MappedFile } from "./file.js";

/** The empty anon_vma_chain (frozen: a chain is replaced, never changed in place). */
export const NO_CHAIN: readonly AnonVmaChain[] = Object.freeze([]);

export class Vma {
  /** vma->anon_vma: where new anonymous folios of this VMA go; null while unfaulted. */
  anonVma: AnonVma | null = null;
  /**
   * vma->anon_vma_chain, newest first (anon_vma_chain_link adds at the head). Replaced,
   * never changed in place, so that every unfaulted VMA shares the one empty chain.
   */
  chain: readonly AnonVmaChain[] = NO_CHAIN;
  /** anon_vma_name (PR_SET_VMA_ANON_NAME). */
  anonName: string | null = null;
  /** vm_userfaultfd_ctx: placeholder identity (no userfaultfd operations yet). */
  uffdCtx: number | null = null;
  /** vma_policy: placeholder mempolicy identity (no mbind yet). */
  policy: number | null = null;
  /** vm_ops->close: never set on anonymous VMAs; modelled for the merge rules that check it. */
  closeHook = false;
  /** vm_ops->name of a special mapping ("[vdso]"), null otherwise. */
  specialName: string | null = null;

  constructor(
    public mm: Mm,
    public start: number,
    public end: number,
    /** vm_pgoff, in pages (absolute). */
    public pgoff: number,
    public flags: number,
    /** vm_file: a mapped file, the shmem file of a shared anonymous mapping, or null. */
    public file: MappedFile | null,
  ) {}

  /** vma_pages. */
  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  /** vma_is_anonymous: no vm_ops (shared anonymous mappings have shmem's). */
  get isAnonymous(): boolean {
    return this.file === null;
  }

  /** linear_page_index: the pgoff-space index of the page at `addr`. */
  linearIndex(addr: number): number {
    return this.pgoff + (addr - this.start) / PAGE_SIZE;
  }

  /** The address at which pgoff-space `index` is mapped (vma_address), or null if outside. */
  addressOf(index: number): number | null {
    const off = index - this.pgoff;
    if (off < 0 || off >= this.pages) return null;
    return this.start + off * PAGE_SIZE;
  }

  /** vma_set_range. */
  setRange(start: number, end: number, pgoff: number): void {
    this.start = start;
    this.end = end;
    this.pgoff = pgoff;
  }

  /** vm_area_dup: a field copy with an empty chain (callers clone the chain). */
  dup(): Vma {
    const v = new Vma(this.mm, this.start, this.end, this.pgoff, this.flags, this.file);
    v.anonVma = this.anonVma;
    v.anonName = this.anonName;
    v.uffdCtx = this.uffdCtx;
    v.policy = this.policy;
    v.closeHook = this.closeHook;
    v.specialName = this.specialName;
    return v;
  }
}
