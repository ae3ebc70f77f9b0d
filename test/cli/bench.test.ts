// Tests of `vmasim bench`: a --quick run (model only, so that it needs no compiler) prints
// one well-formed JSON object with every section; figures are not asserted, only present.
// With --baseline, replays of this build against a build in a directory (here its own).

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { bundledCaptures } from "../../src/bench/replay.js";
import { SCALE_OPS } from "../../src/bench/scale.js";
import { QUICK_CASES } from "../../src/bench/relocation.js";
import { WORKLOADS } from "../../src/bench/workloads.js";
import { V8_FLAGS } from "../../src/cli/v8-flags.js";
import { listPolicies } from "../../src/policy/registry.js";
import { cli } from "./harness.js";

const positive = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x > 0;

describe("vmasim bench", () => {
  test("--quick --json --no-kernel prints every section as one JSON object", async () => {
    const r = await cli("bench", "--quick", "--json", "--no-kernel");
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith("}\n")).toBe(true);
    const out = JSON.parse(r.stdout);
    const replays = bundledCaptures().map((p) => `replay_${basename(p)}`);
    expect(replays.length).toBeGreaterThan(0);
    expect(out.results.map((x: { name: string }) => x.name)).toEqual([
      ...WORKLOADS.map((w) => w.name),
      ...replays,
    ]);
    for (const row of out.results) {
      expect(Object.keys(row)).toEqual(["name", "model_per_s", "kernel_per_s", "ratio"]);
      expect(positive(row.model_per_s)).toBe(true);
      expect(row.kernel_per_s).toBeNull();
      expect(row.ratio).toBeNull();
    }
    expect(out.kernel_skipped).toBe("--no-kernel");
    expect(out.scale.map((s: { vmas: number }) => s.vmas)).toEqual([1_000, 10_000]);
    for (const s of out.scale) {
      expect(s.resident_pages).toBe(16 * s.vmas);
      expect(Object.keys(s.ns_per_op)).toEqual(SCALE_OPS);
      expect(Object.values(s.ns_per_op).every(positive)).toBe(true);
      expect(Object.keys(s.adjacent_ns_per_op)).toEqual(SCALE_OPS);
      expect(Object.values(s.adjacent_ns_per_op).every(positive)).toBe(true);
      expect(positive(s.load_ns)).toBe(true);
      for (const share of [s.gc_share, s.adjacent_gc_share]) {
        expect(Object.keys(share)).toEqual(SCALE_OPS);
        expect(Object.values(share).every((x) => (x as number) >= 0 && (x as number) <= 1)).toBe(
          true,
        );
      }
      expect(s.kernel_ns_per_op).toBeNull();
    }
    expect(positive(out.memory.bytes_per_vma)).toBe(true);
    expect(positive(out.memory.bytes_per_page)).toBe(true);
    expect(out.relocation).toHaveLength(listPolicies().length * QUICK_CASES.length);
    expect(out.relocation.every((x: { us_per_merge: number }) => positive(x.us_per_merge))).toBe(
      true,
    );
    // the quick grid has one length at its largest resident count: no length comparison
    expect(out.relocation_growth.map((g: { policy: string }) => g.policy)).toEqual(
      listPolicies().map((p) => p.name),
    );
    for (const g of out.relocation_growth) {
      expect(g.longer_time_ratio).toBeNull();
      expect(positive(g.more_resident_time_ratio)).toBe(true);
    }
    // progress goes to stderr, one line per stage
    expect(r.stderr).toContain("model: mmap_munmap_16p\n");
    expect(r.stderr).toContain("scale: building 10,000 VMAs\n");
  }, 120_000);

  test("--quick --only scale runs the scale operations on the kernel too", async () => {
    const r = await cli("bench", "--quick", "--json", "--only", "scale");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.kernel_skipped).toBeNull();
    expect(out.scale.map((s: { vmas: number }) => s.vmas)).toEqual([1_000, 10_000]);
    for (const s of out.scale) {
      expect(Object.keys(s.kernel_ns_per_op)).toEqual(SCALE_OPS);
      expect(Object.values(s.kernel_ns_per_op).every(positive)).toBe(true);
    }
    expect(r.stderr).toContain("kernel: scale: building 10000 VMAs\n");
  }, 120_000);

  test("the scale text splits each operation's growth into the lookups' and memory latency's", async () => {
    const r = await cli("bench", "--quick", "--no-kernel", "--only", "scale");
    expect(r.code).toBe(0);
    for (const op of SCALE_OPS) {
      expect(r.stdout).toMatch(
        new RegExp(
          `  ${op}: 10,000 VMAs cost [0-9.]+× 1,000 VMAs \\(the goal, ≤ 2×, is judged at 1,000,000 VMAs\\);\\n` +
            `    on neighbouring VMAs [0-9.]+×, [0-9.]+× outside the collector's pauses \\([0-9]+ % of the time, [0-9]+ % at 1,000\\);\\n` +
            `    spread apart, the extra -?[0-9.]+ [nµ]s is the time of -?[0-9.]+ loads from memory\\n`,
        ),
      );
    }
  }, 120_000);

  test("--only accepts section names only", async () => {
    const r = await cli("bench", "--only", "side,nope");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "--only: 'nope' is not a section, choose from: side, scale, memory, relocation",
    );
  });

  test("the vmasim command runs with V8_FLAGS, and the report says so", () => {
    const bin = fileURLToPath(new URL("../../bin/vmasim.js", import.meta.url));
    const r = spawnSync(process.execPath, [bin, "bench", "--quick", "--json", "--only", "memory"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    const flags = (JSON.parse(r.stdout) as { machine: { nodeFlags: string } }).machine.nodeFlags;
    expect(V8_FLAGS.length).toBeGreaterThan(0);
    for (const flag of V8_FLAGS) expect(flags.split(" ")).toContain(flag);
  }, 60_000);

  test("a V8 flag on node's command line wins over V8_FLAGS' setting of it", () => {
    const bin = fileURLToPath(new URL("../../bin/vmasim.js", import.meta.url));
    const [first, ...rest] = V8_FLAGS as [string, ...string[]];
    const own = `${first.split("=")[0]}=920`;
    const r = spawnSync(
      process.execPath,
      [own, bin, "bench", "--quick", "--json", "--only", "memory"],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    const flags = (JSON.parse(r.stdout) as { machine: { nodeFlags: string } }).machine.nodeFlags;
    expect(flags.split(" ")).toEqual([own, ...rest]);
  }, 60_000);

  test("--only relocation runs that section alone", async () => {
    const r = await cli("bench", "--quick", "--json", "--only", "relocation");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results).toEqual([]);
    expect(out.scale).toBeNull();
    expect(out.memory).toBeNull();
    expect(out.relocation.map((x: { policy: string }) => x.policy)).toEqual(
      listPolicies().flatMap((p) => QUICK_CASES.map(() => p.name)),
    );
  });

  test("the report's head gives the machine's speed at the start, in the text and the JSON", async () => {
    const text = await cli("bench", "--quick", "--only", "memory");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /\nmachine speed at the start \(a shared machine's moves from day to day: compare runs by it too\):\n {2}[0-9.]+ ns per dependent integer step; a dependent load at random takes [0-9]+ ns in 4 MiB, [0-9]+ ns in 256 MiB\n/,
    );
    expect(text.stderr).toContain("machine: measuring its speed\n");
    const json = await cli("bench", "--quick", "--json", "--only", "memory");
    const speed = JSON.parse(json.stdout).machine.speed;
    expect(Object.keys(speed)).toEqual(["stepNs", "cacheLoadNs", "memoryLoadNs"]);
    expect(Object.values(speed).every(positive)).toBe(true);
  }, 60_000);
});

describe("vmasim bench --baseline", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));

  test("both orders, each in a child process, combined", () => {
    // the baseline is a copy of this build: the same code, loaded from another place
    const copy = join(mkdtempSync(join(tmpdir(), "vmasim-baseline-")), "dist");
    cpSync(join(root, "dist"), copy, { recursive: true });
    const r = spawnSync(
      process.execPath,
      [
        join(root, "bin", "vmasim.js"),
        "bench",
        "--baseline",
        copy,
        "--captures",
        "reserve-commit",
        "--workloads",
        "mprotect_16p_unfaulted",
        "--seconds",
        "0.3",
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      seconds: number;
      ab: {
        capture?: string;
        workload?: string;
        orders: Record<string, { this_per_s: number; baseline_per_s: number }>;
        ratio: number;
      }[];
    };
    expect(out.seconds).toBe(0.3);
    expect(out.ab.map((row) => row.capture ?? `workload ${row.workload}`)).toEqual([
      "reserve-commit",
      "workload mprotect_16p_unfaulted",
    ]);
    for (const row of out.ab) {
      const { this_first: a, baseline_first: b } = row.orders;
      const mean = Math.sqrt(
        ((a?.this_per_s ?? 0) / (a?.baseline_per_s ?? 1)) *
          ((b?.this_per_s ?? 0) / (b?.baseline_per_s ?? 1)),
      );
      expect(row.ratio).toBeCloseTo(mean, 9);
    }
    for (const name of ["reserve-commit", "mprotect_16p_unfaulted"]) {
      expect(r.stderr).toContain(`ab: ${name}, this build first`);
      expect(r.stderr).toContain(`ab: ${name}, baseline build first`);
    }
  }, 60_000);

  test("a baseline that predates workload comparisons: an error that says so", async () => {
    // an older build as far as the comparison sees it: replays, and workloads it cannot hand out
    const old = mkdtempSync(join(tmpdir(), "vmasim-old-build-"));
    mkdirSync(join(old, "replay"));
    mkdirSync(join(old, "bench"));
    writeFileSync(join(old, "replay", "replay.js"), "export class TraceReplay {}\n");
    writeFileSync(join(old, "bench", "model.js"), "export function runModelWorkload() {}\n");
    const r = await cli("bench", "--baseline", old, "--workloads", "fork_100", "--seconds", "0.1");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(
      "does not export modelWorkloadRound: that build predates comparisons of model workloads",
    );
  });

  test.each([
    [["--baseline", "/nonexistent"], "--baseline: /nonexistent holds no build of vmasim"],
    [
      ["--baseline", ".", "--captures", "nope"],
      "--captures: no bundled capture 'nope', choose from: compactor,",
    ],
    [["--baseline", ".", "--seconds", "0"], "--seconds: '0' is not a positive number of seconds"],
    [["--seconds", "3"], "--seconds goes with --baseline"],
    [["--workloads", "all"], "--workloads goes with --baseline"],
    [
      ["--baseline", ".", "--workloads", "fork_100,nope"],
      "--workloads: no model workload 'nope', choose from: all, mmap_munmap_16p,",
    ],
    [["--baseline", "dist"], "--baseline: dist is this build: both sides would run the same"],
  ])("usage: %j", async (argv, message) => {
    const r = await cli("bench", ...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
});
