// A hand-written model run exercising every part of a record, for the reporters' tests.

import type { RunRecord, VmaRecord } from "../../src/report/record.js";

const PAGE = 4096;

function vma(
  start: number,
  end: number,
  anonVma: string | null,
  chain: string[],
  extra: Partial<VmaRecord> = {},
): VmaRecord {
  const kb = anonVma ? ((end - start) * PAGE) / 1024 : 0;
  return {
    start: start * PAGE,
    end: end * PAGE,
    perms: "rw-p",
    kind: "anon",
    rss_kb: kb,
    anon_kb: kb,
    shared_kb: 0,
    swap_kb: 0,
    thp_kb: 0,
    vmflags: "rd wr mr mw me ac",
    model: { pgoff: start, anon_vma: anonVma, chain },
    ...extra,
  };
}

const left = vma(0, 8, "av1", ["av1"], {
  model: {
    pgoff: 0,
    anon_vma: "av1",
    chain: ["av1"],
    next: { merged: false, reason: "anon-vma-differs", detail: "av1 ≠ av2" },
  },
});
const right = vma(8, 12, "av2", ["av2"], { model: { pgoff: 58, anon_vma: "av2", chain: ["av2"] } });

/** One run: header, echo, syscalls, a merge attempt, expectations, a violation, pages, dumpall. */
export const SAMPLE_RUN: RunRecord[] = [
  {
    vmasim: 1,
    engine: "model",
    policy: "linux-6.18",
    file: "sample.vms",
    base: "0x200000000000",
    size: 1073741824,
    page: PAGE,
    zero_page: true,
    anon_name: false,
  },
  { step: 1, echo: "fault two ranges, then move one next to the other" },
  {
    step: 2,
    proc: 0,
    op: "mmap 0 8p",
    ret: 0,
    err: "",
    note: "",
    nvma: 1,
    vmas: [vma(0, 8, null, [])],
    model: { merges: [] },
  },
  {
    step: 3,
    proc: 0,
    op: "mremap 50p 4p 4p MAYMOVE|FIXED 8p",
    ret: 8 * PAGE,
    err: "",
    note: "",
    nvma: 2,
    vmas: [left, right],
    model: {
      merges: [
        {
          fn: "vma_merge_new_range",
          start: 8 * PAGE,
          end: 12 * PAGE,
          prev: { merged: false, reason: "anon-vma-differs", detail: "av1 ≠ av2" },
          result: "none",
        },
      ],
    },
  },
  {
    step: 4,
    proc: 0,
    op: "mmap 0 4p",
    ret: -1,
    err: "EEXIST",
    note: "",
    nvma: 2,
    vmas: [left, right],
    model: { merges: [] },
  },
  {
    step: 5,
    proc: 0,
    op: "expect 2",
    ret: 0,
    err: "",
    note: "EXPECT OK",
    nvma: 2,
    vmas: [left, right],
  },
  {
    step: 6,
    proc: 0,
    op: "expect 1",
    ret: 0,
    err: "",
    note: "EXPECT FAIL expected 1 VMAs, found 2: 0p-8p 8p-12p",
    nvma: 2,
    vmas: [left, right],
  },
  {
    step: 7,
    proc: 0,
    op: "touch 8p 1p",
    ret: 1,
    err: "",
    note: "",
    nvma: 2,
    vmas: [left, right],
    model: {
      merges: [],
      violations: [
        { id: "I-rmap", message: "folio f9 at 8p: mapping av1 does not reach VMA 8p-12p" },
      ],
    },
  },
  {
    step: 8,
    proc: 0,
    op: "pages 8p 2p",
    ret: 0,
    err: "",
    note: "",
    nvma: 2,
    vmas: [right],
    pages: [
      {
        addr: 8 * PAGE,
        present: true,
        swapped: false,
        exclusive: true,
        mapcount: 1,
        zero: false,
        thp: false,
        ksm: false,
        model: { mapping: "av2", index: 58, folio: "f9" },
      },
      {
        addr: 9 * PAGE,
        present: false,
        swapped: false,
        exclusive: false,
        mapcount: 0,
        zero: false,
        thp: false,
        ksm: false,
      },
    ],
  },
  {
    step: 9,
    proc: 0,
    op: "dumpall",
    ret: 0,
    err: "",
    note: "",
    nvma: 2,
    vmas: [left, right],
    procs: [
      { proc: 0, nvma: 2, vmas: [left, right] },
      { proc: 1, nvma: 1, vmas: [vma(0, 8, "av3", ["av3", "av1"])] },
    ],
  },
];
