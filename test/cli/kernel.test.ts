// Tests of `vmasim kernel`: usage errors always; real runs where the kernel engine is
// available (Linux with a C compiler), skipped elsewhere.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { kernelAvailability } from "../../src/kernel/runner.js";
import { cli, scenarioFiles } from "./harness.js";

const SCENARIO =
  "echo split and re-merge\nmmap 0 8p\ntouch 0 8p\nmprotect 2p 2p r\nexpect 3\nmprotect 2p 2p rw\nexpectvmas 0p-8p\n";

describe("vmasim kernel: errors before anything runs", () => {
  const f = scenarioFiles({
    "ok.vms": SCENARIO,
    "outside.vms": "mmap 0 4p\nmmap 0x3ffff000 2p rw FIXED\n",
  });

  test("--timeout must be a positive number of seconds", async () => {
    const r = await cli("kernel", "--timeout", "0", f["ok.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("vmasim kernel: --timeout: '0' is not a positive number of seconds");
  });

  test("a range outside the region is refused with file and line", async () => {
    const r = await cli("kernel", f["ok.vms"]!, f["outside.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^${f["outside.vms"]}:2: mmap: range .* leaves the test region`),
    );
  });
});

describe.skipIf(!kernelAvailability().available)("vmasim kernel (real kernel)", () => {
  const f = scenarioFiles({ "split.vms": SCENARIO, "fail.vms": "mmap 0 8p\nexpect 2\n" });
  const split = f["split.vms"]!;

  test("text report, exit 0 when every expectation holds", async () => {
    const r = await cli("kernel", split);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^== ${split}: kernel \\S+ \\(base 0x200000000000`));
    expect(r.stdout).toMatch(/^ {4}0x2000-0x4000 \(2p-4p\) +r--p +anon +8 +8 /m);
    expect(r.stdout).toContain("summary: 7 steps; expectations: 2 passed, 0 failed\n");
  });

  test("exit 1 when an expectation fails", async () => {
    expect((await cli("kernel", f["fail.vms"]!)).code).toBe(1);
  });

  test("jsonl to -o, and --record writes a fixture named after the scenario", async () => {
    const out = `${f.dir}/out.jsonl`;
    const rec = `${f.dir}/fixtures`;
    const r = await cli("kernel", "--format", "jsonl", "-o", out, "--record", rec, split);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ vmasim: 1, engine: "kernel", file: split });
    const fixture = readFileSync(`${rec}/split.jsonl`, "utf8").trimEnd().split("\n");
    expect(JSON.parse(fixture[0]!)).toMatchObject({ engine: "kernel", file: "split.vms" });
    expect(fixture.slice(1)).toEqual(lines.slice(1));
  });
});
