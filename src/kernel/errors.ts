// Errors of the real-kernel engine; each maps to exit status 2 in the CLI.

import type { SourceLocation } from "../input/ops.js";
import type { RunRecord } from "../report/record.js";

/** Base class of every kernel-engine error. `exitCode` is what the CLI should exit with. */
export class KernelError extends Error {
  readonly exitCode = 2;
  /** Records produced before the failure (header first), when the run had started. */
  records: RunRecord[] = [];

  constructor(message: string) {
    super(message);
    this.name = "KernelError";
  }
}

/** The engine cannot run here: not Linux, no C compiler, or the helper does not compile. */
export class KernelUnavailableError extends KernelError {
  constructor(message: string) {
    super(message);
    this.name = "KernelUnavailableError";
  }
}

/** An operation the real kernel cannot perform (a model-only op), or that would leave the region. */
export class KernelRefusedError extends KernelError {
  constructor(
    readonly op: string,
    readonly loc: SourceLocation,
    reason: string,
  ) {
    super(`${loc.file}:${loc.line}: ${reason}`);
    this.name = "KernelRefusedError";
  }
}

/** A scenario that cannot go on at run time, e.g. `switch` to a process that has exited. */
export class KernelScenarioError extends KernelError {
  constructor(
    readonly loc: SourceLocation,
    reason: string,
  ) {
    super(`${loc.file}:${loc.line}: ${reason}`);
    this.name = "KernelScenarioError";
  }
}

/** The run exceeded its time budget; every helper process was killed. */
export class KernelTimeoutError extends KernelError {
  constructor(message: string) {
    super(message);
    this.name = "KernelTimeoutError";
  }
}

/** The helper failed: it died, refused a command, or broke the protocol. */
export class KernelHelperError extends KernelError {
  constructor(message: string) {
    super(message);
    this.name = "KernelHelperError";
  }
}
