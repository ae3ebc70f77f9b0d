// Tests of `vmasim fuzz`: usage errors; the model alone under a policy, clean and with a planted
// invariant violation (found, shrunk, written, and replayed by the printed command); and a
// short campaign against the live kernel where there is one.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Kernel } from "../../src/model/kernel.js";
import { VM_DONTCOPY } from "../../src/model/flags.js";
import { kernelAvailability } from "../../src/kernel/runner.js";
import { cli, scenarioFiles } from "./harness.js";

// A planted invariant: no VMA may carry VM_DONTCOPY. Switched on per test.
const plant = vi.hoisted(() => ({ on: false }));
vi.mock("../../src/check/invariants.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/check/invariants.js")>();
  return {
    ...real,
    checkInvariants: (k: Kernel) => {
      const found = real.checkInvariants(k);
      if (!plant.on) return found;
      for (const p of k.procs) {
        if (!p.alive) continue;
        for (const v of p.mm.allVmas()) {
          if (v.flags & VM_DONTCOPY) found.push({ id: "I-planted", message: "a VMA is DONTCOPY" });
        }
      }
      return found;
    },
  };
});

afterEach(() => {
  plant.on = false;
});

describe("vmasim fuzz: usage errors", () => {
  test.each([
    [["--runs", "0"], "vmasim fuzz: --runs: '0' is not an integer at least 1\n"],
    [["--steps", "ten"], "vmasim fuzz: --steps: 'ten' is not an integer at least 1\n"],
    [["--against", "qemu"], "vmasim fuzz: --against: 'qemu' is not one of kernel, invariants\n"],
    [["--policy", "linux-6.18,linux-6.18x"], "vmasim fuzz: --policy: unknown policy 'linux-6.18x'"],
    [["--avoid", "fork,frob"], "vmasim fuzz: --avoid: 'FROB' is not an operation, advice or flag"],
    [["--slots", "3"], "vmasim fuzz: --slots: '3' is not an integer from 4 to 262144\n"],
    [["extra"], "vmasim fuzz: unexpected argument 'extra'"],
  ])("%j", async (argv, message) => {
    const r = await cli("fuzz", "--against", "invariants", ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.startsWith(message), r.stderr).toBe(true);
  });

  test("--help shows examples, options and exit statuses", async () => {
    const r = await cli("fuzz", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("vmasim fuzz --against kernel --seed 1 --runs 300 --steps 60");
    expect(r.stdout).toMatch(/--against kernel\|invariants +compare the model/);
    expect(r.stdout).toContain("  1  a divergence from the kernel");
  });
});

describe("vmasim fuzz --against invariants", () => {
  test("a clean campaign exits 0, reports its size on stdout and progress on stderr, writes nothing", async () => {
    const { dir } = scenarioFiles({});
    const out = join(dir, "findings");
    const r = await cli(
      "fuzz",
      "--against",
      "invariants",
      "--seed",
      "5",
      "--runs",
      "20",
      "--steps",
      "40",
      "--out",
      out,
    );
    expect(r.stdout).toBe(
      "fuzz: model invariants under linux-6.18, seed 5: 20 runs of 40 steps (800 steps): " +
        "20 clean, 0 findings, 0 flaky, 0 refused, 0 errors\n",
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^fuzz: 2\/20 runs, 0 findings, [\d.]+ s$/m);
    expect(r.stderr).toMatch(/^fuzz: 20\/20 runs, 0 findings/m);
    expect(existsSync(out)).toBe(false);
  });

  test("a violation is shrunk, written, printed with its command, and that command replays it", async () => {
    plant.on = true;
    const { dir } = scenarioFiles({});
    const out = join(dir, "findings");
    const r = await cli(
      "fuzz",
      "--against",
      "invariants",
      "--seed",
      "2",
      "--runs",
      "12",
      "--steps",
      "60",
      "--out",
      out,
    );
    expect(r.code).toBe(1);
    const files = readdirSync(out).sort();
    expect(files.length).toBeGreaterThan(0);
    const file = join(out, files[0]!);
    expect(r.stdout).toContain(
      `  written to ${file}\n  reproduce: npx vmasim run --policy linux-6.18 ${file}\n`,
    );
    expect(r.stdout).toMatch(
      /^FINDING run \d+ \(run seed 0x[0-9a-f]+\): invariant violation in the model/m,
    );
    expect(r.stdout).toMatch(/× invariant madvise I-planted \(first: /);
    const text = readFileSync(file, "utf8");
    const ops = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(ops).toEqual(["mmap 0 1p", "madvise 0 1p DONTFORK"]);
    expect(text).toMatch(
      /--against invariants --policy linux-6.18 --seed 2 --runs 1 --skip \d+ --steps 60/,
    );
    const replay = await cli("run", "--policy", "linux-6.18", file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain("I-planted");
  });
});

describe.skipIf(!kernelAvailability().available)("vmasim fuzz --against kernel (live)", () => {
  test("a short campaign: its exit status says whether it found anything", async () => {
    const { dir } = scenarioFiles({});
    const r = await cli("fuzz", "--seed", "7", "--runs", "5", "--steps", "40", "--out", dir);
    const summary =
      /: 5 runs of 40 steps \(200 steps\): (\d+) clean, (\d+) findings, 0 flaky, 0 refused, 0 errors\n/.exec(
        r.stdout,
      );
    expect(summary, r.stdout).not.toBeNull();
    expect(Number(summary![1]) + Number(summary![2])).toBe(5);
    expect(r.code).toBe(Number(summary![2]) > 0 ? 1 : 0);
    expect(readdirSync(dir).length).toBe(Number(summary![2]));
  });
});
