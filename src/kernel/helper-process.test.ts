// Tests of the helper itself: its own region guard, the timeout that kills every process, and
// the CPU pinning that keeps page reclaim deterministic.

import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import { compileHelper, kernelAvailability } from "./compile.js";
import { KernelTimeoutError } from "./errors.js";
import { HelperProcess } from "./helper-process.js";
import { runKernel } from "./runner.js";

const avail = kernelAvailability();
const cacheDir = join(tmpdir(), `vmasim-hp-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const BASE = 0x200000000000;
const GiB = 1 << 30;

function helperAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").includes("(vmasim-helper");
  } catch {
    return false;
  }
}

async function start(timeoutMs = 10_000): Promise<HelperProcess> {
  return HelperProcess.start(
    await compileHelper({ cacheDir }),
    BASE,
    GiB,
    Date.now() + timeoutMs,
    timeoutMs,
  );
}

describe.skipIf(!avail.available)(
  `helper process${avail.available ? "" : ` (skipped: ${avail.reason})`}`,
  () => {
    it("refuses, by itself, to map or move anything outside the region", async () => {
      const h = await start();
      try {
        const refused = [
          "0 mmap 1073737728 8192 rw- FIXED",
          "0 munmap 1073741824 4096",
          "0 mremap 0 4096 4096 MAYMOVE|FIXED 1073741824",
          "0 mremap 1073737728 4096 8192 0 -",
          "0 touch 18446744073709547520 4096 1",
        ];
        await h.request("0 mmap 0 4096 rw- 0");
        await h.request("0 mmap 1073737728 4096 rw- 0");
        for (const line of refused) {
          const reply = await h.request(line);
          expect(reply.ok, line).toBe(false);
          expect(reply.error).toMatch(/leaves the test region .* refused$/);
        }
        const noDest = await h.request("0 mremap 0 4096 4096 MAYMOVE|FIXED -");
        expect(noDest.error).toBe("mremap: FIXED needs NEWADDR, refused");
        const vmas = (await h.request("0 vmas 0 1073741824")).vmas ?? [];
        expect(vmas.map((v) => [v.start, v.end])).toEqual([
          [0, 4096],
          [GiB - 4096, GiB],
        ]);
        expect((await h.request("0 bogus")).error).toMatch(/^bogus: unknown command/);
        expect((await h.request("7 vmas 0 1")).error).toBe("p7: no such live process");
      } finally {
        await h.close();
      }
      for (const pid of h.pids) expect(helperAlive(pid)).toBe(false);
    });

    it("kills the controller and every worker when a request overruns the deadline (f)", async () => {
      const h = await start(1500);
      const fork = await h.request("0 fork");
      expect(fork).toMatchObject({ ok: true, ret: 0, proc: 1 });
      expect(h.pids.length).toBe(3);
      const t0 = Date.now();
      const err = await h.request("1 sleep 60").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelTimeoutError);
      expect((err as Error).message).toContain("'1 sleep 60'");
      expect(Date.now() - t0).toBeLessThan(10_000);
      for (const pid of h.pids) expect(helperAlive(pid)).toBe(false);
    });

    it("gives a timed-out run a located, clear error and kills its helper", async () => {
      // Each populate of 512 MiB takes far longer than the whole 400 ms budget.
      const ops = parseScenario("mmap 0 512m rw POPULATE\nmunmap 0 512m\n".repeat(4), "slow.vms");
      let pids: readonly number[] = [];
      const onHelper = (h: HelperProcess) => (pids = h.pids);
      const err = await runKernel(ops, "slow.vms", {
        timeoutMs: 400,
        compile: { cacheDir },
        onHelper,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelTimeoutError);
      // the request in flight is the populate itself, or the VMA read that follows it
      expect((err as Error).message).toMatch(
        /^slow\.vms:\d: (mmap|munmap) .*: kernel: timed out after 400 ms during '0 (mmap|munmap|vmas) .*', every helper process was killed; raise the timeout/,
      );
      expect((err as KernelTimeoutError).records[0]).toMatchObject({ engine: "kernel" });
      expect(pids.length).toBe(2);
      for (const pid of pids) expect(helperAlive(pid)).toBe(false);
    });

    it("pins the controller and every worker to one CPU (per-CPU LRU batches)", async () => {
      const h = await start();
      try {
        await h.request("0 fork");
        await h.request("1 fork");
        const allowed = h.pids.map(
          (pid) =>
            /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1],
        );
        expect(allowed.length).toBe(4);
        expect(allowed[0]).toMatch(/^\d+$/);
        expect(new Set(allowed)).toEqual(new Set([allowed[0]]));
      } finally {
        await h.close();
      }
    });

    it("exits cleanly with every worker when its stdin closes", async () => {
      const h = await start();
      await h.request("0 fork");
      await h.request("1 fork");
      await h.close();
      for (const pid of h.pids) expect(helperAlive(pid)).toBe(false);
    });
  },
);
