// `vmasim evaluate` and `vmasim replay` end to end on a small bundled capture.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { bundledCaptures } from "../../src/cli/evaluate.js";
import { listPolicies } from "../../src/policy/registry.js";
import { cli } from "./harness.js";

const small = bundledCaptures().find((p) => p.endsWith("/compactor")) as string;

describe("vmasim evaluate", () => {
  test("prints the tables and writes an offline HTML report and Markdown", async () => {
    const out = mkdtempSync(join(tmpdir(), "vmasim-eval-"));
    const r = await cli("evaluate", "-o", out, small);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Fidelity under linux-6\.18/);
    expect(r.stdout).toMatch(/compactor\s+perf-trace\s+\d+\/\d+ \(100\.0 %\)/);
    for (const p of listPolicies())
      expect(r.stdout).toMatch(new RegExp(`compactor\\s+${p.name}\\s+\\d+`));
    expect(r.stdout).toContain(`report written to ${join(out, "index.html")}`);
    expect(r.stdout).toMatch(/checks per capture: compactor \d+\./);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toMatch(/<svg[^>]*aria-label="VMA count over time, compactor"/);
    expect(html).toContain("<th>violations (top IDs)</th>");
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toMatch(/\| compactor \| linux-6\.18 \| \d+ \|/);
    // the kernel's own rules keep every invariant on a real program's trace
    expect(md).toMatch(/\| violations \(top IDs\) \|$/m);
    expect(md).toMatch(/^\| compactor \| linux-6\.18 \| .* \| 0 \|$/m);
    expect(md).toMatch(/redis \(RFC, 2022\)/);
    // the held-up examples, stepped through in the viewer, linked from the report
    expect(html).toContain('<a href="examples.html">');
    const examples = readFileSync(join(out, "examples.html"), "utf8");
    expect(examples).toContain("faulted-move-next-to-neighbour");
    expect(examples).toContain("safe-merge");
  });

  test("replay of a bare trace; --strict makes a malformed line fatal with its line number", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vmasim-replay-"));
    const trace = join(dir, "t.txt");
    writeFileSync(
      trace,
      "     0.479 ( 0.016 ms): a/10 mmap(len: 8192, prot: READ|WRITE, flags: PRIVATE|ANONYMOUS) = 0x7f0000000000\n" +
        "     0.500 ( 0.016 ms): a/10 mmap(len: 8192, prot: READ|WRI\n",
    );
    const lenient = await cli("replay", trace);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/t\.txt: perf-trace, 2 lines, 1 malformed/);
    expect(lenient.stdout).toMatch(/line 2: truncated/);
    const strict = await cli("replay", "--strict", trace);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/t\.txt:2: truncated/);
  });
});
