// Tests of `vmasim diff`: usage errors always; real comparisons where the kernel engine is
// available (Linux with a C compiler), skipped elsewhere.

import { describe, expect, test } from "vitest";
import { kernelAvailability } from "../../src/kernel/runner.js";
import { cli, scenarioFiles } from "./harness.js";

const SCENARIO =
  "mmap 0 8p\ntouch 0 8p\nmprotect 2p 2p r\nexpect 3\nmprotect 2p 2p rw\nexpectvmas 0p-8p\n";

describe("vmasim diff: errors before anything runs", () => {
  const f = scenarioFiles({ "ok.vms": SCENARIO, "bad.vms": "mmap 0 8p\nfrob\n" });

  test("a parse error exits 2 and nothing runs", async () => {
    const r = await cli("diff", f["ok.vms"]!, f["bad.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${f["bad.vms"]}:2: unknown operation 'frob' (at 'frob')\n`);
  });

  test("an unknown policy is a usage error", async () => {
    const r = await cli("diff", "--policy", "nope", f["ok.vms"]!);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("vmasim diff: --policy: unknown policy 'nope'");
  });
});

describe.skipIf(!kernelAvailability().available)("vmasim diff (real kernel)", () => {
  test("the model agrees with the kernel on a split and re-merge, exit 0", async () => {
    const f = scenarioFiles({ "split.vms": SCENARIO });
    const r = await cli("diff", f["split.vms"]!);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      new RegExp(`^agree {5}${f["split.vms"]} \\(linux-6\\.18 vs kernel \\S+\\): 6 steps\\n`),
    );
    expect(r.stdout).toContain("diff: 1 comparisons, 1 agree, 0 diverge\n");
    expect(r.code).toBe(0);
  });
});
