// The dirty bit of present PTEs and PG_dirty of folios: set where the kernel sets them,
// kept by fork (private), mremap, migration and THP splits, cleared by MADV_FREE, and
// read by MADV_PAGEOUT's discard of lazily freed folios (try_to_unmap_one).

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import { Machine } from "./machine.js";
import type { Mm } from "./mm.js";
import { DEFAULT_OPTIONS } from "./options.js";
import { PageTable } from "./page-table.js";
import { Folio } from "./folio.js";

const P = 4096;

/** A machine after running `text`; `mm(n)` is process n's mm, `addr(x)` the absolute address. */
function machine(text: string, options: Partial<typeof DEFAULT_OPTIONS> = {}) {
  const m = new Machine({ ...DEFAULT_OPTIONS, ...options });
  for (const op of parseScenario(text, "t.vms")) m.step(op);
  const k = m.kernel;
  const mm = (n: number): Mm => (k.procs.find((p) => p.proc === n) as { mm: Mm }).mm;
  const addr = (page: number) => m.options.base + page * P;
  const dirty = (n: number, page: number) => mm(n).pageTable.isDirty(addr(page));
  const folio = (n: number, page: number) => mm(n).pageTable.folioAt(addr(page)) as Folio;
  const rssPages = (n: number, from: number, to: number) => {
    let c = 0;
    for (let p = from; p < to; p++) if (mm(n).pageTable.folioAt(addr(p))) c++;
    return c;
  };
  return { m, dirty, folio, rssPages };
}

describe("PageTable dirty bit", () => {
  it("is stored beside the write and PMD bits and the page number, and moves with mremap", () => {
    const t = new PageTable();
    const f = new Folio(1, null, 0);
    t.setPresent(0, f, 511, true, true, true);
    t.setPresent(P, f, 3, false, false);
    expect(t.get(0)).toEqual({
      kind: "present",
      folio: f,
      sub: 511,
      writable: true,
      pmd: true,
      dirty: true,
    });
    expect(t.get(P)).toEqual({ kind: "present", folio: f, sub: 3, writable: false });
    t.setDirty(P, true);
    t.setWritable(P, true);
    t.setDirty(0, false);
    expect([t.isDirty(0), t.isDirty(P)]).toEqual([false, true]);
    t.move(P, 100 * P, P);
    expect(t.get(100 * P)).toEqual({
      kind: "present",
      folio: f,
      sub: 3,
      writable: true,
      dirty: true,
    });
    const seen: boolean[] = [];
    t.walk(0, 200 * P, (_a, _f, _s, _w, _p, d) => seen.push(d));
    expect(seen).toEqual([false, true]);
  });
});

describe("where PTEs become dirty and clean", () => {
  it("a write fault maps dirty, MADV_FREE cleans, a store dirties again", () => {
    const { m, dirty } = machine("mmap 0 2p\ntouch 0 1p\nread 1p 1p\n", { zeroPage: false });
    expect([dirty(0, 0), dirty(0, 1)]).toEqual([true, true]); // do_anonymous_page: VM_WRITE
    const step = (t: string) => parseScenario(t, "t.vms").forEach((op) => m.step(op));
    step("madvise 0 2p FREE\n");
    expect([dirty(0, 0), dirty(0, 1)]).toEqual([false, false]);
    step("touch 1p 1p\n");
    expect([dirty(0, 0), dirty(0, 1)]).toEqual([false, true]);
  });

  it("fork keeps the dirty bit of a private mapping and cleans a shared one's", () => {
    const { dirty } = machine(
      "mmap 0 1p\ntouch 0 1p\nmmap 4p 1p rw shared\ntouch 4p 1p\nfork stay\n",
    );
    expect([dirty(0, 0), dirty(1, 0)]).toEqual([true, true]);
    expect([dirty(0, 4), dirty(1, 4)]).toEqual([true, false]);
  });

  it("MADV_FREE cleans the caller's PTEs only, and PAGEOUT keeps a folio a child's PTE dirties", () => {
    const text = "mmap 0 1p\ntouch 0 1p\nfork stay\nmadvise 0 1p FREE\ntouch 0 1p\n";
    const { m, dirty, folio, rssPages } = machine(text);
    const shared = folio(1, 0);
    expect(shared).not.toBe(folio(0, 0)); // the parent's write copied the page
    expect([shared.lazyfree, dirty(1, 0)]).toEqual([true, true]);
    m.step(parseScenario("switch 1\n", "t.vms")[0]!);
    m.step(parseScenario("madvise 0 1p PAGEOUT\n", "t.vms")[0]!);
    expect(rssPages(1, 0, 1)).toBe(1);
    expect([shared.lazyfree, shared.dirty]).toEqual([false, true]); // redirtied
  });

  it("MADV_FREE before the fork leaves both PTEs clean: the child's PAGEOUT discards", () => {
    const text =
      "mmap 0 1p\ntouch 0 1p\nmadvise 0 1p FREE\nfork stay\ntouch 0 1p\nswitch 1\nmadvise 0 1p PAGEOUT\n";
    expect(machine(text).rssPages(1, 0, 1)).toBe(0);
  });

  it("a GUP write on a clean PTE dirties the folio; MADV_FREE skips it while shared", () => {
    const base = "mmap 0 1p\ntouch 0 1p\nmadvise 0 1p FREE\nmadvise 0 1p POPULATE_WRITE\n";
    const { folio, dirty } = machine(base);
    expect([folio(0, 0).dirty, dirty(0, 0)]).toEqual([true, false]);
    const shared = machine(`${base}fork stay\nmadvise 0 1p FREE\n`);
    expect(shared.folio(0, 0).dirty).toBe(true); // folio_mapcount != nr_pages: skipped
    const alone = machine(`${base}madvise 0 1p FREE\n`);
    expect([alone.folio(0, 0).dirty, alone.folio(0, 0).lazyfree]).toEqual([false, true]);
  });

  it("reusing a PTE-mapped THP on a GUP write maps the page dirty (wp_page_reuse), not the folio", () => {
    // a clean THP (MADV_FREE) whose PMD an mremap into its own range splits; after a fork
    // and exit its PTEs are read-only and this mm maps it alone
    const text =
      "mmap 0 4m rw\nmadvise 0 4m HUGEPAGE\ntouch 0 1p\nmadvise 0 2m FREE\n" +
      "mremap 0 1p 1p MAYMOVE|FIXED 2p\nfork\nexit\nmadvise 3p 1p POPULATE_WRITE\n";
    const { folio, dirty } = machine(text);
    expect(folio(0, 3).nrPages).toBe(512); // reused, not copied
    expect([dirty(0, 3), folio(0, 3).dirty]).toEqual([true, false]);
  });

  it("migration keeps the dirty bit and PG_dirty", () => {
    const { dirty, folio } = machine("mmap 0 2p\ntouch 0 2p\nmadvise 0 1p FREE\nmigrate 0 2p\n");
    expect([dirty(0, 0), dirty(0, 1)]).toEqual([false, true]);
    expect([folio(0, 0).dirty, folio(0, 1).dirty]).toEqual([false, true]);
    expect(folio(0, 0).lazyfree).toBe(true); // folio_migrate_mapping keeps !swapbacked
  });

  it("a THP is mapped dirty; splitting its PMD dirties the PTEs and the folio", () => {
    const { dirty, folio } = machine(
      "mmap 0 4m\nmadvise 0 4m HUGEPAGE\ntouch 0 1p\nmprotect 0 1p r\n",
    );
    expect([dirty(0, 0), dirty(0, 511)]).toEqual([true, true]);
    expect(folio(0, 511).dirty).toBe(true);
  });

  it("a MADV_FREE'd THP written again: PAGEOUT splits the PMD and keeps the folio whole", () => {
    const text = "mmap 0 4m\nmadvise 0 4m HUGEPAGE\ntouch 0 1p\nmadvise 0 2m FREE\n";
    const clean = machine(`${text}madvise 0 2m PAGEOUT\n`);
    expect(clean.rssPages(0, 0, 512)).toBe(0);
    const { m, rssPages, folio } = machine(`${text}touch 1p 1p\nmadvise 0 2m PAGEOUT\n`);
    expect(rssPages(0, 0, 512)).toBe(512);
    expect(m.kernel.procs[0]!.mm.pageTable.isPmdMapped(m.options.base)).toBe(false);
    expect(folio(0, 0).nrPages).toBe(512);
    expect(folio(0, 0).lazyfree).toBe(false);
  });
});

describe("KSM", () => {
  it("merging cleans the PTEs (write_protect_page) and keeps the bit on the KSM folio", () => {
    const { dirty, folio } = machine("mmap 0 2p\ntouch 0 2p\nmadvise 0 2p MERGEABLE\nksm 0 2p\n");
    expect([dirty(0, 0), dirty(0, 1)]).toEqual([false, false]);
    expect(folio(0, 0).isKsm && folio(0, 0).dirty).toBe(true);
  });
});
