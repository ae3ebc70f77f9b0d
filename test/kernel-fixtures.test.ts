// The model against the real kernel. Recorded fixtures (test/fixtures/kernel: what
// `vmasim kernel` printed on a 6.18 kernel) check the model on any machine; where a Linux
// kernel and a C compiler are present, every scenario also runs live. Live divergences
// fail the build only on the release the model claims (6.18.x).

import { readFileSync, readdirSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../src/input/scenario.js";
import { kernelAvailability, runKernel } from "../src/kernel/runner.js";
import { DEFAULT_OPTIONS } from "../src/model/options.js";
import { runModel } from "../src/model/run.js";
import { firstDivergence } from "../src/report/diff.js";
import type { HeaderRecord, RunRecord } from "../src/report/record.js";
import { ROOT, scenarioFiles, scenarioName } from "./scenarios.js";

const SUITES = ["conformance", "examples", "probes"];

function modelRun(file: string, header: HeaderRecord): RunRecord[] {
  const ops = parseScenario(readFileSync(file, "utf8"), file);
  return [
    ...runModel(ops, file, {
      ...DEFAULT_OPTIONS,
      zeroPage: header.zero_page,
      anonName: header.anon_name,
    }),
  ];
}

function explain(d: ReturnType<typeof firstDivergence>): string | null {
  return d && `step ${d.step} (${d.op}): ${d.what}`;
}

describe.each(SUITES)("recorded kernel fixtures: %s", (suite) => {
  const dir = join(ROOT, "test/fixtures/kernel", suite);
  const fixtures = readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort();
  it("cover every scenario of the suite", () => {
    expect(fixtures.map((f) => f.replace(/\.jsonl$/, ""))).toEqual(
      scenarioFiles(`scenarios/${suite}`).map(scenarioName),
    );
  });
  it.each(fixtures)("%s: the model matches the recorded kernel", (fixture) => {
    const kernel = readFileSync(join(dir, fixture), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RunRecord);
    const header = kernel[0] as HeaderRecord;
    expect(header.engine).toBe("kernel");
    const scenario = join(ROOT, "scenarios", suite, header.file);
    expect(explain(firstDivergence(modelRun(scenario, header), kernel, header.size))).toBeNull();
  });
});

const live = kernelAvailability();
const claimed = /^6\.18\./.test(release());

describe.skipIf(!live.available)(
  `live kernel ${release()}${claimed ? "" : " (not 6.18: divergences reported, not failed)"}`,
  () => {
    for (const suite of SUITES) {
      it.each(scenarioFiles(`scenarios/${suite}`))(`${suite}: %s`, async (file) => {
        const ops = parseScenario(readFileSync(file, "utf8"), file);
        const kernel = await runKernel(ops, file);
        const d = explain(
          firstDivergence(modelRun(file, kernel[0] as HeaderRecord), kernel, DEFAULT_OPTIONS.size),
        );
        if (claimed) expect(d).toBeNull();
        else if (d) console.warn(`divergence on ${release()}: ${file}: ${d}`);
      });
    }
  },
);

if (!live.available) {
  describe("live kernel", () => {
    it.skip(`skipped: ${live.reason}`, () => {});
  });
}
