// Tests of the scenario generator: determinism, validity for both engines, bounds, steering.

import { describe, expect, it } from "vitest";
import type { Op } from "../../input/ops.js";
import { MADVICE } from "../../input/ops.js";
import { parseScenario } from "../../input/scenario.js";
import { checkOp } from "../../kernel/commands.js";
import { DEFAULT_OPTIONS } from "../../model/options.js";
import { runModel } from "../../model/run.js";
import type { StepRecord } from "../../report/record.js";
import { bodyOf, formatScenario } from "./format.js";
import { generateBodies, generateScenario } from "./generate.js";

const P = 4096;
const SEEDS = Array.from({ length: 150 }, (_, i) => i * 7919 + 1);

/** [start, end) of every range an op touches, in bytes. */
function ranges(op: Op): Array<[number, number]> {
  switch (op.kind) {
    case "mmap":
    case "munmap":
    case "mprotect":
    case "touch":
    case "read":
    case "madvise":
    case "mlock":
    case "munlock":
    case "name":
    case "pages":
      return [[op.addr, op.addr + op.len]];
    case "mremap": {
      // In place, the range may grow; a move takes [addr, addr+oldLen) to [newAddr, +newLen).
      if (op.newAddr === null) return [[op.addr, op.addr + Math.max(op.oldLen, op.newLen)]];
      return [
        [op.addr, op.addr + op.oldLen],
        [op.newAddr, op.newAddr + op.newLen],
      ];
    }
    default:
      return [];
  }
}

describe("generateScenario", () => {
  it("gives the same text for the same seed, and different text for different seeds", () => {
    const a = formatScenario(generateBodies(123, { steps: 80 }));
    const b = formatScenario(generateBodies(123, { steps: 80 }));
    const c = formatScenario(generateBodies(124, { steps: 80 }));
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it("produces scenarios that parse back to themselves, of exactly `steps` ops, ending in dumpall", () => {
    for (const seed of SEEDS) {
      const ops = generateScenario(seed, { steps: 60, file: "g.vms" });
      expect(ops.length).toBe(60);
      expect(ops.at(-1)?.text).toBe("dumpall");
      const text = ops.map((o) => o.text).join("\n");
      const again = parseScenario(text, "g.vms");
      expect(again.map(bodyOf)).toEqual(ops.map(bodyOf));
    }
  });

  it("stays inside the region, bounds live processes, and never asks the model for the unknowable", () => {
    const slots = 48;
    for (const seed of SEEDS) {
      const ops = generateScenario(seed, { steps: 120, slots, maxProcs: 3 });
      const procs: Array<{ parent: number | null; alive: boolean }> = [
        { parent: null, alive: true },
      ];
      let cur = 0;
      for (const op of ops) {
        // The kernel runner accepts every op (no refusal before running).
        expect(() => checkOp(op, DEFAULT_OPTIONS.size), op.text).not.toThrow();
        for (const [s, e] of ranges(op)) {
          expect(s, op.text).toBeGreaterThanOrEqual(0);
          expect(e, op.text).toBeLessThanOrEqual(slots * P + P); // + a deliberately unaligned address
        }
        if (op.kind === "mremap" && op.flags.includes("MAYMOVE")) {
          expect(op.flags, `${op.text}: ASLR address`).toContain("FIXED");
        }
        if (op.kind === "madvise") {
          expect([MADVICE.HUGEPAGE, MADVICE.COLLAPSE], op.text).not.toContain(op.advice);
        }
        if (op.kind === "fork") {
          procs.push({ parent: cur, alive: true });
          if (!op.stay) cur = procs.length - 1;
        }
        if (op.kind === "switch") {
          expect(procs[op.proc]?.alive, op.text).toBe(true);
          cur = op.proc;
        }
        if (op.kind === "exit") {
          expect(cur, "p0 never exits").not.toBe(0);
          const me = procs[cur]!;
          me.alive = false;
          expect(procs[me.parent!]?.alive, "exit only where the parent is alive").toBe(true);
          cur = me.parent!;
        }
        expect(procs.filter((p) => p.alive).length).toBeLessThanOrEqual(3);
      }
    }
  });

  it("runs through the model without crashing, mostly succeeding and sometimes failing", () => {
    let ok = 0;
    let failed = 0;
    for (const seed of SEEDS.slice(0, 40)) {
      const ops = generateScenario(seed, { steps: 100 });
      const recs = [...runModel(ops, "g.vms", { ...DEFAULT_OPTIONS, zeroPage: false })];
      for (const r of recs) {
        if (!("op" in r)) continue;
        const s = r as StepRecord;
        if (s.err) failed++;
        else ok++;
      }
    }
    expect(ok).toBeGreaterThan(failed * 3);
    expect(failed).toBeGreaterThan(0);
  });

  it("is biased toward merges: mappings next to mappings, moves with FIXED, forks", () => {
    const all = SEEDS.flatMap((s) => generateScenario(s, { steps: 100 }));
    const count = (pred: (o: Op) => boolean) => all.filter(pred).length;
    expect(count((o) => o.kind === "mremap" && o.flags.includes("DONTUNMAP"))).toBeGreaterThan(20);
    expect(count((o) => o.kind === "fork")).toBeGreaterThan(50);
    expect(count((o) => o.kind === "mmap" && o.flags.includes("FIXED"))).toBeGreaterThan(100);
    expect(count((o) => o.kind === "mmap" && o.flags.includes("NORESERVE"))).toBeGreaterThan(100);
    // Reads stay rare (no zero page on some machines).
    expect(count((o) => o.kind === "read")).toBeLessThan(all.length / 30);
  });

  it("leaves out what `avoid` names", () => {
    const avoid = ["GUARD_INSTALL", "mlock", "DONTUNMAP", "LOCKED", "fork"];
    for (const seed of SEEDS.slice(0, 60)) {
      for (const op of generateScenario(seed, { steps: 100, avoid, failing: 0 })) {
        expect(op.kind).not.toBe("mlock");
        expect(op.kind).not.toBe("munlock");
        expect(op.kind).not.toBe("fork");
        if (op.kind === "madvise") expect(op.advice).not.toBe(MADVICE.GUARD_INSTALL);
        if (op.kind === "mmap") expect(op.flags).not.toContain("LOCKED");
        if (op.kind === "mremap") expect(op.flags).not.toContain("DONTUNMAP");
      }
    }
  });

  it("makes page-state operations only when asked, and never for the kernel by default", () => {
    const PAGE_STATES = [
      "swapout",
      "swapin",
      "migrate",
      "migratefinish",
      "ksm",
      "pin",
      "unpin",
      "largefolio",
    ];
    const kinds = (pageStates: boolean) =>
      new Set(
        SEEDS.slice(0, 40).flatMap((s) =>
          generateScenario(s, { steps: 100, pageStates }).map((o) => o.kind),
        ),
      );
    const off = kinds(false);
    for (const k of PAGE_STATES) expect(off.has(k as Op["kind"])).toBe(false);
    const on = kinds(true);
    for (const k of PAGE_STATES) expect(on.has(k as Op["kind"]), k).toBe(true);
  });

  it("leaves out the page-state operations `avoid` names, and only those", () => {
    const kinds = (avoid: string[]) =>
      new Set(
        SEEDS.slice(0, 40).flatMap((s) =>
          generateScenario(s, { steps: 100, pageStates: true, avoid }).map((o) => o.kind),
        ),
      );
    // MIGRATE covers migratefinish and PIN covers unpin, as MLOCK covers munlock
    const some = kinds(["swapout", "MIGRATE", "pin"]);
    for (const k of ["swapout", "migrate", "migratefinish", "pin", "unpin"])
      expect(some.has(k as Op["kind"]), k).toBe(false);
    for (const k of ["swapin", "ksm", "largefolio", "mremap"])
      expect(some.has(k as Op["kind"]), k).toBe(true);
    const none = kinds(["swapout", "swapin", "migrate", "ksm", "pin", "largefolio"]);
    expect([...none].filter((k) => ["swapin", "ksm", "largefolio"].includes(k))).toEqual([]);
    expect(none.has("mmap")).toBe(true);
  });

  it("with hugePages makes MADV_HUGEPAGE, MADV_COLLAPSE and PMD-aligned mappings of one or two PMDs", () => {
    const ops = SEEDS.slice(0, 20).flatMap((s) =>
      generateScenario(s, { steps: 100, slots: 4096, hugePages: true }),
    );
    expect(ops.some((o) => o.kind === "madvise" && o.advice === MADVICE.HUGEPAGE)).toBe(true);
    expect(ops.some((o) => o.kind === "madvise" && o.advice === MADVICE.COLLAPSE)).toBe(true);
    const huge = ops.filter((o) => o.kind === "mmap" && o.len >= 512 * 4096);
    expect(huge.length).toBeGreaterThan(0);
    expect(huge.some((o) => o.kind === "mmap" && o.addr % (512 * 4096) === 0)).toBe(true);
    const plain = SEEDS.slice(0, 20).flatMap((s) => generateScenario(s, { steps: 100 }));
    expect(plain.some((o) => o.kind === "madvise" && o.advice === MADVICE.HUGEPAGE)).toBe(false);
  });

  it("rejects nonsensical options", () => {
    expect(() => generateBodies(1, { slots: 2 })).toThrow(/slots/);
    expect(() => generateBodies(1, { maxProcs: 0 })).toThrow(/maxProcs/);
    expect(generateBodies(1, { steps: 0 })).toEqual([]);
    expect(generateBodies(1, { steps: 1 }).map((o) => o.kind)).toEqual(["dump"]);
  });
});
