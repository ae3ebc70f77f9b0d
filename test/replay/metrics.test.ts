// The VMA count over a replay: every fork adds the child's copy, every exit removes it.

import { describe, expect, test } from "vitest";
import { ReplayEngine } from "../../src/replay/engine.js";

const TRACE = [
  "    10.000 ( 0.010 ms): t/100 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS) = 0x7f0000000000",
  "    20.000 ( 0.050 ms): t/100 clone(clone_flags: CHILD_CLEARTID|CHILD_SETTID|0x11, child_tidptr: 0x7f29c0380a10) = 101",
  "    30.000 ( 0.050 ms): t/100 clone(clone_flags: CHILD_CLEARTID|CHILD_SETTID|0x11, child_tidptr: 0x7f29c0380a10) = 102",
  "    40.000 ( 0.010 ms): t/101 mmap(len: 8192, prot: READ, flags: PRIVATE|ANONYMOUS) = 0x7f0000020000",
  "    50.000 (         ): t/101 exit_group()                                          = ?",
  "    60.000 (         ): t/102 exit_group()                                          = ?",
  "    70.000 ( 0.010 ms): t/100 mmap(len: 8192, prot: READ, flags: PRIVATE|ANONYMOUS) = 0x7f0000040000",
];

describe("VMA count of a replay", () => {
  test("forks count at once, and two exits in a row both leave the count", () => {
    const engine = new ReplayEngine("t", ["linux-6.18"], null, []);
    TRACE.forEach((l, i) => engine.line(l, i + 1));
    const [p] = engine.finish().policies;
    const counts = (p?.series ?? [])
      .map(([, n]) => n)
      .filter((n, i, a) => i === 0 || n !== a[i - 1]);
    // p100: 1 VMA; each fork copies it; p101 maps one more; both children exit; p100 maps one
    expect(counts).toEqual([1, 2, 3, 4, 2, 1, 2]);
    expect(p?.peak).toBe(4);
    expect(p?.atExit).toBe(2 + 1 + 2);
  });
});
