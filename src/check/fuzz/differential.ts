// The differential fuzzing loop, engine-agnostic: generate a scenario per run, run it through a
// reference engine (the real kernel) and a subject engine (the model), compare the record streams
// with `firstDivergence`, and shrink every disagreement to a small scenario that shows the same one.
// Engines are plain async functions, so model-vs-kernel and model-vs-model (e.g. two option sets,
// or a deliberately mutated record stream in tests) use the same loop.
// This module is browser compatible: no I/O; files are the caller's business (see ../fuzz-kernel.ts).

import type { Op } from "../../input/ops.js";
import { firstDivergence, type Divergence } from "../../report/diff.js";
import type { HeaderRecord, RunRecord, StepRecord } from "../../report/record.js";
import { bodyOf, materialize } from "./format.js";
import { generateScenario, type GenerateOptions } from "./generate.js";
import { deriveSeed, toSeed } from "./prng.js";
import { shrink, type ShrinkOptions } from "./shrink.js";

/** Runs a scenario; resolves to its records, header first. */
export type Engine = (ops: readonly Op[], file: string) => Promise<RunRecord[]>;

/** The two engines compared, and how to tell a refused scenario from a broken engine. */
export interface EnginePair {
  /** What the reference engine is called in messages ("kernel"). */
  referenceName: string;
  /** What the subject engine is called in messages ("model"). */
  subjectName: string;
  /** The engine whose behaviour is the truth (the real kernel). */
  reference: Engine;
  /** The engine under test, configured from the reference's header (zero page, anon names…). */
  subject: (header: HeaderRecord) => Engine;
  /**
   * Whether an error thrown by the reference means "this scenario cannot run here" (a refused
   * range, a `switch` to a dead process…) rather than a broken engine. While shrinking, any
   * reference error means "does not reproduce"; in a fresh run a refusal is a generator bug.
   */
  isRefusal: (e: unknown) => boolean;
}

/** What kind of disagreement a finding is. */
export type FindingKind = "divergence" | "invariant" | "crash";

/** A disagreement between the engines on one scenario. */
export interface Comparison {
  kind: FindingKind;
  /** The step (1-based, as in the records) where it shows. */
  step: number;
  /** The op text at that step. */
  op: string;
  /** One line: what differs, e.g. "VMA 1 (0x2000-0x4000) vmflags: model …, kernel …". */
  what: string;
  /** A coarse class used to keep shrinking on the same bug: op kind + what differs. */
  signature: string;
  /** The divergence as `firstDivergence` reports it (kind "divergence" only). */
  divergence: Divergence | null;
}

/** One shrunk finding. */
export interface Finding {
  /** Campaign seed, run index and the run's own seed. */
  seed: number;
  index: number;
  runSeed: number;
  /** The generated scenario and the shrunk one (both valid scenarios). */
  original: Op[];
  ops: Op[];
  /** The disagreement on the original and on the shrunk scenario. */
  first: Comparison;
  comparison: Comparison;
  /** Predicate calls spent shrinking, and whether the budget ran out first. */
  shrinkCalls: number;
  exhausted: boolean;
  /** Both engines' records of the shrunk scenario. */
  subjectRecords: RunRecord[];
  referenceRecords: RunRecord[];
  /** A hint that the finding may not be a model bug (e.g. "runner race after exit"). */
  suspect: string | null;
}

/**
 * "flaky": the engines diverged, then agreed when the run was repeated: the reference did
 * not reproduce its own behaviour (on the kernel, khugepaged collapsing pages at a moment
 * of its choosing), so the run is no finding.
 */
export type RunStatus = "agree" | "diverged" | "flaky" | "refused" | "error";

/** The outcome of one run. */
export interface RunOutcome {
  index: number;
  runSeed: number;
  status: RunStatus;
  /** For refused/error runs: the message; for diverged runs: the comparison's one line. */
  message: string;
  finding: Finding | null;
}

/** Progress of a campaign, for the CLI to print on stderr. */
export type FuzzEvent =
  | {
      kind: "run";
      index: number;
      runSeed: number;
      done: number;
      total: number;
      outcome: RunOutcome;
    }
  | { kind: "shrink"; index: number; ops: number; calls: number };

export interface DifferentialOptions {
  /** Campaign seed; run i uses `deriveSeed(seed, i)`. */
  seed: number;
  /** Runs to do. */
  runs: number;
  /** Index of the first run (the runs before it are skipped): `skip: i, runs: 1` replays run i. */
  skip: number;
  /** Operations per scenario. */
  steps: number;
  /** Other generator knobs. */
  generate: Partial<GenerateOptions>;
  /** Shrinker knobs, or false to keep findings unshrunk. */
  shrink: Partial<ShrinkOptions> | false;
  /** Report subject invariant violations (model records' `model.violations`) as findings. */
  invariants: boolean;
  /** Stop the campaign after this many findings (0: never). */
  maxFindings?: number;
  engines: EnginePair;
  onProgress?: (event: FuzzEvent) => void;
  /** Called with each finding as soon as it is shrunk (e.g. to write its file). */
  onFinding?: (finding: Finding) => void | Promise<void>;
}

export interface DifferentialReport {
  seed: number;
  runs: RunOutcome[];
  findings: Finding[];
}

const steps = (rs: readonly RunRecord[]) => rs.filter((r): r is StepRecord => "op" in r);

/** The coarse class of a `what` line: the field or aspect that differs, numbers left out. */
export function whatClass(what: string): string {
  const proc = /^p\d+ /.test(what) ? "other-proc " : "";
  const w = what.replace(/^p\d+ /, "");
  let m: RegExpExecArray | null;
  if ((m = /^(ret|err|proc|expectation):/.exec(w))) return proc + (m[1] as string);
  if (w.startsWith("VMA count")) return `${proc}VMA count`;
  if ((m = /^VMA \d+ \([^)]*\) (\w+):/.exec(w))) return `${proc}VMA ${m[1] as string}`;
  if ((m = /^page \S+ (\w+):/.exec(w))) return `page ${m[1] as string}`;
  if (w.startsWith("dumpall:")) return "dumpall process set";
  if (w.startsWith("only the")) return "record count";
  return proc + w.replace(/0x[0-9a-f]+|\d+/g, "N");
}

function comparisonOf(
  kind: FindingKind,
  step: number,
  op: string,
  what: string,
  d: Divergence | null,
): Comparison {
  const opKind = op.split(" ")[0] ?? "";
  let signature: string;
  if (kind === "divergence") signature = `${kind} ${opKind} ${whatClass(what)}`;
  else if (kind === "invariant") signature = `${kind} ${opKind} ${what.split(":")[0] ?? ""}`;
  // A crash's step may be unknown (the engine threw as a whole): its message is the class.
  else signature = `${kind} ${(what.split("\n")[0] ?? "").replace(/0x[0-9a-f]+|\d+/g, "N")}`;
  return { kind, step, op, what, signature, divergence: d };
}

/**
 * Compares a subject run with a reference run: the first divergence, else (when `invariants`)
 * the first invariant violation the subject reports; null when they agree. O(records × VMAs).
 */
export function compareRuns(
  subject: readonly RunRecord[],
  reference: readonly RunRecord[],
  size: number,
  invariants = true,
): Comparison | null {
  const d = firstDivergence(subject, reference, size);
  if (d) return comparisonOf("divergence", d.step, d.op, d.what, d);
  if (!invariants) return null;
  for (const r of steps(subject)) {
    const v = r.model?.violations?.[0];
    if (v) return comparisonOf("invariant", r.step, r.op, `${v.id}: ${v.message}`, null);
  }
  return null;
}

/** Outcome of running one scenario through both engines. */
type Trial =
  | { status: "agree"; subject: RunRecord[]; reference: RunRecord[] }
  | { status: "diverged"; comparison: Comparison; subject: RunRecord[]; reference: RunRecord[] }
  | { status: "refused" | "error"; message: string };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs `ops` through the reference, then the subject configured from its header, and compares. */
export async function trial(
  ops: readonly Op[],
  file: string,
  engines: EnginePair,
  invariants: boolean,
): Promise<Trial> {
  let reference: RunRecord[];
  try {
    reference = await engines.reference(ops, file);
  } catch (e) {
    return {
      status: engines.isRefusal(e) ? "refused" : "error",
      message: `${engines.referenceName}: ${message(e)}`,
    };
  }
  const header = reference[0];
  if (!header || !("vmasim" in header)) {
    return { status: "error", message: `${engines.referenceName}: no header record` };
  }
  let subject: RunRecord[];
  try {
    subject = await engines.subject(header)(ops, file);
  } catch (e) {
    // The subject crashing is a finding in its own right, at the step it reached.
    const step = Math.min(ops.length, (e as { step?: number }).step ?? ops.length);
    const op = ops[step - 1]?.text ?? "";
    const comparison = comparisonOf(
      "crash",
      step,
      op,
      `${engines.subjectName} threw: ${message(e)}`,
      null,
    );
    return { status: "diverged", comparison, subject: [], reference };
  }
  const comparison = compareRuns(subject, reference, header.size, invariants);
  return comparison
    ? { status: "diverged", comparison, subject, reference }
    : { status: "agree", subject, reference };
}

/** Flags findings that are likely artefacts rather than model bugs. */
function suspectOf(ops: readonly Op[], c: Comparison): string | null {
  if (c.kind !== "divergence" || !/shared_kb/.test(c.what)) return null;
  const i = c.step - 1;
  for (let j = Math.max(0, i - 1); j <= i; j++) {
    if (ops[j]?.kind === "exit")
      return "runner race after exit (the helper may not wait for the child to be gone)";
  }
  return null;
}

/**
 * Shrinks a diverging scenario to a small one with the same signature of disagreement.
 * O(maxCalls × engine cost).
 */
export async function shrinkFinding(
  ops: readonly Op[],
  first: Comparison,
  engines: EnginePair,
  options: Partial<ShrinkOptions> & {
    invariants?: boolean;
    onProgress?: (ops: number, calls: number) => void;
  } = {},
): Promise<{ ops: Op[]; calls: number; exhausted: boolean }> {
  const invariants = options.invariants ?? true;
  const file = options.file ?? "shrunk.vms";
  const reproduces = async (candidate: Op[]) => {
    const t = await trial(candidate, file, engines, invariants);
    return t.status === "diverged" && t.comparison.signature === first.signature;
  };
  // Whatever follows the first disagreement cannot matter: cut it first.
  let start = ops.map(bodyOf);
  let calls = 0;
  if (first.step < start.length) {
    const cut = materialize(start.slice(0, first.step), file);
    calls++;
    if (await reproduces(cut)) start = cut.map(bodyOf);
  }
  const r = await shrink(materialize(start, file), reproduces, {
    ...options,
    file,
    maxCalls: Math.max(1, (options.maxCalls ?? 400) - calls),
  });
  return { ops: r.ops, calls: r.calls + calls, exhausted: r.exhausted };
}

/**
 * Runs a differential fuzzing campaign. Every run is reproducible from (seed, index, steps,
 * generate options). O(runs × (steps × engine cost) + findings × shrink budget × engine cost).
 */
export async function fuzzDifferential(options: DifferentialOptions): Promise<DifferentialReport> {
  const { engines, runs, skip } = options;
  const seed = toSeed(options.seed);
  const outcomes: RunOutcome[] = [];
  const findings: Finding[] = [];
  for (let n = 0; n < runs; n++) {
    if (options.maxFindings && findings.length >= options.maxFindings) break;
    const index = skip + n;
    const runSeed = deriveSeed(seed, index);
    const file = `fuzz-${seed}-${index}.vms`;
    const ops = generateScenario(runSeed, { ...options.generate, steps: options.steps, file });
    const t = await trial(ops, file, engines, options.invariants);
    let outcome: RunOutcome;
    if (t.status === "agree") {
      outcome = { index, runSeed, status: "agree", message: "", finding: null };
    } else if (t.status !== "diverged") {
      outcome = { index, runSeed, status: t.status, message: t.message, finding: null };
    } else if (
      t.comparison.kind === "divergence" &&
      (await trial(ops, file, engines, options.invariants)).status === "agree"
    ) {
      outcome = { index, runSeed, status: "flaky", message: t.comparison.what, finding: null };
    } else {
      let shrunk = { ops, calls: 0, exhausted: false };
      if (options.shrink !== false) {
        shrunk = await shrinkFinding(ops, t.comparison, engines, {
          ...options.shrink,
          invariants: options.invariants,
          file,
          onProgress: (size, calls) =>
            options.onProgress?.({ kind: "shrink", index, ops: size, calls }),
        });
      }
      // Re-run the result to report its own records and comparison.
      const again = await trial(shrunk.ops, file, engines, options.invariants);
      const final = again.status === "diverged" ? again : t;
      const shrunkOps = again.status === "diverged" ? shrunk.ops : ops;
      const finding: Finding = {
        seed,
        index,
        runSeed,
        original: ops,
        ops: shrunkOps,
        first: t.comparison,
        comparison: final.comparison,
        shrinkCalls: shrunk.calls,
        exhausted: shrunk.exhausted,
        subjectRecords: final.subject,
        referenceRecords: final.reference,
        suspect: suspectOf(shrunkOps, final.comparison),
      };
      findings.push(finding);
      outcome = { index, runSeed, status: "diverged", message: t.comparison.what, finding };
      await options.onFinding?.(finding);
    }
    outcomes.push(outcome);
    options.onProgress?.({ kind: "run", index, runSeed, done: n + 1, total: runs, outcome });
  }
  return { seed, runs: outcomes, findings };
}

/** One line per event, for a progress log on stderr. */
export function formatFuzzEvent(e: FuzzEvent): string {
  switch (e.kind) {
    case "run": {
      const o = e.outcome;
      const head = `fuzz: run ${e.index} (${e.done}/${e.total}, seed 0x${e.runSeed.toString(16)})`;
      if (o.status === "agree") return `${head}: agree`;
      if (o.status === "diverged" && o.finding) {
        const f = o.finding;
        return `${head}: ${f.comparison.kind} at step ${f.comparison.step} of ${f.ops.length} (shrunk from ${f.original.length}): ${f.comparison.op}: ${f.comparison.what}`;
      }
      return `${head}: ${o.status}: ${o.message}`;
    }
    case "shrink":
      return `fuzz: run ${e.index}: shrinking, ${e.ops} ops after ${e.calls} tries`;
  }
}
