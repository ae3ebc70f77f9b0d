// Checks runKernel against an independent C program doing the same syscalls and printing its maps.

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { StepRecord } from "../report/record.js";
import { findCompiler, kernelAvailability } from "./compile.js";
import { runKernel } from "./runner.js";

const avail = kernelAvailability();
const dir = join(tmpdir(), `vmasim-indep-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Scenario lines and, written by hand, the C statement doing the same thing. */
const STEPS: Array<[string, string]> = [
  ["mmap 0 16p", "mmap(A(0), P(16), RW, PA | MAP_FIXED_NOREPLACE, -1, 0)"],
  ["touch 0 8p 7", "for (int i = 0; i < 8; i++) A(P(i))[0] = 7"],
  ["mprotect 4p 4p r", "mprotect(A(P(4)), P(4), PROT_READ)"],
  [
    "mmap 20p 4p rw NORESERVE",
    "mmap(A(P(20)), P(4), RW, PA | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0)",
  ],
  [
    "mmap 24p 4p rw NORESERVE",
    "mmap(A(P(24)), P(4), RW, PA | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0)",
  ],
  [
    "mmap 28p 4p r NORESERVE",
    "mmap(A(P(28)), P(4), PROT_READ, PA | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0)",
  ],
  ["munmap 2p 1p", "munmap(A(P(2)), P(1))"],
  ["mremap 20p 4p 4p MAYMOVE|FIXED 40p", "syscall(SYS_mremap, A(P(20)), P(4), P(4), 3, A(P(40)))"],
  [
    "mmap 50p 4p rw SHARED",
    "mmap(A(P(50)), P(4), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)",
  ],
  ["mprotect 4p 4p rw", "mprotect(A(P(4)), P(4), RW)"],
  ["madvise 10p 2p DONTFORK", "madvise(A(P(10)), P(2), MADV_DONTFORK)"],
  ["mlock 13p 1p", "mlock(A(P(13)), P(1))"],
  ["mmap 60p 4p rw FIXED", "mmap(A(P(60)), P(4), RW, PA | MAP_FIXED, -1, 0)"],
  ["mmap 62p 4p r FIXED", "mmap(A(P(62)), P(4), PROT_READ, PA | MAP_FIXED, -1, 0)"],
  ["mremap 60p 2p 6p MAYMOVE|FIXED 70p", "syscall(SYS_mremap, A(P(60)), P(2), P(6), 3, A(P(70)))"],
];

const PROGRAM = `
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define BASE 0x200000000000UL
#define A(off) ((char *)(BASE + (off)))
#define P(n) ((unsigned long)(n) * 4096UL)
#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)
static void maps(int step) {
  char line[512];
  FILE *f = fopen("/proc/self/maps", "r");
  printf("STEP %d\\n", step);
  while (fgets(line, sizeof line, f)) {
    unsigned long s, e;
    char perms[8];
    if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 && e > BASE && s < BASE + (1UL << 30))
      printf("%lu %lu %s\\n", (s - BASE) / 4096, (e - BASE) / 4096, perms);
  }
  fclose(f);
  fflush(stdout);
}
int main(void) {
${STEPS.map(([, c], i) => `  ${c};\n  maps(${i + 1});`).join("\n")}
  return 0;
}
`;

/** Runs the C program and returns, per step, its "start end perms" lines (pages, relative). */
function independentMaps(): string[][] {
  const cc = findCompiler();
  if (!("argv" in cc)) throw new Error(cc.reason);
  const src = join(dir, "indep.c");
  const bin = join(dir, "indep");
  mkdirSync(dir, { recursive: true });
  writeFileSync(src, PROGRAM);
  execFileSync(cc.argv[0] as string, [...cc.argv.slice(1), "-std=gnu11", "-O1", "-o", bin, src]);
  const out = execFileSync(bin, { encoding: "utf8" });
  const steps: string[][] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith("STEP ")) steps.push([]);
    else if (line) steps.at(-1)?.push(line);
  }
  return steps;
}

describe.skipIf(!avail.available)(
  `independent check${avail.available ? "" : ` (skipped: ${avail.reason})`}`,
  () => {
    it("reports the VMA boundaries and permissions a plain C program sees (a)", async () => {
      const expected = independentMaps();
      expect(expected.length).toBe(STEPS.length);
      const ops = parseScenario(STEPS.map(([s]) => s).join("\n"), "indep.vms");
      const records = await runKernel(ops, "indep.vms", { compile: { cacheDir: dir } });
      const steps = records.slice(1) as StepRecord[];
      const got = steps.map((r) =>
        r.vmas.map((v) => `${v.start / 4096} ${v.end / 4096} ${v.perms}`),
      );
      expect(got).toEqual(expected);
      // The C program's syscalls all succeeded; so must the runner's.
      expect(steps.filter((s) => s.ret < 0).map((s) => `${s.op}: ${s.err}`)).toEqual([]);
      // Something interesting happened: splits, a merge, a move, a shared mapping.
      expect(new Set(got.map((g) => g.length)).size).toBeGreaterThan(3);
    });
  },
);
