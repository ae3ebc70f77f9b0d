// End-to-end tests of `vmasim run` through the real model.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { cli, scenarioFiles } from "./harness.js";

const PASSING = "echo one mapping, faulted\nmmap 0 8p\ntouch 0 8p\nexpect 1\nexpectvmas 0p-8p\n";
const FAILING = "mmap 0 8p\nexpect 2\n";

describe("vmasim run (model)", () => {
  const f = scenarioFiles({ "pass.vms": PASSING, "fail.vms": FAILING });
  const pass = f["pass.vms"]!;
  const fail = f["fail.vms"]!;

  test("text: a header, every step, a summary; exit 0 when every expectation holds", async () => {
    const r = await cli("run", pass);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`== ${pass}: model, policy linux-6.18`);
    expect(r.stdout).toMatch(/^\[1\] ── one mapping, faulted ─+$/m);
    expect(r.stdout).toMatch(/^\[2\] p0 {2}mmap 0 8p {2}= 0x0 \(0p\)$/m);
    expect(r.stdout).toMatch(/^ {4}0x0-0x8000 \(0p-8p\) +rw-p +anon +32 +32 /m);
    expect(r.stdout).toContain(
      "summary: 5 steps; expectations: 2 passed, 0 failed; invariant violations: 0",
    );
    expect(r.stdout).not.toContain("\u001b");
  });

  test("exit 1 when an expectation fails", async () => {
    const r = await cli("run", pass, fail);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("EXPECT FAIL");
    expect(r.stdout).toContain("total of 2 runs:");
  });

  test("jsonl: the records, byte-identical across runs", async () => {
    const a = await cli("run", "--format", "jsonl", pass);
    const b = await cli("run", "--format", "jsonl", pass);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const records = a.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toHaveLength(6);
    expect(records[0]).toMatchObject({
      vmasim: 1,
      engine: "model",
      policy: "linux-6.18",
      file: pass,
    });
    expect(records[1]).toEqual({ step: 1, echo: "one mapping, faulted" });
    expect(records[4]).toMatchObject({ step: 4, op: "expect 1", note: "EXPECT OK" });
  });

  test("json: one document with the runs", async () => {
    const r = await cli("run", "--format", "json", pass, fail);
    const doc = JSON.parse(r.stdout) as {
      runs: Array<{ header: { file: string }; records: unknown[] }>;
    };
    expect(doc.runs.map((run) => [run.header.file, run.records.length])).toEqual([
      [pass, 5],
      [fail, 2],
    ]);
  });

  test("options reach the model's header; -o writes the file, not stdout", async () => {
    const out = `${f.dir}/out.jsonl`;
    const r = await cli(
      "run",
      "--format",
      "jsonl",
      "--base",
      "0x7f0000000000",
      "--size",
      "64m",
      "--zero-page",
      "off",
      "--anon-name",
      "--no-check",
      "-o",
      out,
      pass,
    );
    expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    const header = JSON.parse(readFileSync(out, "utf8").split("\n")[0]!) as Record<string, unknown>;
    expect(header).toMatchObject({
      base: "0x7f0000000000",
      size: 64 * 1024 * 1024,
      zero_page: false,
      anon_name: true,
    });
  });
});
