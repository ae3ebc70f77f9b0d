// Tests of the text reporter on hand-written records.

import { describe, expect, test } from "vitest";
import { SAMPLE_RUN } from "../../test/report/sample-run.js";
import type { HeaderRecord, RunRecord, StepRecord } from "./record.js";
import { renderText, type Styler } from "./text.js";

function text(runs: RunRecord[][], options = {}): string {
  return [...renderText(runs, options)].join("");
}

const out = text([SAMPLE_RUN]);
const lines = out.split("\n");

/** The lines of step N, up to the next step or summary line. */
function stepBlock(n: number): string[] {
  const start = lines.findIndex((l) => l.startsWith(`[${n}] `));
  const end = lines.findIndex((l, i) => i > start && /^(\[\d+\] |summary:)/.test(l));
  return lines.slice(start, end);
}

describe("renderText", () => {
  test("starts with a header line naming file, engine and policy", () => {
    expect(lines[0]).toBe(
      "== sample.vms: model, policy linux-6.18 (base 0x200000000000, size 1 GiB, page 4096, " +
        "zero page on, anon names off)",
    );
  });

  test("prints echo records as a banner", () => {
    expect(lines[1]).toMatch(/^\[1\] ── fault two ranges, then move one next to the other ─+$/);
  });

  test("prints the step line with the return value, relative and in pages", () => {
    expect(stepBlock(3)[0]).toBe("[3] p0  mremap 50p 4p 4p MAYMOVE|FIXED 8p  = 0x8000 (8p)");
    expect(stepBlock(4)[0]).toBe("[4] p0  mmap 0 4p  = -1 (EEXIST)");
    expect(stepBlock(7)[0]).toBe("[7] p0  touch 8p 1p  = 1");
  });

  test("gives reporting operations no return value, and shows their note", () => {
    expect(stepBlock(5)[0]).toBe("[5] p0  expect 2  EXPECT OK");
    expect(stepBlock(6)[0]).toBe(
      "[6] p0  expect 1  EXPECT FAIL expected 1 VMAs, found 2: 0p-8p 8p-12p",
    );
  });

  test("tables the VMAs with aligned columns and the model's pgoff and anon_vma chain", () => {
    const [, title, first, , second] = stepBlock(3);
    expect(title).toMatch(
      /^ {4}start-end +perms +kind +rss kB +anon kB +vmflags +pgoff +anon_vma \[chain\]$/,
    );
    expect(first).toMatch(
      /^ {4}0x0-0x8000 \(0p-8p\) +rw-p +anon +32 +32 +rd wr mr mw me ac +0 +av1 \[av1\]$/,
    );
    expect(second).toMatch(/^ {4}0x8000-0xc000 \(8p-12p\) +rw-p/);
    for (const row of [first, second]) {
      expect(row?.indexOf("rw-p")).toBe(title?.indexOf("perms"));
      expect(row?.indexOf("rd wr")).toBe(title?.indexOf("vmflags"));
      expect(row?.indexOf(" av")).toBe(title?.indexOf(" anon_vma"));
    }
    // Right-aligned numbers end under the end of their title.
    const pgoffEnd = (title?.indexOf("pgoff") ?? 0) + "pgoff".length;
    expect(second?.slice(pgoffEnd - 2, pgoffEnd)).toBe("58");
  });

  test("says under a VMA why it did not merge with the next one", () => {
    const block = stepBlock(3);
    const row = block.findIndex((l) => l.includes("0x0-0x8000 (0p-8p)"));
    expect(block[row + 1]).toBe("      ↳ not merged with next: anon-vma-differs (av1 ≠ av2)");
  });

  test("lists the step's merge attempts with per-side verdicts and the result", () => {
    expect(stepBlock(3)).toContain(
      "    merge vma_merge_new_range 0x8000-0xc000 (8p-12p): prev: anon-vma-differs (av1 ≠ av2); " +
        "next: - → not merged",
    );
  });

  test("prints invariant violations with their ID", () => {
    expect(stepBlock(7)).toContain(
      "    !! invariant I-rmap violated: folio f9 at 8p: mapping av1 does not reach VMA 8p-12p",
    );
  });

  test("prints the page table of a pages step", () => {
    const block = stepBlock(8);
    const title = block.findIndex((l) => l.trimStart().startsWith("page "));
    expect(block[title]).toMatch(
      /^ {4}page +present +swapped +excl +mapcount +zero +thp +ksm +folio +mapping +index$/,
    );
    expect(block[title + 1]).toMatch(/^ {4}0x8000 \(8p\) +y +- +y +1 +- +- +- +f9 +av2 +58$/);
    expect(block[title + 2]).toMatch(/^ {4}0x9000 \(9p\) +- +- +- +0 +- +- +-$/);
  });

  test("prints every process of a dumpall step", () => {
    const block = stepBlock(9).join("\n");
    expect(block).toContain("    p0: nvma 2\n");
    expect(block).toContain("    p1: nvma 1\n");
    expect(block).toMatch(/\n {6}0x0-0x8000 \(0p-8p\) .* av3 \[av3 av1\]\n?/);
  });

  test("ends each run with a summary line", () => {
    expect(
      out.endsWith(
        "summary: 9 steps; expectations: 1 passed, 1 failed; invariant violations: 1\n\n",
      ),
    ).toBe(true);
  });

  test("adds a total line and per-policy banners over several runs", () => {
    const other = SAMPLE_RUN.map((r) => ("vmasim" in r ? { ...r, policy: "other" } : r));
    const two = text([SAMPLE_RUN, other], { policySections: true });
    expect(two.match(/^══ policy \S+ ═+$/gm)).toEqual([
      expect.stringContaining("policy linux-6.18"),
      expect.stringContaining("policy other"),
    ]);
    expect(two).toContain(
      "total of 2 runs: 18 steps; expectations: 2 passed, 2 failed; invariant violations: 2\n",
    );
  });

  test("is deterministic and plain by default", () => {
    expect(text([SAMPLE_RUN])).toBe(out);
    expect(out).not.toContain("\u001b");
  });

  test("styles spans without moving the columns", () => {
    const tag: Styler = (kind, s) => `<${kind}>${s}</${kind}>`;
    const styled = text([SAMPLE_RUN], { style: tag });
    expect(styled).toContain("<fail>EXPECT FAIL expected 1 VMAs");
    expect(styled).toContain("<violation>!! invariant I-rmap violated");
    const rows = (s: string) =>
      s.split("\n").filter((l) => l.includes("0x8000-0xc000 (8p-12p)  rw-p"));
    expect(rows(styled)).toEqual(rows(out));
  });

  test("shows optional columns only when some VMA needs them, and no model columns for the kernel", () => {
    const header: HeaderRecord = {
      vmasim: 1,
      engine: "kernel",
      kernel: "6.18.44",
      file: "k.vms",
      base: "0x200000000000",
      size: 4096 * 16,
      page: 4096,
      zero_page: true,
      anon_name: true,
    };
    const step: StepRecord = {
      step: 1,
      proc: 0,
      op: "madvise 0 4p PAGEOUT",
      ret: 0,
      err: "",
      note: "",
      nvma: 1,
      vmas: [
        {
          start: 0,
          end: 16384,
          perms: "rw-p",
          kind: "anon",
          rss_kb: 0,
          anon_kb: 0,
          shared_kb: 0,
          swap_kb: 16,
          thp_kb: 0,
          vmflags: "rd wr mr mw me ac",
          name: "[anon:heap]",
        },
      ],
    };
    const k = text([[header, step]]).split("\n");
    expect(k[0]).toBe(
      "== k.vms: kernel 6.18.44 (base 0x200000000000, size 64 KiB, page 4096, zero page on, anon names on)",
    );
    expect(k[2]).toMatch(/^ {4}start-end +perms +kind +rss kB +anon kB +swap kB +vmflags +name$/);
    expect(k[3]).toMatch(/ 16 +rd wr mr mw me ac +\[anon:heap\]$/);
    expect(k[4]).toBe("summary: 1 steps; expectations: 0 passed, 0 failed");
  });

  test("says so when the window holds no VMA", () => {
    const [header] = SAMPLE_RUN as [HeaderRecord];
    const step: StepRecord = {
      step: 1,
      proc: 0,
      op: "munmap 0 8p",
      ret: 0,
      err: "",
      note: "",
      nvma: 0,
      vmas: [],
    };
    expect(text([[header, step]])).toContain(
      "[1] p0  munmap 0 8p  = 0\n    (no VMAs in the window)\n",
    );
  });
});
