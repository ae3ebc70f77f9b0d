import { describe, expect, it } from "vitest";
import type { Mm } from "./mm.js";
import { Folio } from "./folio.js";
import { smallInt } from "./small-int.js";
import { Vma } from "./vma.js";

describe("small-int", () => {
  // pgoff and folio->index are kept as two int32 halves (HIGH_UNIT); each must come back exact
  const values = [0, 1, 2 ** 30 - 1, 2 ** 30, 2 ** 31, 0x7f84b30cd, 2 ** 35 + 12345, 2 ** 53 - 1];

  it("keeps a VMA's pgoff exact from 0 to 2^53 - 1", () => {
    for (const n of values) {
      const v = new Vma(null as unknown as Mm, 4096, 8192, n, 0, null);
      expect(v.pgoff).toBe(n);
      v.setRange(0, 4096, n === 0 ? 1 : n - 1);
      expect(v.pgoff).toBe(n === 0 ? 1 : n - 1);
    }
  });

  it("keeps a folio's index exact from 0 to 2^53 - 1", () => {
    for (const n of values) {
      const f = new Folio(1, null, n);
      expect(f.index).toBe(n);
      f.index = n === 0 ? 1 : n - 1;
      expect(f.index).toBe(n === 0 ? 1 : n - 1);
    }
  });

  it("keeps a number outside int32 as it is", () => {
    expect(smallInt(4096 / 4096)).toBe(1);
    expect(smallInt(-5)).toBe(-5);
    expect(smallInt(2 ** 31)).toBe(2 ** 31);
    expect(smallInt(2 ** 35)).toBe(2 ** 35);
  });

  it("keeps a VMA of 2^31 pages or more (ASan's 16 TiB shadow) and its pgoff exact", () => {
    const start = 2 ** 40;
    const end = start + 2 ** 44;
    const v = new Vma(null as unknown as Mm, start, end, start / 4096 + 7, 0, null);
    expect(v.end).toBe(end);
    expect(v.pages).toBe(2 ** 32);
    expect(v.pgoff).toBe(start / 4096 + 7);
    v.setRange(end - 4096, end, 2 ** 35 + 1);
    expect([v.start, v.end, v.pages, v.pgoff]).toEqual([end - 4096, end, 1, 2 ** 35 + 1]);
  });
});
