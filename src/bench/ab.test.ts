import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { alternate, meanRatio, runOrder, workloadSide, type Side } from "./ab.js";
import { bundledCaptures } from "./replay.js";

/** Fake clocks that only the sides advance: each replay costs its side `ms` of both. */
function fakeClocks() {
  let now = 0;
  return {
    clocks: { cpuMs: () => now, wallMs: () => now },
    side: (ms: number, events: number, log: string[], name: string): Side => ({
      once: () => {
        log.push(name);
        now += ms;
        return events;
      },
    }),
  };
}

describe("alternate", () => {
  it("gives each side its own events per CPU second, whatever the other costs", () => {
    const { clocks, side } = fakeClocks();
    const log: string[] = [];
    const rates = alternate([side(1, 100, log, "a"), side(4, 100, log, "b")], 10, 1000, clocks);
    expect(rates).toEqual([100_000, 25_000]);
    // 10 ms slices of whole replays: 10 of a, then 3 of b (12 ms), and so on, a first
    expect(log.slice(0, 14)).toEqual([...Array(10).fill("a"), "b", "b", "b", "a"]);
  });

  it("runs each side at least once, even with no time to spend", () => {
    const { clocks, side } = fakeClocks();
    const log: string[] = [];
    const rates = alternate([side(2, 10, log, "a"), side(5, 10, log, "b")], 0, 0, clocks);
    expect(log).toEqual(["a", "b"]);
    expect(rates).toEqual([5000, 2000]);
  });
});

describe("workloadSide", () => {
  it("doubles a round's iterations until a round takes 2 ms, a slow first round or not", () => {
    // 0.5 ms per iteration, and a first round that takes 50 ms (code not yet compiled)
    let first = true;
    const side = workloadSide({
      opsPerIter: 3,
      round: (n) => {
        const ms = n * 0.5 + (first ? 50 : 0);
        first = false;
        return ms;
      },
    });
    const ops = Array.from({ length: 6 }, () => side.once());
    expect(ops).toEqual([3, 3, 6, 12, 12, 12]);
  });
});

describe("meanRatio", () => {
  it("is the geometric mean: a bias that flips between the orders cancels", () => {
    expect(meanRatio([1.1 * 1.05, 1.1 / 1.05])).toBeCloseTo(1.1, 12);
    expect(meanRatio([2, 0.5])).toBeCloseTo(1, 12);
  });
});

describe("runOrder", () => {
  it("replays each capture with both builds and names the rates by build", async () => {
    // both builds are this repository's compiled one (npm test builds it first)
    const src = fileURLToPath(new URL("../../dist/src", import.meta.url));
    const capture = bundledCaptures().find((p) => p.endsWith("reserve-commit")) as string;
    const said: string[] = [];
    const results = await runOrder(
      {
        first: "baseline",
        thisSrc: src,
        baselineSrc: src,
        captures: [capture],
        workloads: ["mprotect_16p_unfaulted"],
        seconds: 0.2,
      },
      (msg) => said.push(msg),
    );
    expect(results.map((r) => [r.kind, r.name])).toEqual([
      ["capture", "reserve-commit"],
      ["workload", "mprotect_16p_unfaulted"],
    ]);
    for (const r of results) {
      expect(r.this_per_s).toBeGreaterThan(0);
      expect(r.baseline_per_s).toBeGreaterThan(0);
    }
    expect(said).toEqual([
      "ab: reserve-commit, baseline build first",
      "ab: mprotect_16p_unfaulted, baseline build first",
    ]);
  }, 30_000);

  it("fails on a build that lacks a replay module", async () => {
    await expect(
      runOrder(
        {
          first: "this",
          thisSrc: "/nonexistent",
          baselineSrc: "/nonexistent",
          captures: ["/nonexistent/capture"],
          workloads: [],
          seconds: 1,
        },
        () => {},
      ),
    ).rejects.toThrow(/nonexistent/);
  });

  it("refuses workloads from a build that predates their comparison", async () => {
    // an older build's bench/model.js: it runs its workloads but cannot hand out a round
    const old = mkdtempSync(join(tmpdir(), "vmasim-old-build-"));
    mkdirSync(join(old, "bench"));
    writeFileSync(join(old, "bench", "model.js"), "export function runModelWorkload() {}\n");
    const src = fileURLToPath(new URL("../../dist/src", import.meta.url));
    await expect(
      runOrder(
        {
          first: "this",
          thisSrc: src,
          baselineSrc: old,
          captures: [],
          workloads: ["mprotect_16p_unfaulted"],
          seconds: 1,
        },
        () => {},
      ),
    ).rejects.toThrow(/does not export modelWorkloadRound: that build predates comparisons/);
  });
});
