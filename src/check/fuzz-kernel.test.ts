// Tests of the differential fuzz driver: planted disagreements (model against model, and a
// mutated record stream) are found and shrunk to a handful of steps; files and repro headers;
// and a short live campaign against this machine's kernel.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Op } from "../input/ops.js";
import { parseScenario } from "../input/scenario.js";
import { kernelAvailability } from "../kernel/runner.js";
import { DEFAULT_OPTIONS } from "../model/options.js";
import { runModel } from "../model/run.js";
import type { HeaderRecord, RunRecord, StepRecord } from "../report/record.js";
import { compareRuns, whatClass } from "./fuzz/differential.js";
import {
  formatFuzzEvent,
  fuzzAgainstKernel,
  modelAlonePair,
  modelPair,
  regressionText,
  type EnginePair,
  type FuzzEvent,
} from "./fuzz-kernel.js";

const avail = kernelAvailability();
const tmp = mkdtempSync(join(tmpdir(), "vmasim-fuzz-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const texts = (ops: readonly Op[]) => ops.map((o) => o.text);

/**
 * A "kernel" that is the model with one planted bug: once a process has forked, a successful
 * mprotect reports every VMA without VM_ACCOUNT.
 */
function mutatedPair(): EnginePair {
  const options = { ...DEFAULT_OPTIONS, zeroPage: false, checkInvariants: false };
  const model = async (ops: readonly Op[], file: string) => [...runModel(ops, file, options)];
  return {
    referenceName: "mutated model",
    subjectName: "model",
    reference: async (ops, file) => {
      const recs = await model(ops, file);
      let forked = false;
      return recs.map((r): RunRecord => {
        if (!("op" in r)) return r;
        const s = r as StepRecord;
        if (s.op.startsWith("fork") && s.ret >= 0) forked = true;
        if (!forked || !s.op.startsWith("mprotect") || s.err) return s;
        return {
          ...s,
          vmas: s.vmas.map((v) => ({ ...v, vmflags: v.vmflags.replace(/ ac\b/, "") })),
        };
      });
    },
    subject: () => model,
    isRefusal: () => false,
  };
}

describe("fuzzAgainstKernel with planted disagreements", () => {
  it("finds the zero page (model vs model) and shrinks it to a mapping and a read", async () => {
    const events: FuzzEvent[] = [];
    const r = await fuzzAgainstKernel({
      seed: 3,
      runs: 6,
      steps: 60,
      engines: modelPair({ zeroPage: true }, { zeroPage: false }),
      generate: { readWeight: 12 },
      invariants: false,
      onProgress: (e) => events.push(e),
    });
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.ops.length).toBeLessThanOrEqual(3);
      expect(
        f.ops.some((o) => o.kind === "read" || (o.kind === "madvise" && o.advice === 22)),
      ).toBe(true);
      expect(f.comparison.what).toMatch(/rss_kb|anon_kb|page .* zero|present/);
    }
    expect(events.filter((e) => e.kind === "run").length).toBe(6);
    expect(events.some((e) => e.kind === "shrink")).toBe(true);
    expect(formatFuzzEvent(events.find((e) => e.kind === "run")!)).toMatch(/^fuzz: run 0 \(1\/6/);
    expect(r.files).toEqual([]);
  });

  it("finds overcommit=2 ignoring MAP_NORESERVE and shrinks it to one mmap", async () => {
    const r = await fuzzAgainstKernel({
      seed: 8,
      runs: 3,
      steps: 50,
      engines: modelPair({ overcommit: 0 }, { overcommit: 2 }),
      generate: { failing: 0 },
      invariants: false,
    });
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.ops.length).toBe(1);
      expect(f.ops[0]!.text).toMatch(/^mmap 0 1p rw NORESERVE$/);
      expect(f.comparison.what).toMatch(/vmflags/);
    }
  });

  it("finds a bug planted in the reference stream, shrinks it to a few steps, and writes repro files", async () => {
    const outDir = join(tmp, "planted");
    const r = await fuzzAgainstKernel({
      seed: 11,
      runs: 8,
      steps: 100,
      outDir,
      engines: mutatedPair(),
      invariants: false,
    });
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.files.length).toBe(r.findings.length);
    expect(readdirSync(outDir).sort()).toEqual(
      r.files.map((f) => f.slice(outDir.length + 1)).sort(),
    );
    for (const f of r.findings) {
      expect(f.ops.length).toBeLessThanOrEqual(4);
      const kinds = f.ops.map((o) => o.kind);
      expect(kinds).toContain("fork");
      expect(kinds.at(-1)).toBe("mprotect");
      expect(f.comparison.what).toMatch(/vmflags: model .*ac, kernel/);
    }
    const f = r.findings[0]!;
    const file = join(outDir, `fuzz-11-${f.index}.vms`);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(`# seed 11, run ${f.index} `);
    expect(text).toContain(`npx vmasim diff ${file}`);
    expect(text).toContain(`--seed 11 --runs 1 --skip ${f.index} --steps 100`);
    expect(texts(parseScenario(text, file))).toEqual(texts(f.ops));

    // Replaying the run alone gives the same finding.
    const again = await fuzzAgainstKernel({
      seed: 11,
      runs: 1,
      skip: f.index,
      steps: 100,
      engines: mutatedPair(),
      invariants: false,
    });
    expect(texts(again.findings[0]!.ops)).toEqual(texts(f.ops));

    // The regression scenario asserts what the reference reported at the diverging step (the
    // planted reference only mutates its mprotect records, so its own expect steps cannot pass).
    const reg = regressionText(f, "mprotect after fork drops VM_ACCOUNT (planted)");
    const ops = parseScenario(reg, "reg.vms");
    const refStep = f.referenceRecords.find(
      (x): x is StepRecord => "op" in x && (x as StepRecord).step === f.comparison.step,
    )!;
    const expectLines = reg.split("\n").filter((l) => l.startsWith("expectvma "));
    expect(expectLines.length).toBe(refStep.vmas.length);
    refStep.vmas.forEach((v, i) =>
      expect(expectLines[i]).toContain(`flags=${v.vmflags.trim().split(/\s+/).join(",")} `),
    );
    // …and the model does not.
    const model = [...runModel(ops, "reg.vms", { ...DEFAULT_OPTIONS, zeroPage: false })];
    expect(model.some((x) => "op" in x && x.note.startsWith("EXPECT FAIL"))).toBe(true);
  });

  it("is reproducible from the seed", async () => {
    const run = () =>
      fuzzAgainstKernel({
        seed: 21,
        runs: 4,
        steps: 60,
        engines: mutatedPair(),
        invariants: false,
      });
    const a = await run();
    const b = await run();
    expect(a.runs.map((x) => [x.index, x.runSeed, x.status, x.message])).toEqual(
      b.runs.map((x) => [x.index, x.runSeed, x.status, x.message]),
    );
    expect(a.findings.map((f) => texts(f.ops))).toEqual(b.findings.map((f) => texts(f.ops)));
  });

  it("stops after maxFindings findings", async () => {
    const all = await fuzzAgainstKernel({
      seed: 21,
      runs: 12,
      steps: 60,
      engines: mutatedPair(),
      invariants: false,
      shrink: false,
    });
    expect(all.findings.length).toBeGreaterThan(1);
    const one = await fuzzAgainstKernel({
      seed: 21,
      runs: 12,
      steps: 60,
      engines: mutatedPair(),
      invariants: false,
      shrink: false,
      maxFindings: 1,
    });
    expect(one.findings.map((f) => f.index)).toEqual([all.findings[0]!.index]);
    expect(one.runs.length).toBe(all.findings[0]!.index + 1);
  });

  it("runs the model alone under a policy: its two runs agree and no invariant breaks", async () => {
    const clean = await fuzzAgainstKernel({
      seed: 5,
      runs: 5,
      steps: 60,
      engines: modelAlonePair({ policy: "linux-6.18" }),
    });
    expect(clean.runs.map((x) => x.status)).toEqual(Array(5).fill("agree"));
  });

  it("reports a refusing reference as a refused run, and a crashing subject as a finding", async () => {
    const model = async (ops: readonly Op[], file: string) => [
      ...runModel(ops, file, { ...DEFAULT_OPTIONS, checkInvariants: false }),
    ];
    const refusing: EnginePair = {
      referenceName: "kernel",
      subjectName: "model",
      reference: async () => {
        throw new Error("refused");
      },
      subject: () => model,
      isRefusal: () => true,
    };
    const r1 = await fuzzAgainstKernel({ seed: 1, runs: 2, steps: 10, engines: refusing });
    expect(r1.runs.map((x) => x.status)).toEqual(["refused", "refused"]);
    const crashing: EnginePair = {
      ...refusing,
      reference: model,
      subject: () => async (ops) => {
        if (ops.some((o) => o.kind === "fork")) throw new Error("boom");
        return model(ops, "x");
      },
      isRefusal: () => false,
    };
    const r2 = await fuzzAgainstKernel({ seed: 4, runs: 3, steps: 60, engines: crashing });
    const crash = r2.findings.find((f) => f.comparison.kind === "crash");
    expect(crash).toBeDefined();
    expect(texts(crash!.ops)).toEqual(["fork"]);
    expect(crash!.comparison.what).toMatch(/model threw: boom/);
  });

  it("reports a divergence the reference does not repeat as a flaky run, not a finding", async () => {
    const planted = mutatedPair();
    // the mutated reference on its first run of each scenario, the plain model after: a
    // kernel whose background work (khugepaged) showed once
    const seen = new Set<string>();
    const once: EnginePair = {
      ...planted,
      reference: async (ops, file) => {
        const records = await planted.reference(ops, file);
        const key = texts(ops).join("\n");
        if (!seen.has(key)) {
          seen.add(key);
          return records;
        }
        return planted.subject(records[0] as HeaderRecord)(ops, file);
      },
    };
    const steady = await fuzzAgainstKernel({ seed: 5, runs: 8, steps: 60, engines: planted });
    const diverging = steady.runs.filter((x) => x.status === "diverged").map((x) => x.index);
    expect(diverging.length).toBeGreaterThan(0);
    const r = await fuzzAgainstKernel({ seed: 5, runs: 8, steps: 60, engines: once });
    expect(r.findings).toEqual([]);
    expect(r.runs.filter((x) => x.status === "flaky").map((x) => x.index)).toEqual(diverging);
    expect(r.runs.find((x) => x.status === "flaky")?.message).toMatch(/vmflags/);
  });

  it("classifies divergences coarsely, so shrinking stays on the same bug", () => {
    expect(whatClass("VMA 2 (0x8000-0xc000) vmflags: model a, kernel b")).toBe("VMA vmflags");
    expect(whatClass("p1 VMA 0 (0x0-0x1000) rss_kb: model 4, kernel 0")).toBe(
      "other-proc VMA rss_kb",
    );
    expect(whatClass("VMA count: model 1 [0x0-0x1000], kernel 2 [..]")).toBe("VMA count");
    expect(whatClass("ret: model 0, kernel -1")).toBe("ret");
    expect(whatClass("page 0x1000 exclusive: model true, kernel false")).toBe("page exclusive");
    const recs = [...runModel(parseScenario("mmap 0 1p", "a"), "a", DEFAULT_OPTIONS)];
    expect(compareRuns(recs, recs, DEFAULT_OPTIONS.size)).toBeNull();
  });
});

describe.skipIf(!avail.available)(
  `fuzzAgainstKernel on the live kernel${avail.available ? "" : ` (skipped: ${avail.available === false ? avail.reason : ""})`}`,
  () => {
    it("runs generated scenarios on the kernel without refusals, writing a file per finding", async () => {
      const outDir = join(tmp, "live");
      const r = await fuzzAgainstKernel({
        seed: 1,
        runs: 4,
        steps: 50,
        outDir,
        shrink: { maxCalls: 40 },
      });
      expect(r.runs.length).toBe(4);
      for (const run of r.runs) expect(["agree", "diverged"], run.message).toContain(run.status);
      expect(r.files.length).toBe(r.findings.length);
      for (const f of r.findings) {
        expect(f.referenceRecords[0]).toMatchObject({ engine: "kernel" });
        expect(f.ops.length).toBeLessThanOrEqual(50);
      }
      expect(r.elapsedMs).toBeGreaterThan(0);
    });
  },
);
