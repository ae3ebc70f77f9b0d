// Runs a scenario on the live kernel through the C helper and returns the contract's records.

import { release } from "node:os";
import type { Op } from "../input/ops.js";
import { DEFAULT_BASE, DEFAULT_SIZE } from "../model/options.js";
import { ExpectationChecker } from "../report/expect.js";
import type {
  EchoRecord,
  HeaderRecord,
  ProcRecord,
  RunRecord,
  StepRecord,
  VmaRecord,
} from "../report/record.js";
import { checkOp, syscallCommand } from "./commands.js";
import { compileHelper, type CompileOptions } from "./compile.js";
import {
  KernelError,
  KernelHelperError,
  KernelScenarioError,
  KernelTimeoutError,
} from "./errors.js";
import { HelperProcess, type HelperReply } from "./helper-process.js";
import { toPageRecord, toVmaRecord } from "./vmas.js";

export { kernelAvailability, type KernelAvailability } from "./compile.js";

/** Default time budget of one scenario run, helper start included. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of a kernel run; every field has a default. */
export interface KernelOptions {
  /** Absolute address of relative address 0 (default 0x200000000000). Page aligned. */
  base?: number;
  /** Size of the test region (default 1 GiB). Page aligned. */
  size?: number;
  /** Time budget for the whole run in ms (default 30 s); past it every helper process is killed. */
  timeoutMs?: number;
  /** How to find the compiler and where to cache the helper. */
  compile?: CompileOptions;
  /** Called with each record as soon as it exists (header first), e.g. to stream output. */
  onRecord?: (record: RunRecord) => void;
  /** Called once the helper runs; `helper.pids` lists its processes (diagnostics, leftover checks). */
  onHelper?: (helper: HelperProcess) => void;
}

interface Proc {
  parent: number | null;
  alive: boolean;
  window: [number, number];
}

const PAGE = 4096;
const hex = (n: number) => `0x${n.toString(16)}`;

function checkOptions(base: number, size: number, timeoutMs: number): void {
  const ok = (n: number) => Number.isSafeInteger(n) && n >= 0 && n % PAGE === 0;
  if (!ok(base) || !ok(size) || size === 0 || base + size > 2 ** 47) {
    throw new KernelError(
      `kernel: region base ${hex(base)} size ${hex(size)} is not usable, give page-aligned values below 0x800000000000`,
    );
  }
  if (!(timeoutMs > 0))
    throw new KernelError(`kernel: timeout ${timeoutMs} ms must be positive, give a number of ms`);
}

/**
 * Executes `ops` on the running kernel: the header record, then one record per operation.
 * Everything is checked before anything runs (model-only ops and ranges outside the region are
 * refused with KernelRefusedError). Every helper process is gone when the promise settles.
 * Throws a KernelError (exit status 2) on refusal, timeout, unavailability or a helper failure;
 * `error.records` then holds the records produced so far. O(ops × VMAs of the process).
 */
export async function runKernel(
  ops: readonly Op[],
  file: string,
  options: KernelOptions = {},
): Promise<RunRecord[]> {
  const base = options.base ?? DEFAULT_BASE;
  const size = options.size ?? DEFAULT_SIZE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  checkOptions(base, size, timeoutMs);
  for (const op of ops) checkOp(op, size);
  const binary = await compileHelper(options.compile);
  const records: RunRecord[] = [];
  const emit = (r: RunRecord) => {
    records.push(r);
    options.onRecord?.(r);
  };
  let helper: HelperProcess | null = null;
  try {
    helper = await HelperProcess.start(binary, base, size, Date.now() + timeoutMs, timeoutMs);
    options.onHelper?.(helper);
    const header: HeaderRecord = {
      vmasim: 1,
      engine: "kernel",
      kernel: release(),
      file,
      base: hex(base),
      size,
      page: helper.hello.page,
      zero_page: helper.hello.zeroPage,
      anon_name: helper.hello.anonName,
    };
    emit(header);
    await new Session(helper, size).run(ops, emit);
    return records;
  } catch (e) {
    if (e instanceof KernelError) {
      e.records = records;
      if (e instanceof KernelTimeoutError) {
        e.message = `${e.message}; raise the timeout if the scenario is only slow`;
      }
    }
    throw e;
  } finally {
    await helper?.close();
  }
}

/** The state of one run: live processes, the current one, their windows, expectation labels. */
class Session {
  private readonly procs: Proc[] = [];
  private current: number | null = 0;
  private readonly checker = new ExpectationChecker(false);
  private op: Op | null = null;

  constructor(
    private readonly helper: HelperProcess,
    private readonly size: number,
  ) {
    this.procs.push({ parent: null, alive: true, window: [0, size] });
  }

  async run(ops: readonly Op[], emit: (r: RunRecord) => void): Promise<void> {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as Op;
      this.op = op;
      try {
        emit(
          op.kind === "echo"
            ? ({ step: i + 1, echo: op.message } satisfies EchoRecord)
            : await this.step(i + 1, op),
        );
      } catch (e) {
        if (e instanceof KernelTimeoutError) {
          e.message = `${op.loc.file}:${op.loc.line}: ${op.text}: ${e.message}`;
        }
        throw e;
      }
    }
  }

  private fail(reason: string): never {
    const op = this.op as Op;
    throw new KernelScenarioError(op.loc, reason);
  }

  private async ask(proc: number, command: string): Promise<HelperReply> {
    const reply = await this.helper.request(`${proc} ${command}`);
    if (!reply.ok) {
      const op = this.op as Op;
      throw new KernelHelperError(
        `${op.loc.file}:${op.loc.line}: ${op.text}: ${reply.error ?? "failed"}`,
      );
    }
    return reply;
  }

  private live(n: number): Proc | undefined {
    const p = this.procs[n];
    return p && p.alive ? p : undefined;
  }

  private async vmasOf(proc: number): Promise<VmaRecord[]> {
    const p = this.procs[proc] as Proc;
    const reply = await this.ask(proc, `vmas ${p.window[0]} ${p.window[1]}`);
    return (reply.vmas ?? []).map(toVmaRecord);
  }

  /** Executes one op; returns its record. */
  private async step(step: number, op: Op): Promise<StepRecord> {
    if (op.kind === "switch") {
      if (!this.live(op.proc)) {
        const why = this.procs[op.proc] ? "has exited" : "does not exist";
        this.fail(`switch: p${op.proc} ${why}, switch to a live process (fork creates them)`);
      }
      this.current = op.proc;
    }
    const cur = this.current;
    if (cur === null)
      this.fail(`${op.kind}: no process is current (the last one exited), switch to a live one`);
    let ret = 0;
    let err = "";
    let procs: ProcRecord[] | undefined;
    let pages: StepRecord["pages"];
    const command = syscallCommand(op);
    if (command !== null) {
      const reply = await this.ask(cur, command);
      ret = reply.ret ?? -1;
      err = reply.err ?? "";
    } else {
      switch (op.kind) {
        case "window":
          (this.procs[cur] as Proc).window =
            op.len === null
              ? [0, this.size]
              : [op.start, Math.min(op.start + op.len, Number.MAX_SAFE_INTEGER)];
          break;
        case "fork":
          ({ ret, err } = await this.fork(cur, op.stay));
          break;
        case "exit":
          await this.exit(cur);
          break;
        case "dump":
          if (op.all) procs = await this.dumpAll();
          break;
        case "pages":
          pages = ((await this.ask(cur, `pages ${op.addr} ${op.len}`)).pages ?? []).map(
            toPageRecord,
          );
          break;
        default:
          break;
      }
    }
    const proc = this.current ?? cur;
    const vmas = this.current === null ? [] : await this.vmasOf(this.current);
    const note = this.checker.check(op, vmas) ?? "";
    const rec: StepRecord = { step, proc, op: op.text, ret, err, note, nvma: vmas.length, vmas };
    if (procs) rec.procs = procs;
    if (pages) rec.pages = pages;
    return rec;
  }

  private async fork(cur: number, stay: boolean): Promise<{ ret: number; err: string }> {
    const reply = await this.ask(cur, "fork");
    if ((reply.ret ?? -1) < 0) return { ret: -1, err: reply.err ?? "" };
    const index = this.procs.length;
    if (reply.proc !== index) {
      throw new KernelHelperError(
        `kernel: the helper numbered the child p${reply.proc}, expected p${index}`,
      );
    }
    const parent = this.procs[cur] as Proc;
    this.procs.push({ parent: cur, alive: true, window: [...parent.window] });
    if (!stay) this.current = index;
    return { ret: index, err: "" };
  }

  /** The current process exits; the nearest live ancestor becomes current (none: no process). */
  private async exit(cur: number): Promise<void> {
    await this.ask(cur, "exit");
    const p = this.procs[cur] as Proc;
    p.alive = false;
    let up = p.parent;
    while (up !== null && !this.live(up)) up = (this.procs[up] as Proc).parent;
    this.current = up;
  }

  private async dumpAll(): Promise<ProcRecord[]> {
    const out: ProcRecord[] = [];
    for (let i = 0; i < this.procs.length; i++) {
      if (!this.live(i)) continue;
      const vmas = await this.vmasOf(i);
      out.push({ proc: i, nvma: vmas.length, vmas });
    }
    return out;
  }
}
