// Tests of the scenario printer: every op kind prints as a line that parses back to the same op.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../../input/scenario.js";
import { bodyOf, formatNumber, formatOp, formatScenario, materialize } from "./format.js";

const SCENARIO = `
mmap 0 8p
mmap 8p 0x1800 r FIXED|NORESERVE
mmap 0x801 1p none NOREPLACE|POPULATE|LOCKED|GROWSDOWN
mmap 20p 1p rwx SHARED
mmap 30p 2p r PRIVATE file=/lib/a%20b.so off=4p
mmap 34p 2p file=/lib/c.so
vfork
exec brk=10p stack=20p
exec
brk 12p
special 50p 2p rx [vdso]
munmap 2p 1p
mprotect 0 4p none
mremap 0 4p 8p
mremap 0 4p 4p MAYMOVE|FIXED|DONTUNMAP 30p
mremap 0 4p 4p 0 30p
touch 0 4p
touch 0 4p 7
read 1p 1p
madvise 0 1p DONTFORK
madvise 0 1p 24
mlock 0 1p
munlock 0 1p
name 0 1p fz
name 0 1p -
fork
fork stay
switch 1
exit
window
window 4p 8p
dump
dumpall
pages 0 2p
expect 3
expectvmas 0-4p 4p-8p
expectvma 4p start=4p end=8p perms=rw-p flags=rd,wr,mr rss=8 pgoff=4 chain=1 anon=A
expectvma 40p none
echo hello # not a comment
`;

describe("formatOp", () => {
  it("prints every op kind so that it parses back to the same op", () => {
    const ops = parseScenario(SCENARIO, "a.vms");
    expect(ops.length).toBe(39);
    for (const op of ops) {
      const line = formatOp(bodyOf(op));
      const again = parseScenario(line, "b.vms");
      expect(again.length, line).toBe(1);
      expect(bodyOf(again[0]!), line).toEqual(bodyOf(op));
      // Printing is canonical: a second round trip prints the same text.
      expect(formatOp(bodyOf(again[0]!))).toBe(line);
    }
  });

  it("spells numbers in pages when it can", () => {
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(8192)).toBe("2p");
    expect(formatNumber(0x1801)).toBe("0x1801");
  });

  it("materializes op lists with fresh text and line numbers, and writes headers as comments", () => {
    const ops = materialize(parseScenario("mmap 0 1p\n\ntouch 0 1p", "x").map(bodyOf), "y.vms");
    expect(ops.map((o) => [o.text, o.loc])).toEqual([
      ["mmap 0 1p", { file: "y.vms", line: 1 }],
      ["touch 0 1p", { file: "y.vms", line: 2 }],
    ]);
    const text = formatScenario(ops.map(bodyOf), ["first", "", "second"]);
    expect(text).toBe("# first\n#\n# second\n\nmmap 0 1p\ntouch 0 1p\n");
    expect(parseScenario(text, "z").length).toBe(2);
  });
});
