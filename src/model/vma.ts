// struct vm_area_struct: the fields that matter for anonymous merging.
// This module is browser compatible.

import type { AnonVma, AnonVmaChain } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import { HIGH_UNIT, smallInt } from "./small-int.js";
import type { Mm } from "./mm.js";
import type { MappedFile } from "./file.js";

/**
 * The attributes a VMA shares with the VMAs it was split or copied from, and that nearly
 * every anonymous VMA leaves at their defaults. They live in one object that VMAs share and
 * replace, never change (copy on write), so that a VMA costs one field for all six.
 */
export interface VmaAttrs {
  /** vm_file: a mapped file, the shmem file of a shared anonymous mapping, or null. */
  readonly file: MappedFile | null;
  /** anon_vma_name (PR_SET_VMA_ANON_NAME). */
  readonly anonName: string | null;
  /** vm_userfaultfd_ctx: placeholder identity (no userfaultfd operations yet). */
  readonly uffdCtx: number | null;
  /** vma_policy: placeholder mempolicy identity (no mbind yet). */
  readonly policy: number | null;
  /** vm_ops->close: never set on anonymous VMAs; modelled for the merge rules that check it. */
  readonly closeHook: boolean;
  /** vm_ops->name of a special mapping ("[vdso]"), null otherwise. */
  readonly specialName: string | null;
}

export const DEFAULT_ATTRS: VmaAttrs = Object.freeze({
  file: null,
  anonName: null,
  uffdCtx: null,
  policy: null,
  closeHook: false,
  specialName: null,
});

export class Vma {
  /** vma->anon_vma: where new anonymous folios of this VMA go; null while unfaulted. */
  anonVma: AnonVma | null = null;
  /** vma->anon_vma_chain: its newest AVC, whose `next` leads to the older ones. */
  chain: AnonVmaChain | null = null;
  attrs: VmaAttrs = DEFAULT_ATTRS;
  /**
   * vma_pages, kept instead of vm_end: a page count is a small integer (smallInt), which V8
   * stores in the object, where an address takes a boxed double of its own.
   */
  pages!: number;
  /** vm_pgoff in two small integers (see small-int.ts): an anonymous pgoff is an address's. */
  private pgoffHi!: number;
  private pgoffLo!: number;

  constructor(
    public mm: Mm,
    public start: number,
    end: number,
    pgoff: number,
    public flags: number,
    file: MappedFile | null,
  ) {
    this.setRange(start, end, pgoff);
    if (file !== null) this.attrs = { ...DEFAULT_ATTRS, file };
  }

  /** vm_pgoff, in pages (absolute). */
  get pgoff(): number {
    return this.pgoffHi * HIGH_UNIT + this.pgoffLo;
  }

  get file(): MappedFile | null {
    return this.attrs.file;
  }

  /** vm_end. */
  get end(): number {
    return this.start + this.pages * PAGE_SIZE;
  }

  get anonName(): string | null {
    return this.attrs.anonName;
  }
  set anonName(anonName: string | null) {
    this.attrs = { ...this.attrs, anonName };
  }
  get uffdCtx(): number | null {
    return this.attrs.uffdCtx;
  }
  get policy(): number | null {
    return this.attrs.policy;
  }
  get closeHook(): boolean {
    return this.attrs.closeHook;
  }
  set closeHook(closeHook: boolean) {
    this.attrs = { ...this.attrs, closeHook };
  }
  get specialName(): string | null {
    return this.attrs.specialName;
  }
  set specialName(specialName: string | null) {
    this.attrs = { ...this.attrs, specialName };
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
    this.pages = smallInt((end - start) / PAGE_SIZE);
    const hi = Math.floor(pgoff / HIGH_UNIT);
    this.pgoffHi = hi | 0;
    this.pgoffLo = (pgoff - hi * HIGH_UNIT) | 0;
  }

  /** vm_area_dup: a field copy with an empty chain (callers clone the chain). */
  dup(): Vma {
    const v = new Vma(this.mm, this.start, this.end, this.pgoff, this.flags, null);
    v.anonVma = this.anonVma;
    v.attrs = this.attrs;
    return v;
  }
}
