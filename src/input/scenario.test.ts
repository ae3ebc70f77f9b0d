import { describe, expect, it } from "vitest";
import { parseNumber, parseScenario, ScenarioError } from "./scenario.js";

describe("parseNumber", () => {
  it("reads decimal, hex and suffixes", () => {
    expect(parseNumber("16p")).toBe(65536);
    expect(parseNumber("0x1000")).toBe(4096);
    expect(parseNumber("2k")).toBe(2048);
    expect(parseNumber("1m")).toBe(1 << 20);
    expect(parseNumber("1g")).toBe(1 << 30);
    expect(parseNumber("0x10p")).toBe(16 * 4096);
  });
  it("rejects what is not a number", () => {
    expect(parseNumber("-1")).toBeNull();
    expect(parseNumber("12q")).toBeNull();
    expect(parseNumber("")).toBeNull();
  });
});

describe("parseScenario", () => {
  it("parses every operation of the language", () => {
    const ops = parseScenario(
      [
        "mmap 0 4p rw PRIVATE|ANON|NORESERVE  # a comment",
        "mmap 8p 1p none SHARED|FIXED",
        "munmap 0 1p",
        "mprotect 1p 1p r",
        "mremap 1p 1p 2p MAYMOVE|FIXED 20p",
        "touch 0 2p 7",
        "read 0 1p",
        "madvise 0 1p DONTFORK",
        "madvise 0 1p 12",
        "mlock 0 1p",
        "munlock 0 1p",
        "name 0 1p heap",
        "name 0 1p -",
        "fork",
        "fork stay",
        "switch 1",
        "exit",
        "window 0 16p",
        "window",
        "dump",
        "dumpall",
        "pages 0 2p",
        "expect 3",
        "expectvmas 0p-8p 8p-12p",
        "expectvma 4p start=0 perms=rw-p flags=rd,wr pgoff=4 anon=X chain=1",
        "echo hello # not a comment",
      ].join("\n"),
      "t.vms",
    );
    expect(ops.map((o) => o.kind)).toEqual([
      "mmap",
      "mmap",
      "munmap",
      "mprotect",
      "mremap",
      "touch",
      "read",
      "madvise",
      "madvise",
      "mlock",
      "munlock",
      "name",
      "name",
      "fork",
      "fork",
      "switch",
      "exit",
      "window",
      "window",
      "dump",
      "dump",
      "pages",
      "expect",
      "expectvmas",
      "expectvma",
      "echo",
    ]);
    const [mmap, shared] = ops;
    expect(mmap).toMatchObject({
      addr: 0,
      len: 16384,
      prot: { read: true, write: true, exec: false },
      flags: ["PRIVATE", "NORESERVE"],
    });
    expect(shared).toMatchObject({
      prot: { read: false, write: false, exec: false },
      flags: ["SHARED", "FIXED"],
    });
    expect(ops[4]).toMatchObject({
      kind: "mremap",
      newLen: 8192,
      flags: ["MAYMOVE", "FIXED"],
      newAddr: 20 * 4096,
    });
    expect(ops[5]).toMatchObject({ kind: "touch", value: 7 });
    expect(ops[8]).toMatchObject({ kind: "madvise", advice: 12 });
    expect(ops[12]).toMatchObject({ kind: "name", name: null });
    expect(ops[14]).toMatchObject({ kind: "fork", stay: true });
    expect(ops[18]).toMatchObject({ kind: "window", len: null });
    expect(ops[20]).toMatchObject({ kind: "dump", all: true });
    expect(ops[23]).toMatchObject({
      ranges: [
        [0, 32768],
        [32768, 49152],
      ],
    });
    expect(ops[24]).toMatchObject({
      checks: [
        { key: "start", value: 0 },
        { key: "perms", value: "rw-p" },
        { key: "flags", value: "rd wr" },
        { key: "pgoff", value: 4 },
        { key: "anon", value: "X" },
        { key: "chain", value: 1 },
      ],
    });
    expect(ops[25]).toMatchObject({ kind: "echo", message: "hello # not a comment" });
    expect(ops[0]?.loc).toEqual({ file: "t.vms", line: 1 });
    expect(ops[0]?.text).toBe("mmap 0 4p rw PRIVATE|ANON|NORESERVE");
  });

  it.each([
    ["mmap 0", "mmap: missing LEN", "mmap"],
    ["mmap 0 -4p", "must not be negative", "-4p"],
    ["mmap 0 4p rwq", "PROT takes letters", "rwq"],
    ["mmap 0 4p rw BOGUS", "unknown flag 'BOGUS'", "BOGUS"],
    ["frobnicate 1", "unknown operation 'frobnicate'", "frobnicate"],
    ["munmap 0 1p 2p", "unexpected extra argument", "2p"],
    ["madvise 0 1p SOMETIMES", "unknown advice", "SOMETIMES"],
    ["expectvmas 8p-4p", "S < E", "8p-4p"],
    ["expectvma 0 colour=red", "keys are", "colour=red"],
    ["fork later", "only argument is 'stay'", "later"],
  ])("rejects %j with file, line and token", (line, reason, token) => {
    let err: unknown;
    try {
      parseScenario(`# first\n${line}\n`, "bad.vms");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const e = err as ScenarioError;
    expect(e.file).toBe("bad.vms");
    expect(e.line).toBe(2);
    expect(e.token).toBe(token);
    expect(e.message).toContain(reason);
    expect(e.message.startsWith("bad.vms:2: ")).toBe(true);
  });
});
