import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, PTRS_PER_PTE } from "./constants.js";
import { Folio } from "./folio.js";
import { GUARD_PTE, PageTable } from "./page-table.js";

const SPAN = PAGE_SIZE * PTRS_PER_PTE;
/** Tables far apart in the address space, as mremap's source and destination may be. */
const TABLES = [2 ** 40, 2 ** 40 + SPAN, 2 ** 44];

/** An entry: a present page (with its bits) or a guard marker, at a slot of one of the tables. */
const entry = fc.record({
  table: fc.integer({ min: 0, max: TABLES.length - 1 }),
  slot: fc.integer({ min: 0, max: PTRS_PER_PTE - 1 }),
  guard: fc.boolean(),
  sub: fc.integer({ min: 0, max: 511 }),
  writable: fc.boolean(),
  dirty: fc.boolean(),
});

type Entry = typeof entry extends fc.Arbitrary<infer T> ? T : never;

function build(entries: readonly Entry[], folios: Folio[]): PageTable {
  const t = new PageTable();
  entries.forEach((e, i) => {
    const addr = (TABLES[e.table] as number) + e.slot * PAGE_SIZE;
    if (e.guard) t.set(addr, GUARD_PTE);
    else t.setPresent(addr, folios[i] as Folio, e.sub, e.writable, false, e.dirty);
  });
  return t;
}

const everything = (t: PageTable) => t.entries(0, 2 ** 47);

describe("PageTable.move", () => {
  it("moves within one table at each end as the entry-by-entry move does", () => {
    const range = fc.record({
      from: fc.integer({ min: 0, max: TABLES.length - 1 }),
      to: fc.integer({ min: 0, max: TABLES.length - 1 }),
      start: fc.integer({ min: 0, max: PTRS_PER_PTE - 1 }),
      dest: fc.integer({ min: 0, max: PTRS_PER_PTE - 1 }),
      pages: fc.integer({ min: 1, max: PTRS_PER_PTE }),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), range, (entries, r) => {
        const pages = Math.min(r.pages, PTRS_PER_PTE - r.start, PTRS_PER_PTE - r.dest);
        const from = (TABLES[r.from] as number) + r.start * PAGE_SIZE;
        const to = (TABLES[r.to] as number) + r.dest * PAGE_SIZE;
        // mremap refuses overlapping ranges
        fc.pre(from + pages * PAGE_SIZE <= to || to + pages * PAGE_SIZE <= from);
        const folios = entries.map((_, i) => new Folio(i + 1, null, i));
        const direct = build(entries, folios);
        const byEntry = build(entries, folios);
        direct.move(from, to, pages * PAGE_SIZE);
        const told: number[] = [];
        byEntry.move(from, to, pages * PAGE_SIZE, (at) => told.push(at)); // the general path
        expect(everything(direct)).toEqual(everything(byEntry));
        for (const base of TABLES) expect(direct.hasTable(base)).toBe(byEntry.hasTable(base));
        expect(told.every((at) => at >= to && at < to + pages * PAGE_SIZE)).toBe(true);
        // the entry counts agree too: free_pgtables frees the same emptied tables
        for (const t of [direct, byEntry]) t.freeTables(0, 2 ** 47, 0, 2 ** 47);
        for (const base of TABLES) expect(direct.hasTable(base)).toBe(byEntry.hasTable(base));
      }),
      { numRuns: 300 },
    );
  });
});

describe("PageTable.freeTables", () => {
  it("frees exactly the empty tables the range reaches whose span lies in [floor, ceiling)", () => {
    /** An address at a slot of one of the tables, or at the end of the last one. */
    const at = fc
      .record({
        table: fc.integer({ min: 0, max: TABLES.length - 1 }),
        slot: fc.integer({ min: 0, max: PTRS_PER_PTE }),
      })
      .map(({ table, slot }) => (TABLES[table] as number) + slot * PAGE_SIZE);
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.tuple(at, at, at, at),
        (entries, bounds) => {
          // free_pgtables' floor and ceiling are the neighbours' edges, around the range
          const [floor, start, end, ceiling] = [...bounds].sort((x, y) => x - y) as typeof bounds;
          fc.pre(start < end);
          const t = build(
            entries,
            entries.map((_, i) => new Folio(i + 1, null, i)),
          );
          for (const base of TABLES) t.alloc(base); // every table there, some of them empty
          const empty = TABLES.filter((base) => !t.any(base, base + SPAN));
          t.freeTables(start, end, floor, ceiling);
          for (const base of TABLES) {
            const reached = base < end && base + SPAN > start;
            const freed =
              empty.includes(base) && reached && base >= floor && base + SPAN <= ceiling;
            expect(t.hasTable(base)).toBe(!freed);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("PageTable.isNone", () => {
  it("answers as get() === undefined, for every kind of entry and for cleared ones", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 40 }),
        fc.array(fc.nat({ max: 39 }), { maxLength: 10 }),
        (entries, cleared) => {
          const folios = entries.map((_, i) => new Folio(i + 1, null, i));
          const t = build(entries, folios);
          const at = (e: Entry) => (TABLES[e.table] as number) + e.slot * PAGE_SIZE;
          for (const i of cleared) if (entries[i]) t.clear(at(entries[i] as Entry));
          const probes = [...entries.map(at), ...TABLES, 2 ** 30]; // an address with no table
          for (const a of probes) expect(t.isNone(a)).toBe(t.get(a) === undefined);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("PageTable.storeThrough", () => {
  it("dirties a present entry and stores into its page, as get()'s entry says, and nothing else", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 40 }), fc.nat({ max: 39 }), (entries, pick) => {
        const folios = entries.map((_, i) => new Folio(i + 1, null, i));
        const t = build(entries, folios);
        const e = entries[pick];
        const addr = e ? (TABLES[e.table] as number) + e.slot * PAGE_SIZE : 2 ** 30;
        const before = t.get(addr);
        const others = everything(t).filter(([a]) => a !== addr);
        t.storeThrough(addr, 7);
        expect(everything(t).filter(([a]) => a !== addr)).toEqual(others);
        if (before?.kind === "present") {
          expect(t.get(addr)).toEqual({ ...before, dirty: true });
          expect(before.folio.holdsData(before.sub)).toBe(true);
        } else {
          expect(t.get(addr)).toEqual(before);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("dirties every page of a PMD mapping", () => {
    const t = new PageTable();
    const folio = new Folio(1, null, 0);
    const base = TABLES[0] as number;
    for (let i = 0; i < PTRS_PER_PTE; i++)
      t.setPresent(base + i * PAGE_SIZE, folio, i, true, true, false);
    t.storeThrough(base + 5 * PAGE_SIZE, 1);
    const dirty = t.entries(base, base + SPAN).filter(([, p]) => p.kind === "present" && p.dirty);
    expect(dirty.length).toBe(PTRS_PER_PTE);
  });
});
