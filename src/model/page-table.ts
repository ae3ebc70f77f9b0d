// A process's page tables: sparse, one table of PTRS_PER_PTE entries per populated PMD,
// kept in an ordered index so range walks cost O(log n + populated tables), never the
// range's length. This module is browser compatible.

import { PAGE_SIZE, PTRS_PER_PTE } from "./constants.js";
import type { Folio } from "./folio.js";
import { OrderedIndex } from "./ordered-index.js";
import type { SwapSlot } from "./swap-slot.js";

const TABLE_SPAN = PAGE_SIZE * PTRS_PER_PTE;

/** A present PTE: the folio, which page of it, and whether the PTE is writable. */
export interface PresentPte {
  kind: "present";
  folio: Folio;
  /** Page number within the folio. */
  sub: number;
  writable: boolean;
  /** One of the PTRS_PER_PTE pages of a PMD mapping of a THP (src/model/thp.ts). */
  pmd?: true;
}

/** A guard-region marker (MADV_GUARD_INSTALL, a PTE marker): any access faults. */
export interface GuardPte {
  kind: "guard";
}

/**
 * A swap entry (a non-present PTE naming a swap slot). `exclusive` is pte_swp_exclusive:
 * the page was anon-exclusive when it was unmapped.
 */
export interface SwapPte {
  kind: "swap";
  slot: SwapSlot;
  exclusive: boolean;
}

/**
 * A migration entry: the folio is being migrated (try_to_migrate replaced the PTE);
 * remove_migration_ptes puts a present PTE back, found through the rmap.
 */
export interface MigrationPte {
  kind: "migration";
  folio: Folio;
  sub: number;
  writable: boolean;
}

/** A page-table entry that is not none. */
export type Pte = PresentPte | GuardPte | SwapPte | MigrationPte;

export const GUARD_PTE: GuardPte = { kind: "guard" };

class PteTable {
  /** Grown on demand up to PTRS_PER_PTE, so small tables stay small to walk and to copy. */
  readonly slots: Array<Pte | undefined> = [];
  count = 0;
}

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
    return this.table(key)?.slots[slot(addr, key)];
  }

  set(addr: number, pte: Pte): void {
    const key = Math.floor(addr / TABLE_SPAN);
    let t = this.table(key);
    if (!t) {
      t = new PteTable();
      this.tables.set(key, t);
      this.lastTable = t;
    }
    const i = slot(addr, key);
    if (t.slots[i] === undefined) t.count++;
    t.slots[i] = pte;
  }

  /** Clears the entry at `addr`; returns what was there. */
  clear(addr: number): Pte | undefined {
    const key = Math.floor(addr / TABLE_SPAN);
    const t = this.table(key);
    if (!t) return undefined;
    const i = slot(addr, key);
    const old = t.slots[i];
    if (old !== undefined) {
      t.slots[i] = undefined;
      t.count--; // an emptied table stays until freeTables (zap_pte_range frees no table)
    }
    return old;
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
   * free_pgtables over an unmapped [start, end): frees the empty page tables whose whole
   * span lies between `floor` (the previous VMA's end) and `ceiling` (the next VMA's start);
   * a table shared with a neighbouring VMA stays.
   */
  freeTables(start: number, end: number, floor: number, ceiling: number): void {
    if (start >= end) return;
    const keys: number[] = [];
    this.tables.forRange(
      Math.floor(start / TABLE_SPAN),
      Math.floor((end - 1) / TABLE_SPAN),
      (key, t) => {
        if (t.count === 0 && key * TABLE_SPAN >= floor && (key + 1) * TABLE_SPAN <= ceiling)
          keys.push(key);
      },
    );
    for (const key of keys) this.tables.delete(key);
    if (keys.length > 0) this.lastKey = -1;
  }

  /**
   * Calls `fn(addr, pte)` for every populated entry in [start, end), in address order.
   * The callback may clear or replace the entry it is given (the tables to walk are found
   * first), but must not populate other entries of the range; collect with `entries` then.
   */
  forEach(start: number, end: number, fn: (addr: number, pte: Pte) => void): void {
    if (start >= end) return;
    const first = Math.floor(start / TABLE_SPAN);
    const last = Math.floor((end - 1) / TABLE_SPAN);
    const walk = (key: number, t: PteTable) => {
      const base = key * TABLE_SPAN;
      const lo = key === first ? slot(start, key) : 0;
      const hi = Math.min(key === last ? slot(end - 1, key) + 1 : PTRS_PER_PTE, t.slots.length);
      for (let i = lo; i < hi; i++) {
        const pte = t.slots[i];
        if (pte !== undefined) fn(base + i * PAGE_SIZE, pte);
      }
    };
    if (first === last) {
      // within one table (most VMAs): a cached lookup instead of a tree range walk
      const t = this.table(first);
      if (t) walk(first, t);
    } else {
      const keys: number[] = [];
      const tables: PteTable[] = [];
      this.tables.forRange(first, last, (key, t) => {
        keys.push(key);
        tables.push(t);
      });
      for (let i = 0; i < keys.length; i++) walk(keys[i] as number, tables[i] as PteTable);
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
    this.forEach(start, end, () => {
      found = true;
    });
    return found;
  }
}

/**
 * The index of `addr` in the table of `key` (its TABLE_SPAN block). Addresses exceed 32
 * bits, where `%` is a slow floating-point remainder: the offset within the table is small.
 */
function slot(addr: number, key: number): number {
  return ((addr - key * TABLE_SPAN) / PAGE_SIZE) | 0;
}
