// The seed's policies against the scenarios written for them: held-out merge cases
// (scenarios/policies: "# under POLICY: N VMAs[, no violation]") and the hazards
// (scenarios/hazards: "# breaks: POLICY… (INVARIANT)", "# holds: POLICY…"); and
// linux-6.18 and safe-merge against every scenario of the repository.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { listPolicies } from "../src/policy/registry.js";
import type { StepRecord } from "../src/report/record.js";
import { runModelFile, scenarioFiles, scenarioName } from "./scenarios.js";

function steps(path: string, policy: string): StepRecord[] {
  return runModelFile(path, { policy }).filter((r): r is StepRecord => "op" in r);
}

const violationIds = (recs: StepRecord[]) =>
  new Set(recs.flatMap((r) => (r.model?.violations ?? []).map((v) => v.id)));

/** Header lines matching `re`, as match arrays. */
function headers(path: string, re: RegExp): RegExpExecArray[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((l) => re.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
}

const POLICY_NAMES = new Set(listPolicies().map((p) => p.name));

describe("held-out merge cases", () => {
  for (const file of scenarioFiles("scenarios/policies")) {
    const cases = headers(file, /^# under (\S+): (\d+) VMAs?(, no violation)?$/);
    it(`${scenarioName(file)} declares its outcome under at least linux-6.18 and safe-merge`, () => {
      const named = cases.map((c) => c[1]);
      expect(named).toContain("linux-6.18");
      expect(named).toContain("safe-merge");
      for (const n of named) expect(POLICY_NAMES.has(n as string), n).toBe(true);
    });
    for (const [, policy, count, clean] of cases) {
      it(`${scenarioName(file)} under ${policy}: ${count} VMAs${clean ? ", clean" : ""}`, () => {
        const recs = steps(file, policy as string);
        expect(recs.at(-1)?.nvma).toBe(Number(count));
        if (clean) expect([...violationIds(recs)]).toEqual([]);
      });
    }
  }
});

describe("hazards of the seed", () => {
  for (const file of scenarioFiles("scenarios/hazards")) {
    const breaks = headers(file, /^# breaks: ([^(]+) \((I-[a-z-]+)\)$/);
    const holds = headers(file, /^# holds: (.+)$/).flatMap((m) => (m[1] as string).split(" "));
    it(`${scenarioName(file)} holds under linux-6.18 and safe-merge and breaks some policy`, () => {
      expect(holds).toContain("linux-6.18");
      expect(holds).toContain("safe-merge");
      expect(breaks.length).toBeGreaterThan(0);
    });
    for (const [, policies, id] of breaks) {
      for (const policy of (policies as string).trim().split(" ")) {
        it(`${scenarioName(file)} breaks ${policy}, caught by ${id}`, () => {
          expect([...violationIds(steps(file, policy))]).toContain(id);
        });
      }
    }
    for (const policy of holds) {
      it(`${scenarioName(file)} holds under ${policy}`, () => {
        expect([...violationIds(steps(file, policy))]).toEqual([]);
      });
    }
  }
});

// Linux's rules and safe-merge never violate an invariant, in any scenario of the repository.
for (const policy of ["linux-6.18", "safe-merge"]) {
  describe(`${policy} never violates an invariant`, () => {
    const dirs = ["conformance", "examples", "probes", "policies", "hazards", "page-states"];
    for (const dir of dirs) {
      for (const file of scenarioFiles(`scenarios/${dir}`)) {
        it(`${dir}/${scenarioName(file)}`, () => {
          expect([...violationIds(steps(file, policy))]).toEqual([]);
        });
      }
    }
  });
}
