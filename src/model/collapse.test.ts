// MADV_COLLAPSE with the page states the kernel engine cannot make (pins, swap, held
// migrations, KSM): what madvise_collapse does with them, read from mm/khugepaged.c. The
// cases the real kernel can run are conformance scenarios (scenarios/conformance/thp-collapse-*).

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { StepRecord } from "../report/record.js";
import { Machine } from "./machine.js";
import type { Mm } from "./mm.js";
import { DEFAULT_OPTIONS } from "./options.js";

const P = 4096;
const PMD = 512;

/** Runs `text` (invariant checks on); returns the last step's record and the machine. */
function run(text: string) {
  const m = new Machine({ ...DEFAULT_OPTIONS, checkInvariants: true });
  const records = parseScenario(text, "t.vms")
    .map((op) => m.step(op))
    .filter((r): r is StepRecord => "op" in r);
  const k = m.kernel;
  const mm = (k.procs[0] as { mm: Mm }).mm;
  const at = (page: number) => mm.pageTable.get(m.options.base + page * P);
  /** Whether the PMD starting at `page` maps a THP. */
  const huge = (page: number) => mm.pageTable.isPmdMapped(m.options.base + page * P);
  const violations = records.flatMap((r) => r.model?.violations ?? []);
  return { k, records, last: records[records.length - 1]!, at, huge, violations };
}

/** The call succeeded, the PMD at page 0 maps a THP, and no invariant broke on the way. */
function expectCollapsed(r: ReturnType<typeof run>): void {
  expect([r.last.ret, r.last.err]).toEqual([0, ""]);
  expect(r.huge(0)).toBe(true);
  expect(r.violations).toEqual([]);
}

describe("MADV_COLLAPSE", () => {
  it("fails with EAGAIN on a pinned page (SCAN_PAGE_COUNT) and goes on to the next PMD", () => {
    const r = run(`mmap 0 4m rw
touch 0 4p
pin 1p 1p
touch 2m 4p
madvise 0 4m COLLAPSE`);
    expect([r.last.ret, r.last.err]).toEqual([-1, "EAGAIN"]);
    expect(r.huge(0)).toBe(false);
    expect(r.at(1)).toMatchObject({ kind: "present" });
    expect(r.at(1)).not.toHaveProperty("pmd");
    expect(r.huge(PMD)).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it("swaps in what reclaim swapped out, then copies it (__collapse_huge_page_swapin)", () => {
    const r = run(`mmap 0 2m rw
touch 0 8p
swapout 0 4p
madvise 0 2m COLLAPSE`);
    expectCollapsed(r);
    for (let p = 0; p < 8; p++) expect(r.at(p)).toMatchObject({ kind: "present", pmd: true });
  });

  it("waits for a held migration to finish, then collapses", () => {
    const r = run(`mmap 0 2m rw
touch 0 8p
migrate 2p 2p hold
madvise 0 2m COLLAPSE`);
    expectCollapsed(r);
    expect(r.k.migrations.size).toBe(0);
  });

  it("copies a KSM page into the THP, and KSM forgets the page once nothing maps it", () => {
    const r = run(`mmap 0 2m rw
madvise 0 2m MERGEABLE
touch 0 8p
ksm 0 8p
madvise 0 2m COLLAPSE`);
    expectCollapsed(r);
    expect(r.k.stableNodes.size).toBe(0);
  });

  it("leaves a parent's swap entries alone: the child's pages are copied, the slots stay", () => {
    const r = run(`mmap 0 2m rw
touch 0 8p
fork
swapout 0 2p
madvise 0 2m COLLAPSE
switch 0
pages 0 2p`);
    expect(r.last.pages?.map((p) => p.swapped)).toEqual([true, true]);
    expect(r.violations).toEqual([]);
  });

  it("copies what each page holds: zeroes stay zeroes through swap and COW, data stays data", () => {
    // pages 0 and 1 are written with data, 2 and 3 with zeroes; 0 and 2 go to swap and come
    // back, 1 and 3 are COW-copied after a fork; a split after the collapse (MADV_FREE over
    // part of the THP) maps the all-zero pages to the zero page and keeps the others
    const r = run(`mmap 0 2m rw
touch 0 2p
touch 2p 2p 0
swapout 0 1p
swapout 2p 1p
fork
switch 0
touch 1p 1p 0
touch 3p 1p 0
swapin 0 4p
madvise 0 2m COLLAPSE
madvise 4p 1p FREE
pages 0 4p`);
    expect(r.violations).toEqual([]);
    expect(r.last.pages?.map((p) => p.zero)).toEqual([false, false, true, true]);
  });
});
