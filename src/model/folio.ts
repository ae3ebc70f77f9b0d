// Folios (struct folio): the unit of anonymous memory, with mapping/index/mapcount, and
// the page states relocation must respect: swap cache, KSM, GUP pins, COW sharing. The
// model holds millions of small folios, so a Folio keeps little in own fields: the booleans
// and the pin count share one, the index takes two small integers, and the page count of a
// small folio and the swap slot of one outside the swap cache come from the class. This
// module is browser compatible.

import type { AnonVma } from "./anon-vma.js";
import type { MappedFile } from "./file.js";
import type { StableNode } from "./ksm.js";
import type { Mm } from "./mm.js";
import type { SwapSlot } from "./swap-slot.js";
import { HIGH_UNIT } from "./small-int.js";

/** What folio->mapping points at: an anon_vma, a KSM stable node, a file, or nothing. */
export type FolioMapping = AnonVma | StableNode | MappedFile;

/**
 * Bits of Folio.flags: the folio's booleans share one field (8 bytes each otherwise), and
 * the pin count takes the bits above them.
 */
const ANON_EXCLUSIVE = 1;
const FREED = 2;
const EVER_SHARED = 4;
const ZERO = 8;
const LAZYFREE = 16;
const DIRTY = 32;
const DATA = 64;
const PINS_SHIFT = 7;
const BOOLEANS = (1 << PINS_SHIFT) - 1;

/**
 * A folio. For anonymous folios `mapping` is the anon_vma (page->mapping with
 * PAGE_MAPPING_ANON) and `index` the linear page index of its first page in pgoff space
 * (`linear_page_index`); for KSM folios `mapping` is the stable node (PAGE_MAPPING_KSM);
 * for file and shmem folios `mapping` is the file and `index` the file page.
 */
export class Folio {
  /** Total PTE mappings of the folio (folio_mapcount). */
  mapcount = 0;
  /** References (folio->_refcount): one per mapping, one for the swap cache, one per pin. */
  refcount = 0;
  /**
   * folio_test_swapcache: the swap slot this folio caches (folio->swap), or null. Null
   * comes from the prototype: only a folio that enters the swap cache gets the field.
   */
  declare swap: SwapSlot | null;
  /** The boolean fields below, as bits, and the pin count above them (folio->flags). */
  private flags: number;
  /**
   * folio->index in two fields (see `index`): a number of 2^31 or more in one field would
   * be a separate 16-byte HeapNumber, and anonymous indexes are addresses / PAGE_SIZE.
   */
  private indexHi = 0;
  private indexLo = 0;

  constructor(
    readonly id: number,
    public mapping: FolioMapping | null,
    index: number,
    /** The shared zero page: mapped read-only, never counted in RSS. */
    isZero = false,
  ) {
    this.flags = isZero ? ZERO : 0;
    this.index = index;
  }

  /** folio->index: the page index of the folio's first page (see the class comment). */
  get index(): number {
    return this.indexHi * HIGH_UNIT + this.indexLo;
  }
  set index(i: number) {
    const hi = Math.floor(i / HIGH_UNIT);
    this.indexHi = hi | 0;
    this.indexLo = (i - hi * HIGH_UNIT) | 0;
  }

  /** folio_nr_pages: 1 for a small folio (LargeFolio counts its own). */
  get nrPages(): number {
    return 1;
  }

  /** FOLL_PIN references (folio->_pincount, folio_maybe_dma_pinned). */
  get pins(): number {
    return this.flags >>> PINS_SHIFT;
  }
  set pins(n: number) {
    this.flags = (this.flags & BOOLEANS) | (n << PINS_SHIFT);
  }

  /** How many PTEs map page `sub` of the folio (folio_precise_page_mapcount). */
  pageMapcount(_sub: number): number {
    return this.mapcount;
  }

  /** One more (+1) or one fewer (-1) PTE maps page `sub`. */
  countMapping(_sub: number, delta: 1 | -1): void {
    this.mapcount += delta;
  }

  private flag(bit: number, on: boolean): void {
    this.flags = on ? this.flags | bit : this.flags & ~bit;
  }

  /**
   * PageAnonExclusive of every page: only this mapping may write without COW. A small
   * folio has one page; a large folio keeps the bit page by page (pageAnonExclusive).
   */
  get anonExclusive(): boolean {
    return (this.flags & ANON_EXCLUSIVE) !== 0;
  }
  set anonExclusive(on: boolean) {
    this.flag(ANON_EXCLUSIVE, on);
  }

  /** PageAnonExclusive of page `sub`. */
  pageAnonExclusive(_sub: number): boolean {
    return this.anonExclusive;
  }

  /** SetPageAnonExclusive (`on`) or ClearPageAnonExclusive of page `sub`. */
  setPageAnonExclusive(_sub: number, on: boolean): void {
    this.anonExclusive = on;
  }

  /** Set when the folio was freed; a mapping to a freed folio is a model bug. */
  get freed(): boolean {
    return (this.flags & FREED) !== 0;
  }
  set freed(on: boolean) {
    this.flag(FREED, on);
  }

  /**
   * Whether the folio was ever mapped by two processes at once (fork shared it). Not a
   * kernel field: safe-merge's per-folio "was ever COW-shared" bit, suggested in review.
   */
  get everShared(): boolean {
    return (this.flags & EVER_SHARED) !== 0;
  }
  set everShared(on: boolean) {
    this.flag(EVER_SHARED, on);
  }

  /**
   * MADV_FREE'd (folio_mark_lazyfree clears PG_swapbacked): reclaim discards it instead
   * of swapping it out unless the folio or a PTE mapping it is dirty by then
   * (try_to_unmap_one sets PG_swapbacked again).
   */
  get lazyfree(): boolean {
    return (this.flags & LAZYFREE) !== 0;
  }
  set lazyfree(on: boolean) {
    this.flag(LAZYFREE, on);
  }

  /**
   * PG_dirty (folio_test_dirty). An anonymous folio gets it when a dirty PTE's bit moves
   * to it (try_to_unmap_one, try_to_migrate_one, __split_huge_pmd_locked from a dirty
   * PMD) or a GUP write touches a clean PTE (follow_page_pte); MADV_FREE clears it on a
   * folio mapped only there (madvise_free_pte_range). A dirty folio is never discarded
   * by reclaim, and MADV_FREE skips one that is shared.
   */
  get dirty(): boolean {
    return (this.flags & DIRTY) !== 0;
  }
  set dirty(on: boolean) {
    this.flag(DIRTY, on);
  }

  /**
   * Whether page `sub` may hold non-zero data: a store of a non-zero byte put some there, or
   * it was copied from a page that did. Not a kernel field: the model keeps no page
   * contents, and a THP split asks only whether a page is still all zero
   * (try_to_map_unused_to_zeropage reads it). A fault or a populate allocates zeroed pages.
   */
  holdsData(_sub: number): boolean {
    return (this.flags & DATA) !== 0;
  }

  /**
   * A store of the byte `value` into page `sub`. A zero store leaves the page as it was:
   * the model does not know which bytes held data, so it never turns a page back to zero.
   */
  store(_sub: number, value: number): void {
    if (value !== 0) this.flags |= DATA;
  }

  /** Page `sub` of this new folio gets the contents of page `fromSub` of `from` (a copy). */
  copyData(sub: number, from: Folio, fromSub: number): void {
    if (from.holdsData(fromSub)) this.store(sub, 1);
  }

  /** The shared zero page: mapped read-only, never counted in RSS. */
  get isZero(): boolean {
    return (this.flags & ZERO) !== 0;
  }

  /** folio_test_anon: anonymous, KSM included. */
  get isAnon(): boolean {
    return (
      this.mapping !== null && (this.mapping.kind === "anon_vma" || this.mapping.kind === "ksm")
    );
  }

  /** folio_test_ksm. */
  get isKsm(): boolean {
    return this.mapping?.kind === "ksm";
  }

  /** folio_anon_vma: the anon_vma of a non-KSM anonymous folio. */
  get anonVma(): AnonVma | null {
    return this.mapping?.kind === "anon_vma" ? this.mapping : null;
  }

  get name(): string {
    return this.isZero ? "zero" : `f${this.id}`;
  }
}

Folio.prototype.swap = null;

/**
 * A large folio (mTHP or PMD-sized THP): it also counts the mappings of each page, since
 * smaps tells shared pages from private ones page by page. A subclass, so that the
 * millions of small folios carry no extra field.
 */
export class LargeFolio extends Folio {
  /** Per page, the PTEs mapping it (the pages' _mapcount); one entry a page. */
  private readonly pageMapcounts: number[];
  /** Per page, 1 once it may hold non-zero data (Folio.holdsData). */
  private readonly dataPages: Uint8Array;
  /**
   * Per page, 1 while PageAnonExclusive is set: fork clears it only on the pages whose PTEs
   * it copies (folio_try_dup_anon_rmap_ptes), and a COW reuse sets it only on the page
   * written, so the pages of one large folio can differ.
   */
  private readonly exclusivePages: Uint8Array;

  /** `filled`: every page holds data already; otherwise the folio is zero-filled, as a fault allocates it. */
  constructor(
    id: number,
    mapping: FolioMapping | null,
    index: number,
    nrPages: number,
    filled: boolean,
  ) {
    super(id, mapping, index);
    this.pageMapcounts = new Array<number>(nrPages).fill(0);
    this.dataPages = new Uint8Array(nrPages).fill(filled ? 1 : 0);
    this.exclusivePages = new Uint8Array(nrPages);
  }

  /** Whether every page is anon-exclusive; setting it sets or clears every page's bit. */
  override get anonExclusive(): boolean {
    return this.exclusivePages.every((b) => b === 1);
  }
  override set anonExclusive(on: boolean) {
    this.exclusivePages.fill(on ? 1 : 0);
  }

  override pageAnonExclusive(sub: number): boolean {
    return this.exclusivePages[sub] === 1;
  }

  override setPageAnonExclusive(sub: number, on: boolean): void {
    this.exclusivePages[sub] = on ? 1 : 0;
  }

  override store(sub: number, value: number): void {
    if (value !== 0) this.dataPages[sub] = 1;
  }

  override holdsData(sub: number): boolean {
    return this.dataPages[sub] === 1;
  }

  /** folio_nr_pages: the length of pageMapcounts. */
  override get nrPages(): number {
    return this.pageMapcounts.length;
  }

  override pageMapcount(sub: number): number {
    return this.pageMapcounts[sub] ?? 0;
  }

  override countMapping(sub: number, delta: 1 | -1): void {
    this.mapcount += delta;
    this.pageMapcounts[sub] = (this.pageMapcounts[sub] ?? 0) + delta;
  }

  /**
   * folio_large_mapcount: the folio's page-table mappings, a PTE counting one and a PMD
   * mapping one too (`mapcount` counts a PMD mapping's every page).
   */
  largeMapcount = 0;
  /**
   * MM owner tracking (CONFIG_MM_ID, 6.15+; folio->_mm_id and _mm_id_mapcount): two slots,
   * each an mm and how many of the large mapcount's mappings it holds, or null and 0.
   */
  private slotMm0: Mm | null = null;
  private slotMm1: Mm | null = null;
  private slotMappings0 = 0;
  private slotMappings1 = 0;
  /**
   * FOLIO_MM_IDS_SHARED_BIT: set when a second mm maps the folio, cleared only when a slot
   * is freed and the other holds every mapping. A third mm's mappings are counted by no
   * slot, so once more than two mms mapped the folio the bit may stay set for good.
   */
  private mmIdsShared = false;

  /** folio_add_return_large_mapcount: `mm` maps the folio `nr` more times. */
  addLargeMapcount(mm: Mm, nr: number): void {
    this.largeMapcount += nr;
    if (this.slotMm0 === mm) this.slotMappings0 += nr;
    else if (this.slotMm1 === mm) this.slotMappings1 += nr;
    else if (this.slotMm0 === null) {
      this.slotMm0 = mm;
      this.slotMappings0 = nr;
      if (this.largeMapcount !== nr) this.mmIdsShared = true; // other mappings already
    } else if (this.slotMm1 === null) {
      this.slotMm1 = mm;
      this.slotMappings1 = nr;
      this.mmIdsShared = true; // slot 0 certainly has mappings as well
    }
  }

  /** folio_sub_return_large_mapcount: `mm` maps the folio `nr` times fewer. */
  subLargeMapcount(mm: Mm, nr: number): void {
    this.largeMapcount -= nr;
    if (this.slotMm0 === mm) {
      this.slotMappings0 -= nr;
      if (this.slotMappings0 > 0) return;
      this.slotMappings0 = 0;
      this.slotMm0 = null;
    } else if (this.slotMm1 === mm) {
      this.slotMappings1 -= nr;
      if (this.slotMappings1 > 0) return;
      this.slotMappings1 = 0;
      this.slotMm1 = null;
    }
    // one slot owns all mappings (an unmapped folio too): mapped exclusively
    if (this.slotMappings0 === this.largeMapcount || this.slotMappings1 === this.largeMapcount)
      this.mmIdsShared = false;
  }

  /** folio_maybe_mapped_shared: a single mapping is exclusive, whatever the bit says. */
  get maybeMappedShared(): boolean {
    return this.largeMapcount > 1 && this.mmIdsShared;
  }

  /** The tracking as it stands, for the checker: the slots in use and the shared bit. */
  mmOwners(): { slots: Array<[Mm, number]>; shared: boolean } {
    const slots: Array<[Mm, number]> = [];
    if (this.slotMm0) slots.push([this.slotMm0, this.slotMappings0]);
    if (this.slotMm1) slots.push([this.slotMm1, this.slotMappings1]);
    return { slots, shared: this.mmIdsShared };
  }
}
