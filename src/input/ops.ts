// The operation stream: what every input (scenario text, traces, fuzzers) turns into
// and what every engine (model, real kernel) consumes. This module is browser compatible.

/** Where an operation came from, for error messages and reports. */
export interface SourceLocation {
  file: string;
  line: number;
}

/** mmap(2) flags the scenario language can spell. */
export type MmapFlag =
  | "PRIVATE"
  | "SHARED"
  | "FIXED"
  | "NOREPLACE"
  | "NORESERVE"
  | "POPULATE"
  | "GROWSDOWN"
  | "LOCKED"
  | "STACK";

/** mremap(2) flags. */
export type MremapFlag = "MAYMOVE" | "FIXED" | "DONTUNMAP";

/**
 * The file behind a file-backed mmap (model only): files are told apart by path, and
 * `offset` is the byte offset of the mapping in the file (page aligned).
 */
export interface FileRef {
  path: string;
  offset: number;
}

/** Protection bits, as a subset of r/w/x. */
export interface Prot {
  read: boolean;
  write: boolean;
  exec: boolean;
}

/** madvise advice names the language accepts, with their Linux values. */
export const MADVICE = {
  NORMAL: 0,
  RANDOM: 1,
  SEQUENTIAL: 2,
  WILLNEED: 3,
  DONTNEED: 4,
  FREE: 8,
  REMOVE: 9,
  DONTFORK: 10,
  DOFORK: 11,
  MERGEABLE: 12,
  UNMERGEABLE: 13,
  HUGEPAGE: 14,
  NOHUGEPAGE: 15,
  DONTDUMP: 16,
  DODUMP: 17,
  WIPEONFORK: 18,
  KEEPONFORK: 19,
  COLD: 20,
  PAGEOUT: 21,
  POPULATE_READ: 22,
  POPULATE_WRITE: 23,
  COLLAPSE: 25,
  GUARD_INSTALL: 102,
  GUARD_REMOVE: 103,
} as const;
export type MadviceName = keyof typeof MADVICE;

/**
 * One operation. Addresses are relative to the test region's base, in bytes; lengths in
 * bytes. `text` is the operation as written (normalised whitespace), echoed in records.
 */
export type Op = OpBody & { text: string; loc: SourceLocation };

export type OpBody =
  | { kind: "mmap"; addr: number; len: number; prot: Prot; flags: MmapFlag[]; file: FileRef | null }
  | { kind: "munmap"; addr: number; len: number }
  | { kind: "mprotect"; addr: number; len: number; prot: Prot }
  | {
      kind: "mremap";
      addr: number;
      oldLen: number;
      newLen: number;
      flags: MremapFlag[];
      newAddr: number | null;
    }
  | { kind: "touch"; addr: number; len: number; value: number }
  | { kind: "read"; addr: number; len: number }
  | { kind: "madvise"; addr: number; len: number; advice: number }
  | { kind: "mlock"; addr: number; len: number }
  | { kind: "munlock"; addr: number; len: number }
  | { kind: "name"; addr: number; len: number; name: string | null }
  | { kind: "fork"; stay: boolean }
  | { kind: "switch"; proc: number }
  | { kind: "exit" }
  | { kind: "vfork" }
  | { kind: "exec"; brk: number | null; stack: number | null }
  | { kind: "brk"; addr: number }
  | { kind: "special"; addr: number; len: number; prot: Prot; name: string }
  // page states (model only): see docs/scenario-language.md
  | { kind: "swapout"; addr: number; len: number; cache: boolean }
  | { kind: "swapin"; addr: number; len: number }
  | { kind: "migrate"; addr: number; len: number; hold: boolean }
  | { kind: "migratefinish" }
  | { kind: "ksm"; addr: number; len: number }
  | { kind: "pin"; addr: number; len: number }
  | { kind: "unpin"; addr: number; len: number }
  | { kind: "largefolio"; addr: number; len: number }
  | { kind: "window"; start: number; len: number | null } // len null: the whole region
  | { kind: "dump"; all: boolean }
  | { kind: "pages"; addr: number; len: number }
  | { kind: "expect"; count: number }
  | { kind: "expectvmas"; ranges: Array<[number, number]> }
  | { kind: "expectvma"; addr: number; checks: VmaCheck[] }
  | { kind: "echo"; message: string };

/**
 * One assertion of `expectvma ADDR key=value…` on the VMA containing ADDR. `model` keys
 * (pgoff, anon, chain) assert what only the model can see; the kernel engine skips them.
 */
export type VmaCheck =
  | { key: "none" }
  | { key: "start" | "end" | "rss" | "pgoff" | "chain"; value: number }
  | { key: "perms" | "flags" | "anon"; value: string };

export const MODEL_ONLY_CHECKS: ReadonlySet<VmaCheck["key"]> = new Set(["pgoff", "anon", "chain"]);

/** Operations whose outcome is a syscall return (ret/err), as opposed to reporting ops. */
export function isSyscallOp(op: OpBody): boolean {
  switch (op.kind) {
    case "window":
    case "dump":
    case "pages":
    case "expect":
    case "expectvmas":
    case "expectvma":
    case "echo":
    case "switch":
      return false;
    default:
      return true;
  }
}
