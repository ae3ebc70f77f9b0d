import { describe, expect, test } from "vitest";
import type { TraceEvent } from "./events.js";
import { PerfTraceParser } from "./perf-trace.js";

function parse(text: string): { events: TraceEvent[]; parser: PerfTraceParser } {
  const parser = new PerfTraceParser();
  const events = text.split("\n").flatMap((l, i) => parser.push(l, i + 1));
  return { events, parser };
}

describe("perf trace parser", () => {
  test("mmap with and without defaulted fields, file descriptors, returns", () => {
    const { events, parser } = parse(
      [
        "     0.479 ( 0.016 ms): python3/14960 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS)           = 0x7fac09951000",
        "     0.640 ( 0.020 ms): python3/14960 mmap(addr: 0x7fac0978b000, len: 1400832, prot: READ|EXEC, flags: PRIVATE|FIXED|DENYWRITE, fd: 4, off: 0x26000) = 0x7fac0978b000",
        "     2.248 ( 0.015 ms): t/15336 mmap(len: 8392704, flags: PRIVATE|ANONYMOUS|STACK)                    = 0x7f04a6f2b000",
      ].join("\n"),
    );
    expect(parser.problems).toEqual([]);
    expect(events.map((e) => e.kind)).toEqual(["mmap", "mmap", "mmap"]);
    const [a, b, c] = events as Array<Extract<TraceEvent, { kind: "mmap" }>>;
    expect(a).toMatchObject({
      addr: 0x7fac09951000,
      len: 8192,
      file: null,
      off: 0,
      tid: 14960,
      time: 0.479,
      dur: 0.016,
    });
    expect(a?.prot).toEqual({ read: true, write: true, exec: false });
    expect(b).toMatchObject({
      file: "fd:4",
      off: 0x26000,
      flags: ["PRIVATE", "FIXED", "DENYWRITE"],
    });
    expect(c?.prot).toEqual({ read: false, write: false, exec: false }); // PROT_NONE is left out
  });

  test("page faults: write from the error code, a left-out address is 0", () => {
    const { events } = parse(
      [
        "     0.121 (         ): python3/14960 exceptions:page_fault_user(address: 0x7fff90781ff8, ip: 140376872019864, error_code: 6)",
        "     0.163 (         ): python3/14960 exceptions:page_fault_user(address: 0x7fac0995bd40, ip: 140376872020499, error_code: 4)",
        "     0.051 (         ): python3/14960 exceptions:page_fault_kernel(address: 0x7fac0998f110, ip: -2123027606, error_code: 2)",
        "    58.241 (         ): java/6265 exceptions:page_fault_user(ip: 140028760032813, error_code: 4)",
      ].join("\n"),
    );
    expect(events.map((e) => (e.kind === "fault" ? [e.addr, e.write] : null))).toEqual([
      [0x7fff90781ff8, true],
      [0x7fac0995bd40, false],
      [0x7fac0998f110, true],
      [0, false],
    ]);
  });

  test("unfinished calls are joined with their continuation; children are named by the parent's return", () => {
    const { events, parser } = parse(
      [
        "     2.765 (         ): t/15336 vfork()                                                            ...",
        "         ? (         ): :15338/15338  ... [continued]: vfork())                                            = 0",
        "     2.913 (         ): :15338/15338 exit_group()                                                          = ?",
        "     2.765 ( 0.217 ms): t/15336  ... [continued]: vfork())                                            = 15338",
        "     3.015 ( 0.174 ms): t/15336 clone(clone_flags: CHILD_CLEARTID|CHILD_SETTID|0x11, child_tidptr: 0x7f04a783ca10) = 15339 (t)",
        "     2.402 ( 0.138 ms): t/15336 clone3(uargs: 0x7ffe273d7340, size: 88)                               = 15337",
        "         ? (         ): python3/14960  ... [continued]: execve())                                           = 0",
        "     2.312 ( 0.025 ms): python3/14960 execve(filename: 0x90781c90, argv: 0x7fff90782040, envp: 0x7fff90782068) = -1 ENOENT (No such file or directory)",
      ].join("\n"),
    );
    expect(parser.problems).toEqual([]);
    expect(
      events.map((e) => [
        e.kind,
        e.tid,
        e.kind === "spawn" ? [e.child, e.spawn] : e.kind === "exit" ? e.group : null,
      ]),
    ).toEqual([
      ["exit", 15338, true],
      ["spawn", 15336, [15338, "vfork"]],
      ["spawn", 15336, [15339, "fork"]],
      ["spawn", 15336, [15337, null]], // clone3 hides its flags
      ["exec", 14960, null],
    ]);
    expect(events[1]).toMatchObject({ time: 2.765, dur: 0.217 });
  });

  test("markers, failed calls, mremap, madvise, brk", () => {
    const { events } = parse(
      [
        "     2.157 ( 0.012 ms): sampler/15336 munmap(addr: 0x5a5a00001000)                                          = -1 EINVAL (Invalid argument)",
        "     2.182 ( 0.022 ms): t/15336 mlock(start: 139657965912064, len: 4096)                              = -1 ENOMEM (Cannot allocate memory)",
        "     1.850 ( 0.032 ms): t/15336 mremap(addr: 0x7f04a782c000, old_len: 65536, new_len: 1048576, flags: MAYMOVE) = 0x7f04a772c000",
        "     1.925 ( 0.018 ms): t/15336 madvise(start: 0x7f04a772e000, len_in: 8192, behavior: MADV_DONTNEED) = 0",
        "     2.350 ( 0.016 ms): t/15336 brk(brk: 0x561bdf799000)                                              = 0x561bdf799000",
      ].join("\n"),
    );
    expect(events).toMatchObject([
      { kind: "marker", id: 0, begin: false },
      {
        kind: "mremap",
        addr: 0x7f04a782c000,
        oldLen: 65536,
        newLen: 1048576,
        flags: ["MAYMOVE"],
        ret: 0x7f04a772c000,
      },
      { kind: "madvise", advice: 4, len: 8192 },
      { kind: "brk", ret: 0x561bdf799000 },
    ]);
  });

  test("malformed and truncated lines are reported with their line number, and parsing goes on", () => {
    const { events, parser } = parse(
      [
        "     0.479 ( 0.016 ms): python3/14960 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS)           = 0x7fac09951000",
        "garbage here",
        "     0.500 ( 0.016 ms): python3/14960 mmap(len: 8192, prot: READ|WRI",
        "     0.510 ( 0.016 ms): python3/14960 munmap(addr: 0x7fac09951000, len: zzz) = 0",
        "  4227.775 ( 0.042 ms): ar/6652  ... [continued]: mmap())                                             = 0x7f36b5d02000",
        "     0.600 ( 0.016 ms): python3/14960 munmap(addr: 0x7fac09951000, len: 8192) = 0",
      ].join("\n"),
    );
    expect(parser.problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    expect(parser.problems[0]?.message).toMatch(/not a perf trace/);
    expect(events.map((e) => [e.kind, e.line])).toEqual([
      ["mmap", 1],
      ["munmap", 6],
    ]);
  });
});
