// `vmasim compare` and the side-by-side table of `vmasim run --policy a,b`: the measures of
// each run, from the records, for several policies.

import { describe, expect, test } from "vitest";
import { cli, scenarioFiles } from "./harness.js";

// A faulted VMA moved right after another faulted one (two anon_vmas).
const MOVED =
  "mmap 0 4p\ntouch 0 4p\nmmap 100p 4p\ntouch 100p 4p\nmremap 100p 4p 4p MAYMOVE|FIXED 4p\n";
// The same, but the moved pages are shared with a live child.
const SHARED =
  "mmap 0 4p\ntouch 0 4p\nmmap 100p 4p\ntouch 100p 4p\nfork stay\nmremap 100p 4p 4p MAYMOVE|FIXED 4p\n";

describe("vmasim compare", () => {
  const f = scenarioFiles({ "moved.vms": MOVED, "shared.vms": SHARED });

  test("json: one row per file and policy, with VMAs, merges, cost and refusals", async () => {
    const r = await cli(
      "compare",
      "--format",
      "json",
      "--policy",
      "linux-6.18,safe-merge",
      f["moved.vms"]!,
      f["shared.vms"]!,
    );
    expect(r.code).toBe(0);
    const rows = (JSON.parse(r.stdout) as { results: Array<Record<string, unknown>> }).results;
    expect(rows.map((x) => [x.policy, x.vmasFinal])).toEqual([
      ["linux-6.18", 2],
      ["safe-merge", 1],
      ["linux-6.18", 2],
      ["safe-merge", 2],
    ]);
    const [linuxMoved, safeMoved, , safeShared] = rows;
    expect(linuxMoved!.refusedBy).toEqual({ "anon-vma-differs": 1 });
    expect(linuxMoved!.pagesRelocated).toBe(0);
    expect(safeMoved!.pagesRelocated).toBe(4);
    expect(safeMoved!.pagesWalked as number).toBeGreaterThanOrEqual(4);
    expect(safeShared!.relocationRefusedBy).toEqual({ "cow-shared": 1 });
  });

  test("all policies by default; exit 1 when one of them violates an invariant", async () => {
    const r = await cli("compare", "--format", "markdown", f["moved.vms"]!);
    expect(r.code).toBe(1); // rfc-2022 leaves the moved pages on a freed anon_vma
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\| file \| policy \| VMAs \|/);
    expect(lines.length).toBe(2 + 7);
    expect(lines.find((l) => l.includes("| rfc-2022 |"))).toMatch(/\| 1 \| 2 \|/);
  });

  test("run --policy a,b ends text output with the policies side by side", async () => {
    const r = await cli("run", "--policy", "linux-6.18,rfc-2022-v3", f["moved.vms"]!);
    const tail = r.stdout.slice(r.stdout.indexOf("policies side by side"));
    expect(tail).toMatch(/linux-6\.18\s+2\s+2\s+0\s+1/);
    expect(tail).toMatch(/rfc-2022-v3\s+1\s+2\s+1\s+1/);
  });

  test("an unknown policy is a usage error", async () => {
    const r = await cli("compare", "--policy", "nope", f["moved.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown policy 'nope'/);
  });
});
