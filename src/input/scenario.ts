// Parser for the scenario language (docs/scenario-language.md): text in, Op[] out.
// A line that cannot be parsed is an error naming file, line and token; nothing runs.
// This module is browser compatible.

import {
  MADVICE,
  type MadviceName,
  type MmapFlag,
  type MremapFlag,
  type Op,
  type OpBody,
  type Prot,
  type VmaCheck,
} from "./ops.js";

export const PAGE_SIZE = 4096;

/** A parse error, positioned at a file, line and token. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly token: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}${token ? ` (at '${token}')` : ""}`);
    this.name = "ScenarioError";
  }
}

const NUMBER = /^(0x[0-9a-f]+|[0-9]+)([pkmg]?)$/i;
const SUFFIX: Record<string, number> = {
  "": 1,
  p: PAGE_SIZE,
  k: 1024,
  m: 1024 * 1024,
  g: 1024 * 1024 * 1024,
};

/** Parses a number token: decimal or 0x hex, with an optional p/k/m/g suffix. */
export function parseNumber(token: string): number | null {
  const m = NUMBER.exec(token);
  if (!m) return null;
  const base = Number(m[1]);
  const value = base * (SUFFIX[(m[2] ?? "").toLowerCase()] ?? 1);
  return Number.isSafeInteger(value) ? value : null;
}

const MMAP_FLAGS: Record<string, MmapFlag | null> = {
  PRIVATE: "PRIVATE",
  SHARED: "SHARED",
  ANON: null,
  ANONYMOUS: null,
  FIXED: "FIXED",
  NOREPLACE: "NOREPLACE",
  FIXED_NOREPLACE: "NOREPLACE",
  NORESERVE: "NORESERVE",
  POPULATE: "POPULATE",
  GROWSDOWN: "GROWSDOWN",
  LOCKED: "LOCKED",
  STACK: "STACK",
};

const MREMAP_FLAGS: Record<string, MremapFlag> = {
  MAYMOVE: "MAYMOVE",
  FIXED: "FIXED",
  DONTUNMAP: "DONTUNMAP",
};

/** File paths in scenarios have no spaces: `%20` (and `%25` for `%`) stand for them. */
export function encodePath(path: string): string {
  return path.replace(/%/g, "%25").replace(/ /g, "%20");
}

function decodePath(token: string): string {
  return token.replace(/%20/g, " ").replace(/%25/g, "%");
}

/** Splits a scenario into operations. Throws ScenarioError on the first bad line. */
export function parseScenario(text: string, file: string): Op[] {
  const ops: Op[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const op = parseLine(lines[i] ?? "", file, i + 1);
    if (op) ops.push(op);
  }
  return ops;
}

/** Parses one line; null for blank and comment-only lines. */
export function parseLine(raw: string, file: string, line: number): Op | null {
  const trimmed = raw.trim();
  const loc = { file, line };
  if (/^echo(\s|$)/.test(trimmed)) {
    const message = trimmed.slice(4).trim();
    return { kind: "echo", message, text: trimmed, loc };
  }
  const hash = raw.indexOf("#");
  const code = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  if (code === "") return null;
  const tokens = code.split(/[ \t]+/);
  const body = new LineParser(tokens, file, line).parse();
  return { ...body, text: tokens.join(" "), loc } as Op;
}

class LineParser {
  private pos = 1;

  constructor(
    private readonly tokens: string[],
    private readonly file: string,
    private readonly line: number,
  ) {}

  private fail(reason: string, token = this.tokens[this.pos] ?? ""): never {
    throw new ScenarioError(this.file, this.line, token, reason);
  }

  private get name(): string {
    return this.tokens[0] ?? "";
  }

  private hasMore(): boolean {
    return this.pos < this.tokens.length;
  }

  private next(what: string): string {
    const t = this.tokens[this.pos];
    if (t === undefined) this.fail(`${this.name}: missing ${what}`, this.name);
    this.pos++;
    return t;
  }

  private num(what: string): number {
    const t = this.next(what);
    if (t.startsWith("-")) this.fail(`${this.name}: ${what} must not be negative`, t);
    const n = parseNumber(t);
    if (n === null)
      this.fail(`${this.name}: ${what} is not a number (decimal or 0x hex, suffix p/k/m/g)`, t);
    return n;
  }

  private optNum(what: string, fallback: number): number {
    return this.hasMore() ? this.num(what) : fallback;
  }

  /** An optional trailing keyword: true when the next token is `word`. */
  private optWord(word: string): boolean {
    if (this.tokens[this.pos] !== word) return false;
    this.pos++;
    return true;
  }

  private prot(): Prot {
    const t = this.next("PROT");
    if (t === "none" || t === "---" || t === "0") return { read: false, write: false, exec: false };
    if (!/^[rwx-]+$/.test(t)) this.fail(`${this.name}: PROT takes letters from rwx- or 'none'`, t);
    return { read: t.includes("r"), write: t.includes("w"), exec: t.includes("x") };
  }

  private flagList<T>(table: Record<string, T | null>, what: string): T[] {
    const t = this.next(what);
    if (t === "0") return [];
    const out: T[] = [];
    for (const part of t.split("|")) {
      const key = part.toUpperCase().replace(/^MAP_|^MREMAP_/, "");
      if (!(key in table)) this.fail(`${this.name}: unknown flag '${part}'`, t);
      const v = table[key];
      if (v !== null && v !== undefined && !out.includes(v)) out.push(v);
    }
    return out;
  }

  /** Whether the next token is a KEY=VALUE argument. */
  private atKey(): boolean {
    return /^[a-z]+=/.test(this.tokens[this.pos] ?? "");
  }

  /** The trailing KEY=VALUE arguments, each of the allowed keys at most once. */
  private keys<K extends string>(allowed: readonly K[]): Partial<Record<K, string>> {
    const out: Partial<Record<K, string>> = {};
    while (this.hasMore()) {
      const t = this.next("KEY=VALUE");
      const eq = t.indexOf("=");
      const key = t.slice(0, eq) as K;
      if (eq <= 0 || !allowed.includes(key) || out[key] !== undefined) {
        this.fail(`${this.name}: expected one of ${allowed.map((a) => `${a}=`).join(", ")}`, t);
      }
      out[key] = t.slice(eq + 1);
    }
    return out;
  }

  private keyNum(key: string, value: string): number {
    const n = parseNumber(value);
    if (n === null) this.fail(`${this.name}: ${key}= takes a number`, `${key}=${value}`);
    return n;
  }

  private end(): void {
    if (this.hasMore()) this.fail(`${this.name}: unexpected extra argument`);
  }

  parse(): OpBody {
    const op = this.parseBody();
    this.end();
    return op;
  }

  private parseExpectVma(): OpBody {
    const addr = this.num("ADDR");
    const checks: VmaCheck[] = [];
    while (this.hasMore()) {
      const t = this.next("KEY=VALUE");
      if (t === "none") {
        checks.push({ key: "none" });
        continue;
      }
      const eq = t.indexOf("=");
      const key = t.slice(0, eq);
      const value = t.slice(eq + 1);
      if (eq <= 0 || value === "") this.fail("expectvma: each check is KEY=VALUE", t);
      switch (key) {
        case "start":
        case "end":
        case "rss":
        case "pgoff":
        case "chain": {
          const n = parseNumber(value);
          if (n === null) this.fail(`expectvma: ${key} takes a number`, t);
          checks.push({ key, value: n });
          break;
        }
        case "perms":
        case "anon":
          checks.push({ key, value });
          break;
        case "flags":
          checks.push({ key, value: value.split(",").join(" ") });
          break;
        default:
          this.fail(
            "expectvma: keys are start, end, perms, flags, rss, pgoff, anon, chain (or 'none')",
            t,
          );
      }
    }
    if (checks.length === 0)
      this.fail("expectvma: give at least one KEY=VALUE or 'none'", "expectvma");
    return { kind: "expectvma", addr, checks };
  }

  private parseBody(): OpBody {
    switch (this.name) {
      case "mmap": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        const prot =
          this.hasMore() && !this.atKey() ? this.prot() : { read: true, write: true, exec: false };
        const flags = this.hasMore() && !this.atKey() ? this.flagList(MMAP_FLAGS, "FLAGS") : [];
        const keys = this.keys(["file", "off"]);
        if (keys.off !== undefined && keys.file === undefined)
          this.fail("mmap: off= needs file=", "off");
        const file =
          keys.file === undefined
            ? null
            : { path: decodePath(keys.file), offset: this.keyNum("off", keys.off ?? "0") };
        return { kind: "mmap", addr, len, prot, flags, file };
      }
      case "vfork":
        return { kind: "vfork" };
      case "exec": {
        const keys = this.keys(["brk", "stack"]);
        const opt = (k: "brk" | "stack") =>
          keys[k] === undefined ? null : this.keyNum(k, keys[k]);
        return { kind: "exec", brk: opt("brk"), stack: opt("stack") };
      }
      case "brk":
        return { kind: "brk", addr: this.num("ADDR") };
      case "special": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        const prot = this.prot();
        const name = this.next("NAME");
        if (!/^\[[a-z_]+\]$/.test(name))
          this.fail("special: NAME is a bracketed kernel name such as [vdso]", name);
        return { kind: "special", addr, len, prot, name };
      }
      case "munmap":
      case "mlock":
      case "munlock":
      case "read":
      case "swapin":
      case "ksm":
      case "pin":
      case "unpin":
      case "largefolio":
        return { kind: this.name, addr: this.num("ADDR"), len: this.num("LEN") };
      case "swapout": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        return { kind: "swapout", addr, len, cache: this.optWord("cache") };
      }
      case "migrate": {
        if (this.optWord("finish")) return { kind: "migratefinish" };
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        return { kind: "migrate", addr, len, hold: this.optWord("hold") };
      }
      case "pages":
        return { kind: "pages", addr: this.num("ADDR"), len: this.num("LEN") };
      case "touch": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        return { kind: "touch", addr, len, value: this.optNum("VAL", 1) & 0xff };
      }
      case "mprotect":
        return {
          kind: "mprotect",
          addr: this.num("ADDR"),
          len: this.num("LEN"),
          prot: this.prot(),
        };
      case "mremap": {
        const addr = this.num("OLD");
        const oldLen = this.num("OLDLEN");
        const newLen = this.num("NEWLEN");
        const flags = this.hasMore() ? this.flagList(MREMAP_FLAGS, "FLAGS") : [];
        const newAddr = this.hasMore() ? this.num("NEWADDR") : null;
        return { kind: "mremap", addr, oldLen, newLen, flags, newAddr };
      }
      case "madvise": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        const t = this.next("ADVICE");
        const key = t.toUpperCase().replace(/^MADV_/, "");
        const advice =
          key in MADVICE ? MADVICE[key as MadviceName] : /^[0-9]+$/.test(t) ? Number(t) : null;
        if (advice === null) this.fail(`madvise: unknown advice '${t}'`, t);
        return { kind: "madvise", addr, len, advice };
      }
      case "name": {
        const addr = this.num("ADDR");
        const len = this.num("LEN");
        const n = this.next("NAME");
        return { kind: "name", addr, len, name: n === "-" ? null : n };
      }
      case "fork": {
        if (!this.hasMore()) return { kind: "fork", stay: false };
        const t = this.next("stay");
        if (t !== "stay") this.fail("fork: the only argument is 'stay'", t);
        return { kind: "fork", stay: true };
      }
      case "switch": {
        const t = this.next("N");
        const n = parseNumber(t.replace(/^p/, ""));
        if (n === null) this.fail("switch: N is a process number (0, 1, p2…)", t);
        return { kind: "switch", proc: n };
      }
      case "exit":
        return { kind: "exit" };
      case "window": {
        if (!this.hasMore()) return { kind: "window", start: 0, len: null };
        return { kind: "window", start: this.num("START"), len: this.num("LEN") };
      }
      case "dump":
        return { kind: "dump", all: false };
      case "dumpall":
        return { kind: "dump", all: true };
      case "expect":
        return { kind: "expect", count: this.num("N") };
      case "expectvmas": {
        const ranges: Array<[number, number]> = [];
        while (this.hasMore()) {
          const t = this.next("S-E");
          const m = /^([^-]+)-([^-]+)$/.exec(t);
          const s = m ? parseNumber(m[1] ?? "") : null;
          const e = m ? parseNumber(m[2] ?? "") : null;
          if (s === null || e === null || e <= s)
            this.fail("expectvmas: each range is S-E with S < E", t);
          ranges.push([s, e]);
        }
        return { kind: "expectvmas", ranges };
      }
      case "expectvma":
        return this.parseExpectVma();
      default:
        return this.fail(`unknown operation '${this.name}'`, this.name);
    }
  }
}
