// Trace events and exec-time layouts as model operations (addresses are absolute: replays
// run with base 0 and a region covering the whole user address space).
// This module is browser compatible.

import type { TraceBody } from "../input/trace/events.js";
import type { MmapFlag, MremapFlag, OpBody, Prot } from "../input/ops.js";
import type { ExecLayout, TruthVma } from "./truth.js";

const MMAP_FLAGS: ReadonlySet<string> = new Set([
  "PRIVATE",
  "SHARED",
  "NORESERVE",
  "POPULATE",
  "GROWSDOWN",
  "LOCKED",
  "STACK",
]);
const PAGE = 4096;

/** mmap at the address the trace returned, as MAP_FIXED (the area was free or replaced). */
export function mmapOp(ev: Extract<TraceBody, { kind: "mmap" }>, file: string | null): OpBody {
  const flags = ev.flags
    .map((f) => (f === "SHARED_VALIDATE" ? "SHARED" : f))
    .filter((f) => MMAP_FLAGS.has(f)) as MmapFlag[];
  if (!flags.includes("SHARED") && !flags.includes("PRIVATE")) flags.push("PRIVATE");
  flags.push("FIXED");
  const anon = file === null || (file === "/dev/zero" && !flags.includes("SHARED"));
  return {
    kind: "mmap",
    addr: ev.addr,
    len: ev.len,
    prot: ev.prot,
    flags,
    file: anon ? null : { path: file, offset: ev.off - (ev.off % PAGE) },
  };
}

/** mremap to where the trace says the range went (a move as MAYMOVE|FIXED). */
export function mremapOp(ev: Extract<TraceBody, { kind: "mremap" }>): OpBody {
  const moved = ev.ret !== ev.addr || ev.flags.includes("FIXED");
  const flags: MremapFlag[] = moved
    ? ["MAYMOVE", "FIXED"]
    : ev.flags.includes("MAYMOVE")
      ? ["MAYMOVE"]
      : [];
  if (ev.flags.includes("DONTUNMAP")) flags.push("DONTUNMAP");
  return {
    kind: "mremap",
    addr: ev.addr,
    oldLen: ev.oldLen,
    newLen: ev.newLen,
    flags,
    newAddr: moved ? ev.ret : null,
  };
}

function protOf(perms: string): Prot {
  return { read: perms[0] === "r", write: perms[1] === "w", exec: perms[2] === "x" };
}

/**
 * The layout exec left (binary, interpreter, stack, vdso, vvar…) rebuilt as operations:
 * `exec`, one mapping per VMA, then a write to the pages exec itself dirtied (the stack's
 * arguments, the zeroed tail of .data): the last ANON_KB of each VMA.
 */
export function execOps(layout: ExecLayout | null): OpBody[] {
  if (!layout) return [{ kind: "exec", brk: null, stack: null }];
  const out: OpBody[] = [
    { kind: "exec", brk: layout.startBrk || null, stack: layout.startStack || null },
  ];
  for (const v of layout.vmas) {
    const body = vmaOp(v);
    if (!body) continue;
    out.push(body);
    if (v.anonKb > 0 && v.perms[1] === "w") {
      const len = Math.min(v.end - v.start, v.anonKb * 1024);
      out.push({ kind: "touch", addr: v.end - len, len, value: 1 });
    }
  }
  return out;
}

function vmaOp(v: TruthVma): OpBody | null {
  const len = v.end - v.start;
  const prot = protOf(v.perms);
  const shared = v.perms[3] === "s";
  if (v.name === "[vsyscall]") return null; // the gate area is no VMA
  if (v.name === "[stack]") {
    return {
      kind: "mmap",
      addr: v.start,
      len,
      prot,
      flags: ["PRIVATE", "FIXED", "GROWSDOWN"],
      file: null,
    };
  }
  if (v.name.startsWith("[") && v.name !== "[heap]") {
    return { kind: "special", addr: v.start, len, prot, name: v.name };
  }
  const file = v.name.startsWith("/") ? { path: v.name, offset: v.offset } : null;
  return {
    kind: "mmap",
    addr: v.start,
    len,
    prot,
    flags: [shared ? "SHARED" : "PRIVATE", "FIXED"],
    file,
  };
}
