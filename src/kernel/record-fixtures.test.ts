// Tests of recordFixtures: one deterministic JSON-lines file per scenario.

import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { kernelAvailability } from "./compile.js";
import { recordFixtures } from "./record-fixtures.js";

const avail = kernelAvailability();
const here = dirname(fileURLToPath(import.meta.url));
const tmp = join(tmpdir(), `vmasim-fix-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const scenarios = ["basic.vms", "fork.vms"].map((n) => join(here, "testdata", n));

describe.skipIf(!avail.available)(
  `recordFixtures${avail.available ? "" : ` (skipped: ${avail.reason})`}`,
  () => {
    it("writes outDir/<name>.jsonl, byte-identical across runs", async () => {
      const options = { compile: { cacheDir: tmp } };
      const first = await recordFixtures(scenarios, join(tmp, "a"), options);
      const second = await recordFixtures(scenarios, join(tmp, "b"), options);
      expect(first.map((r) => r.fixture)).toEqual([
        join(tmp, "a", "basic.jsonl"),
        join(tmp, "a", "fork.jsonl"),
      ]);
      expect(first.map((r) => r.failedExpectations)).toEqual([0, 0]);
      for (const name of ["basic.jsonl", "fork.jsonl"]) {
        const a = readFileSync(join(tmp, "a", name), "utf8");
        expect(a).toBe(readFileSync(join(tmp, "b", name), "utf8"));
        const lines = a.trimEnd().split("\n");
        const header = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
        expect(header).toMatchObject({
          vmasim: 1,
          engine: "kernel",
          file: name.replace(".jsonl", ".vms"),
        });
        expect(lines.length - 1).toBe(first.find((r) => r.fixture.endsWith(name))?.steps);
        expect(a).not.toMatch(/"pid"/);
      }
      expect(second.length).toBe(2);
    });
  },
);
