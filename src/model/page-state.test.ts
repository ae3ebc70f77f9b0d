// The page states under Linux's rules: swap with and without the swap cache, migration
// held and finished, KSM, pins and large folios behave as the kernel does, leave no
// invariant violated, and show in the `pages` records.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { PageRecord, StepRecord } from "../report/record.js";
import { Machine } from "./machine.js";
import { DEFAULT_OPTIONS } from "./options.js";
import { runModel } from "./run.js";

function run(text: string, policy = "linux-6.18"): StepRecord[] {
  const ops = parseScenario(text, "t.vms");
  return [...runModel(ops, "t.vms", { ...DEFAULT_OPTIONS, policy })].filter(
    (r): r is StepRecord => "op" in r,
  );
}
const violations = (recs: StepRecord[]) => recs.flatMap((r) => r.model?.violations ?? []);
const pages = (r: StepRecord | undefined): PageRecord[] => r?.pages ?? [];

describe("swap", () => {
  it("swapout unmaps through the rmap; swapin without the cache rebuilds mapping and index", () => {
    const recs = run("mmap 0 2p\ntouch 0 2p\nswapout 0 2p\npages 0 2p\nswapin 0 2p\npages 0 2p\n");
    expect(recs[2]!.ret).toBe(2);
    expect(recs[2]!.vmas[0]!.swap_kb).toBe(8);
    expect(recs[2]!.vmas[0]!.rss_kb).toBe(0);
    expect(pages(recs[3]).map((p) => p.swapped)).toEqual([true, true]);
    expect(pages(recs[3])[0]!.model).toBeUndefined(); // the folio left the swap cache
    expect(pages(recs[5]).map((p) => [p.present, p.model?.mapping])).toEqual([
      [true, "av1"],
      [true, "av1"],
    ]);
    expect(violations(recs)).toEqual([]);
  });

  it("reclaim discards a clean lazily freed folio, and keeps a redirtied one swap-backed", () => {
    const clean = run("mmap 0 1p\ntouch 0 1p\nmadvise 0 1p FREE\nswapout 0 1p cache\npages 0 1p\n");
    expect(clean[3]!.ret).toBe(1);
    expect(pages(clean[4]).map((p) => [p.present, p.swapped])).toEqual([[false, false]]);
    const dirty = run(
      "mmap 0 1p\ntouch 0 1p\nmadvise 0 1p FREE\ntouch 0 1p\nswapout 0 1p\npages 0 1p\n" +
        "swapout 0 1p\npages 0 1p\n",
    );
    expect(dirty[4]!.ret).toBe(0); // written since MADV_FREE: kept, PG_swapbacked set again
    expect(pages(dirty[5]).map((p) => [p.present, p.swapped])).toEqual([[true, false]]);
    expect(dirty[6]!.ret).toBe(1); // now an ordinary anonymous folio: swapped out
    expect(pages(dirty[7]).map((p) => [p.present, p.swapped])).toEqual([[false, true]]);
    expect(violations([...clean, ...dirty])).toEqual([]);
  });

  it("a folio kept in the swap cache is mapped back as it is", () => {
    const recs = run(
      "mmap 0 1p\ntouch 0 1p\npages 0 1p\nswapout 0 1p cache\npages 0 1p\ntouch 0 1p\npages 0 1p\n",
    );
    const folio = pages(recs[2])[0]!.model!.folio;
    expect(pages(recs[4])[0]!.model).toMatchObject({ folio, state: "swapcache" });
    expect(pages(recs[6])[0]!.model!.folio).toBe(folio);
    expect(violations(recs)).toEqual([]);
  });

  it("a swap entry shared by fork is counted twice and read back once per process", () => {
    const recs = run(
      "mmap 0 1p\ntouch 0 1p\nswapout 0 1p\nfork\nread 0 1p\nswitch 0\nread 0 1p\npages 0 1p\n",
    );
    expect(violations(recs)).toEqual([]);
    expect(pages(recs.at(-1))[0]).toMatchObject({ present: true, mapcount: 2 });
  });
});

describe("migration", () => {
  it("held migration entries are restored by migrate finish, through the rmap of both processes", () => {
    const recs = run(
      "mmap 0 1p\ntouch 0 1p\nfork stay\npages 0 1p\nmigrate 0 1p hold\npages 0 1p\nmigrate finish\npages 0 1p\n",
    );
    const before = pages(recs[3])[0]!.model!.folio;
    expect(pages(recs[5])[0]!.model).toMatchObject({ folio: before, state: "migration" });
    expect(recs[6]!.ret).toBe(1);
    expect(pages(recs[7])[0]).toMatchObject({ present: true, mapcount: 2 });
    expect(pages(recs[7])[0]!.model!.folio).not.toBe(before);
    expect(violations(recs)).toEqual([]);
  });

  it("mprotect makes a writable migration entry readable, even when it adds write", () => {
    for (const prot of ["r", "rwx"]) {
      const m = new Machine({ ...DEFAULT_OPTIONS });
      const text = `mmap 0 1p\ntouch 0 1p\nmigrate 0 1p hold\nmprotect 0 1p ${prot}\nmigrate finish\n`;
      for (const op of parseScenario(text, "t.vms")) m.step(op);
      const pte = m.kernel.procs[0]!.mm.pageTable.get(m.kernel.options.base);
      expect(pte).toMatchObject({ kind: "present", writable: false });
      expect(pte?.kind === "present" && pte.folio.pageAnonExclusive(0)).toBe(true);
    }
  });

  it("an access to a migration entry waits for the migration to finish", () => {
    const recs = run("mmap 0 1p\ntouch 0 1p\nmigrate 0 1p hold\ntouch 0 1p\npages 0 1p\n");
    expect(recs[3]!.ret).toBe(1);
    expect(pages(recs[4])[0]!.present).toBe(true);
    expect(violations(recs)).toEqual([]);
  });
});

describe("KSM, pins and large folios", () => {
  it("ksm merges only VM_MERGEABLE exclusive pages; a write breaks the KSM page", () => {
    const recs = run(
      "mmap 0 2p\ntouch 0 2p\nksm 0 2p\nmadvise 0 2p MERGEABLE\nksm 0 2p\npages 0 2p\ntouch 0 1p\npages 0 2p\n",
    );
    expect(recs[2]!.ret).toBe(0);
    expect(recs[4]!.ret).toBe(2);
    expect(pages(recs[5]).map((p) => [p.ksm, p.mapcount])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    expect(pages(recs[7]).map((p) => p.ksm)).toEqual([false, true]);
    expect(violations(recs)).toEqual([]);
  });

  it("a pinned page is neither reclaimed nor migrated", () => {
    const recs = run("mmap 0 1p\npin 0 1p\nswapout 0 1p\nmigrate 0 1p\nunpin 0 1p\nswapout 0 1p\n");
    expect(recs.map((r) => r.ret)).toEqual([0, 1, 0, 0, 1, 1]);
    expect(violations(recs)).toEqual([]);
  });

  it("fork copies a pinned exclusive page for the child at once (copy_present_page)", () => {
    const recs = run("mmap 0 2p\npin 0 1p\ntouch 1p 1p\nfork stay\npages 0 2p\n");
    expect(pages(recs.at(-1)).map((p) => [p.exclusive, p.mapcount])).toEqual([
      [true, 1],
      [false, 2],
    ]);
    expect(violations(recs)).toEqual([]);
  });

  it("fork splits a pinned exclusive THP's PMD and copies every page for the child (copy_huge_pmd)", () => {
    // the parent reuses the THP once the child dropped it: its head page becomes exclusive
    const recs = run(
      "mmap 2048p 512p\nmadvise 2048p 512p HUGEPAGE\ntouch 2049p 1p\nfork\n" +
        "mmap 2048p 512p rw FIXED\nswitch 0\npin 2048p 327p\nfork stay\npages 2048p 512p\n" +
        "switch 2\npages 2048p 512p\n",
    );
    const parent = recs[8]!;
    expect(parent.vmas[0]!.thp_kb).toBe(0); // mapped by PTEs now
    const large = pages(parent)[0]!.model!.folio;
    expect(pages(parent).every((p) => p.thp && p.exclusive && p.model?.folio === large)).toBe(true);
    const child = pages(recs[10]);
    expect(child).toHaveLength(512);
    expect(new Set(child.map((p) => p.model?.folio)).size).toBe(512);
    expect(child.every((p) => !p.thp && p.exclusive && p.mapcount === 1)).toBe(true);
    expect(violations(recs)).toEqual([]);
  });

  it("a large folio is mapped by PTEs and may straddle a VMA split", () => {
    const recs = run(
      "mmap 0 4p\nlargefolio 0 4p\nmprotect 2p 2p r\npages 0 4p\nlargefolio 1p 2p\n",
    );
    expect(recs[1]!.ret).toBe(4);
    expect(recs[2]!.nvma).toBe(2);
    expect(new Set(pages(recs[3]).map((p) => p.model?.folio)).size).toBe(1);
    expect(pages(recs[3]).every((p) => p.thp)).toBe(true);
    expect(recs[4]!.err).toBe("EINVAL"); // not naturally aligned
    expect(violations(recs)).toEqual([]);
  });

  it("fork clears PageAnonExclusive only on the pages of a large folio it shares", () => {
    // page 2 stays in the parent alone (MADV_DONTFORK): still exclusive, so a write after
    // mprotect took write permission away reuses it; page 0 is shared with the child, and
    // a write to it copies it out of the folio
    const recs = run(
      "mmap 0 4p\nlargefolio 0 4p\nmadvise 2p 1p DONTFORK\nfork\nswitch 0\n" +
        "mprotect 0 4p r\nmprotect 0 4p rw\ntouch 2p 1p\ntouch 0 1p\npages 0 4p\n",
    );
    const after = pages(recs.at(-1));
    const large = after[1]!.model!.folio;
    expect(after[2]!.model!.folio).toBe(large);
    expect(after[2]!.thp).toBe(true);
    expect(after[0]!.model!.folio).not.toBe(large);
    expect(after[0]!.thp).toBe(false);
    expect(violations(recs)).toEqual([]);
  });
});

describe("detections", () => {
  it("a swap-cache folio left stale by a relocating policy is caught eagerly and at swap-in", () => {
    // rfc-2022 rewrites the moved page's index, but not the swap-cache folio's
    const recs = run(
      "mmap 0 2p\ntouch 0 2p\nswapout 0 1p cache\nmremap 0 2p 2p MAYMOVE|FIXED 30p\ntouch 30p 1p\n",
      "rfc-2022",
    );
    const ids = violations(recs).map((v) => v.id);
    expect(ids).toContain("I-swapcache");
    expect(ids).toContain("I-swapin");
  });
});
