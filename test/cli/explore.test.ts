// Tests of `vmasim explore`: the report, the minimal scenario it writes (which `vmasim run`
// replays with the same violation), usage errors, and worker threads changing nothing but time.

import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { cli } from "./harness.js";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../bin/vmasim.js");

/** `vmasim ARGV…` as a process (worker threads need the compiled CLI). */
async function proc(...argv: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...argv]);
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string };
    return { code: x.code, stdout: x.stdout };
  }
}

/** The mremap hazard of the 2022 seed patch: a move merges without reconnecting the pages. */
const HAZARD = ["--policy", "rfc-2022-anon-only", "--depth", "6", "--slots", "3", "--procs", "1"];
const HAZARD_OPS = ["--ops", "mmap,touch,mremap"];

describe("vmasim explore", () => {
  test("reports a clean bound: states by depth, visited, distinct, depth reached", async () => {
    const r = await cli("explore", "--depth", "3", "--slots", "2", "--jobs", "1");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^explore linux-6\.18: depth 3, 2 slots, 2 procs, seed 1, 1 job\n/);
    expect(r.stdout).toMatch(/new states by depth: 1 \d+ \d+ \d+\n/);
    expect(r.stdout).toMatch(
      /states visited [\d,]+, distinct [\d,]+, depth reached 3 \(complete\), time [\d.]+ s, [\d,]+ states\/s\n/,
    );
    expect(r.stdout).toContain("no violation");
    expect(r.stderr).toContain("explore linux-6.18: depth 3:");
  });

  test("writes the minimal scenario of a violation, which `vmasim run` replays", async () => {
    const out = mkdtempSync(join(tmpdir(), "vmasim-explore-"));
    const r = await cli("explore", ...HAZARD, ...HAZARD_OPS, "--jobs", "1", "--out", out);
    expect(r.code).toBe(1);
    const file = join(out, "rfc-2022-anon-only-I-live.vms");
    expect(r.stdout).toContain("VIOLATION I-live");
    expect(r.stdout).toContain(`replay: npx vmasim run --policy rfc-2022-anon-only ${file}`);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("# Breaks I-live under rfc-2022-anon-only");
    const ops = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(ops).toHaveLength(6);
    const replay = await cli("run", "--policy", "rfc-2022-anon-only", "--format", "jsonl", file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain('"id":"I-live"');
    const clean = await cli("run", "--policy", "linux-6.18", file);
    expect(clean.code).toBe(0);
  });

  test("gives the same result on worker threads as on one", async () => {
    const strip = (s: string) => {
      const doc = JSON.parse(s) as { runs: Array<Record<string, unknown>> };
      return doc.runs.map(({ seconds: _s, states_per_s: _r, jobs: _j, ...rest }) => rest);
    };
    const out = mkdtempSync(join(tmpdir(), "vmasim-explore-"));
    const args = [...HAZARD, "--ops", "mmap,munmap,touch,mremap", "--format", "json", "--out", out];
    const one = await proc("explore", ...args, "--jobs", "1");
    const two = await proc("explore", ...args, "--jobs", "2");
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
  });

  test("refuses bad options before exploring", async () => {
    const bad = await cli("explore", "--ops", "mmap,teleport");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown operation family 'teleport'");
    const zero = await cli("explore", "--depth", "0");
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--depth: '0' is not an integer from 1 to 64");
    const help = await cli("explore", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--ops LIST");
  });
});
