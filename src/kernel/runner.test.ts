// Tests of runKernel on the live kernel: errnos, processes, faults, refusals, records, cleanup.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { EchoRecord, HeaderRecord, RunRecord, StepRecord } from "../report/record.js";
import { KernelRefusedError, KernelScenarioError } from "./errors.js";
import { kernelAvailability, runKernel, type KernelOptions } from "./runner.js";

const avail = kernelAvailability();
if (!avail.available) console.warn(`src/kernel: real-kernel tests skipped: ${avail.reason}`);
const here = dirname(fileURLToPath(import.meta.url));
const cacheDir = join(tmpdir(), `vmasim-runner-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const P = 4096;

/** Whether a helper process is still there (running or zombie). */
function helperAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").includes("(vmasim-helper");
  } catch {
    return false;
  }
}

interface Run {
  header: HeaderRecord;
  steps: StepRecord[];
  all: RunRecord[];
  pids: number[];
}

async function run(text: string, file = "inline.vms", options: KernelOptions = {}): Promise<Run> {
  let pids: readonly number[] = [];
  const all = await runKernel(parseScenario(text, file), file, {
    compile: { cacheDir },
    onHelper: (h) => (pids = h.pids),
    ...options,
  });
  const steps = all.slice(1).filter((r): r is StepRecord => !("echo" in r));
  return { header: all[0] as HeaderRecord, steps, all, pids: [...pids] };
}

const runFile = (name: string) => run(readFileSync(join(here, "testdata", name), "utf8"), name);
const bounds = (r: StepRecord) => r.vmas.map((v) => [v.start / P, v.end / P, v.perms]);
const byOp = (r: Run, text: string) => {
  const s = r.steps.find((x) => x.op === text);
  if (!s) throw new Error(`no step '${text}'`);
  return s;
};

describe.skipIf(!avail.available)(
  `runKernel${avail.available ? "" : ` (skipped: ${avail.reason})`}`,
  () => {
    it("writes the header and records in the contract's shape and key order", async () => {
      const r = await run(
        "echo hello # not a comment\n\n# comment\nmmap 0 4p # c\ndumpall\npages 0 1p\n",
      );
      expect(Object.keys(r.header)).toEqual([
        "vmasim",
        "engine",
        "kernel",
        "file",
        "base",
        "size",
        "page",
        "zero_page",
        "anon_name",
      ]);
      expect(r.header).toMatchObject({
        vmasim: 1,
        engine: "kernel",
        file: "inline.vms",
        base: "0x200000000000",
        size: 1 << 30,
        page: 4096,
      });
      expect(r.header.kernel).toBe(readFileSync("/proc/sys/kernel/osrelease", "utf8").trim());
      const noZeroPage = readFileSync("/proc/cmdline", "utf8").includes("pvm_no_zero_page=1");
      expect(r.header.zero_page).toBe(!noZeroPage);
      expect(r.all[1] as EchoRecord).toEqual({ step: 1, echo: "hello # not a comment" });
      const keys = ["step", "proc", "op", "ret", "err", "note", "nvma", "vmas"];
      expect(Object.keys(r.steps[0] as StepRecord)).toEqual(keys);
      expect(r.steps.map((s) => s.step)).toEqual([2, 3, 4]);
      expect(Object.keys(r.steps[1] as StepRecord)).toEqual([...keys, "procs"]);
      expect(Object.keys(r.steps[2] as StepRecord)).toEqual([...keys, "pages"]);
      expect(r.steps[0]).toMatchObject({
        proc: 0,
        op: "mmap 0 4p",
        ret: 0,
        err: "",
        note: "",
        nvma: 1,
      });
    });

    it("reports errnos and partial effects as the kernel does (b)", async () => {
      const r = await runFile("errno.vms");
      const res = (t: string) => [byOp(r, t).ret, byOp(r, t).err];
      expect(res("mmap 2p 4p")).toEqual([-1, "EEXIST"]);
      expect(res("mmap 0x800 1p")).toEqual([-1, "EINVAL"]);
      expect(res("mprotect 0 8p r")).toEqual([-1, "ENOMEM"]);
      expect(bounds(byOp(r, "mprotect 0 8p r"))).toEqual([[0, 4, "r--p"]]); // applied up to the hole
      expect(res("munmap 10p 2p")).toEqual([0, ""]);
      expect(res("madvise 8p 2p DONTNEED")).toEqual([-1, "ENOMEM"]);
      expect(res("mmap 0 0")).toEqual([-1, "EINVAL"]);
      expect(bounds(byOp(r, "mremap 0 4p 8p"))).toEqual([[0, 8, "r--p"]]);
      const moved = byOp(r, "mremap 1p 1p 1p MAYMOVE|DONTUNMAP");
      expect(moved.ret).toBeGreaterThanOrEqual(1 << 30); // the kernel chose outside the region
      expect(moved.vmas.every((v) => v.end <= 1 << 30)).toBe(true);
      expect(byOp(r, "expect 1").note).toBe("EXPECT OK");
    });

    it("runs processes with their own layouts through fork, switch and exit (c)", async () => {
      const r = await runFile("fork.vms");
      expect(r.steps.filter((s) => s.note !== "").map((s) => s.note)).toEqual(
        Array(4).fill("EXPECT OK"),
      );
      expect(r.steps.map((s) => s.proc)).toEqual([0, 0, 1, 1, 1, 1, 2, 2, 2, 0, 0, 0, 2, 1, 0, 0]);
      expect(byOp(r, "fork")).toMatchObject({ ret: 1, proc: 1 });
      expect(byOp(r, "fork stay")).toMatchObject({ ret: 2, proc: 1 });
      const dump = byOp(r, "dumpall");
      expect(dump.procs?.map((p) => [p.proc, p.vmas.map((v) => [v.start / P, v.end / P])])).toEqual(
        [
          [0, [[0, 8]]],
          [
            1,
            [
              [0, 2],
              [4, 8],
            ],
          ],
          [
            2,
            [
              [0, 2],
              [4, 5],
              [5, 6],
              [6, 8],
            ],
          ],
        ],
      );
      // The parent still shares the pages the children kept.
      expect(dump.procs?.[0]?.vmas[0]?.shared_kb).toBeGreaterThan(0);
      expect(r.steps.at(-1)?.vmas[0]?.shared_kb).toBe(0); // children gone: nothing shared any more
      expect(r.pids.length).toBe(4); // controller, p0, p1, p2
    });

    it("stops a touch at a PROT_NONE page and goes on (d)", async () => {
      const r = await runFile("fault.vms");
      expect(byOp(r, "touch 0 8p 9").ret).toBe(3);
      expect(byOp(r, "read 0 8p").ret).toBe(3);
      expect(byOp(r, "touch 4p 4p").ret).toBe(4);
      expect(byOp(r, "expectvma 0 rss=12").note).toBe("EXPECT OK");
      const pages = byOp(r, "pages 0 5p").pages ?? [];
      expect(pages.map((p) => p.present)).toEqual([true, true, true, false, true]);
      expect(pages[0]).toMatchObject({
        addr: 0,
        exclusive: true,
        mapcount: 1,
        zero: false,
        ksm: false,
      });
    });

    it("refuses FIXED ranges outside the region before running anything (e)", async () => {
      let started = false;
      const err = await runFile("outside.vms").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelRefusedError);
      expect((err as Error).message).toMatch(
        /^outside\.vms:3: mmap: range \[0x3ffff000, 0x40001000\) leaves the test region/,
      );
      await run("mremap 0 1p 1p MAYMOVE|FIXED 0x40000000", "x", {
        onHelper: () => (started = true),
      }).catch((e: unknown) => expect(e).toBeInstanceOf(KernelRefusedError));
      expect(started).toBe(false);
    });

    it("keeps the window per process and passes it to children", async () => {
      const r = await run(
        "mmap 0 2p\nmmap 10p 2p\nwindow 8p 8p\nfork\nexpectvmas 10p-12p\nswitch 0\nwindow\nexpect 2\n",
      );
      expect(r.steps.map((s) => s.note).filter(Boolean)).toEqual(["EXPECT OK", "EXPECT OK"]);
    });

    it("reports shared anonymous memory, flags and names as smaps shows them", async () => {
      const r = await runFile("shared.vms");
      const first = byOp(r, "mmap 0 4p rw SHARED").vmas[0];
      expect(first).toMatchObject({
        kind: "shanon",
        perms: "rw-s",
        vmflags: "rd wr sh mr mw me ms",
      });
      expect(first && "name" in first).toBe(false);
      expect(byOp(r, "touch 0 2p").vmas[0]?.rss_kb).toBe(8);
      expect(byOp(r, "mmap 8p 4p rw NORESERVE|STACK").vmas[1]?.vmflags).toBe(
        "rd wr mr mw me nr nh",
      );
      expect(byOp(r, "mmap 16p 4p rw POPULATE|LOCKED").vmas[2]).toMatchObject({
        rss_kb: 16,
        vmflags: expect.stringContaining("lo"),
      });
      const name = byOp(r, "name 8p 4p hello");
      expect(name.ret === 0).toBe(r.header.anon_name);
      if (!r.header.anon_name) expect(name.err).toBe("EINVAL");
    });

    it("rejects a switch to a process that has exited", async () => {
      const err = await run("fork\nexit\nswitch 1\n", "sw.vms").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelScenarioError);
      expect((err as Error).message).toBe(
        "sw.vms:3: switch: p1 has exited, switch to a live process (fork creates them)",
      );
    });

    it("leaves no process behind, whatever the scenario did", async () => {
      const r = await run("mmap 0 1p\nfork\nfork\nswitch 0\nexit\nswitch 2\ntouch 0 1p\n");
      expect(r.pids.length).toBe(4);
      expect(r.steps.at(-1)).toMatchObject({ proc: 2, ret: 1 });
      for (const pid of r.pids) expect(helperAlive(pid)).toBe(false);
      const f = await runFile("fork.vms");
      for (const pid of f.pids) expect(helperAlive(pid)).toBe(false);
    });
  },
);
