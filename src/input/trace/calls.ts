// From one completed system call (name, arguments, return value), as either tracer prints
// it, to a trace event. Arguments are read by perf's name or strace's position.
// This module is browser compatible.

import type { SpawnKind, TraceBody } from "./events.js";
import { markerAt } from "./events.js";
import {
  flagNames,
  leadingInt,
  mmapFlags,
  mremapFlags,
  parseAdvice,
  parseInt0x,
  parseProt,
  PR_SET_VMA,
} from "./values.js";

/** One completed call: `args` by perf's key or strace's position; `ret` as printed. */
export interface Call {
  name: string;
  /** The argument at position `pos` (strace) or named `key` (perf); undefined if absent. */
  arg(pos: number, key: string): string | undefined;
  ret: string;
}

/** Thrown for a call whose arguments cannot be read; the parser reports the line. */
export class BadCall extends Error {}

/** Calls that create tasks, and the spawn kind their name alone implies. */
const SPAWNS: Record<string, SpawnKind | null> = {
  fork: "fork",
  vfork: "vfork",
  clone: null,
  clone3: null,
};

/** Calls replayed as `unsupported`: they change memory in ways the model cannot replay. */
const UNSUPPORTED = new Set(["mlockall", "munlockall", "remap_file_pages", "pkey_mprotect"]);

/** Calls that hand out a new file descriptor in their return value. */
const OPENS = new Set([
  "open",
  "openat",
  "openat2",
  "dup",
  "dup2",
  "dup3",
  "memfd_create",
  "creat",
]);

/**
 * The event of `call`, or null for a call that failed or does not matter. `fileOf` names
 * the file behind a file descriptor argument (`3</lib/x.so>` under strace -y).
 */
export function callEvent(call: Call, fileOf: (fdArg: string) => string | null): TraceBody | null {
  const ret = call.ret.trim();
  const failed = ret.startsWith("-") || ret === "";
  const num = (pos: number, key: string, dflt?: number): number => {
    const text = call.arg(pos, key);
    if (text === undefined || text === "NULL") {
      if (dflt !== undefined || text === "NULL") return dflt ?? 0;
      throw new BadCall(`${call.name}: argument '${key}' is missing`);
    }
    const v = parseInt0x(text.replace(/<.*>$/, ""));
    if (v === null) throw new BadCall(`${call.name}: argument '${key}' is not a number: ${text}`);
    return v;
  };
  const retNum = (): number => {
    const v = leadingInt(ret);
    if (v === null) throw new BadCall(`${call.name}: return value is not a number: ${ret}`);
    return v;
  };
  const prot = (pos: number, key: string) => {
    const p = parseProt(call.arg(pos, key));
    if (!p) throw new BadCall(`${call.name}: bad protection ${call.arg(pos, key)}`);
    return p;
  };
  const name = call.name;
  if (name === "munmap" && failed) {
    const m = markerAt(num(0, "addr", 0), num(1, "len", 0));
    return m ? { kind: "marker", ...m } : null;
  }
  if (name === "exit" || name === "exit_group")
    return { kind: "exit", group: name === "exit_group" };
  if (failed) return null;
  switch (name) {
    case "mmap": {
      const fdText = call.arg(4, "fd");
      const flags = mmapFlags(call.arg(3, "flags") ?? "");
      const anon = flags.includes("ANONYMOUS") || fdText === undefined || num(4, "fd", -1) < 0;
      return {
        kind: "mmap",
        addr: retNum(),
        len: num(1, "len"),
        prot: prot(2, "prot"),
        flags,
        file: anon ? null : fileOf(fdText as string),
        off: num(5, "off", 0),
      };
    }
    case "munmap":
      return { kind: "munmap", addr: num(0, "addr", 0), len: num(1, "len", 0) };
    case "mprotect":
      return {
        kind: "mprotect",
        addr: num(0, "start", 0),
        len: num(1, "len", 0),
        prot: prot(2, "prot"),
      };
    case "mremap":
      return {
        kind: "mremap",
        addr: num(0, "addr", 0),
        oldLen: num(1, "old_len", 0),
        newLen: num(2, "new_len", 0),
        flags: mremapFlags(call.arg(3, "flags")),
        ret: retNum(),
      };
    case "madvise": {
      const advice = parseAdvice(call.arg(2, "behavior"));
      if (advice === null) throw new BadCall(`madvise: unknown advice ${call.arg(2, "behavior")}`);
      return { kind: "madvise", addr: num(0, "start", 0), len: num(1, "len_in", 0), advice };
    }
    case "brk":
      return { kind: "brk", ret: retNum() };
    case "mlock":
    case "mlock2":
    case "munlock":
      return {
        kind: name === "munlock" ? "munlock" : "mlock",
        addr: num(0, "start", 0),
        len: num(1, "len", 0),
      };
    case "prctl": {
      const opt = call.arg(0, "option");
      if (opt !== "PR_SET_VMA" && parseInt0x(opt ?? "") !== PR_SET_VMA) return null;
      return { kind: "name", addr: num(2, "arg3", 0), len: num(3, "arg4", 0) };
    }
    case "execve":
    case "execveat":
      return { kind: "exec" };
    default:
      if (name in SPAWNS) {
        const child = retNum();
        // the child's own return (0, or empty) says nothing: the parent's names the child
        return child > 0 ? { kind: "spawn", child, spawn: spawnKind(call) } : null;
      }
      if (OPENS.has(name)) return { kind: "open", fd: retNum() };
      if (UNSUPPORTED.has(name)) return { kind: "unsupported", name };
      return null;
  }
}

/** The spawn kind of fork/vfork/clone from its flags; null when hidden (perf's clone3). */
function spawnKind(call: Call): SpawnKind | null {
  const fixed = SPAWNS[call.name];
  if (fixed) return fixed;
  // perf: clone_flags: VM|THREAD|…; strace: flags=CLONE_VM|…, or clone3({flags=…}, size)
  let text = call.arg(-1, "clone_flags") ?? call.arg(-1, "flags");
  if (text === undefined && call.name === "clone3") {
    text = /flags=([^,}]*)/.exec(call.arg(0, "uargs") ?? "")?.[1];
  }
  if (text === undefined) return null;
  const names = flagNames(text, "CLONE_");
  if (!names.includes("VM")) return "fork";
  return names.includes("THREAD") ? "thread" : "vfork";
}
