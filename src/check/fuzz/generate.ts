// Random scenarios biased toward merge decisions, for differential fuzzing of the model against
// the real kernel. Everything happens in a small region of page-granular slots; the generator keeps
// a rough shadow of each process's mappings (its own, not the model's, so a seed means the same
// scenario whatever the model does) and places operations where VMAs meet: mappings next to
// mappings, gaps filled exactly, moves next to neighbours and back, attribute changes that split
// and restore, forks in between, and a sprinkling of calls that must fail.
// This module is browser compatible: no I/O, no ambient randomness (see prng.ts).

import type { MmapFlag, MremapFlag, Op, OpBody, Prot } from "../../input/ops.js";
import { MADVICE } from "../../input/ops.js";
import { PAGE_SIZE } from "../../input/scenario.js";
import { PTRS_PER_PTE } from "../../model/constants.js";
import { materialize } from "./format.js";
import { Prng } from "./prng.js";

const P = PAGE_SIZE;

/** Knobs of the generator; every field has a default (see DEFAULT_GENERATE_OPTIONS). */
export interface GenerateOptions {
  /** Operations per scenario, `dumpall`s included. */
  steps: number;
  /** Size of the region used, in pages, starting at relative address 0. */
  slots: number;
  /** Live processes at most (p0 included). */
  maxProcs: number;
  /** A `dumpall` about every this many steps (and always one at the end); 0: only at the end. */
  dumpEvery: number;
  /** Probability that an operation is deliberately malformed (unaligned, zero length, bad flags…). */
  failing: number;
  /** Relative weight of `read` among the operations (reads are kept rare). */
  readWeight: number;
  /**
   * What not to generate, case-insensitive: operation kinds (`mlock` covers munlock, `mremap`,
   * `fork`…, `pagestate` every page-state operation), page-state operations (`swapout`,
   * `migrate` with migratefinish, `pin` with unpin…), madvise advice names (`GUARD_INSTALL`),
   * mmap flags (`LOCKED`, `SHARED`…) and `DONTUNMAP`. For steering a campaign away from a
   * finding already known.
   */
  avoid: readonly string[];
  /** File name put in each op's `loc`. */
  file: string;
  /**
   * Also generate the model-only page-state operations (swapout, swapin, migrate, ksm, pin,
   * unpin, largefolio): for campaigns against the invariants, never against the kernel.
   */
  pageStates: boolean;
  /**
   * Transparent huge pages: MADV_HUGEPAGE and MADV_COLLAPSE among the advice, and some
   * mappings and lengths of 512 or 1,024 pages (needs at least 2,048 slots to matter).
   */
  hugePages: boolean;
}

export const DEFAULT_GENERATE_OPTIONS: Readonly<GenerateOptions> = {
  steps: 100,
  slots: 64,
  maxProcs: 4,
  dumpEvery: 16,
  failing: 0.06,
  readWeight: 1.5,
  avoid: [],
  file: "fuzz.vms",
  pageStates: false,
  hugePages: false,
};

/** One page slot of the shadow: which mapping it came from and its protection (null: unmapped). */
interface Cell {
  id: number;
  prot: string;
  /** MAP_SHARED: shmem, whose collapse (collapse_file) the model leaves out. */
  shared: boolean;
}

interface ProcShadow {
  parent: number | null;
  alive: boolean;
  cells: Array<Cell | null>;
}

/** A maximal run of slots with the same mapping and protection: roughly a VMA. */
interface Segment {
  start: number; // slot
  end: number; // slot, exclusive
  prot: string;
}

/** A half-open range of slots. */
interface Range {
  start: number;
  end: number;
}

/** A past mremap move, so that moving back to the original place can be tried. */
interface Move {
  proc: number;
  from: number;
  to: number;
  len: number;
}

const CATEGORIES = [
  "mmap",
  "munmap",
  "mprotect",
  "touch",
  "read",
  "madvise",
  "mlock",
  "mremap",
  "fork",
  "switch",
  "exit",
  "pages",
  "name",
  "pagestate",
] as const;

type Category = (typeof CATEGORIES)[number];

/** The mmap flags the generator may add besides FIXED and NOREPLACE (each can be avoided). */
const OPTIONAL_MMAP_FLAGS = ["SHARED", "NORESERVE", "POPULATE", "LOCKED", "GROWSDOWN"] as const;

const PROTS: ReadonlyArray<readonly [string, number]> = [
  ["rw", 10],
  ["r", 3],
  ["none", 1.5],
  ["rwx", 0.7],
];

function prot(s: string): Prot {
  return { read: s.includes("r"), write: s.includes("w"), exec: s.includes("x") };
}

type PageStateKind = Extract<
  OpBody["kind"],
  "swapout" | "swapin" | "migrate" | "migratefinish" | "ksm" | "pin" | "unpin" | "largefolio"
>;

/** The page-state operations with weights. */
const PAGE_STATES: ReadonlyArray<readonly [PageStateKind, number]> = [
  ["swapout", 3],
  ["swapin", 2],
  ["migrate", 3],
  ["migratefinish", 2],
  ["ksm", 2],
  ["pin", 1],
  ["unpin", 1],
  ["largefolio", 2],
];

/** A page-state operation's name as `avoid` spells it: PIN covers unpin, MIGRATE migratefinish. */
const pageStateName = (k: PageStateKind) =>
  k === "unpin" ? "PIN" : k === "migratefinish" ? "MIGRATE" : k.toUpperCase();

/** MADV_DONTNEED_LOCKED (5.18+): the language has no name for it, so it is spelled as a number. */
const MADV_DONTNEED_LOCKED = 24;

/** madvise advice with weights: the flag-changing ones (which split and re-merge) first. */
const ADVICE: ReadonlyArray<readonly [number, number]> = [
  [MADVICE.DONTFORK, 5],
  [MADVICE.DOFORK, 4],
  [MADVICE.WIPEONFORK, 4],
  [MADVICE.KEEPONFORK, 3],
  [MADVICE.MERGEABLE, 2],
  [MADVICE.UNMERGEABLE, 1.5],
  [MADVICE.NORMAL, 3],
  [MADVICE.RANDOM, 3],
  [MADVICE.SEQUENTIAL, 3],
  [MADVICE.DONTDUMP, 2],
  [MADVICE.DODUMP, 1.5],
  [MADVICE.NOHUGEPAGE, 1],
  [MADVICE.DONTNEED, 4],
  [MADVICE.FREE, 2],
  [MADVICE.WILLNEED, 1.5],
  [MADVICE.COLD, 1.5],
  [MADVICE.PAGEOUT, 1.5],
  [MADVICE.POPULATE_WRITE, 1.5],
  [MADVICE.POPULATE_READ, 0.5],
  [MADVICE.REMOVE, 0.5],
  [MADVICE.GUARD_INSTALL, 0.7],
  [MADVICE.GUARD_REMOVE, 0.7],
  [MADV_DONTNEED_LOCKED, 0.5],
];

/** The advice added with `hugePages`: THP for the VMA, and synchronous collapse into THPs. */
const HUGE_PAGE_ADVICE: ReadonlyArray<readonly [number, number]> = [
  [MADVICE.HUGEPAGE, 8],
  [MADVICE.COLLAPSE, 2],
];

const ADVICE_NAMES = new Map<number, string>(Object.entries(MADVICE).map(([k, v]) => [v, k]));

/** An advice's name as `avoid` spells it: the language's name, else its number. */
const adviceName = (a: number) => ADVICE_NAMES.get(a) ?? String(a);

/** Every name `GenerateOptions.avoid` understands, upper case. */
export const AVOIDABLE: readonly string[] = [
  ...CATEGORIES.map((c) => c.toUpperCase()),
  ...[...ADVICE, ...HUGE_PAGE_ADVICE].map(([a]) => adviceName(a)),
  ...new Set(PAGE_STATES.map(([k]) => pageStateName(k))),
  ...OPTIONAL_MMAP_FLAGS,
  "DONTUNMAP",
];

/** The scenario generator for one seed. */
class Generator {
  private readonly rng: Prng;
  private readonly ops: OpBody[] = [];
  private readonly procs: ProcShadow[];
  private current = 0;
  private nextId = 1;
  private readonly moves: Move[] = [];
  /** Per-scenario personality: how often NORESERVE is used, and weight multipliers. */
  private readonly noreserve: number;
  private readonly bias: Record<Category, number>;
  private sinceDump = 0;
  private readonly avoid: ReadonlySet<string>;
  private readonly advice: ReadonlyArray<readonly [number, number]>;
  private readonly pageStates: ReadonlyArray<readonly [PageStateKind, number]>;

  constructor(
    seed: number,
    private readonly o: GenerateOptions,
  ) {
    this.rng = new Prng(seed);
    this.avoid = new Set(o.avoid.map((a) => a.toUpperCase()));
    const advice = o.hugePages ? [...ADVICE, ...HUGE_PAGE_ADVICE] : ADVICE;
    this.advice = advice.filter(([a]) => !this.avoid.has(adviceName(a)));
    this.pageStates = PAGE_STATES.filter(([k]) => !this.avoid.has(pageStateName(k)));
    this.procs = [{ parent: null, alive: true, cells: new Array<Cell | null>(o.slots).fill(null) }];
    this.noreserve = this.rng.pick([0.03, 0.3, 0.9]);
    const m = () => this.rng.pick([0.4, 1, 1, 2]);
    this.bias = {
      mmap: m(),
      munmap: m(),
      mprotect: m(),
      touch: m(),
      read: 1,
      madvise: m(),
      mlock: m(),
      mremap: m(),
      fork: m(),
      switch: 1,
      exit: 1,
      pages: 1,
      name: 1,
      pagestate: 1,
    };
  }

  generate(): OpBody[] {
    const { steps, dumpEvery } = this.o;
    while (this.ops.length < steps - 1) {
      if (dumpEvery > 0 && this.sinceDump >= dumpEvery / 2 && this.rng.chance(2 / dumpEvery)) {
        this.emit({ kind: "dump", all: true });
        this.sinceDump = 0;
        continue;
      }
      this.step();
    }
    if (steps > 0) this.emit({ kind: "dump", all: true });
    return this.ops.slice(0, steps);
  }

  private emit(op: OpBody): void {
    this.ops.push(op);
    this.sinceDump++;
  }

  // ---- the shadow --------------------------------------------------------------------------

  private get cells(): Array<Cell | null> {
    return (this.procs[this.current] as ProcShadow).cells;
  }

  private live(): number[] {
    const out: number[] = [];
    this.procs.forEach((p, i) => p.alive && out.push(i));
    return out;
  }

  private segments(): Segment[] {
    const out: Segment[] = [];
    const c = this.cells;
    let i = 0;
    while (i < c.length) {
      const cell = c[i];
      if (!cell) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < c.length && c[j]?.id === cell.id && c[j]?.prot === cell.prot) j++;
      out.push({ start: i, end: j, prot: cell.prot });
      i = j;
    }
    return out;
  }

  private gaps(): Range[] {
    const out: Range[] = [];
    const c = this.cells;
    let i = 0;
    while (i < c.length) {
      if (c[i]) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < c.length && !c[j]) j++;
      out.push({ start: i, end: j });
      i = j;
    }
    return out;
  }

  private mappedCount(): number {
    return this.cells.reduce((n, c) => n + (c ? 1 : 0), 0);
  }

  private isFree(r: Range): boolean {
    for (let i = r.start; i < r.end; i++) if (this.cells[i]) return false;
    return true;
  }

  private setCells(r: Range, make: (i: number) => Cell | null): void {
    const c = this.cells;
    for (let i = Math.max(0, r.start); i < Math.min(c.length, r.end); i++) c[i] = make(i);
  }

  // ---- range choices -----------------------------------------------------------------------

  private clampRange(start: number, len: number): Range {
    const s = Math.max(0, Math.min(start, this.o.slots - 1));
    return { start: s, end: Math.min(this.o.slots, s + Math.max(1, len)) };
  }

  private smallLen(max = 8): number {
    // THP campaigns: a PMD's worth of pages (or two), so faults and splits meet huge PMDs
    if (this.o.hugePages && this.o.slots >= 2048 && this.rng.chance(0.3))
      return this.rng.pick([512, 1024]);
    return this.rng.weighted([
      [1, 4],
      [2, 4],
      [3, 2],
      [4, 2],
      [this.rng.int(5, Math.max(5, max)), 1.5],
    ]);
  }

  private randomRange(): Range {
    return this.clampRange(this.rng.int(0, this.o.slots - 1), this.smallLen(12));
  }

  /** A sub-range of a segment: all of it, a head, a tail, an interior piece or one page. */
  private sub(seg: Segment): Range {
    const n = seg.end - seg.start;
    if (n === 1) return { start: seg.start, end: seg.end };
    const shape = this.rng.weighted([
      ["whole", 3],
      ["head", 2],
      ["tail", 2],
      ["middle", n > 2 ? 2 : 0],
      ["page", 1],
    ] as const);
    switch (shape) {
      case "whole":
        return { start: seg.start, end: seg.end };
      case "head":
        return { start: seg.start, end: seg.start + this.rng.int(1, n - 1) };
      case "tail":
        return { start: seg.end - this.rng.int(1, n - 1), end: seg.end };
      case "middle": {
        const s = this.rng.int(seg.start + 1, seg.end - 2);
        return { start: s, end: this.rng.int(s + 1, seg.end - 1) };
      }
      case "page": {
        const s = this.rng.int(seg.start, seg.end - 1);
        return { start: s, end: s + 1 };
      }
    }
  }

  /** A range from inside one segment to inside a later one (across boundaries, maybe holes). */
  private spanning(segs: readonly Segment[]): Range | null {
    if (segs.length < 2) return null;
    const i = this.rng.int(0, segs.length - 2);
    let j = i + 1;
    if (this.rng.chance(0.85)) {
      // Mostly segments that touch each other: no hole in the range (holes fail with ENOMEM).
      while (j < segs.length && (segs[j] as Segment).start !== (segs[j - 1] as Segment).end) j++;
      if (j >= segs.length) j = i + 1;
      else if (
        j + 1 < segs.length &&
        (segs[j + 1] as Segment).start === (segs[j] as Segment).end &&
        this.rng.chance(0.4)
      )
        j++;
    } else {
      j = this.rng.int(i + 1, Math.min(segs.length - 1, i + 3));
    }
    const a = segs[i] as Segment;
    const b = segs[j] as Segment;
    const start = this.rng.chance(0.5) ? a.start : this.rng.int(a.start, a.end - 1);
    const end = this.rng.chance(0.5) ? b.end : this.rng.int(b.start + 1, b.end);
    return { start, end };
  }

  /** Mostly a piece of one segment, sometimes a range across several, sometimes anywhere. */
  private target(pSpan = 0.2, pRandom = 0.1, only?: (s: Segment) => boolean): Range {
    const all = this.segments();
    const some = only ? all.filter(only) : all;
    const segs = some.length > 0 ? some : all;
    if (segs.length === 0) return this.randomRange();
    const r = this.rng.next();
    if (r < pSpan) {
      const s = this.spanning(segs);
      if (s) return s;
    }
    if (r < pSpan + pRandom) return this.randomRange();
    return this.sub(this.rng.pick(segs));
  }

  /** The protection of a neighbour of `r` (to re-merge), else a random one. */
  private protNear(r: Range, pNeighbour = 0.6): string {
    const c = this.cells;
    const near = [c[r.start - 1], c[r.end]].filter((x): x is Cell => !!x);
    if (near.length > 0 && this.rng.chance(pNeighbour)) return this.rng.pick(near).prot;
    return this.rng.weighted(PROTS);
  }

  /** The PMD-aligned slots covering `r` (PTRS_PER_PTE slots a PMD), within the region. */
  private pmdsAround(r: Range): Range {
    const start = Math.floor(r.start / PTRS_PER_PTE) * PTRS_PER_PTE;
    const end = Math.min(this.o.slots, Math.ceil(r.end / PTRS_PER_PTE) * PTRS_PER_PTE);
    return { start, end };
  }

  private addr(slot: number): number {
    return slot * P;
  }

  /** A malformed address or length for a deliberately failing call. */
  private badness(): "unaligned" | "zero" {
    return this.rng.chance(0.6) ? "unaligned" : "zero";
  }

  // ---- one step ----------------------------------------------------------------------------

  private step(): void {
    const mapped = this.mappedCount();
    const slots = this.o.slots;
    const live = this.live();
    const me = this.procs[this.current] as ProcShadow;
    const parentAlive = me.parent !== null && (this.procs[me.parent] as ProcShadow).alive;
    const any = mapped > 0 ? 1 : 0.15;
    const b = this.bias;
    const weights: Array<[Category, number]> = [
      ["mmap", b.mmap * (mapped < slots * 0.2 ? 30 : mapped > slots * 0.7 ? 6 : 14)],
      ["munmap", b.munmap * any * (mapped > slots * 0.6 ? 8 : 4)],
      ["mprotect", b.mprotect * any * 12],
      ["touch", b.touch * any * 11],
      ["read", this.o.readWeight * any],
      ["madvise", b.madvise * any * 10],
      ["mlock", b.mlock * any * 3],
      ["mremap", b.mremap * any * 14],
      ["fork", live.length < this.o.maxProcs ? b.fork * 3 : 0],
      ["switch", live.length > 1 ? 3 : 0],
      ["exit", this.current !== 0 && parentAlive ? 2.5 : 0],
      ["pages", any * 1.5],
      ["name", any * 0.4],
      ["pagestate", this.o.pageStates ? any * 8 : 0],
    ];
    const bad = this.rng.chance(this.o.failing);
    for (const w of weights) if (this.avoid.has(w[0].toUpperCase())) w[1] = 0;
    if (this.advice.length === 0)
      (weights.find((w) => w[0] === "madvise") as [Category, number])[1] = 0;
    if (this.pageStates.length === 0)
      (weights.find((w) => w[0] === "pagestate") as [Category, number])[1] = 0;
    switch (this.rng.weighted(weights)) {
      case "mmap":
        return this.mmap(bad);
      case "munmap":
        return this.munmap(bad);
      case "mprotect":
        return this.mprotect(bad);
      case "touch":
        return this.access("touch");
      case "read":
        return this.access("read");
      case "madvise":
        return this.madvise(bad);
      case "mlock":
        return this.mlock(bad);
      case "mremap":
        return this.mremap(bad);
      case "fork":
        return this.fork();
      case "switch":
        return this.switchProc(live);
      case "exit":
        return this.exit();
      case "pages": {
        const r = this.target(0.1, 0.1);
        return this.emit({
          kind: "pages",
          addr: this.addr(r.start),
          len: this.addr(Math.min(r.end - r.start, 8)),
        });
      }
      case "name": {
        const r = this.target();
        return this.emit({
          kind: "name",
          addr: this.addr(r.start),
          len: this.addr(r.end - r.start),
          name: this.rng.chance(0.7) ? "fz" : null,
        });
      }
      case "pagestate":
        return this.pageState();
    }
  }

  /** A model-only page-state operation on a range around the current mappings. */
  private pageState(): void {
    const r = this.target(0.15, 0.05);
    const addr = this.addr(r.start);
    const len = this.addr(r.end - r.start);
    const kind = this.rng.weighted(this.pageStates);
    switch (kind) {
      case "swapout":
        return this.emit({ kind, addr, len, cache: this.rng.chance(0.5) });
      case "migrate":
        return this.emit({ kind, addr, len, hold: this.rng.chance(0.6) });
      case "migratefinish":
        return this.emit({ kind });
      case "largefolio": {
        const n = this.rng.chance(0.5) ? 2 : 4; // pages, naturally aligned
        return this.emit({ kind, addr: this.addr(Math.floor(r.start / n) * n), len: this.addr(n) });
      }
      case "swapin":
      case "ksm":
      case "pin":
      case "unpin":
        return this.emit({ kind, addr, len });
    }
  }

  private mmapFlags(): MmapFlag[] {
    const f: MmapFlag[] = [];
    if (this.rng.chance(0.03)) f.push("SHARED");
    if (this.rng.chance(this.noreserve)) f.push("NORESERVE");
    if (this.rng.chance(0.04)) f.push("POPULATE");
    if (this.rng.chance(0.02)) f.push("LOCKED");
    if (this.rng.chance(0.012)) f.push("GROWSDOWN");
    return f.filter((x) => !this.avoid.has(x));
  }

  private mmap(bad: boolean): void {
    if (this.o.hugePages && this.o.slots >= 2048 && this.rng.chance(0.3)) return this.hugeMmap();
    const segs = this.segments();
    const gaps = this.gaps();
    const inner = gaps.filter(
      (g) => g.end - g.start <= 16 && (g.start > 0 || g.end < this.o.slots),
    );
    const shape = this.rng.weighted([
      ["fill", inner.length > 0 ? 20 : 0],
      ["after", segs.length > 0 ? 20 : 0],
      ["before", segs.length > 0 ? 15 : 0],
      ["free", 15],
      ["fixed", segs.length > 0 ? 15 : 0],
      ["collide", segs.length > 0 ? 4 : 0],
    ] as const);
    let r: Range;
    const flags = this.mmapFlags();
    switch (shape) {
      case "fill":
        r = this.rng.pick(inner);
        break;
      case "after": {
        // Right after a segment, mostly within the free space there (else EEXIST, or FIXED over it).
        const s = this.rng.pick(segs);
        let free = 0;
        while (s.end + free < this.o.slots && !this.cells[s.end + free]) free++;
        const len =
          free > 0 && this.rng.chance(0.85) ? Math.min(this.smallLen(), free) : this.smallLen();
        r = this.clampRange(s.end, len);
        // No room: map over the neighbour with MAP_FIXED (or collide, EEXIST).
        if (r.end - r.start > free && this.rng.chance(0.7)) flags.unshift("FIXED");
        break;
      }
      case "before": {
        const s = this.rng.pick(segs);
        let free = 0;
        while (s.start - free - 1 >= 0 && !this.cells[s.start - free - 1]) free++;
        const len = Math.min(this.smallLen(), free > 0 && this.rng.chance(0.85) ? free : s.start);
        r = len > 0 ? { start: s.start - len, end: s.start } : this.randomRange();
        if (len > free && this.rng.chance(0.7)) flags.unshift("FIXED");
        break;
      }
      case "free": {
        const g = gaps.length > 0 ? this.rng.pick(gaps) : null;
        if (g) {
          const s = this.rng.int(g.start, g.end - 1);
          r = { start: s, end: this.rng.int(s + 1, Math.min(g.end, s + 8)) };
        } else r = this.randomRange();
        break;
      }
      case "fixed":
        r = this.target(0.3, 0.05);
        flags.unshift("FIXED");
        break;
      case "collide":
        r = this.target(0.2, 0);
        if (this.rng.chance(0.5)) flags.unshift("NOREPLACE");
        break;
    }
    const p = this.protNear(r);
    let addr = this.addr(r.start);
    let len = this.addr(r.end - r.start);
    if (bad) {
      if (this.badness() === "unaligned") addr += this.rng.pick([1, 0x800]);
      else len = 0;
    } else if (this.rng.chance(0.05) && len > P) {
      len -= this.rng.pick([1, 0x400]); // an unaligned length is rounded up: still valid
    }
    this.emit({ kind: "mmap", addr, len, prot: prot(p), flags, file: null });
    if (bad) return;
    const fixed = flags.includes("FIXED");
    if (fixed || (shape !== "collide" && this.isFree(r))) {
      const id = this.nextId++;
      const shared = flags.includes("SHARED");
      this.setCells(r, () => ({ id, prot: p, shared }));
    }
  }

  /**
   * THP campaigns: a PMD-aligned mapping of one or two PMDs (MAP_FIXED), made
   * MADV_HUGEPAGE and written once, so huge PMDs exist for later calls to cut and move.
   */
  private hugeMmap(): void {
    const pmds = this.rng.pick([1, 2]);
    const span = pmds * PTRS_PER_PTE;
    const start = this.rng.int(0, Math.floor((this.o.slots - span) / PTRS_PER_PTE)) * PTRS_PER_PTE;
    const r = { start, end: start + span };
    const addr = this.addr(start);
    const len = this.addr(span);
    this.emit({ kind: "mmap", addr, len, prot: prot("rw"), flags: ["FIXED"], file: null });
    const id = this.nextId++;
    this.setCells(r, () => ({ id, prot: "rw", shared: false }));
    this.emit({ kind: "madvise", addr, len, advice: MADVICE.HUGEPAGE });
    this.emit({
      kind: "touch",
      addr: this.addr(start + this.rng.int(0, span - 1)),
      len: P,
      value: 1,
    });
  }

  private munmap(bad: boolean): void {
    const r = this.target(0.25, 0.15);
    let addr = this.addr(r.start);
    let len = this.addr(r.end - r.start);
    if (bad) {
      if (this.badness() === "unaligned") addr += 0x800;
      else len = 0;
    }
    this.emit({ kind: "munmap", addr, len });
    if (!bad) this.setCells(r, () => null);
  }

  private mprotect(bad: boolean): void {
    const r = this.target(0.2, 0.1);
    const p = this.protNear(r, 0.5);
    let addr = this.addr(r.start);
    let len = this.addr(r.end - r.start);
    if (bad) {
      if (this.badness() === "unaligned") addr += 0x800;
      else len = 0;
    }
    this.emit({ kind: "mprotect", addr, len, prot: prot(p) });
    if (bad) return;
    // Applied up to the first hole (ENOMEM there).
    for (let i = r.start; i < r.end; i++) {
      const c = this.cells[i];
      if (!c) break;
      this.cells[i] = { ...c, prot: p };
    }
  }

  private access(kind: "touch" | "read"): void {
    // Mostly accessible segments (writable for touch): a fault elsewhere ends the access early.
    const ok = (seg: Segment) => seg.prot.includes(kind === "touch" ? "w" : "r");
    const r = this.target(
      kind === "read" ? 0.05 : 0.1,
      0.1,
      this.rng.chance(0.85) ? ok : undefined,
    );
    const addr = this.addr(r.start);
    if (kind === "read") this.emit({ kind, addr, len: this.addr(Math.min(r.end - r.start, 2)) });
    else this.emit({ kind, addr, len: this.addr(r.end - r.start), value: 1 });
  }

  private madvise(bad: boolean): void {
    let r = this.target(0.2, 0.1);
    let advice: number = this.rng.weighted(this.advice);
    // MADV_COLLAPSE acts on whole PMDs: most of the time, give it the ones around the range
    if (advice === MADVICE.COLLAPSE && this.rng.chance(0.6)) r = this.pmdsAround(r);
    // the model does not collapse shmem (collapse_file): keep MADV_COLLAPSE off it
    if (advice === MADVICE.COLLAPSE && this.cells.slice(r.start, r.end).some((c) => c?.shared))
      advice = MADVICE.HUGEPAGE;
    let addr = this.addr(r.start);
    const len = this.addr(r.end - r.start);
    if (bad) {
      if (this.rng.chance(0.5)) advice = this.rng.pick([5, 7, 77]);
      else addr += 0x800;
    }
    this.emit({ kind: "madvise", addr, len, advice });
  }

  private mlock(bad: boolean): void {
    const r = this.target(0.2, 0.1);
    let addr = this.addr(r.start);
    if (bad) addr += 0x800; // mlock rounds down: valid, but a different range
    this.emit({
      kind: this.rng.chance(0.55) ? "mlock" : "munlock",
      addr,
      len: this.addr(r.end - r.start),
    });
  }

  private fork(): void {
    const parent = this.current;
    const stay = this.rng.chance(0.4);
    this.emit({ kind: "fork", stay });
    const index = this.procs.length;
    this.procs.push({
      parent,
      alive: true,
      cells: (this.procs[parent] as ProcShadow).cells.map((c) => (c ? { ...c } : null)),
    });
    if (!stay) this.current = index;
  }

  private switchProc(live: readonly number[]): void {
    const others = live.filter((p) => p !== this.current);
    if (others.length === 0) return;
    const to = this.rng.pick(others);
    this.emit({ kind: "switch", proc: to });
    this.current = to;
  }

  private exit(): void {
    const me = this.procs[this.current] as ProcShadow;
    if (this.current === 0 || me.parent === null) return;
    this.emit({ kind: "exit" });
    me.alive = false;
    this.current = me.parent;
  }

  // ---- mremap ------------------------------------------------------------------------------

  /** Where to put a moved range of `len` slots: next to a neighbour, back home, over others, free. */
  private destination(src: Range, len: number): { at: number; back: boolean } | null {
    const segs = this.segments().filter((s) => s.end <= src.start || s.start >= src.end);
    const back = this.moves.filter(
      (m) =>
        m.proc === this.current &&
        m.to === src.start &&
        m.len === len &&
        m.from + len <= this.o.slots &&
        (m.from >= src.end || m.from + len <= src.start),
    );
    const gaps = this.gaps().filter((g) => g.end - g.start >= len);
    const shape = this.rng.weighted([
      ["back", back.length > 0 ? 25 : 0],
      ["after", segs.length > 0 ? 25 : 0],
      ["before", segs.length > 0 ? 20 : 0],
      ["over", segs.length > 0 ? 10 : 0],
      ["free", gaps.length > 0 ? 12 : 0],
      ["anywhere", 3],
    ] as const);
    // Off the region, or overlapping the source (EINVAL: kept for the deliberately bad calls).
    const fits = (at: number) =>
      at >= 0 && at + len <= this.o.slots && (at >= src.end || at + len <= src.start);
    switch (shape) {
      case "back":
        return { at: (this.rng.pick(back) as Move).from, back: true };
      case "after": {
        const at = this.rng.pick(segs).end;
        return fits(at) ? { at, back: false } : null;
      }
      case "before": {
        const at = this.rng.pick(segs).start - len;
        return fits(at) ? { at, back: false } : null;
      }
      case "over": {
        const s = this.rng.pick(segs);
        const at = this.rng.int(s.start - len + 1, s.end - 1);
        return fits(at) ? { at, back: false } : null;
      }
      case "free": {
        const g = this.rng.pick(gaps);
        const at = this.rng.chance(0.5)
          ? g.start
          : this.rng.chance(0.5)
            ? g.end - len
            : this.rng.int(g.start, g.end - len);
        return { at, back: false };
      }
      case "anywhere": {
        const at = this.rng.int(0, this.o.slots - len);
        return fits(at) ? { at, back: false } : null;
      }
    }
  }

  private mremap(bad: boolean): void {
    const segs = this.segments();
    if (segs.length === 0) {
      const r = this.randomRange();
      const n = r.end - r.start;
      this.emit({
        kind: "mremap",
        addr: this.addr(r.start),
        oldLen: this.addr(n),
        newLen: this.addr(n),
        flags: [],
        newAddr: null,
      });
      return;
    }
    const seg = this.rng.pick(segs);
    const shape = this.rng.weighted([
      ["move", 45],
      ["dontunmap", this.avoid.has("DONTUNMAP") ? 0 : 8],
      ["grow", 10],
      ["growmove", 5],
      ["shrink", 8],
      ["shrinkmove", 4],
      ["multi", segs.length > 1 ? 9 : 0],
      ["bad", bad ? 1000 : 0],
    ] as const);
    const op = (
      addr: number,
      oldLen: number,
      newLen: number,
      flags: MremapFlag[],
      newAddr: number | null,
    ) =>
      this.emit({
        kind: "mremap",
        addr: this.addr(addr),
        oldLen: this.addr(oldLen),
        newLen: this.addr(newLen),
        flags,
        newAddr: newAddr === null ? null : this.addr(newAddr),
      });
    switch (shape) {
      case "move":
      case "dontunmap": {
        const src = this.rng.chance(0.6) ? { start: seg.start, end: seg.end } : this.sub(seg);
        const n = src.end - src.start;
        const d = this.destination(src, n);
        if (!d) return this.touchInstead(seg);
        const dontunmap = shape === "dontunmap";
        op(
          src.start,
          n,
          n,
          dontunmap ? ["MAYMOVE", "FIXED", "DONTUNMAP"] : ["MAYMOVE", "FIXED"],
          d.at,
        );
        return this.moved(src, n, d.at, dontunmap);
      }
      case "growmove":
      case "shrinkmove": {
        const src = this.rng.chance(0.6) ? { start: seg.start, end: seg.end } : this.sub(seg);
        const n = src.end - src.start;
        const m =
          shape === "growmove" ? n + this.smallLen(4) : n > 1 ? this.rng.int(1, n - 1) : n + 1;
        const d = this.destination(src, m);
        if (!d) return this.touchInstead(seg);
        op(src.start, n, m, ["MAYMOVE", "FIXED"], d.at);
        return this.moved(src, m, d.at, false);
      }
      case "grow": {
        // Grow in place: the range must end at the VMA's end; without MAYMOVE it fails when blocked.
        const start = this.rng.chance(0.6) ? seg.start : this.rng.int(seg.start, seg.end - 1);
        const n = seg.end - start;
        const m = Math.min(n + this.smallLen(4), this.o.slots - start);
        if (m <= n) return this.touchInstead(seg);
        op(start, n, m, [], null);
        if (this.isFree({ start: seg.end, end: start + m })) {
          const cell = this.cells[seg.end - 1] as Cell;
          this.setCells({ start: seg.end, end: start + m }, () => ({ ...cell }));
        }
        return;
      }
      case "shrink": {
        const n = seg.end - seg.start;
        if (n < 2) return op(seg.start, 1, 1, [], null); // same size: a no-op
        const m = this.rng.int(1, n - 1);
        op(seg.start, n, m, [], null);
        return this.setCells({ start: seg.start + m, end: seg.end }, () => null);
      }
      case "multi": {
        // 6.17+: MREMAP_FIXED with old_len == new_len moves every VMA in the range, gaps kept.
        const r = this.spanning(segs);
        if (!r) return this.touchInstead(seg);
        const n = r.end - r.start;
        const d = this.destination(r, n);
        if (!d) return this.touchInstead(seg);
        const dontunmap = !this.avoid.has("DONTUNMAP") && this.rng.chance(0.15);
        op(
          r.start,
          n,
          n,
          dontunmap ? ["MAYMOVE", "FIXED", "DONTUNMAP"] : ["MAYMOVE", "FIXED"],
          d.at,
        );
        return this.moved(r, n, d.at, dontunmap);
      }
      case "bad": {
        const n = seg.end - seg.start;
        const d = this.rng.int(0, this.o.slots - n);
        const kind = this.rng.pick([
          "unaligned",
          "zero",
          "overlap",
          "dontunmap-len",
          "fixed-nomove",
          "dontunmap-nomove",
          "efault",
        ]);
        switch (kind) {
          case "unaligned":
            return this.emit({
              kind: "mremap",
              addr: this.addr(seg.start) + 0x800,
              oldLen: this.addr(n),
              newLen: this.addr(n),
              flags: ["MAYMOVE", "FIXED"],
              newAddr: this.addr(d),
            });
          case "zero":
            return op(seg.start, n, 0, ["MAYMOVE", "FIXED"], d);
          case "overlap":
            return op(
              seg.start,
              n,
              n,
              ["MAYMOVE", "FIXED"],
              Math.min(seg.start + (n > 1 ? 1 : 0), this.o.slots - n),
            );
          case "dontunmap-len":
            return op(
              seg.start,
              n,
              n + 1,
              ["MAYMOVE", "FIXED", "DONTUNMAP"],
              Math.max(0, Math.min(d, this.o.slots - n - 1)),
            );
          case "fixed-nomove":
            return op(seg.start, n, n, ["FIXED"], d);
          case "dontunmap-nomove":
            return op(seg.start, n, n, ["DONTUNMAP"], d);
          default:
            // The old range runs past the VMA's end: EFAULT (unless the kernel sees one VMA there).
            return op(seg.start, Math.min(n + 2, this.o.slots - seg.start), n, [], null);
        }
      }
    }
  }

  /** The fallback when a move has nowhere to go: a touch of the segment instead. */
  private touchInstead(seg: Segment): void {
    const r = this.sub(seg);
    this.emit({
      kind: "touch",
      addr: this.addr(r.start),
      len: this.addr(r.end - r.start),
      value: 1,
    });
  }

  /** Shadow update of a move of `src` to `at` with new length `m`. */
  private moved(src: Range, m: number, at: number, dontunmap: boolean): void {
    const n = src.end - src.start;
    if (at < src.end && src.start < at + m) return; // overlapping: EINVAL
    if (!this.cells[src.start]) return; // nothing at the start: EFAULT
    const copy: Array<Cell | null> = [];
    for (let i = 0; i < m; i++) {
      const c = this.cells[src.start + Math.min(i, n - 1)];
      copy.push(c ? { ...c } : null);
    }
    if (!dontunmap) this.setCells(src, () => null);
    this.setCells({ start: at, end: at + m }, (i) => copy[i - at] ?? null);
    this.moves.push({ proc: this.current, from: src.start, to: at, len: m });
    if (this.moves.length > 16) this.moves.shift();
  }
}

/**
 * The operations of the scenario for `seed`: deterministic (same seed and options, same list),
 * every address inside [0, slots pages), at most `maxProcs` live processes, p0 never exits.
 * O(steps × slots).
 */
export function generateBodies(seed: number, options: Partial<GenerateOptions> = {}): OpBody[] {
  const o = { ...DEFAULT_GENERATE_OPTIONS, ...options };
  if (!(o.slots >= 4)) throw new Error(`fuzz: slots ${o.slots} is too small, give at least 4`);
  if (!(o.maxProcs >= 1)) throw new Error(`fuzz: maxProcs ${o.maxProcs} must be at least 1`);
  return new Generator(seed, o).generate();
}

/**
 * The scenario for `seed` as parsed operations: generated, printed as scenario text and re-parsed,
 * so it is exactly what the saved `.vms` file would run. O(steps × slots).
 */
export function generateScenario(seed: number, options: Partial<GenerateOptions> = {}): Op[] {
  return materialize(generateBodies(seed, options), options.file ?? DEFAULT_GENERATE_OPTIONS.file);
}
