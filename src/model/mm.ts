// struct mm_struct: one process's address space. An ordered VMA index (the maple tree's
// role) with O(log n) find/prev/next, and the page tables. This module is browser compatible.

import { OrderedIndex } from "./ordered-index.js";
import { PageTable } from "./page-table.js";
import type { Vma } from "./vma.js";

export class Mm {
  private readonly index = new OrderedIndex<Vma>();
  /**
   * The VMA findVma found last, if it is still indexed: the next lookup often falls in it
   * again (a fault after madvise, the pages of one access). Not state, a cache of `index`
   * (as the per-thread vmacache was before the maple tree); every removal drops it.
   */
  private cached: Vma | undefined = undefined;
  readonly pageTable = new PageTable();
  /** mm_users: processes sharing this mm (a vfork child until it execs or exits). */
  users = 1;
  /** mm->start_brk and mm->brk: the heap exec set up and the current break. */
  startBrk = 0;
  brk = 0;
  /** mm->start_stack: an address inside the initial stack (named [stack]). */
  startStack = 0;

  constructor(
    /** Index (pN) of the process that created this mm. */
    readonly proc: number,
  ) {}

  /** mm->map_count. */
  get mapCount(): number {
    return this.index.size;
  }

  /** find_vma: the first VMA with end > addr. O(log n). */
  findVma(addr: number): Vma | undefined {
    const c = this.cached;
    if (c !== undefined && c.start <= addr && addr < c.end) return c;
    const below = this.index.below(addr + 1);
    if (below && below.end > addr) return (this.cached = below);
    return this.index.atOrAbove(addr + 1);
  }

  /** vma_lookup: the VMA containing addr. */
  vmaLookup(addr: number): Vma | undefined {
    const v = this.findVma(addr);
    return v && v.start <= addr ? v : undefined;
  }

  /** find_vma_intersection: the first VMA overlapping [start, end). */
  findVmaIntersection(start: number, end: number): Vma | undefined {
    const v = this.findVma(start);
    return v && v.start < end ? v : undefined;
  }

  /** The VMA before `addr` (the last VMA with start < addr). */
  prevOf(addr: number): Vma | undefined {
    return this.index.below(addr);
  }

  /** The first VMA starting at or after `addr`. */
  nextFrom(addr: number): Vma | undefined {
    return this.index.atOrAbove(addr);
  }

  /** find_vma_prev: the VMA after `addr`'s gap and the one before it. */
  findVmaPrev(addr: number): { vma: Vma | undefined; prev: Vma | undefined } {
    const vma = this.findVma(addr);
    return { vma, prev: vma ? this.prevOf(vma.start) : this.last() };
  }

  last(): Vma | undefined {
    return this.index.last();
  }

  /** Every VMA overlapping [start, end), in address order (a snapshot). */
  vmasIn(start: number, end: number): Vma[] {
    const out: Vma[] = [];
    let v = this.findVma(start);
    while (v && v.start < end) {
      out.push(v);
      v = this.index.atOrAbove(v.start + 1);
    }
    return out;
  }

  /** Every VMA, in address order. */
  allVmas(): Vma[] {
    return this.index.values();
  }

  /** vma_link / vma_iter_store of a new VMA. */
  insert(vma: Vma): void {
    if (!this.index.set(vma.start, vma, false))
      throw new Error(`mm: VMA index already has a VMA at ${vma.start}`);
  }

  /** Removes a VMA from the index (vma_iter_clear / detach). */
  remove(vma: Vma): void {
    if (!this.index.delete(vma.start, vma))
      throw new Error(`mm: VMA at ${vma.start} is not indexed`);
    if (this.cached === vma) this.cached = undefined;
  }

  /**
   * Removes every VMA that starts in [start, end) from the index at once
   * (vma_iter_clear_gfp); returns how many.
   */
  removeRange(start: number, end: number): number {
    const c = this.cached;
    if (c !== undefined && c.start >= start && c.start < end) this.cached = undefined;
    return this.index.deleteRange(start, end);
  }

  /** Indexes `vma` in place of `old`, which starts at the same address (vma_iter_store). */
  replace(old: Vma, vma: Vma): void {
    if (vma.start !== old.start || this.index.get(old.start) !== old)
      throw new Error(`mm: VMA at ${old.start} is not indexed`);
    this.index.set(vma.start, vma);
    if (this.cached === old) this.cached = undefined;
  }

  /** __mt_destroy at exit_mmap: the index drops every VMA at once. */
  clear(): void {
    this.index.clear();
    this.cached = undefined;
  }

  /** vma_set_range, keeping the index keyed by start. */
  setRange(vma: Vma, start: number, end: number, pgoff: number): void {
    if (start !== vma.start) {
      this.remove(vma);
      vma.setRange(start, end, pgoff);
      this.insert(vma);
    } else {
      vma.setRange(start, end, pgoff);
    }
  }

  /** Whether `vma` is the one indexed at its start. */
  contains(vma: Vma): boolean {
    return this.index.get(vma.start) === vma;
  }
}
