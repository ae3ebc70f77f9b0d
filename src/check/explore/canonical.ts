// Canonical state keys for the explorer: two machines whose states differ only in the names
// of their objects (anon_vma, folio and swap slot ids, process numbers left by exits, the
// order objects were allocated in) get the same key, so the search meets equal states once.
// Generic over the object graph, so fields the model gains later take part without this
// file changing. This module is browser compatible.

import { AnonVma, AnonVmaChain } from "../../model/anon-vma.js";
import { Kernel, type Process } from "../../model/kernel.js";
import { Machine } from "../../model/machine.js";
import { Mm } from "../../model/mm.js";
import { OrderedIndex } from "../../model/ordered-index.js";
import { PageTable } from "../../model/page-table.js";

/**
 * Fields that are not state: identities (renamed by order of first appearance instead),
 * reporting, configuration and counters. Every other own field of every reachable object is.
 */
const SKIP = new Map<object, ReadonlySet<string>>([
  [Machine.prototype, new Set(["options", "expectations", "stepNo"])],
  [
    Kernel.prototype,
    new Set(["options", "policy", "ids", "merges", "stats", "detections", "procs"]),
  ],
  [Mm.prototype, new Set(["proc", "cached"])],
  // the tree is walked as a set (body); its links, in insertion order, are not state
  [AnonVma.prototype, new Set(["oldest"])],
  [AnonVmaChain.prototype, new Set(["before", "after"])],
]);
const NO_SKIP: ReadonlySet<string> = new Set();

/** Tokens that say what kind of thing follows. */
const enum T {
  Null = 1,
  Undef,
  True,
  False,
  Fn,
  Str,
  Num,
  Ref,
  Obj,
  Arr,
  Set,
  Map,
  OrderedIndex,
  PageTable,
  Proc,
  Kernel,
  End,
}

/**
 * The key of `m`'s state: a 64-bit hash, as 16 hex digits, of a canonical walk. Objects are
 * numbered in the order the walk first meets them: live processes in order, then each one's
 * VMAs by address with their anon_vmas and chains (each AVC and its anon_vma), then its
 * present pages by address with their folios and mappings; everything else in order of
 * first reference. Numeric `id`
 * fields are left out (the numbering replaces them), processes are named by that order and
 * their parents by the nearest live ancestor, and sets are walked in numbering order (the
 * kernel's are unordered: the anon_vma interval tree is ordered by pgoff, not insertion).
 * O(objects reachable).
 */
export function stateKey(m: Machine): string {
  return new Canon(m).key();
}

class Canon {
  private readonly ids = new Map<object, number>();
  private readonly queue: object[] = [];
  private readonly procs: ReadonlySet<Process>;
  private readonly h = new Hash64();
  /** Each page table's entries, read once. */
  private readonly ptes = new Map<PageTable, Array<[number, object]>>();

  constructor(private readonly m: Machine) {
    const live = m.kernel.procs.filter((p) => p.alive);
    this.procs = new Set(live);
    for (const p of live) {
      this.id(p);
      this.id(p.mm);
      for (const v of p.mm.allVmas()) {
        this.id(v);
        if (v.anonVma) this.id(v.anonVma);
        // each AVC numbered by its VMA, so that an anon_vma's tree, a set walked in
        // numbering order, does not show the order its AVCs were linked in
        for (let avc = v.chain; avc !== null; avc = avc.next) {
          this.id(avc);
          this.id(avc.anonVma);
        }
      }
      const ptes: Array<[number, object]> = [];
      p.mm.pageTable.forEach(0, Number.MAX_SAFE_INTEGER, (addr, pte) => {
        ptes.push([addr, pte]);
        if (pte.kind !== "present") return;
        this.id(pte.folio);
        if (pte.folio.mapping) this.id(pte.folio.mapping);
      });
      this.ptes.set(p.mm.pageTable, ptes);
    }
    this.id(m);
  }

  key(): string {
    for (let i = 0; i < this.queue.length; i++) this.body(this.queue[i] as object);
    return this.h.hex();
  }

  /** The object's number, given on first meeting. */
  private id(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) {
      id = this.queue.length;
      this.ids.set(o, id);
      this.queue.push(o);
    }
    return id;
  }

  private value(v: unknown): void {
    const h = this.h;
    if (v === null) return h.int(T.Null);
    switch (typeof v) {
      case "object":
        h.int(T.Ref);
        return h.int(this.id(v));
      case "number":
        h.int(T.Num);
        return h.num(v);
      case "string":
        h.int(T.Str);
        return h.str(v);
      case "boolean":
        return h.int(v ? T.True : T.False);
      case "undefined":
        return h.int(T.Undef);
      case "function":
        return h.int(T.Fn);
      default:
        h.int(T.Str);
        return h.str(String(v));
    }
  }

  private body(o: object): void {
    const h = this.h;
    if (this.procs.has(o as Process)) return this.process(o as Process);
    if (o instanceof Kernel) {
      h.int(T.Kernel);
      for (const p of o.procs) if (p.alive) this.value(p);
      return this.fields(o);
    }
    if (o instanceof PageTable) {
      h.int(T.PageTable);
      for (const [addr, pte] of this.ptes.get(o) ?? o.entries(0, Number.MAX_SAFE_INTEGER)) {
        h.num(addr);
        this.value(pte);
      }
      return h.int(T.End);
    }
    if (o instanceof OrderedIndex) {
      // its entries in key order, not its leaves (whose split points depend on the history)
      h.int(T.OrderedIndex);
      (o as OrderedIndex<unknown>).forEach((key, val) => {
        this.value(key);
        this.value(val);
      });
      return h.int(T.End);
    }
    if (Array.isArray(o)) {
      h.int(T.Arr);
      h.int(o.length);
      for (const x of o) this.value(x);
      return;
    }
    if (o instanceof Set) return this.set(o);
    if (o instanceof AnonVma) {
      this.fields(o);
      return this.set(o.avcs());
    }
    if (o instanceof Map) {
      h.int(T.Map);
      const keys = [...(o as Map<unknown, unknown>).keys()];
      for (const x of this.unordered(keys)) {
        this.value(x);
        this.value((o as Map<unknown, unknown>).get(x));
      }
      return h.int(T.End);
    }
    this.fields(o);
  }

  private set(members: Iterable<unknown>): void {
    this.h.int(T.Set);
    for (const x of this.unordered([...members])) this.value(x);
    this.h.int(T.End);
  }

  /**
   * A set's members (or a map's keys) in canonical order: primitives sorted, then objects by
   * number; objects met first here are numbered in insertion order.
   */
  private unordered(xs: unknown[]): unknown[] {
    const objs = xs.filter((x): x is object => typeof x === "object" && x !== null);
    const prims = xs.filter((x) => typeof x !== "object" || x === null);
    for (const x of objs) this.id(x);
    objs.sort((a, b) => (this.ids.get(a) as number) - (this.ids.get(b) as number));
    prims.sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
    return [...prims, ...objs];
  }

  private process(p: Process): void {
    const procs = this.m.kernel.procs;
    let up = p.parent === null ? undefined : procs[p.parent];
    while (up && !up.alive) up = up.parent === null ? undefined : procs[up.parent];
    this.h.int(T.Proc);
    this.value(p.mm);
    this.value(up ?? null);
  }

  private fields(o: object): void {
    const h = this.h;
    const c = classOf(o);
    h.int(T.Obj);
    h.int(c.tag);
    const rec = o as Record<string, unknown>;
    for (const key in rec) {
      if (c.skip.has(key)) continue;
      const v = rec[key];
      if (key === "id" && typeof v === "number") continue;
      h.int(nameHash(key));
      this.value(v);
    }
    h.int(T.End);
  }
}

/** What the walk needs of an object's class: its name as one integer, and the fields to skip. */
interface ClassInfo {
  tag: number;
  skip: ReadonlySet<string>;
}

const CLASSES = new Map<object | null, ClassInfo>();

function classOf(o: object): ClassInfo {
  const proto = Object.getPrototypeOf(o) as object | null;
  let c = CLASSES.get(proto);
  if (c === undefined) {
    const name = (proto?.constructor as { name?: string } | undefined)?.name ?? "";
    c = { tag: nameHash(`class ${name}`), skip: (proto && SKIP.get(proto)) ?? NO_SKIP };
    CLASSES.set(proto, c);
  }
  return c;
}

const NAMES = new Map<string, number>();

/** A field name as one integer (names are few: cached). */
function nameHash(name: string): number {
  let x = NAMES.get(name);
  if (x === undefined) {
    const h = new Hash64();
    h.str(name);
    x = parseInt(h.hex().slice(0, 8), 16) | 0;
    NAMES.set(name, x);
  }
  return x;
}

/** Two independent 32-bit multiply-xorshift lanes over a stream of integers: a 64-bit hash. */
class Hash64 {
  private a = 0x811c9dc5;
  private b = 0x9747b28c;

  int(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    this.a ^= this.a >>> 13;
    this.b = Math.imul(this.b ^ x, 0x5bd1e995);
    this.b ^= this.b >>> 15;
  }

  /** Any number: integers up to 2^53 exactly as two 32-bit halves, others by their text. */
  num(x: number): void {
    if (Number.isSafeInteger(x)) {
      this.int(x >>> 0);
      this.int(Math.floor(x / 0x100000000) | 0);
    } else this.str(String(x));
  }

  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
  }

  hex(): string {
    const a = Math.imul(this.a ^ (this.a >>> 16), 0x85ebca6b) >>> 0;
    const b = Math.imul(this.b ^ (this.b >>> 13), 0xc2b2ae35) >>> 0;
    return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
  }
}
