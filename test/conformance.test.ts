// The conformance suite on the model: the kernel's own merge tests re-expressed as
// scenarios (scenarios/conformance), plus the examples and kernel probes, each
// expectation verified on a real 6.18 kernel.
// Every expectation must hold and no invariant may break, with and without the zero page.

import { describe, expect, it } from "vitest";
import { problems, runModelFile, scenarioFiles, scenarioName } from "./scenarios.js";

const conformance = scenarioFiles("scenarios/conformance");
const files = [
  ...conformance,
  ...scenarioFiles("scenarios/examples"),
  ...scenarioFiles("scenarios/probes"),
];

describe("conformance scenarios on the model", () => {
  it("finds the suite", () => {
    expect(conformance.length).toBeGreaterThanOrEqual(45);
  });
  for (const zeroPage of [false, true]) {
    describe(
      zeroPage
        ? "with the zero page"
        : "without the zero page (a kernel booted with pvm_no_zero_page=1)",
      () => {
        it.each(files.map((f) => [scenarioName(f), f]))("%s", (_name, file) => {
          expect(problems(runModelFile(file, { zeroPage }))).toEqual([]);
        });
      },
    );
  }
});
