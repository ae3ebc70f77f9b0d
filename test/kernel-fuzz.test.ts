// The fixed-seed differential fuzz of the model against the live kernel: where a Linux kernel
// and a C compiler are present, a campaign sized to run in about a minute on two cores. As for
// the recorded fixtures, divergences fail the build only on the release the model claims
// (6.18.x); elsewhere they are reported. Refused or failed runs always fail: the runner and the
// generator must work on any kernel.

import { release } from "node:os";
import { describe, expect, it } from "vitest";
import {
  defaultReplayCommand,
  findingTitle,
  fuzzAgainstKernel,
  opsText,
  type Finding,
} from "../src/check/fuzz-kernel.js";
import { kernelAvailability } from "../src/kernel/runner.js";

const CAMPAIGN = { seed: 2026, runs: 500, steps: 100 };

const live = kernelAvailability();
const claimed = /^6\.18\./.test(release());

/** A finding as a failure message: what, where, the shrunk scenario and the replay command. */
function explain(f: Finding): string {
  const c = f.comparison;
  return [
    `run ${f.index}: ${findingTitle(f)} at step ${c.step} '${c.op}': ${c.what}`,
    opsText(f.ops),
    `replay: ${defaultReplayCommand(f.seed, f.index, CAMPAIGN.steps)}`,
  ].join("\n");
}

describe.skipIf(!live.available)(
  `live differential fuzz on ${release()}${claimed ? "" : " (not 6.18: divergences reported, not failed)"}`,
  () => {
    it(`seed ${CAMPAIGN.seed}: ${CAMPAIGN.runs} runs of ${CAMPAIGN.steps} steps agree with the kernel`, async () => {
      const r = await fuzzAgainstKernel({ ...CAMPAIGN, shrink: { maxCalls: 100 } });
      expect(r.runs.length).toBe(CAMPAIGN.runs);
      const broken = r.runs.filter((x) => x.status === "refused" || x.status === "error");
      expect(broken.map((x) => `run ${x.index} ${x.status}: ${x.message}`)).toEqual([]);
      const findings = r.findings.map(explain);
      if (claimed) expect(findings).toEqual([]);
      else for (const f of findings) console.warn(`divergence on ${release()}: ${f}`);
    }, 300_000);
  },
);

if (!live.available) {
  describe("live differential fuzz", () => {
    it.skip(`skipped: ${live.reason}`, () => {});
  });
}
