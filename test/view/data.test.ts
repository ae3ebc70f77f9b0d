// The viewer's data: what buildViewData stores decodes (with the viewer's own decoder) back
// to exactly the model's records, step by step, for every example scenario.

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseScenario } from "../../src/input/scenario.js";
import { DEFAULT_OPTIONS } from "../../src/model/options.js";
import { isEcho, isHeader, type RunRecord, type StepRecord } from "../../src/report/record.js";
import { buildViewData } from "../../src/view/data.js";
import { runModelDetailed } from "../../src/view/detailed-run.js";
import { RunDecoder, pageStatus } from "../../viewer/src/state.js";

const EXAMPLES = [
  "scenarios/examples/faulted-move-next-to-neighbour.vms",
  "scenarios/examples/fork-child.vms",
  "scenarios/examples/mprotect-commit.vms",
  "scenarios/examples/realloc-growth.vms",
];

function records(file: string, text = readFileSync(file, "utf8")): RunRecord[] {
  return [...runModelDetailed(parseScenario(text, file), file, { ...DEFAULT_OPTIONS })];
}

describe("buildViewData", () => {
  for (const file of EXAMPLES) {
    test(`${file}: every step decodes to the records' processes and pages`, () => {
      const recs = records(file);
      const data = buildViewData([recs]);
      const run = data.groups[0]?.runs[0];
      expect(run?.label).toBe("linux-6.18");
      const decoder = new RunDecoder(data, run!);
      const steps = recs.filter((r): r is StepRecord => !isHeader(r) && !isEcho(r));
      expect(steps.length).toBeGreaterThan(0);
      recs.slice(1).forEach((r, i) => {
        if (isHeader(r) || isEcho(r)) return;
        const state = decoder.stateAfter(i);
        expect(state.step?.op).toBe(r.op);
        const procs = r.model?.detail?.procs ?? [];
        expect(state.lanes.map((l) => [l.proc, l.vmas])).toEqual(
          procs.map((p) => [p.proc, p.vmas]),
        );
        // resident pages: every present page is in exactly one run, with its mapping
        state.lanes.forEach((lane, j) => {
          const pages = procs[j]?.pages ?? [];
          const covered = (lane.pages ?? []).reduce((n, run) => n + (run.end - run.start), 0);
          expect(covered).toBe(pages.length * 4096);
          for (const p of pages) {
            const run = lane.pages?.find((x) => x.start <= p.addr && p.addr < x.end);
            expect(run?.mapping ?? null).toBe(p.model?.mapping ?? null);
          }
          for (const run of lane.pages ?? []) expect(pageStatus(run, lane.vmas, 4096)).toBe("ok");
        });
      });
    });
  }

  test("a step's changes are the VMAs that differ from the step before", () => {
    const data = buildViewData([records(EXAMPLES[0]!)]);
    const run = data.groups[0]!.runs[0]!;
    const at = run.steps.findIndex((s) => s.op?.startsWith("mremap"));
    const lane = new RunDecoder(data, run).stateAfter(at).lanes[0]!;
    expect([...lane.changed].map((i) => [lane.vmas[i]!.start, lane.vmas[i]!.end])).toEqual([
      [4 * 4096, 8 * 4096],
    ]);
    expect(lane.unmapped.map((v) => v.start)).toEqual([100 * 4096]);
  });

  test("a page whose mapping is not on its VMA's chain is stale", () => {
    const vma = {
      start: 0,
      end: 8192,
      perms: "rw-p",
      kind: "anon" as const,
      rss_kb: 8,
      anon_kb: 8,
      shared_kb: 0,
      swap_kb: 0,
      thp_kb: 0,
      vmflags: "rd wr",
      model: { pgoff: 0, anon_vma: "av1", chain: ["av1"] },
    };
    const run = { start: 0, end: 8192, mapping: "av2", index: 0, mapcount: 1, zero: false };
    expect(pageStatus(run, [vma], 4096)).toBe("stale: av2 is not on the chain [av1]");
    expect(pageStatus({ ...run, mapping: "av1", index: 5 }, [vma], 4096)).toBe(
      "stale: index 5, the VMA's pgoff gives 0",
    );
  });

  test("runs of one file are grouped; the extent covers every VMA ever mapped", () => {
    const recs = records(EXAMPLES[0]!);
    const data = buildViewData([recs, recs.map((r) => (isHeader(r) ? { ...r, policy: "x" } : r))]);
    expect(data.groups).toHaveLength(1);
    expect(data.groups[0]!.runs.map((r) => r.label)).toEqual(["linux-6.18", "x"]);
    expect(data.groups[0]!.extent).toEqual([
      [0, 8 * 4096],
      [20 * 4096, 28 * 4096],
      [100 * 4096, 104 * 4096],
      [200 * 4096, 204 * 4096],
    ]);
    // the second run's VMAs are the same records: stored once
    expect(data.vmas.length).toBe(buildViewData([recs]).vmas.length);
  });

  test("a run that does not start with its header is refused", () => {
    const recs = records(EXAMPLES[0]!);
    expect(() => buildViewData([recs.slice(1)])).toThrow(/must start with its header/);
  });
});
