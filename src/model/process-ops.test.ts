// exec, brk, vfork, file-backed mmaps and special mappings: the operations a captured
// program's replay needs beyond anonymous memory.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { StepRecord, VmaRecord } from "../report/record.js";
import { DEFAULT_OPTIONS } from "./options.js";
import { runModel } from "./run.js";

function run(text: string): StepRecord[] {
  const ops = parseScenario(text, "t.vms");
  return [...runModel(ops, "t.vms", { ...DEFAULT_OPTIONS, zeroPage: false })].filter(
    (r): r is StepRecord => "op" in r,
  );
}
const last = (recs: StepRecord[]) => recs.at(-1)!;
const rel = (v: VmaRecord) => [v.start, v.end]; // records carry addresses relative to the base

describe("exec and brk", () => {
  it("brk grows the heap in place and shrinks it, naming it [heap]", () => {
    const recs = run(`exec brk=0x10000\nbrk 0x14000\nbrk 0x18000\nbrk 0x12000\n`);
    expect(recs[1]!.ret).toBe(0x14000);
    const heap = last(recs).vmas;
    expect(heap).toHaveLength(1);
    expect(rel(heap[0]!)).toEqual([0x10000, 0x12000]);
    expect(heap[0]!.name).toBe("[heap]");
    expect(heap[0]!.vmflags).toContain("ac");
  });

  it("exec replaces the address space", () => {
    const recs = run(`mmap 0 4p rw\ntouch 0 4p\nexec brk=0x10000\n`);
    expect(recs[1]!.vmas).toHaveLength(1);
    expect(last(recs).vmas).toHaveLength(0);
  });
});

describe("file-backed mappings", () => {
  it("a private write fault makes an anonymous COW copy; a read stays in the page cache", () => {
    const recs = run(`mmap 0 4p rw file=/lib/x.so off=8192\nread 0 2p\ntouch 2p 1p\n`);
    const [v] = last(recs).vmas;
    expect(v!.kind).toBe("file");
    expect(v!.name).toBe("/lib/x.so");
    expect(v!.model!.pgoff).toBe(2);
    expect(v!.anon_kb).toBe(4);
    expect(v!.model!.anon_vma).not.toBeNull();
  });

  it("two mappings of one file at linear offsets merge; of different files they do not", () => {
    const same = run(`mmap 0 2p r file=/a off=0\nmmap 2p 2p r file=/a off=8192\n`);
    expect(last(same).vmas).toHaveLength(1);
    const other = run(`mmap 0 2p r file=/a off=0\nmmap 2p 2p r file=/b off=8192\n`);
    expect(last(other).vmas).toHaveLength(2);
    const gap = run(`mmap 0 2p r file=/a off=0\nmmap 2p 2p r file=/a off=0\n`);
    expect(last(gap).vmas).toHaveLength(2);
  });
});

describe("special mappings and vfork", () => {
  it("a special mapping never merges with an adjacent anonymous VMA", () => {
    const recs = run(`special 0 1p r-x [vdso]\nmmap 1p 1p r-x\n`);
    const vmas = last(recs).vmas;
    expect(vmas).toHaveLength(2);
    expect(vmas[0]!.name).toBe("[vdso]");
    expect(vmas[0]!.vmflags).toContain("de");
  });

  it("a vfork child shares the parent's mm until it execs", () => {
    const recs = run(`mmap 0 1p rw\nvfork\nmmap 2p 1p rw\nexec\nswitch 0\n`);
    expect(recs[2]!.vmas).toHaveLength(2);
    expect(recs[3]!.vmas).toHaveLength(0);
    expect(last(recs).vmas).toHaveLength(2);
  });
});
