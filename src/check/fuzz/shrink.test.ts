// Tests of the shrinker on synthetic predicates: minimality, operand simplification, budget.

import { describe, expect, it } from "vitest";
import type { Op } from "../../input/ops.js";
import { parseScenario } from "../../input/scenario.js";
import { generateScenario } from "./generate.js";
import { shrink, simplifications } from "./shrink.js";

const P = 4096;
const texts = (ops: readonly Op[]) => ops.map((o) => o.text);

describe("shrink", () => {
  it("reduces 'fails iff it contains both X and Y' to exactly X and Y, in order", async () => {
    const ops = generateScenario(5, { steps: 100 });
    const x = ops[17]!.text;
    const y = ops[71]!.text;
    const fails = (c: Op[]) => {
      const t = texts(c);
      const i = t.indexOf(x);
      return i >= 0 && t.indexOf(y, i + 1) > i;
    };
    expect(fails(ops)).toBe(true);
    const r = await shrink(ops, fails, { maxCalls: 2000 });
    expect(texts(r.ops)).toEqual([x, y]);
    expect(r.exhausted).toBe(false);
    // Deterministic: same input, same calls, same output.
    const again = await shrink(ops, fails, { maxCalls: 2000 });
    expect(again).toEqual(r);
  });

  it("works with an async predicate and keeps the result a valid scenario", async () => {
    const ops = parseScenario(
      "mmap 0 8p\ntouch 0 8p\nfork\nmprotect 0 4p r\ndumpall\nexit",
      "s.vms",
    );
    const fails = async (c: Op[]) => {
      await Promise.resolve();
      return c.some((o) => o.kind === "fork") && c.some((o) => o.kind === "mprotect");
    };
    const r = await shrink(ops, fails);
    // The mprotect's length shrinks to one page too.
    expect(texts(r.ops)).toEqual(["fork", "mprotect 0 1p r"]);
    expect(r.ops.map((o) => o.loc.line)).toEqual([1, 2]);
  });

  it("simplifies operands: drops flags, shortens lengths, moves addresses toward 0", async () => {
    const ops = parseScenario(
      "mmap 40p 8p rwx FIXED|NORESERVE|POPULATE\ntouch 42p 6p\nmprotect 40p 8p r",
      "s.vms",
    );
    // Fails while a NORESERVE mapping is touched at its first page and mprotected.
    const fails = (c: Op[]) => {
      const m = c.find((o) => o.kind === "mmap");
      if (!m || m.kind !== "mmap" || !m.flags.includes("NORESERVE")) return false;
      const touched = c.some((o) => o.kind === "touch" && o.addr === m.addr);
      return touched && c.some((o) => o.kind === "mprotect" && o.addr === m.addr);
    };
    // The touch starts at 42p: not failing yet; make a failing variant.
    const failing = parseScenario(
      "mmap 40p 8p rwx FIXED|NORESERVE|POPULATE\ntouch 40p 6p\nmprotect 40p 8p r",
      "s.vms",
    );
    expect(fails(ops)).toBe(false);
    const r = await shrink(failing, fails);
    expect(texts(r.ops)).toEqual(["mmap 0 1p rw NORESERVE", "touch 0 1p", "mprotect 0 1p r"]);
  });

  it("undoes an mremap move, redirecting later ops back to the source", async () => {
    const ops = parseScenario(
      "mmap 0 1p\nmremap 0 1p 1p MAYMOVE|FIXED 9p\nmadvise 9p 1p DONTFORK",
      "s.vms",
    );
    // Fails when a madvise hits the mapping where it is at that point.
    const fails = (c: Op[]) => {
      let at = -1;
      for (const o of c) {
        if (o.kind === "mmap") at = o.addr;
        if (o.kind === "mremap" && o.addr === at && o.newAddr !== null) at = o.newAddr;
        if (o.kind === "madvise" && o.addr === at && at >= 0) return true;
      }
      return false;
    };
    const r = await shrink(ops, fails);
    expect(texts(r.ops)).toEqual(["mmap 0 1p", "madvise 0 1p DONTFORK"]);
  });

  it("stops at the budget with the best list found so far", async () => {
    const ops = generateScenario(11, { steps: 100 });
    let calls = 0;
    const r = await shrink(
      ops,
      (c) => {
        calls++;
        return c.length >= 10;
      },
      { maxCalls: 5 },
    );
    expect(calls).toBe(5);
    expect(r.calls).toBe(5);
    expect(r.exhausted).toBe(true);
    expect(r.ops.length).toBeLessThan(100);
    expect(r.ops.length).toBeGreaterThanOrEqual(10);
  });

  it("offers simpler operands for range ops and mremap", () => {
    const [m] = parseScenario("mremap 0 4p 4p MAYMOVE|FIXED|DONTUNMAP 8p", "s");
    const s = simplifications(m!);
    expect(s.some((o) => o.kind === "mremap" && !o.flags.includes("DONTUNMAP"))).toBe(true);
    expect(s.some((o) => o.kind === "mremap" && o.oldLen === P && o.newLen === P)).toBe(true);
    const [t] = parseScenario("touch 4p 0x2001 9", "s");
    const ts = simplifications(t!);
    expect(ts.some((o) => o.kind === "touch" && o.len === 3 * P)).toBe(true);
    expect(ts.some((o) => o.kind === "touch" && o.value === 1)).toBe(true);
  });
});
