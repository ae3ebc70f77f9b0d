// Unit tests of the kernel engine's pure parts: refusals, helper commands, record conversion.

import { describe, expect, it } from "vitest";
import type { Op } from "../input/ops.js";
import { parseLine } from "../input/scenario.js";
import { checkOp, syscallCommand } from "./commands.js";
import { KernelRefusedError } from "./errors.js";
import { toVmaRecord, vmaKind } from "./vmas.js";

const GiB = 1 << 30;
const op = (text: string, line = 7): Op => {
  const parsed = parseLine(text, "t.vms", line);
  if (!parsed) throw new Error(`not an op: ${text}`);
  return parsed;
};

function refusal(o: Op): KernelRefusedError {
  try {
    checkOp(o, GiB);
  } catch (e) {
    if (e instanceof KernelRefusedError) return e;
    throw e;
  }
  throw new Error(`checkOp accepted '${o.text}'`);
}

describe("checkOp", () => {
  it("accepts ranges that end exactly at the region end", () => {
    expect(() => checkOp(op("mmap 0x3ffff000 1p rw FIXED"), GiB)).not.toThrow();
    expect(() => checkOp(op("touch 0 1g"), GiB)).not.toThrow();
  });

  it("refuses a FIXED mmap that leaves the region, naming file and line", () => {
    const e = refusal(op("mmap 0x3ffff000 2p rw FIXED", 12));
    expect(e.message).toMatch(
      /^t\.vms:12: mmap: range \[0x3ffff000, 0x40001000\) leaves the test region/,
    );
    expect(e.exitCode).toBe(2);
  });

  it("refuses every range op that leaves the region", () => {
    for (const t of [
      "munmap 1g 1p",
      "mprotect 0 2g r",
      "madvise 1g 1p DONTNEED",
      "touch 0x3fffffff 2",
      "pages 1g 1p",
      "name 1g 1p x",
    ]) {
      expect(refusal(op(t)).op).toBe(t.split(" ")[0]);
    }
  });

  it("lets the kernel choose with MAYMOVE without FIXED, but not with FIXED or in-place growth", () => {
    expect(() => checkOp(op("mremap 0x3ffff000 1p 4p MAYMOVE"), GiB)).not.toThrow();
    expect(refusal(op("mremap 0x3ffff000 1p 4p 0")).message).toContain("grown range");
    expect(refusal(op("mremap 0 1p 1p MAYMOVE|FIXED 1g")).message).toContain("new range");
    expect(refusal(op("mremap 0 1p 1p MAYMOVE|FIXED")).message).toContain("FIXED needs NEWADDR");
  });

  it("refuses the model-only operations by name", () => {
    for (const text of [
      "swapout 0 1p",
      "migrate finish",
      "ksm 0 1p",
      "largefolio 0 2p",
      "brk 4p",
    ]) {
      const e = refusal(op(text));
      expect(e.message).toBe(
        `t.vms:7: ${text.split(" ")[0]}: only the model can perform this operation, run the scenario with the model engine`,
      );
    }
  });
});

describe("syscallCommand", () => {
  it("spells the helper protocol", () => {
    expect(syscallCommand(op("mmap 4p 2p r NORESERVE|FIXED"))).toBe(
      "mmap 16384 8192 r-- NORESERVE|FIXED",
    );
    expect(syscallCommand(op("mmap 0 1p none"))).toBe("mmap 0 4096 --- 0");
    expect(syscallCommand(op("mremap 0 1p 2p MAYMOVE"))).toBe("mremap 0 4096 8192 MAYMOVE -");
    expect(syscallCommand(op("madvise 0 1p PAGEOUT"))).toBe("madvise 0 4096 21");
    expect(syscallCommand(op("name 0 1p -"))).toBe("name 0 4096 -");
    expect(syscallCommand(op("touch 0 1p 300"))).toBe("touch 0 4096 44");
    expect(syscallCommand(op("fork"))).toBeNull();
  });
});

describe("toVmaRecord", () => {
  const raw = {
    start: 0,
    end: 4096,
    perms: "rw-p",
    inode: 0,
    path: "",
    rss_kb: 4,
    anon_kb: 4,
    shared_kb: 0,
    swap_kb: 0,
    thp_kb: 0,
    vmflags: " rd  wr mr mw me ac ",
  };

  it("keeps the contract's key order and normalises VmFlags", () => {
    const r = toVmaRecord(raw);
    expect(Object.keys(r)).toEqual([
      "start",
      "end",
      "perms",
      "kind",
      "rss_kb",
      "anon_kb",
      "shared_kb",
      "swap_kb",
      "thp_kb",
      "vmflags",
    ]);
    expect(r.vmflags).toBe("rd wr mr mw me ac");
  });

  it("classifies kinds and reports names except the shmem one", () => {
    expect(
      toVmaRecord({ ...raw, path: "/dev/zero (deleted)", inode: 5, perms: "rw-s" }),
    ).toMatchObject({ kind: "shanon" });
    expect(toVmaRecord({ ...raw, path: "/dev/zero (deleted)", inode: 5 }).name).toBeUndefined();
    expect(toVmaRecord({ ...raw, path: "[anon:foo]" })).toMatchObject({
      kind: "anon",
      name: "[anon:foo]",
    });
    expect(vmaKind("rw-s", 7, "[anon_shmem:bar]")).toBe("shanon");
    expect(vmaKind("rw-s", 32769, "/SYSV00000000 (deleted)")).toBe("shanon");
    expect(vmaKind("r--p", 1234, "/usr/lib/libc.so.6")).toBe("file");
    expect(vmaKind("r--p", 0, "[vdso]")).toBe("file");
  });
});
