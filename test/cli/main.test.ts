// CLI tests that need no model: help, version, usage errors, parse errors, policies.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { optionsOf } from "../../src/cli/spec.js";
import { cli, scenarioFiles } from "./harness.js";

describe("help", () => {
  test("vmasim --help lists the commands, examples first, exit 0", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.indexOf("Examples:")).toBeLessThan(r.stdout.indexOf("Usage:"));
    expect(r.stdout).toContain("vmasim run scenarios/examples/*.vms");
    expect(r.stdout).toMatch(/^ {2}run +run scenarios through the model/m);
    expect(r.stdout).toMatch(/^ {2}policies +list the merge policies/m);
  });

  test.each([
    ["help", "run"],
    ["run", "--help"],
    ["run", "-h", "--no-such-flag"],
  ])("vmasim %s %s shows the run command's help", async (...argv) => {
    const r = await cli(...argv);
    expect(r.code).toBe(0);
    expect(r.stdout.indexOf("Examples:")).toBeLessThan(r.stdout.indexOf("Options:"));
    for (const flag of [
      "--policy",
      "--format text|json|jsonl",
      "--base",
      "--size",
      "--zero-page on|off",
      "--anon-name",
      "--no-check",
      "-o, --output FILE",
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/^ {2}2 +usage error/m);
  });

  test.each(COMMANDS.map((c) => [c.name, c] as const))(
    "vmasim help %s documents every option of the command's table",
    async (name, cmd) => {
      const r = await cli("help", name);
      expect(r.code).toBe(0);
      for (const o of optionsOf(cmd)) {
        expect(r.stdout).toContain(`--${o.name}`);
        if (o.default !== undefined) expect(r.stdout).toContain(`[default: ${o.default}]`);
      }
    },
  );

  test("no command prints help on stderr, exit 2", async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Usage: vmasim COMMAND");
  });

  test("--version prints package.json's version", async () => {
    const pkg = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    const r = await cli("--version");
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });
});

describe("usage errors exit 2 with a message on stderr", () => {
  const ok = scenarioFiles({ "ok.vms": "mmap 0 8p\nexpect 1\n" })["ok.vms"]!;

  test.each([
    [["run", "--frob", ok], "vmasim run: unknown option '--frob', see 'vmasim help run'"],
    [["--frob"], "vmasim: unknown option '--frob'"],
    // a prefix: every new command lengthens the list
    [["frob"], "vmasim: unknown command 'frob', choose one of: run, kernel, diff, fuzz, "],
    [["help", "frob"], "vmasim help: unknown command 'frob'"],
    [["run"], "vmasim run: missing FILE…"],
    [["run", "--format", "xml", ok], "vmasim run: --format: 'xml' is not one of text, json, jsonl"],
    [["run", "--zero-page", "maybe", ok], "--zero-page: 'maybe' is not one of on, off"],
    [["run", "--policy", "nope", ok], "--policy: unknown policy 'nope', choose one of: linux-6.18"],
    [["run", "--policy", "linux-6.18,", ok], "--policy: empty name"],
    [["run", "--base", "0x123", ok], "--base: 0x123 is not page aligned"],
    [["run", "--size", "lots", ok], "--size: 'lots' is not a number"],
    [["run", "--anon-name=yes", ok], "'--anon-name' does not take an argument"],
    [
      ["run", "-o", "/nonexistent-dir/out.txt", ok],
      "-o: cannot open '/nonexistent-dir/out.txt' for writing (ENOENT)",
    ],
    [["policies", "extra"], "vmasim policies: unexpected argument 'extra'"],
  ])("vmasim %j", async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });
});

describe("scenario errors", () => {
  test("a parse error names file, line and token, and nothing runs", async () => {
    const f = scenarioFiles({
      "good.vms": "mmap 0 8p\n",
      "bad.vms": "# comment\nmmap 0 8p\nmprotect 0 8p rwq\n",
    });
    const r = await cli("run", f["good.vms"]!, f["bad.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `${f["bad.vms"]}:3: mprotect: PROT takes letters from rwx- or 'none' (at 'rwq')\n`,
    );
  });

  test("every bad file is reported, unreadable ones too", async () => {
    const f = scenarioFiles({ "a.vms": "frob\n", "b.vms": "mmap -1 8p\n" });
    const missing = `${f.dir}/missing.vms`;
    const r = await cli("run", f["a.vms"]!, missing, f["b.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")).toEqual([
      `${f["a.vms"]}:1: unknown operation 'frob' (at 'frob')`,
      `${missing}: cannot read the scenario (ENOENT), check the path`,
      `${f["b.vms"]}:1: mmap: ADDR must not be negative (at '-1')`,
      "",
    ]);
  });
});

describe("policies", () => {
  test("lists linux-6.18 with its summary", async () => {
    const r = await cli("policies");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^linux-6\.18 +Linux 6\.18/m);
  });
});
