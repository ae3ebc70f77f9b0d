// struct mm_struct: one process's address space. An ordered VMA index (the maple tree's
// role) with O(log n) find/prev/next, and the page tables. This module is browser compatible.

import { BTree, compareNumbers } from "./btree.js";
import { PageTable } from "./page-table.js";
import type { Vma } from "./vma.js";

/**
 * The pair the index's nextLower/HigherPair lookups fill in, instead of allocating one each;
 * `take` reads it at once, before the next lookup. Not state.
 */
const PAIR: [number, Vma] = [0, null as unknown as Vma];

/** The VMA of a lookup's pair; the pair lets go of it (so that no VMA is kept alive). */
function take(pair: [number, Vma] | undefined): Vma | undefined {
  if (pair === undefined) return undefined;
  const v = pair[1];
  pair[1] = null as unknown as Vma;
  return v;
}

export class Mm {
  private readonly index: BTree<number, Vma> = new BTree<number, Vma>(undefined, compareNumbers);
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
    const below = take(this.index.nextLowerPair(addr + 1, PAIR));
    if (below && below.end > addr) return below;
    return take(this.index.nextHigherPair(addr, PAIR));
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
    return take(this.index.nextLowerPair(addr, PAIR));
  }

  /** The first VMA starting at or after `addr`. */
  nextFrom(addr: number): Vma | undefined {
    return take(this.index.getPairOrNextHigher(addr, PAIR));
  }

  /** find_vma_prev: the VMA after `addr`'s gap and the one before it. */
  findVmaPrev(addr: number): { vma: Vma | undefined; prev: Vma | undefined } {
    const vma = this.findVma(addr);
    return { vma, prev: vma ? this.prevOf(vma.start) : this.last() };
  }

  last(): Vma | undefined {
    return this.index.maxKey() === undefined
      ? undefined
      : this.index.get(this.index.maxKey() as number);
  }

  /**
   * Every VMA overlapping [start, end), in address order (a snapshot); `first` is the
   * first of them when the caller has already looked it up.
   */
  vmasIn(start: number, end: number, first: Vma | undefined = this.findVma(start)): Vma[] {
    const out: Vma[] = [];
    let v = first;
    while (v && v.start < end) {
      out.push(v);
      v = take(this.index.nextHigherPair(v.start, PAIR));
    }
    return out;
  }

  /** Every VMA, in address order. */
  allVmas(): Vma[] {
    return this.index.valuesArray();
  }

  /** vma_link / vma_iter_store of a new VMA. */
  insert(vma: Vma): void {
    if (!this.index.set(vma.start, vma, false))
      throw new Error(`mm: VMA index already has a VMA at ${vma.start}`);
  }

  /** Removes a VMA from the index (vma_iter_clear / detach). */
  remove(vma: Vma): void {
    if (this.index.get(vma.start) !== vma)
      throw new Error(`mm: VMA at ${vma.start} is not indexed`);
    this.index.delete(vma.start);
  }

  /** Indexes `vma` in place of `old`, which starts at the same address (vma_iter_store). */
  replace(old: Vma, vma: Vma): void {
    if (vma.start !== old.start || this.index.get(old.start) !== old)
      throw new Error(`mm: VMA at ${old.start} is not indexed`);
    this.index.set(vma.start, vma);
  }

  /** __mt_destroy at exit_mmap: the index drops every VMA at once. */
  clear(): void {
    this.index.clear();
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
