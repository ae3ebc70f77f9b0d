// Executes operations on the model and reports each step as a StepRecord: the model
// engine behind `vmasim run`. This module is browser compatible.

import type { Op, OpBody } from "../input/ops.js";
import { ScenarioError } from "../input/scenario.js";
import { ExpectationChecker } from "../report/expect.js";
import type { EchoRecord, HeaderRecord, StepCost, StepRecord } from "../report/record.js";
import { checkInvariants } from "../check/invariants.js";
import { getPolicy } from "../policy/registry.js";
import type { Policy } from "../policy/policy.js";
import { PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { userAccess } from "./fault.js";
import { dupMmap, exitMmap } from "./fork.js";
import { Kernel, type Process } from "./kernel.js";
import { doMadvise } from "./madvise.js";
import { doMlock } from "./mlock.js";
import { doBrk } from "./brk.js";
import { Mm } from "./mm.js";
import { doMmap, installSpecialMapping } from "./mmap.js";
import { doMprotect } from "./mprotect.js";
import { doMremap } from "./mremap.js";
import { doMunmap } from "./munmap.js";
import { doSetAnonName } from "./name.js";
import type { ModelOptions } from "./options.js";
import { mergeRecord, pageRecords, windowVmas } from "./records.js";
import { ksmMergeRange } from "./ksm-merge.js";
import { finishAllMigrations, migrateRange } from "./migrate.js";
import { mapLargeFolio, pinRange, unpinRange } from "./page-state.js";
import { swapInRange, swapOutRange } from "./swap.js";

interface Outcome {
  ret: number;
  err: string;
}

/** One model run: a kernel with processes, stepping through operations. */
export class Machine {
  readonly kernel: Kernel;
  private current: Process | null;
  private readonly expectations = new ExpectationChecker(true);
  private stepNo = 0;

  /** `policy` overrides the registry's policy named by `options.policy` (tests' own policies). */
  constructor(
    readonly options: ModelOptions,
    policy: Policy = getPolicy(options.policy),
  ) {
    this.kernel = new Kernel(options, policy);
    const base = options.base;
    this.current = this.kernel.spawn(null, { start: base, end: base + options.size });
  }

  /** The current process (pN), or null once every process has exited. */
  get currentProc(): number | null {
    return this.current?.proc ?? null;
  }

  /** The header record of a run of `file`. */
  header(file: string): HeaderRecord {
    return {
      vmasim: 1,
      engine: "model",
      policy: this.options.policy,
      file,
      base: `0x${this.options.base.toString(16)}`,
      size: this.options.size,
      page: PAGE_SIZE,
      zero_page: this.options.zeroPage,
      anon_name: this.options.anonName,
    };
  }

  /** Executes one operation and returns its record. */
  step(op: Op): StepRecord | EchoRecord {
    this.stepNo++;
    if (op.kind === "echo") return { step: this.stepNo, echo: op.message };
    const k = this.kernel;
    k.merges = [];
    k.detections = [];
    const before = costSnapshot(k);
    const outcome = this.execute(op, op);
    const p = this.current;
    const vmas = p ? windowVmas(k, p) : [];
    const rec: StepRecord = {
      step: this.stepNo,
      proc: p?.proc ?? -1,
      op: op.text,
      ret: outcome.ret,
      err: outcome.err,
      note: this.expectations.check(op, vmas) ?? "",
      nvma: vmas.length,
      vmas,
    };
    if (op.kind === "dump" && op.all) {
      rec.procs = k.procs
        .filter((q) => q.alive)
        .map((q) => {
          const qv = windowVmas(k, q);
          return { proc: q.proc, nvma: qv.length, vmas: qv };
        });
    }
    if (op.kind === "pages" && p) {
      const start = this.abs(op.addr);
      rec.pages = pageRecords(k, p.mm, start, start + op.len);
    }
    rec.model = { merges: k.merges.map((t) => mergeRecord(k, t)) };
    const cost = stepCost(before, costSnapshot(k));
    if (cost) rec.model.cost = cost;
    const violations = [
      ...k.detections,
      ...(this.options.checkInvariants ? checkInvariants(k) : []),
    ];
    if (violations.length > 0) rec.model.violations = violations;
    return rec;
  }

  /**
   * Executes one operation without building its record, for replays of long traces: the
   * step's merge attempts stay in `kernel.merges`, and what it detected in
   * `kernel.detections`, until the next operation. `origin` places it for errors; the body
   * is not made an Op, since adding fields to trace-built bodies of every shape cost replays
   * up to 15 % of their time (V8 moved each one to a new hidden class).
   */
  apply(op: OpBody, origin: Origin): { ret: number; err: string } {
    this.stepNo++;
    this.kernel.merges = [];
    this.kernel.detections = [];
    return this.execute(op, origin);
  }

  private abs(rel: number): number {
    return this.options.base + rel;
  }

  private execute(op: OpBody, origin: Origin): Outcome {
    const k = this.kernel;
    switch (op.kind) {
      case "switch": {
        const target = k.procs[op.proc];
        if (!target?.alive)
          throw scenarioError(origin, `switch: p${op.proc} is not a live process`);
        this.current = target;
        return { ret: 0, err: "" };
      }
      case "window": {
        if (!this.current) throw scenarioError(origin, noProcess(op.kind));
        const start = this.abs(op.start);
        const len = op.len ?? this.options.size;
        this.current.window = { start, end: start + len };
        return { ret: 0, err: "" };
      }
      case "dump":
      case "pages":
      case "expect":
      case "expectvmas":
      case "expectvma":
        return { ret: 0, err: "" };
      case "echo":
        return { ret: 0, err: "" };
      default:
        return this.syscall(op, origin);
    }
  }

  /** Operations a process performs: system calls, accesses, fork and exit. */
  private syscall(op: OpBody, origin: Origin): Outcome {
    const k = this.kernel;
    const p = this.current;
    if (!p) throw scenarioError(origin, noProcess(op.kind));
    const mm = p.mm;
    try {
      switch (op.kind) {
        case "mmap":
          return ok(k.rel(doMmap(k, mm, this.abs(op.addr), op.len, op.prot, op.flags, op.file)));
        case "special":
          return ok(k.rel(installSpecialMapping(mm, this.abs(op.addr), op.len, op.prot, op.name)));
        case "brk":
          return ok(k.rel(doBrk(k, mm, this.abs(op.addr))));
        case "exec":
          return this.exec(
            p,
            op.brk === null ? null : this.abs(op.brk),
            op.stack === null ? null : this.abs(op.stack),
          );
        case "vfork":
          return this.vfork(p);
        case "munmap":
          doMunmap(k, mm, this.abs(op.addr), op.len);
          return ok(0);
        case "mprotect":
          doMprotect(k, mm, this.abs(op.addr), op.len, op.prot);
          return ok(0);
        case "mremap": {
          const newAddr = op.newAddr === null ? null : this.abs(op.newAddr);
          return ok(
            k.rel(doMremap(k, mm, this.abs(op.addr), op.oldLen, op.newLen, op.flags, newAddr)),
          );
        }
        case "madvise":
          doMadvise(k, mm, this.abs(op.addr), op.len, op.advice);
          return ok(0);
        case "mlock":
        case "munlock":
          doMlock(k, mm, this.abs(op.addr), op.len, op.kind === "mlock");
          return ok(0);
        case "name":
          doSetAnonName(k, mm, this.abs(op.addr), op.len, op.name);
          return ok(0);
        case "touch":
          return this.access(p, this.abs(op.addr), op.len, true, op.value);
        case "read":
          return this.access(p, this.abs(op.addr), op.len, false, 0);
        case "swapout":
          return ok(swapOutRange(k, mm, this.abs(op.addr), this.abs(op.addr) + op.len, op.cache));
        case "swapin":
          return ok(swapInRange(k, mm, this.abs(op.addr), this.abs(op.addr) + op.len));
        case "migrate":
          return ok(migrateRange(k, mm, this.abs(op.addr), this.abs(op.addr) + op.len, op.hold));
        case "migratefinish":
          return ok(finishAllMigrations(k));
        case "ksm":
          return ok(ksmMergeRange(k, mm, this.abs(op.addr), this.abs(op.addr) + op.len));
        case "pin":
          return ok(pinRange(k, mm, this.abs(op.addr), this.abs(op.addr) + op.len));
        case "unpin":
          return ok(unpinRange(mm, this.abs(op.addr), this.abs(op.addr) + op.len));
        case "largefolio":
          return ok(mapLargeFolio(k, mm, this.abs(op.addr), op.len));
        case "fork":
          return this.fork(p, op.stay);
        case "exit":
          return this.exit(p);
        default:
          throw new Error(`model: operation '${op.kind}' is not a process operation`);
      }
    } catch (e) {
      if (e instanceof Errno) return { ret: -1, err: e.code };
      throw e;
    }
  }

  /**
   * touch/read: one access per page in address order, stopping at the first signal; a
   * write stores `value`.
   */
  private access(p: Process, start: number, len: number, write: boolean, value: number): Outcome {
    let done = 0;
    const first = Math.floor(start / PAGE_SIZE) * PAGE_SIZE;
    for (let page = first; page < start + len; page += PAGE_SIZE) {
      const r = userAccess(this.kernel, p.mm, Math.max(page, start), write, value);
      if (r !== "ok") return { ret: done, err: r };
      done++;
    }
    return ok(done);
  }

  /** fork: the child (pN, in creation order) becomes current unless `stay`. */
  private fork(parent: Process, stay: boolean): Outcome {
    const child = this.kernel.spawn(parent.proc, parent.window);
    dupMmap(this.kernel, parent.mm, child.mm);
    if (!stay) this.current = child;
    return ok(child.proc);
  }

  /** vfork: the child shares the parent's mm until it execs or exits, and becomes current. */
  private vfork(parent: Process): Outcome {
    const child = this.kernel.spawn(parent.proc, parent.window, parent.mm);
    this.current = child;
    return ok(child.proc);
  }

  /**
   * exec: the process gets a fresh mm (the old one is dropped: torn down unless a vfork
   * parent still uses it), with the heap starting at `brk` and the initial stack at `stack`.
   */
  private exec(p: Process, brk: number | null, stack: number | null): Outcome {
    this.dropMm(p);
    p.mm = new Mm(p.proc);
    if (brk !== null) p.mm.startBrk = p.mm.brk = brk;
    if (stack !== null) p.mm.startStack = stack;
    return ok(0);
  }

  /** exit: the mm is dropped; the nearest live ancestor becomes current. */
  private exit(p: Process): Outcome {
    this.dropMm(p);
    p.alive = false;
    let up = p.parent === null ? undefined : this.kernel.procs[p.parent];
    while (up && !up.alive) up = up.parent === null ? undefined : this.kernel.procs[up.parent];
    this.current = up ?? null;
    return ok(0);
  }

  /** mmput: the last user of an mm tears it down (exit_mmap). */
  private dropMm(p: Process): void {
    if (--p.mm.users === 0) exitMmap(this.kernel, p.mm);
  }
}

interface CostSnapshot {
  walked: number;
  relocated: number;
  refused: Record<string, number>;
}

function costSnapshot(k: Kernel): CostSnapshot {
  const s = k.stats;
  return {
    walked: s.pagesWalked,
    relocated: s.pagesRelocated,
    refused: s.relocationRefusals.toJSON(),
  };
}

/** The relocation work between two snapshots, or null when there was none. */
function stepCost(a: CostSnapshot, b: CostSnapshot): StepCost | null {
  const refused: Record<string, number> = {};
  for (const [reason, n] of Object.entries(b.refused)) {
    const d = n - (a.refused[reason] ?? 0);
    if (d > 0) refused[reason] = d;
  }
  const walked = b.walked - a.walked;
  const relocated = b.relocated - a.relocated;
  if (walked === 0 && relocated === 0 && Object.keys(refused).length === 0) return null;
  const cost: StepCost = { pages_walked: walked, pages_relocated: relocated };
  if (Object.keys(refused).length > 0) cost.refused = refused;
  return cost;
}

function ok(ret: number): Outcome {
  return { ret, err: "" };
}

function noProcess(kind: string): string {
  return `${kind}: no current process, every process has exited (use switch N)`;
}

/** Where an operation comes from, for its errors: its location and its text. */
export type Origin = Pick<Op, "loc" | "text">;

/** A scenario that asks for the impossible (exit status 2), positioned at its line. */
function scenarioError(origin: Origin, reason: string): ScenarioError {
  return new ScenarioError(origin.loc.file, origin.loc.line, origin.text, reason);
}
