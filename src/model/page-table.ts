// A process's page tables: sparse, one table of PTRS_PER_PTE entries per populated PMD,
// kept in an ordered index so range walks cost O(log n + populated tables), never the
// range's length. A present PTE is stored inline, as its folio in the table's slot and its
// page number, write bit, dirty bit and PMD mark as bits of a parallel typed array: no object per
// resident page (the model holds millions). Reads get a PresentPte value built on the
// spot; writes go through PageTable's methods. This module is browser compatible.

import { PAGE_SIZE, PTRS_PER_PTE } from "./constants.js";
import type { Folio } from "./folio.js";
import { OrderedIndex } from "./ordered-index.js";
import type { SwapSlot } from "./swap-slot.js";

const TABLE_SPAN = PAGE_SIZE * PTRS_PER_PTE;

/**
 * A present PTE: the folio, which page of it, and whether the PTE is writable. A value
 * read from the table (PageTable.get, forEach): changing the entry is PageTable's job.
 */
export interface PresentPte {
  readonly kind: "present";
  readonly folio: Folio;
  /** Page number within the folio. */
  readonly sub: number;
  readonly writable: boolean;
  /** One of the PTRS_PER_PTE pages of a PMD mapping of a THP (src/model/thp.ts). */
  readonly pmd?: true;
  /**
   * pte_dirty (pmd_dirty for a PMD mapping: all its entries): set by a write through the
   * entry, kept by fork (private), mremap and migration, cleared by MADV_FREE.
   */
  readonly dirty?: true;
}

/** A guard-region marker (MADV_GUARD_INSTALL, a PTE marker): any access faults. */
export interface GuardPte {
  readonly kind: "guard";
}

/**
 * A swap entry (a non-present PTE naming a swap slot). `exclusive` is pte_swp_exclusive:
 * the page was anon-exclusive when it was unmapped.
 */
export interface SwapPte {
  readonly kind: "swap";
  readonly slot: SwapSlot;
  readonly exclusive: boolean;
}

/**
 * A migration entry: the folio is being migrated (try_to_migrate replaced the PTE);
 * remove_migration_ptes puts a present PTE back, found through the rmap.
 */
export interface MigrationPte {
  readonly kind: "migration";
  readonly folio: Folio;
  readonly sub: number;
  readonly writable: boolean;
  /** make_migration_entry_dirty: the PTE it replaced was dirty. */
  readonly dirty?: true;
}

/** A non-present entry that is not none: stored in the table as this object. */
export type NonPresentPte = GuardPte | SwapPte | MigrationPte;

/** A page-table entry that is not none. */
export type Pte = PresentPte | NonPresentPte;

export const GUARD_PTE: GuardPte = { kind: "guard" };

/** Bits of PteTable.bits for a present entry (0 for any other): the page number above them. */
const PRESENT = 1;
const WRITE = 2;
const PMD = 4;
const DIRTY = 8;
const SUB_SHIFT = 4; // PTRS_PER_PTE pages need 9 bits: 13 in all, within a Uint16

/** The smallest `bits` array; it doubles up to PTRS_PER_PTE as entries further in are set. */
const MIN_BITS = 16;

class PteTable {
  /**
   * Per entry: the folio of a present PTE, the object of another, or a hole. Grown on
   * demand up to PTRS_PER_PTE, so small tables stay small to walk and to copy.
   */
  readonly slots: Array<Folio | NonPresentPte | undefined> = [];
  /** Per entry: PRESENT, WRITE, PMD, DIRTY and the page number of a present PTE; at least as long as slots. */
  bits = new Uint16Array(MIN_BITS);
  count = 0;
}

/**
 * Calls `present(addr, folio, sub, writable, pmd, dirty)` for a present entry or
 * `other(addr, pte)` for another: PageTable.walk's callbacks.
 */
export type PresentFn = (
  addr: number,
  folio: Folio,
  sub: number,
  writable: boolean,
  pmd: boolean,
  dirty: boolean,
) => void;
export type OtherFn = (addr: number, pte: NonPresentPte) => void;

/** Page tables of one mm, keyed by virtual address. */
export class PageTable {
  private readonly tables = new OrderedIndex<PteTable>();
  /**
   * The table looked up last, by key (undefined: none there). Page-by-page loops (faults,
   * zaps, copies, moves) stay within one table for up to PTRS_PER_PTE entries, so this
   * saves most tree lookups; not state, only a cache of `tables`.
   */
  private lastKey = -1;
  private lastTable: PteTable | undefined = undefined;
  /**
   * How many present entries are part of a PMD mapping: with none (THP never, or none
   * faulted), isPmdMapped answers without a lookup. Not state, a count of `tables`' bits.
   */
  private pmdEntries = 0;

  /** The table of `key`, if any. */
  private table(key: number): PteTable | undefined {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastTable = this.tables.get(key);
    }
    return this.lastTable;
  }

  get(addr: number): Pte | undefined {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return undefined;
    const i = slot(addr, key);
    const e = t.slots[i];
    if (e === undefined) return undefined;
    const bits = t.bits[i] as number;
    if (!(bits & PRESENT)) return e as NonPresentPte;
    return presentPte(
      e as Folio,
      bits >>> SUB_SHIFT,
      (bits & WRITE) !== 0,
      (bits & PMD) !== 0,
      (bits & DIRTY) !== 0,
    );
  }

  /** pte_none: no entry of any kind at `addr` (get without building the PTE). */
  isNone(addr: number): boolean {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    return t === undefined || t.slots[slot(addr, key)] === undefined;
  }

  /** The folio a present entry at `addr` maps, if any (get without building the PTE). */
  folioAt(addr: number): Folio | undefined {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return undefined;
    const i = slot(addr, key);
    return (t.bits[i] as number) & PRESENT ? (t.slots[i] as Folio) : undefined;
  }

  set(addr: number, pte: Pte): void {
    if (pte.kind === "present")
      this.setPresent(addr, pte.folio, pte.sub, pte.writable, !!pte.pmd, !!pte.dirty);
    else this.store(addr, pte, 0);
  }

  /** set of a present PTE, from its fields. */
  setPresent(
    addr: number,
    folio: Folio,
    sub: number,
    writable: boolean,
    pmd: boolean,
    dirty = false,
  ): void {
    this.store(addr, folio, presentBits(sub, writable, pmd, dirty));
  }

  /** The present PTE at `addr` becomes writable or read-only (pte_mkwrite, pte_wrprotect). */
  setWritable(addr: number, on: boolean): void {
    this.setBit(addr, WRITE, on);
  }

  /** The present PTE at `addr` becomes dirty or clean (pte_mkdirty, pte_mkclean). */
  setDirty(addr: number, on: boolean): void {
    this.setBit(addr, DIRTY, on);
  }

  /**
   * pmd_mkdirty: the PMD mapping at `addr` becomes dirty, so every present PTE of its span
   * is (the model keeps a PMD mapping's bits per page).
   */
  setPmdDirty(addr: number): void {
    const t = this.table(Math.floor(addr / TABLE_SPAN));
    if (!t) return;
    for (let i = 0; i < t.slots.length; i++) {
      const bits = t.bits[i] as number;
      if (bits & PRESENT) t.bits[i] = bits | DIRTY;
    }
  }

  /**
   * A user store of `value` through the present PTE at `addr`, as the CPU makes it: the PTE
   * becomes dirty (the hardware's pte_mkdirty; for a PMD mapping, pmd_mkdirty: all its
   * pages) and the value reaches the page.
   * Nothing without a present PTE. Reads the entry's bits in place, where `get` would build
   * a PTE object: a first-touch write fault ends with this, and a round of them executes
   * 18.6 % fewer instructions for it (docs/performance-history.md).
   */
  storeThrough(addr: number, value: number): void {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return;
    const i = slot(addr, key);
    const bits = t.bits[i] as number;
    if (!(bits & PRESENT)) return;
    if (bits & PMD) this.setPmdDirty(addr);
    else if (!(bits & DIRTY)) t.bits[i] = bits | DIRTY;
    (t.slots[i] as Folio).store(bits >> SUB_SHIFT, value);
  }

  /** pte_dirty of the present PTE at `addr` (false for any other entry). */
  isDirty(addr: number): boolean {
    return this.hasBit(addr, DIRTY);
  }

  /** Whether any present entry is part of a PMD mapping (no lookup: a count). */
  get hasPmdMappings(): boolean {
    return this.pmdEntries !== 0;
  }

  /** pmd_trans_huge: the entry at `addr` is present and part of a PMD mapping. */
  isPmdMapped(addr: number): boolean {
    return this.hasPmdMappings && this.hasBit(addr, PMD);
  }

  private setBit(addr: number, bit: number, on: boolean): void {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return;
    const i = slot(addr, key);
    const bits = t.bits[i] as number;
    if (bits & PRESENT) t.bits[i] = on ? bits | bit : bits & ~bit;
  }

  /** Whether the entry at `addr` is present with `bit` set. */
  private hasBit(addr: number, bit: number): boolean {
    const key = Math.floor(addr / TABLE_SPAN);
    return ((this.table(key)?.bits[slot(addr, key)] ?? 0) & (PRESENT | bit)) === (PRESENT | bit);
  }

  /**
   * The present PTEs of the PMD span at `haddr` lose their PMD mark (__split_huge_pmd);
   * they keep the dirty bit (a dirty PMD gives dirty PTEs).
   */
  clearPmd(haddr: number): void {
    const t = this.table(Math.floor(haddr / TABLE_SPAN));
    if (!t) return;
    for (let i = 0; i < t.slots.length; i++) {
      const bits = t.bits[i] as number;
      if (bits & PMD) {
        t.bits[i] = bits & ~PMD;
        this.pmdEntries--;
      }
    }
  }

  /** The table of `key`, an empty one allocated if there was none (pte_alloc). */
  private tableAlloc(key: number): PteTable {
    let t = this.table(key);
    if (!t) {
      t = new PteTable();
      this.tables.set(key, t);
      this.lastTable = t;
    }
    return t;
  }

  private store(addr: number, entry: Folio | NonPresentPte, bits: number): void {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.tableAlloc(key);
    const i = slot(addr, key);
    if (t.slots[i] === undefined) t.count++;
    t.slots[i] = entry;
    if (i >= t.bits.length) grow(t, i);
    if ((t.bits[i] as number) & PMD) this.pmdEntries--;
    if (bits & PMD) this.pmdEntries++;
    t.bits[i] = bits;
  }

  /** Clears the entry at `addr`. */
  clear(addr: number): void {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return;
    const i = slot(addr, key);
    if (t.slots[i] !== undefined) {
      t.slots[i] = undefined;
      if ((t.bits[i] as number) & PMD) this.pmdEntries--;
      t.bits[i] = 0;
      t.count--; // an emptied table stays until freeTables (free_pgtables, or DONTNEED's reclaim)
    }
  }

  /**
   * pmd_clear after a huge PMD mapping went (zap_huge_pmd, move_huge_pmd): the span of
   * `addr` has no table any more. The caller has cleared its entries.
   */
  dropTable(addr: number): void {
    const key = Math.floor(addr / TABLE_SPAN);
    if (this.table(key)?.count !== 0) return;
    this.tables.delete(key);
    this.lastKey = -1;
  }

  /** pmd_none is false: a page table covers `addr`, even one with no entry left. */
  hasTable(addr: number): boolean {
    return this.table(Math.floor(addr / TABLE_SPAN)) !== undefined;
  }

  /**
   * move_ptes: every entry of [from, from + len) moves, unchanged, to the same offset in
   * [to, to + len); `moved(at)` runs after each one is stored. The entries are all taken up
   * before any is stored. No entry may be part of a huge PMD (split it, or use moveTable).
   */
  move(from: number, to: number, len: number, moved?: (at: number) => void): void {
    const fromKey = Math.floor(from / TABLE_SPAN);
    const toKey = Math.floor(to / TABLE_SPAN);
    const oneTableEach =
      fromKey === Math.floor((from + len - 1) / TABLE_SPAN) &&
      toKey === Math.floor((to + len - 1) / TABLE_SPAN);
    // move_page_tables hands over one extent at a time, which lies in one table at either
    // end: with nobody to tell, the slots move straight across
    if (oneTableEach && !moved)
      return this.moveSlots(fromKey, slot(from, fromKey), toKey, slot(to, toKey), len / PAGE_SIZE);
    const addrs: number[] = [];
    const entries: Array<Folio | NonPresentPte> = [];
    const bits: number[] = [];
    this.walk(
      from,
      from + len,
      (a, folio, sub, writable, pmd, dirty) => {
        addrs.push(a);
        entries.push(folio);
        bits.push(presentBits(sub, writable, pmd, dirty)); // move_ptes keeps the dirty bit
      },
      (a, pte) => {
        addrs.push(a);
        entries.push(pte);
        bits.push(0);
      },
    );
    for (const a of addrs) this.clear(a);
    for (let i = 0; i < addrs.length; i++) {
      const at = to + ((addrs[i] as number) - from);
      this.store(at, entries[i] as Folio | NonPresentPte, bits[i] as number);
      moved?.(at);
    }
  }

  /** `n` entries from slot `i` of table `fromKey` to slot `j` of table `toKey`, in order. */
  private moveSlots(fromKey: number, i: number, toKey: number, j: number, n: number): void {
    const src = this.table(fromKey);
    if (!src) return;
    const end = Math.min(i + n, src.slots.length);
    let dst: PteTable | null = null;
    for (; i < end; i++, j++) {
      const entry = src.slots[i];
      if (entry === undefined) continue;
      const bits = src.bits[i] as number;
      src.slots[i] = undefined;
      src.bits[i] = 0;
      src.count--;
      dst ??= this.tableAlloc(toKey);
      if (dst.slots[j] === undefined) dst.count++;
      dst.slots[j] = entry;
      if (j >= dst.bits.length) grow(dst, j);
      if ((dst.bits[j] as number) & PMD) this.pmdEntries--;
      dst.bits[j] = bits;
    }
  }

  /**
   * move_normal_pmd and move_huge_pmd: the page table of `from`'s PMD span, with a huge PMD
   * mapping or not, becomes that of `to`'s (aligned the same within it, and with no table);
   * `from`'s span is left with none. `moved(at)` runs for each entry it holds.
   */
  moveTable(from: number, to: number, moved?: (at: number) => void): void {
    const fromKey = Math.floor(from / TABLE_SPAN);
    const toKey = Math.floor(to / TABLE_SPAN);
    const t = this.table(fromKey);
    if (!t) return;
    this.tables.delete(fromKey);
    this.tables.set(toKey, t);
    this.lastKey = -1;
    if (!moved) return;
    const base = toKey * TABLE_SPAN;
    for (let i = 0; i < t.slots.length; i++) {
      if (t.slots[i] !== undefined) moved(base + i * PAGE_SIZE);
    }
  }

  /**
   * The start of the first PMD span at or after `addr`'s that has a page table, if any: the
   * spans before it are none (pmd_none).
   */
  nextTable(addr: number): number | undefined {
    const key = this.tables.keyAtOrAbove(Math.floor(addr / TABLE_SPAN));
    return key === undefined ? undefined : key * TABLE_SPAN;
  }

  /** pte_alloc: a page table covers `addr`, an empty one allocated if there was none. */
  alloc(addr: number): void {
    this.tableAlloc(Math.floor(addr / TABLE_SPAN));
  }

  /**
   * free_pgtables over an unmapped [start, end): frees the empty page tables whose whole
   * span lies between `floor` (the previous VMA's end) and `ceiling` (the next VMA's start);
   * a table shared with a neighbouring VMA stays.
   */
  freeTables(start: number, end: number, floor: number, ceiling: number): void {
    if (start >= end) return;
    const first = Math.floor(start / TABLE_SPAN);
    const last = Math.floor((end - 1) / TABLE_SPAN);
    if (first !== last) {
      this.freeTableRange(first, last, floor, ceiling);
      return;
    }
    // within one table (most unmaps): a cached lookup instead of a tree range walk, and no
    // list (a compactor replay executes 1.6 % fewer instructions, mmap+munmap 3.8 %)
    const t = this.table(first);
    if (t && freeable(first, t, floor, ceiling)) {
      this.tables.delete(first);
      this.lastKey = -1;
    }
  }

  /** freeTables over the tables of keys `first` to `last`. */
  private freeTableRange(first: number, last: number, floor: number, ceiling: number): void {
    const keys: number[] = [];
    this.tables.forRange(first, last, (key, t) => {
      if (freeable(key, t, floor, ceiling)) keys.push(key);
    });
    for (const key of keys) this.tables.delete(key);
    if (keys.length > 0) this.lastKey = -1;
  }

  /**
   * Calls `fn(addr, pte)` for every populated entry in [start, end), in address order.
   * The callback may clear or replace the entry it is given (the tables to walk are found
   * first), but must not populate other entries of the range; collect with `entries` then.
   */
  forEach(start: number, end: number, fn: (addr: number, pte: Pte) => void): void {
    this.walk(
      start,
      end,
      (addr, folio, sub, writable, pmd, dirty) => {
        fn(addr, presentPte(folio, sub, writable, pmd, dirty));
      },
      fn,
    );
  }

  /**
   * forEach with a present entry's fields passed as arguments, so that hot loops (fork,
   * zap, mprotect) build no PresentPte; `other` (if given) gets the other entries. The same
   * rules on changing entries hold.
   */
  walk(start: number, end: number, present: PresentFn, other?: OtherFn): void {
    if (start >= end) return;
    const first = Math.floor(start / TABLE_SPAN);
    const last = Math.floor((end - 1) / TABLE_SPAN);
    const lo = slot(start, first);
    const hi = slot(end - 1, last) + 1;
    if (first === last) {
      // within one table (most VMAs): a cached lookup instead of a tree range walk
      const t = this.table(first);
      if (t) visitTable(first, t, lo, hi, present, other);
    } else {
      const keys: number[] = [];
      const tables: PteTable[] = [];
      this.tables.forRange(first, last, (key, t) => {
        keys.push(key);
        tables.push(t);
      });
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as number;
        const t = tables[i] as PteTable;
        visitTable(
          key,
          t,
          key === first ? lo : 0,
          key === last ? hi : PTRS_PER_PTE,
          present,
          other,
        );
      }
    }
  }

  /** The populated entries in [start, end), in address order. */
  entries(start: number, end: number): Array<[number, Pte]> {
    const out: Array<[number, Pte]> = [];
    this.forEach(start, end, (addr, pte) => out.push([addr, pte]));
    return out;
  }

  /** Whether any entry is populated in [start, end). */
  any(start: number, end: number): boolean {
    let found = false;
    const seen = () => {
      found = true;
    };
    this.walk(start, end, seen, seen);
    return found;
  }
}

/** PageTable.walk over the entries [lo, hi) of table `t`, of key `key`. */
function visitTable(
  key: number,
  t: PteTable,
  lo: number,
  hi: number,
  present: PresentFn,
  other: OtherFn | undefined,
): void {
  const base = key * TABLE_SPAN;
  const end = Math.min(hi, t.slots.length);
  for (let i = lo; i < end; i++) {
    const e = t.slots[i];
    if (e === undefined) continue;
    const bits = t.bits[i] as number;
    if (bits & PRESENT) {
      present(
        base + i * PAGE_SIZE,
        e as Folio,
        bits >>> SUB_SHIFT,
        (bits & WRITE) !== 0,
        (bits & PMD) !== 0,
        (bits & DIRTY) !== 0,
      );
    } else if (other) other(base + i * PAGE_SIZE, e as NonPresentPte);
  }
}

/** free_pgtables' test for table `t` of key `key`: empty, its span within [floor, ceiling). */
function freeable(key: number, t: PteTable, floor: number, ceiling: number): boolean {
  return t.count === 0 && key * TABLE_SPAN >= floor && (key + 1) * TABLE_SPAN <= ceiling;
}

/** Doubles `t.bits` until it covers entry `i` (PteTable.bits, at most PTRS_PER_PTE). */
function grow(t: PteTable, i: number): void {
  let n = t.bits.length * 2;
  while (n <= i) n *= 2;
  const grown = new Uint16Array(Math.min(n, PTRS_PER_PTE));
  grown.set(t.bits);
  t.bits = grown;
}

/** The `bits` of a present entry. */
function presentBits(sub: number, writable: boolean, pmd: boolean, dirty: boolean): number {
  return (
    (sub << SUB_SHIFT) | (writable ? WRITE : 0) | (pmd ? PMD : 0) | (dirty ? DIRTY : 0) | PRESENT
  );
}

/** The PresentPte value of a present entry. */
function presentPte(
  folio: Folio,
  sub: number,
  writable: boolean,
  pmd: boolean,
  dirty: boolean,
): PresentPte {
  if (dirty) {
    return pmd
      ? { kind: "present", folio, sub, writable, pmd: true, dirty: true }
      : { kind: "present", folio, sub, writable, dirty: true };
  }
  return pmd
    ? { kind: "present", folio, sub, writable, pmd: true }
    : { kind: "present", folio, sub, writable };
}

/**
 * The index of `addr` in the table of `key` (its TABLE_SPAN block). Addresses exceed 32
 * bits, where `%` is a slow floating-point remainder: the offset within the table is small.
 */
function slot(addr: number, key: number): number {
  return ((addr - key * TABLE_SPAN) / PAGE_SIZE) | 0;
}
