// The explorer's alphabet: every operation it may apply, as a table of families. A family
// lists its operations over the bounds (slots, processes, depth) and says when one of them
// applies to a state: within the bounds (no third process), and able to change the state
// (the search need not try what provably changes nothing). A new scenario operation joins
// the search by adding one entry to FAMILIES. This module is browser compatible.

import { MADVICE, type Op, type OpBody, type Prot } from "../../input/ops.js";
import type { Machine } from "../../model/machine.js";
import { PAGE_SIZE } from "../../model/constants.js";
import { VM_MERGEABLE, VM_READ, VM_WRITE } from "../../model/flags.js";
import { materialize } from "../fuzz/format.js";

const P = PAGE_SIZE;
const RW: Prot = { read: true, write: true, exec: false };
const R: Prot = { read: true, write: false, exec: false };

/** The bounds of a search. */
export interface Bounds {
  /** Page-sized slots, from relative address 0. */
  slots: number;
  /** Live processes at most. */
  procs: number;
  /** Operations per sequence at most (process numbers never exceed it). */
  depth: number;
}

/** A VMA of the current process as the filters see it (relative addresses). */
export interface VmaView {
  start: number;
  end: number;
  read: boolean;
  write: boolean;
  /** vm_flags. */
  flags: number;
}

/** What a family may ask of the state it is applied to. */
export interface StateView {
  /** The current process (pN), or null. */
  current: number | null;
  /** Live process numbers, in order. */
  live: readonly number[];
  /** The current process's VMAs overlapping [start, end) (relative bytes), in address order. */
  vmas(start: number, end: number): VmaView[];
  /**
   * The current process's page-table entry at a relative address: "none", "present" or
   * "writable" (a present PTE and whether it is), else the entry's kind ("swap", "migration"…).
   */
  pte(addr: number): string;
  /** Whether the page a present PTE maps at a relative address holds data (Folio.holdsData). */
  holdsData(addr: number): boolean;
}

/** One row of the alphabet. */
export interface Family {
  /** Name for --ops (the scenario keyword it produces, or a variant of it). */
  name: string;
  /** Every operation of the family within the bounds, in a fixed order. */
  ops(b: Bounds): OpBody[];
  /**
   * False when `op` would leave the bounds (fork a process too many, switch to a dead one)
   * or provably cannot change the state `s` (a no-op, or a failure that changes nothing).
   */
  applies(op: OpBody, s: StateView, b: Bounds): boolean;
}

/** Every range of whole slots [start, end), by start then length. */
export function ranges(slots: number): Array<{ addr: number; len: number }> {
  const out: Array<{ addr: number; len: number }> = [];
  for (let s = 0; s < slots; s++) {
    for (let e = s + 1; e <= slots; e++) out.push({ addr: s * P, len: (e - s) * P });
  }
  return out;
}

/** The range an op works on, when it has one. */
function rangeOf(op: OpBody): { addr: number; len: number } | null {
  switch (op.kind) {
    case "mremap":
      return { addr: op.addr, len: op.oldLen };
    default:
      return "addr" in op && "len" in op && typeof op.len === "number"
        ? { addr: op.addr, len: op.len }
        : null;
  }
}

/** Operations on a range do nothing where the current process maps nothing. */
const onMapped = (op: OpBody, s: StateView): boolean => {
  const r = rangeOf(op);
  return r !== null && s.current !== null && s.vmas(r.addr, r.addr + r.len).length > 0;
};

/** The pages of [addr, addr + len). */
function pages(addr: number, len: number): number[] {
  const out: number[] = [];
  for (let a = addr; a < addr + len; a += P) out.push(a);
  return out;
}

/** The VMA containing the page at `addr`, if any. */
const vmaAt = (s: StateView, addr: number): VmaView | undefined => s.vmas(addr, addr + P)[0];

/**
 * mprotect walks the VMAs from the start of the range and stops with ENOMEM at the first hole
 * (at once if the range starts in one); mprotect_fixup returns at once when the new flags
 * equal the old ones. So nothing changes unless a VMA before the first hole has other
 * permissions.
 */
const changesProt = (op: OpBody, s: StateView): boolean => {
  if (op.kind !== "mprotect" || s.current === null) return false;
  let at = op.addr;
  for (const v of s.vmas(op.addr, op.addr + op.len)) {
    if (v.start > at) return false; // a hole: ENOMEM, nothing further is changed
    if (v.read !== op.prot.read || v.write !== op.prot.write) return true;
    at = v.end;
  }
  return false;
};

/**
 * A write stops at the first page it may not write (SIGSEGV: no VMA, or one without
 * VM_WRITE), and a page with a writable PTE needs no fault (handle_mm_fault is not reached).
 * So nothing changes unless a page before the first forbidden one lacks a writable PTE, or
 * has one but holds no data yet (a populated page: the store puts the first data there).
 */
const faultsWrite = (op: OpBody, s: StateView): boolean => {
  if (op.kind !== "touch" || s.current === null) return false;
  for (const a of pages(op.addr, op.len)) {
    if (vmaAt(s, a)?.write !== true) return false;
    if (s.pte(a) !== "writable" || !s.holdsData(a)) return true;
  }
  return false;
};

/** A read of a page with a present PTE needs no fault; one outside any VMA ends the access. */
const faultsRead = (op: OpBody, s: StateView): boolean =>
  op.kind === "read" &&
  s.current !== null &&
  pages(op.addr, op.len).some((a) => {
    const v = vmaAt(s, a);
    return v !== undefined && (v.read || v.write) && !isPresent(s.pte(a));
  });

const isPresent = (pte: string): boolean => pte === "present" || pte === "writable";

/** Whether some page of the op's range has a page-table entry `which` accepts. */
const somePte =
  (which: (pte: string) => boolean) =>
  (op: OpBody, s: StateView): boolean => {
    const r = rangeOf(op);
    return r !== null && s.current !== null && pages(r.addr, r.len).some((a) => which(s.pte(a)));
  };

/** madvise(MADV_MERGEABLE) changes nothing where every VMA is already VM_MERGEABLE. */
const unmergeable = (op: OpBody, s: StateView): boolean =>
  op.kind === "madvise" &&
  s.current !== null &&
  s.vmas(op.addr, op.addr + op.len).some((v) => !(v.flags & VM_MERGEABLE));

/** pin_user_pages faults the page in for writing: it fails (EFAULT) unless the VMA is writable. */
const pinnable = (op: OpBody, s: StateView): boolean =>
  op.kind === "pin" && s.current !== null && vmaAt(s, op.addr)?.write === true;

/** mapLargeFolio refuses (changing nothing) unless the range is empty and in one writable VMA. */
const largeFits = (op: OpBody, s: StateView): boolean => {
  if (op.kind !== "largefolio" || s.current === null) return false;
  const v = s.vmas(op.addr, op.addr + op.len);
  const only = v[0];
  return (
    v.length === 1 &&
    only !== undefined &&
    only.write &&
    only.start <= op.addr &&
    only.end >= op.addr + op.len &&
    pages(op.addr, op.len).every((a) => s.pte(a) === "none")
  );
};

/** Every single slot, as a range. */
const singles = (b: Bounds) => Array.from({ length: b.slots }, (_, i) => ({ addr: i * P, len: P }));

/** Every naturally aligned range of 2^n slots (n ≥ 1): where a large folio can go. */
function aligned(b: Bounds): Array<{ addr: number; len: number }> {
  const out: Array<{ addr: number; len: number }> = [];
  for (let n = 2; n <= b.slots; n *= 2) {
    for (let s = 0; s + n <= b.slots; s += n) out.push({ addr: s * P, len: n * P });
  }
  return out;
}

/**
 * mremap growing in place (no MAYMOVE) changes something only when the old range is the tail
 * of one VMA and the space after it is free (vma_expandable); otherwise EFAULT or ENOMEM.
 */
const expandable = (op: OpBody, s: StateView): boolean => {
  if (op.kind !== "mremap" || s.current === null) return false;
  const v = s.vmas(op.addr, op.addr + op.oldLen);
  const only = v[0];
  return (
    v.length === 1 &&
    only !== undefined &&
    only.start <= op.addr &&
    only.end === op.addr + op.oldLen &&
    s.vmas(op.addr + op.oldLen, op.addr + op.newLen).length === 0
  );
};

const always = (): boolean => true;

/** The alphabet. Order matters only for reproducibility (the seed shuffles it per state). */
export const FAMILIES: readonly Family[] = [
  {
    name: "mmap",
    ops: (b) =>
      ranges(b.slots).map((r) => ({ kind: "mmap", ...r, prot: RW, flags: ["FIXED"], file: null })),
    applies: always,
  },
  {
    name: "munmap",
    ops: (b) => ranges(b.slots).map((r) => ({ kind: "munmap", ...r })),
    applies: onMapped,
  },
  {
    name: "mprotect",
    ops: (b) =>
      ranges(b.slots).flatMap((r) => [
        { kind: "mprotect" as const, ...r, prot: R },
        { kind: "mprotect" as const, ...r, prot: RW },
      ]),
    applies: changesProt,
  },
  {
    // A range moved elsewhere in the region (MAYMOVE|FIXED), next to neighbours or over them.
    name: "mremap",
    ops: (b) =>
      ranges(b.slots).flatMap((r) => {
        const out: OpBody[] = [];
        for (let d = 0; d * P + r.len <= b.slots * P; d++) {
          const to = d * P;
          if (to + r.len <= r.addr || to >= r.addr + r.len) {
            out.push({
              kind: "mremap",
              addr: r.addr,
              oldLen: r.len,
              newLen: r.len,
              flags: ["MAYMOVE", "FIXED"],
              newAddr: to,
            });
          }
        }
        return out;
      }),
    applies: onMapped,
  },
  {
    // Growing in place (vma_expand into the gap after it, or failing when blocked).
    name: "mremap-grow",
    ops: (b) =>
      ranges(b.slots).flatMap((r) => {
        const out: OpBody[] = [];
        for (let n = r.len + P; r.addr + n <= b.slots * P; n += P) {
          out.push({
            kind: "mremap",
            addr: r.addr,
            oldLen: r.len,
            newLen: n,
            flags: [],
            newAddr: null,
          });
        }
        return out;
      }),
    applies: expandable,
  },
  {
    name: "touch",
    ops: (b) => ranges(b.slots).map((r) => ({ kind: "touch", ...r, value: 1 })),
    applies: faultsWrite,
  },
  {
    name: "read",
    ops: (b) => singles(b).map((r) => ({ kind: "read" as const, ...r })),
    applies: faultsRead,
  },
  {
    name: "fork",
    ops: () => [
      { kind: "fork", stay: false },
      { kind: "fork", stay: true },
    ],
    applies: (_op, s, b) => s.current !== null && s.live.length < b.procs,
  },
  {
    name: "switch",
    // A process number is at most the number of forks so far, so at most the depth.
    ops: (b) =>
      b.procs < 2
        ? []
        : Array.from({ length: b.depth + 1 }, (_, proc) => ({ kind: "switch" as const, proc })),
    applies: (op, s) => op.kind === "switch" && op.proc !== s.current && s.live.includes(op.proc),
  },
  {
    // p0 never exits: the scenario would have no process left to run.
    name: "exit",
    ops: (b) => (b.procs < 2 ? [] : [{ kind: "exit" }]),
    applies: (_op, s) => s.current !== null && s.current !== 0,
  },
  // Page states (model only): the states the reviewers worried about for relocation.
  {
    name: "swapout",
    ops: (b) =>
      singles(b).flatMap((r) => [
        { kind: "swapout" as const, ...r, cache: false },
        { kind: "swapout" as const, ...r, cache: true },
      ]),
    applies: somePte(isPresent),
  },
  {
    name: "swapin",
    ops: (b) => singles(b).map((r) => ({ kind: "swapin" as const, ...r })),
    applies: somePte((pte) => pte === "swap"),
  },
  {
    name: "migrate",
    ops: (b) => [
      ...singles(b).flatMap((r) => [
        { kind: "migrate" as const, ...r, hold: false },
        { kind: "migrate" as const, ...r, hold: true },
      ]),
      { kind: "migratefinish" as const },
    ],
    applies: (op, s) => op.kind === "migratefinish" || somePte(isPresent)(op, s),
  },
  {
    // KSM merges only in VM_MERGEABLE VMAs.
    name: "mergeable",
    ops: (b) =>
      ranges(b.slots).map((r) => ({ kind: "madvise" as const, ...r, advice: MADVICE.MERGEABLE })),
    applies: unmergeable,
  },
  {
    name: "ksm",
    ops: (b) => ranges(b.slots).map((r) => ({ kind: "ksm" as const, ...r })),
    applies: somePte(isPresent),
  },
  {
    name: "pin",
    ops: (b) => [
      ...singles(b).map((r) => ({ kind: "pin" as const, ...r })),
      ...singles(b).map((r) => ({ kind: "unpin" as const, ...r })),
    ],
    applies: (op, s) => (op.kind === "pin" ? pinnable(op, s) : somePte(isPresent)(op, s)),
  },
  {
    name: "largefolio",
    ops: (b) => aligned(b).map((r) => ({ kind: "largefolio" as const, ...r })),
    applies: largeFits,
  },
];

/** The family names, for --ops and its help. */
export const FAMILY_NAMES: readonly string[] = FAMILIES.map((f) => f.name);

/** The alphabet of one search: numbered operations with their families. */
export interface Alphabet {
  readonly ops: readonly Op[];
  readonly families: readonly Family[];
  /** ops[i] belongs to families[familyOf[i]]. */
  readonly familyOf: readonly number[];
}

/**
 * The operations of the families named `names` (all when null) within `b`, each parsed back
 * from its scenario text so it replays exactly. Throws on an unknown family name.
 */
export function buildAlphabet(b: Bounds, names: readonly string[] | null = null): Alphabet {
  const families = names === null ? FAMILIES : names.map(familyNamed);
  const bodies: OpBody[] = [];
  const familyOf: number[] = [];
  families.forEach((f, i) => {
    for (const op of f.ops(b)) {
      bodies.push(op);
      familyOf.push(i);
    }
  });
  return { ops: materialize(bodies, "explore.vms"), families, familyOf };
}

function familyNamed(name: string): Family {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f)
    throw new Error(
      `--ops: unknown operation family '${name}', choose from: ${FAMILY_NAMES.join(", ")}`,
    );
  return f;
}

/** What the families see of `m`. O(processes); each question O(log VMAs). */
export function viewOf(m: Machine): StateView {
  const k = m.kernel;
  const current = m.currentProc;
  const base = m.options.base;
  const mm = current === null ? undefined : k.procs[current]?.mm;
  return {
    current,
    live: k.procs.filter((p) => p.alive).map((p) => p.proc),
    vmas: (start, end) =>
      (mm?.vmasIn(base + start, base + end) ?? []).map((v) => ({
        start: v.start - base,
        end: v.end - base,
        read: (v.flags & VM_READ) !== 0,
        write: (v.flags & VM_WRITE) !== 0,
        flags: v.flags,
      })),
    pte: (addr) => {
      const pte = mm?.pageTable.get(base + addr);
      if (pte === undefined) return "none";
      if (pte.kind !== "present") return pte.kind;
      return pte.writable ? "writable" : "present";
    },
    holdsData: (addr) => {
      const pte = mm?.pageTable.get(base + addr);
      return pte?.kind === "present" && pte.folio.holdsData(pte.sub);
    },
  };
}

/** Indexes of the operations of `a` that may change the state viewed by `s`, in order. */
export function applicable(a: Alphabet, s: StateView, b: Bounds): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.ops.length; i++) {
    const f = a.families[a.familyOf[i] as number] as Family;
    if (f.applies(a.ops[i] as Op, s, b)) out.push(i);
  }
  return out;
}
