// Replays bundled captures and checks the model's layout against their ground truth.

import { describe, expect, test } from "vitest";
import { openInput, replayInput } from "../../src/capture/load.js";
import { bundledCaptures } from "../../src/cli/evaluate.js";

const byName = (name: string) => {
  const path = bundledCaptures().find((p) => p.endsWith(`/${name}`));
  if (!path) throw new Error(`bundled capture ${name} is missing`);
  return path;
};

describe("replay fidelity on bundled captures", () => {
  test.each(["compactor", "reserve-commit", "python-realloc"])(
    "%s: at least 99 percent of the samples match exactly",
    async (name) => {
      const report = await replayInput(await openInput(byName(name)), ["linux-6.18"], true);
      const f = report.fidelity;
      expect(f).not.toBeNull();
      expect(f?.compared).toBeGreaterThan(0);
      expect((f?.exact ?? 0) / (f?.compared ?? 1)).toBeGreaterThanOrEqual(0.99);
      expect(report.counts.refused).toEqual({});
    },
  );

  test("make-lua: the kernel's faults inside execve land in the new image, and vfork children are known while their parent waits", async () => {
    const report = await replayInput(await openInput(byName("make-lua")), ["linux-6.18"], false);
    expect(report.counts.faultSignals).toBe(0);
    expect(report.fidelity?.unknown).toBe(0);
    expect(report.fidelity?.exact).toBe(report.fidelity?.compared);
  }, 60_000);

  test("the compactor leaves moved objects as separate VMAs for pgoff reasons under linux-6.18", async () => {
    const report = await replayInput(await openInput(byName("compactor")), ["linux-6.18"], true);
    const p = report.policies[0];
    expect(p?.separate["pgoff-not-linear"] ?? 0).toBeGreaterThan(100);
    expect(p?.peak).toBeGreaterThan(p?.separate["pgoff-not-linear"] ?? 0);
  });
});
