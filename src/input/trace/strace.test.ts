import { describe, expect, test } from "vitest";
import type { TraceEvent } from "./events.js";
import { StraceParser } from "./strace.js";

function parse(text: string): { events: TraceEvent[]; parser: StraceParser } {
  const parser = new StraceParser();
  const events = text.split("\n").flatMap((l, i) => parser.push(l, i + 1));
  return { events, parser };
}

describe("strace -f parser", () => {
  test("-o lines: pid, -ttt time, -T duration, -y paths, hex returns", () => {
    const { events, parser } = parse(
      [
        '19646 1796004622.220846 execve("./t", ["./t"], 0x7fffe19152a0 /* 35 vars */) = 0 <0.000168>',
        "19646  1796004622.221350 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7faddcb0c000 <0.000012>",
        "19646 1796004622.221525 mmap(NULL, 38759, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7faddcb02000 <0.000011>",
        '19646 1796004622.222367 prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7faddc81d000, 4096, "hello") = -1 EINVAL (Invalid argument) <0.000008>',
        "19646 1796004622.223000 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM (Cannot allocate memory) <0.000008>",
      ].join("\n"),
    );
    expect(parser.problems).toEqual([]);
    expect(events).toMatchObject([
      { kind: "exec", tid: 19646, time: 0 },
      { kind: "mmap", addr: 0x7faddcb0c000, len: 8192, file: null },
      { kind: "mmap", file: "/etc/ld.so.cache", len: 38759 },
    ]);
    expect(events[1]?.dur).toBeCloseTo(0.012);
  });

  test("[pid N] prefixes, unfinished/resumed pairs, clone3 annotations, vfork, exits", () => {
    const { events, parser } = parse(
      [
        "strace: Process 6960 attached",
        "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0, stack=0x7f0} => {parent_tid=[6960]}, 88) = 6960",
        "[pid  6960] mmap(NULL, 134217728, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0 <unfinished ...>",
        "vfork( <unfinished ...>",
        "[pid  6960] <... mmap resumed>) = 0x7f1c00000000",
        "<... vfork resumed>) = 6961",
        "[pid  6961] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---",
        "[pid  6961] +++ killed by SIGKILL +++",
        "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 6962",
        "exit_group(0)                           = ?",
      ].join("\n"),
    );
    expect(parser.problems).toEqual([]);
    expect(events.map((e) => [e.kind, e.tid])).toEqual([
      ["spawn", 0],
      ["mmap", 6960],
      ["spawn", 0],
      ["exit", 6961],
      ["spawn", 0],
      ["exit", 0],
    ]);
    expect(
      events.filter((e) => e.kind === "spawn").map((e) => (e.kind === "spawn" ? e.spawn : null)),
    ).toEqual(["thread", "vfork", "fork"]);
    expect(events[1]).toMatchObject({
      len: 134217728,
      flags: ["PRIVATE", "ANONYMOUS", "NORESERVE"],
    });
  });

  test("-X raw numeric flags, brk and mremap returns", () => {
    const { events } = parse(
      [
        "100 mmap(NULL, 8192, 0x3, 0x22, -1, 0) = 0x7f0000000000",
        "100 brk(0x55d000021000) = 0x55d000021000",
        "100 mremap(0x7f0000000000, 8192, 16384, MREMAP_MAYMOVE) = 0x7e0000000000",
      ].join("\n"),
    );
    expect(events).toMatchObject([
      {
        kind: "mmap",
        prot: { read: true, write: true, exec: false },
        flags: ["PRIVATE", "ANONYMOUS"],
      },
      { kind: "brk", ret: 0x55d000021000 },
      { kind: "mremap", ret: 0x7e0000000000, flags: ["MAYMOVE"] },
    ]);
  });

  test("malformed, truncated and orphan lines are reported and skipped", () => {
    const { events, parser } = parse(
      [
        "100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
        "100 mmap(NULL, 8192, PROT_READ, MAP_PRI",
        "100 <... munmap resumed>) = 0",
        "%%% nonsense",
        "100 munmap(0x7f0000000000, 8192) = 0",
      ].join("\n"),
    );
    expect(parser.problems.map((p) => p.line)).toEqual([2, 3, 4]);
    expect(events.map((e) => e.kind)).toEqual(["mmap", "munmap"]);
  });
});
