// The evaluation's safety measure: the model's invariants checked at every ground-truth
// sample and at the end of a replayed trace, per policy.

import { describe, expect, test } from "vitest";
import { ReplayEngine, type ReplayReport } from "../../src/replay/engine.js";
import { TraceReplay } from "../../src/replay/replay.js";
import { Safety } from "../../src/replay/safety.js";
import { comparisonTable, violationsCell } from "../../src/report/evaluation/table.js";

const B = 0x7f0000000000;
const hex = (rel: number) => `0x${(B + rel).toString(16)}`;
const P = 4096;

let clock = 0;
const at = () => `${(clock += 0.1).toFixed(3).padStart(10)}`;
const call = (text: string, ret: string) => `${at()} ( 0.010 ms): t/100 ${text} = ${ret}`;
const mmap = (rel: number, len: number) =>
  call(
    `mmap(addr: ${hex(rel)}, len: ${len}, prot: READ|WRITE, flags: PRIVATE|FIXED|ANONYMOUS)`,
    hex(rel),
  );
const mremap = (from: number, len: number, to: number) =>
  call(
    `mremap(addr: ${hex(from)}, old_len: ${len}, new_len: ${len}, flags: MAYMOVE|FIXED, new_addr: ${hex(to)})`,
    hex(to),
  );
const write = (rel: number) =>
  `${at()} (         ): t/100 exceptions:page_fault_user(address: ${hex(rel)}, ip: 1, error_code: 6)`;
/** The capture's clock marker around sample `id` (a failing zero-length munmap). */
const marker = (id: number, end: boolean) =>
  call(
    `munmap(addr: 0x${(0x5a5a00000000 + (2 * id + (end ? 1 : 0)) * P).toString(16)})`,
    "-1 EINVAL (Invalid argument)",
  );

/**
 * scenarios/hazards/mremap-never-reconnected.vms as a perf trace, with one sample before
 * the hazard: B is faulted (at an unaligned address, as real faults are), moved away,
 * A is faulted next to where B was, and B is moved back. RFC 3/4's copy_vma merge never
 * reconnects B's pages, whose anon_vma is freed with the source.
 */
function hazardTrace(): string[] {
  clock = 0;
  return [
    mmap(2 * P, 2 * P),
    write(2 * P + 0x10),
    write(3 * P),
    marker(0, false),
    marker(0, true),
    mremap(2 * P, 2 * P, 20 * P),
    mmap(0, 2 * P),
    write(0),
    write(P),
    mremap(20 * P, 2 * P, 2 * P),
  ];
}

function replay(lines: readonly string[], policies: readonly string[]): ReplayReport {
  const engine = new ReplayEngine("hazard", policies, null, []);
  lines.forEach((l, i) => engine.line(l, i + 1));
  return engine.finish();
}

describe("safety of a replay", () => {
  const policies = ["linux-6.18", "rfc-2022", "safe-merge"];

  test("the invariants are checked at each sample and at the end: rfc-2022 breaks them, linux-6.18 and safe-merge do not", () => {
    const lines = hazardTrace();
    const r = replay(lines, policies);
    const by = (name: string) => r.policies.find((p) => p.policy === name)?.safety;
    for (const name of policies) expect(by(name)?.checks).toBe(2);
    expect(by("linux-6.18")).toMatchObject({ violations: 0, failedChecks: 0 });
    expect(by("safe-merge")).toMatchObject({ violations: 0, failedChecks: 0 });
    const rfc = by("rfc-2022");
    // both of B's pages point at B's freed anon_vma, seen by the check at the end only
    expect(rfc).toMatchObject({ violations: 2, failedChecks: 1, byId: { "I-live": 2 } });
    expect(rfc?.first.map((v) => v.line)).toEqual([lines.length, lines.length]);
    expect(rfc?.first[0]?.message).toMatch(/was freed/);
  });

  test("the comparison table has a violations column: the count and the top IDs", () => {
    const t = comparisonTable([replay(hazardTrace(), policies)]);
    const col = t.header.indexOf("violations (top IDs)");
    expect(col).toBeGreaterThan(0);
    expect(t.rows.map((row) => [row[1], row[col]])).toEqual([
      ["linux-6.18", "0"],
      ["rfc-2022", "2 (I-live 2)"],
      ["safe-merge", "0"],
    ]);
    expect(t.notes.join("\n")).toMatch(/checks per capture: hazard 2\./);
  });

  test("a violation that persists is counted once; detections count and fail the next check", () => {
    const s = new Safety(new TraceReplay("linux-6.18", "t", null, new Set()));
    const v = { id: "I-walk", message: "reclaim of f1 found 0 of 1 mappings" };
    s.detected([v], 7);
    s.detected([v, { id: "I-live", message: "walk reached av2, which was freed" }], 9);
    const r = s.finish(12);
    expect(r).toMatchObject({ checks: 1, failedChecks: 1, violations: 2, detections: 2 });
    expect(r.byId).toEqual({ "I-walk": 1, "I-live": 1 });
    expect(r.first.map((x) => x.line)).toEqual([7, 9]);
    expect(violationsCell(r)).toBe("2 (I-live 1, I-walk 1)");
  });
});
