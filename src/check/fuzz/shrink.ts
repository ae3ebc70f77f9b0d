// Shrinks a failing operation list to a small one that still fails: delta debugging (remove
// chunks, then single ops), then operand simplification (shorter ranges, fewer flags, addresses
// moved toward 0). Deterministic, and bounded by a budget of predicate calls.
// This module is browser compatible.

import type { Op, OpBody } from "../../input/ops.js";
import { PAGE_SIZE } from "../../input/scenario.js";
import { bodyOf, materialize } from "./format.js";

const P = PAGE_SIZE;

/** "Does this op list still fail?" A candidate the engines refuse must answer false. */
export type ShrinkPredicate = (ops: Op[]) => Promise<boolean> | boolean;

export interface ShrinkOptions {
  /** Most predicate calls to make (the result is the smallest failing list found by then). */
  maxCalls: number;
  /** File name put in the candidates' `loc`. */
  file: string;
  /** Called after each accepted simplification with the current size and calls made. */
  onProgress?: (ops: number, calls: number) => void;
}

export const DEFAULT_SHRINK_OPTIONS: Readonly<ShrinkOptions> = {
  maxCalls: 400,
  file: "shrunk.vms",
};

export interface ShrinkResult {
  /** The smallest failing list found (the input itself if nothing smaller failed). */
  ops: Op[];
  /** Predicate calls made. */
  calls: number;
  /** Whether shrinking stopped because the budget ran out (the result may not be minimal). */
  exhausted: boolean;
}

class Budget extends Error {}

/**
 * Shrinks `ops`, which must fail (`predicate(ops)` true; not re-checked). Each candidate is
 * printed and re-parsed (`materialize`), so the result is a valid scenario.
 * O(maxCalls × cost of the predicate).
 */
export async function shrink(
  ops: readonly Op[],
  predicate: ShrinkPredicate,
  options: Partial<ShrinkOptions> = {},
): Promise<ShrinkResult> {
  const o = { ...DEFAULT_SHRINK_OPTIONS, ...options };
  let best: OpBody[] = ops.map(bodyOf);
  let calls = 0;
  const tried = new Set<string>();

  /** Tries a candidate; adopts it when it still fails. */
  const attempt = async (candidate: OpBody[]): Promise<boolean> => {
    const parsed = materialize(candidate, o.file);
    const key = parsed.map((op) => op.text).join("\n");
    if (tried.has(key)) return false;
    tried.add(key);
    if (calls >= o.maxCalls) throw new Budget();
    calls++;
    if (!(await predicate(parsed))) return false;
    best = candidate;
    o.onProgress?.(best.length, calls);
    return true;
  };

  try {
    let changed = true;
    while (changed) {
      changed = false;
      if (await removeChunks(() => best, attempt)) changed = true;
      if (await unmove(() => best, attempt)) changed = true;
      if (await simplifyOperands(() => best, attempt)) changed = true;
      if (await translate(() => best, attempt)) changed = true;
    }
    return { ops: materialize(best, o.file), calls, exhausted: false };
  } catch (e) {
    if (e instanceof Budget) return { ops: materialize(best, o.file), calls, exhausted: true };
    throw e;
  }
}

type Attempt = (candidate: OpBody[]) => Promise<boolean>;

/** Delta debugging's complement step: remove chunks of halving size, down to single ops. */
async function removeChunks(current: () => OpBody[], attempt: Attempt): Promise<boolean> {
  let any = false;
  let size = Math.max(1, Math.floor(current().length / 2));
  for (;;) {
    let i = 0;
    while (i < current().length) {
      const ops = current();
      if (ops.length <= 1) return any;
      const candidate = [...ops.slice(0, i), ...ops.slice(i + size)];
      if (await attempt(candidate)) any = true;
      else i += size;
    }
    if (size === 1) return any;
    size = Math.max(1, Math.floor(size / 2));
  }
}

/**
 * Removes an mremap move and redirects later addresses inside its destination back to its
 * source, as if the range had stayed where it was (plain removal would leave later ops aiming
 * at nothing).
 */
async function unmove(current: () => OpBody[], attempt: Attempt): Promise<boolean> {
  let any = false;
  for (let i = current().length - 1; i >= 0; i--) {
    const ops = current();
    const op = ops[i];
    if (!op || op.kind !== "mremap" || op.newAddr === null) continue;
    const { addr, newAddr, newLen } = op;
    const back = (a: number) => (a >= newAddr && a < newAddr + newLen ? a - newAddr + addr : a);
    const candidate = [...ops.slice(0, i), ...ops.slice(i + 1).map((o) => mapAddresses(o, back))];
    if (await attempt(candidate)) any = true;
  }
  return any;
}

/** Simpler versions of one op, simplest first. */
export function simplifications(op: OpBody): OpBody[] {
  const out: OpBody[] = [];
  const lens = (len: number): number[] => {
    const pages = Math.ceil(len / P);
    const c = new Set<number>();
    if (pages > 1) {
      c.add(P);
      c.add(Math.floor(pages / 2) * P);
      c.add((pages - 1) * P);
    }
    if (len % P !== 0 && len > P) c.add(Math.ceil(len / P) * P);
    c.delete(len);
    return [...c];
  };
  switch (op.kind) {
    case "mmap":
      for (const f of op.flags)
        if (f !== "FIXED") out.push({ ...op, flags: op.flags.filter((x) => x !== f) });
      if (!(op.prot.read && op.prot.write && !op.prot.exec)) {
        out.push({ ...op, prot: { read: true, write: true, exec: false } });
      }
      for (const len of lens(op.len)) out.push({ ...op, len });
      if (op.flags.includes("FIXED"))
        out.push({ ...op, flags: op.flags.filter((x) => x !== "FIXED") });
      break;
    case "munmap":
    case "mprotect":
    case "madvise":
    case "mlock":
    case "munlock":
    case "read":
    case "pages":
    case "name":
    case "touch": {
      for (const len of lens(op.len)) {
        out.push({ ...op, len });
        // The same length at the end of the range.
        const end = op.addr + op.len;
        if (end - len >= 0 && op.len % P === 0) out.push({ ...op, addr: end - len, len });
      }
      if (op.kind === "touch" && op.value !== 1) out.push({ ...op, value: 1 });
      break;
    }
    case "mremap": {
      for (const f of op.flags) {
        if (f === "DONTUNMAP") out.push({ ...op, flags: op.flags.filter((x) => x !== f) });
      }
      if (op.oldLen === op.newLen) {
        for (const len of lens(op.oldLen)) out.push({ ...op, oldLen: len, newLen: len });
      } else {
        for (const len of lens(op.oldLen)) out.push({ ...op, oldLen: len });
        for (const len of lens(op.newLen)) out.push({ ...op, newLen: len });
      }
      break;
    }
    case "fork":
      if (op.stay) out.push({ kind: "fork", stay: false });
      break;
    default:
      break;
  }
  return out;
}

/** Tries each op's simplifications in turn, keeping those that still fail. */
async function simplifyOperands(current: () => OpBody[], attempt: Attempt): Promise<boolean> {
  let any = false;
  for (let i = 0; i < current().length; i++) {
    let progress = true;
    while (progress) {
      progress = false;
      const ops = current();
      for (const s of simplifications(ops[i] as OpBody)) {
        if (await attempt([...ops.slice(0, i), s, ...ops.slice(i + 1)])) {
          any = progress = true;
          break;
        }
      }
    }
  }
  return any;
}

/** The addresses an op mentions (not lengths). */
function addressesOf(op: OpBody): number[] {
  switch (op.kind) {
    case "mmap":
    case "munmap":
    case "mprotect":
    case "touch":
    case "read":
    case "madvise":
    case "mlock":
    case "munlock":
    case "name":
    case "pages":
    case "expectvma":
    case "brk":
    case "special":
      return [op.addr];
    case "mremap":
      return op.newAddr === null ? [op.addr] : [op.addr, op.newAddr];
    case "window":
      return op.len === null ? [] : [op.start];
    case "expectvmas":
      return op.ranges.flatMap(([s, e]) => [s, e]);
    default:
      return [];
  }
}

/** An op with every address lowered by `delta` bytes. */
export function shiftOp(op: OpBody, delta: number): OpBody {
  return mapAddresses(op, (a) => a - delta);
}

/** Moves the whole scenario toward address 0 (relations between addresses kept), then closes big gaps. */
async function translate(current: () => OpBody[], attempt: Attempt): Promise<boolean> {
  const addrs = current().flatMap(addressesOf);
  if (addrs.length === 0) return false;
  const low = Math.floor(Math.min(...addrs) / P) * P;
  let any = false;
  if (low > 0 && (await attempt(current().map((op) => shiftOp(op, low))))) any = true;
  // Shift everything at or above each distinct address down by half the gap below it.
  const points = [...new Set(current().flatMap(addressesOf))].sort((a, b) => a - b);
  for (let i = 1; i < points.length; i++) {
    const gap = Math.floor(((points[i] as number) - (points[i - 1] as number)) / P / 2) * P;
    if (gap < P) continue;
    const at = points[i] as number;
    const moved = current().map((op) => shiftAbove(op, at, gap));
    if (await attempt(moved)) any = true;
  }
  return any;
}

/** Lowers by `delta` every address of `op` that is ≥ `at`; leaves lower addresses alone. */
function shiftAbove(op: OpBody, at: number, delta: number): OpBody {
  return mapAddresses(op, (a) => (a >= at ? a - delta : a));
}

/** `op` with every address (not length) passed through `f`. */
function mapAddresses(op: OpBody, f: (a: number) => number): OpBody {
  switch (op.kind) {
    case "mremap":
      return { ...op, addr: f(op.addr), newAddr: op.newAddr === null ? null : f(op.newAddr) };
    case "window":
      return op.len === null ? op : { ...op, start: f(op.start) };
    case "expectvmas":
      return { ...op, ranges: op.ranges.map(([s, e]) => [f(s), f(e)] as [number, number]) };
    default: {
      const addrs = addressesOf(op);
      if (addrs.length === 0) return op;
      return { ...op, addr: f(addrs[0] as number) } as OpBody;
    }
  }
}
