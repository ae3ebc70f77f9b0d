// Trace events: what the perf-trace and strace parsers turn each line into, per task, and
// what the replay translates into model operations. Only calls that succeeded become
// events (a failed mmap changed nothing), except the capture's clock markers, which fail
// on purpose. This module is browser compatible.

import type { Prot } from "../ops.js";

/** How a new task relates to its parent's address space. */
export type SpawnKind =
  | "fork" // no CLONE_VM: a copy of the mm (dup_mmap)
  | "vfork" // CLONE_VM without CLONE_THREAD: shares the mm until it execs or exits
  | "thread"; // CLONE_VM|CLONE_THREAD: shares the mm and the thread group

export type TraceBody =
  | {
      kind: "mmap";
      /** The address the call returned. */
      addr: number;
      len: number;
      prot: Prot;
      /** MAP_* names without the prefix, as the trace spelt them. */
      flags: string[];
      /** A file-backed mapping's file: its path (strace -y) or `fd:N` (perf); null if anonymous. */
      file: string | null;
      off: number;
    }
  | { kind: "munmap"; addr: number; len: number }
  | { kind: "mprotect"; addr: number; len: number; prot: Prot }
  | {
      kind: "mremap";
      addr: number;
      oldLen: number;
      newLen: number;
      flags: string[];
      /** The address the call returned. */
      ret: number;
    }
  | { kind: "madvise"; addr: number; len: number; advice: number }
  /** brk's return value: the break after the call (the old one when it failed). */
  | { kind: "brk"; ret: number }
  | { kind: "mlock" | "munlock"; addr: number; len: number }
  /** prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME): the name itself is not in the trace. */
  | { kind: "name"; addr: number; len: number }
  /** A file descriptor that now names a new open file (open, openat, dup…). */
  | { kind: "open"; fd: number }
  /** fork/vfork/clone/clone3 in the parent; `spawn` null when the trace hides the flags (clone3). */
  | { kind: "spawn"; child: number; spawn: SpawnKind | null }
  | { kind: "exec" }
  /** exit (this task) or exit_group (the whole thread group). */
  | { kind: "exit"; group: boolean }
  | { kind: "fault"; addr: number; write: boolean }
  /** A capture's clock marker: the sampler began (or ended) ground-truth sample `id`. */
  | { kind: "marker"; id: number; begin: boolean }
  /** A memory call the model cannot replay (mlockall…), counted and reported. */
  | { kind: "unsupported"; name: string };

export type TraceEvent = TraceBody & {
  /** Milliseconds on the trace's clock at syscall entry (the fault, for faults). */
  time: number;
  /** How long the call took, in ms (0 when unknown or for faults). */
  dur: number;
  tid: number;
  /** Line of the trace the event was completed on (1-based). */
  line: number;
};

/** A line a parser could not understand: reported with its number, then skipped. */
export interface TraceProblem {
  line: number;
  message: string;
  text: string;
}

/** What every trace parser offers: feed lines in order, collect events and problems. */
export interface TraceParser {
  /** Parses line `lineNo` (1-based); returns the events it completes (often none). */
  push(text: string, lineNo: number): TraceEvent[];
  /** Problems found so far (malformed or truncated lines). */
  readonly problems: TraceProblem[];
}

/**
 * Clock markers (see src/capture): the sampler calls munmap(MARKER_BASE + 2·id·4096, 0),
 * which fails with EINVAL, before sample `id`, and with 2·id+1 after it.
 */
export const MARKER_BASE = 0x5a5a00000000;
const MARKER_SPAN = 0x100000000;

/** The marker a failed zero-length munmap at `addr` stands for, or null. */
export function markerAt(addr: number, len: number): { id: number; begin: boolean } | null {
  if (len !== 0 || addr < MARKER_BASE || addr >= MARKER_BASE + MARKER_SPAN) return null;
  const n = (addr - MARKER_BASE) / 4096;
  if (!Number.isInteger(n)) return null;
  return { id: Math.floor(n / 2), begin: n % 2 === 0 };
}
