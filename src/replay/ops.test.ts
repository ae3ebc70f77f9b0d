import { describe, expect, it } from "vitest";
import { mremapOp } from "./ops.js";

describe("mremapOp", () => {
  const ev = (flags: string[], ret: number) =>
    ({ kind: "mremap", addr: 0x1000, oldLen: 4096, newLen: 8192, flags, ret }) as const;

  it("replays a move as MAYMOVE|FIXED to the address the trace returned", () => {
    expect(mremapOp(ev(["MAYMOVE"], 0x9000))).toMatchObject({
      flags: ["MAYMOVE", "FIXED"],
      newAddr: 0x9000,
    });
    expect(mremapOp(ev(["MAYMOVE", "FIXED", "DONTUNMAP"], 0x9000))).toMatchObject({
      flags: ["MAYMOVE", "FIXED", "DONTUNMAP"],
      newAddr: 0x9000,
    });
  });

  it("keeps a resize in place as it was called, without other flags", () => {
    expect(mremapOp(ev(["MAYMOVE"], 0x1000))).toMatchObject({ flags: ["MAYMOVE"], newAddr: null });
    expect(mremapOp(ev([], 0x1000))).toMatchObject({ flags: [], newAddr: null });
  });
});
