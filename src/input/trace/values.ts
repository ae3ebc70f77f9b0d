// Values as perf trace and strace print them: numbers, PROT_/MAP_/MADV_ names and argument
// lists. This module is browser compatible.

import { MADVICE, type Prot } from "../ops.js";

/** A decimal or 0x-hex integer (possibly negative), or null. */
export function parseInt0x(text: string): number | null {
  const t = text.trim();
  const m = /^(-?)(0x[0-9a-f]+|\d+)$/i.exec(t);
  if (!m) return null;
  const v = Number(m[2]);
  return m[1] ? -v : v;
}

/** The number at the start of `text` (a return value such as `14962 (bash)`), or null. */
export function leadingInt(text: string): number | null {
  const m = /^\s*(-?(?:0x[0-9a-f]+|\d+))/i.exec(text);
  return m ? parseInt0x(m[1] as string) : null;
}

/** Names joined by `|`, prefixes such as `PROT_` removed; numbers are kept as text. */
export function flagNames(text: string, prefix: string): string[] {
  return text
    .split("|")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => (s.startsWith(prefix) ? s.slice(prefix.length) : s));
}

const PROT_READ = 1;
const PROT_WRITE = 2;
const PROT_EXEC = 4;

/** PROT_READ|PROT_WRITE, READ|WRITE, NONE, a number, or absent (perf leaves out 0). */
export function parseProt(text: string | undefined): Prot | null {
  let bits = 0;
  for (const n of flagNames(text ?? "NONE", "PROT_")) {
    if (n === "READ") bits |= PROT_READ;
    else if (n === "WRITE") bits |= PROT_WRITE;
    else if (n === "EXEC") bits |= PROT_EXEC;
    else if (n === "NONE" || n === "GROWSDOWN" || n === "GROWSUP" || n === "SEM") continue;
    else {
      const v = parseInt0x(n);
      if (v === null) return null;
      bits |= v;
    }
  }
  return { read: !!(bits & PROT_READ), write: !!(bits & PROT_WRITE), exec: !!(bits & PROT_EXEC) };
}

/** mmap flag bits by name (x86-64), for `-X raw` traces and perf's leftover hex. */
const MAP_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, "SHARED"],
  [0x02, "PRIVATE"],
  [0x10, "FIXED"],
  [0x20, "ANONYMOUS"],
  [0x100, "GROWSDOWN"],
  [0x2000, "LOCKED"],
  [0x4000, "NORESERVE"],
  [0x8000, "POPULATE"],
  [0x20000, "STACK"],
  [0x100000, "FIXED_NOREPLACE"],
];

/** MAP_ names of an mmap flags argument, numbers decoded. */
export function mmapFlags(text: string): string[] {
  const out: string[] = [];
  for (const n of flagNames(text, "MAP_")) {
    const v = parseInt0x(n);
    if (v === null) out.push(n);
    else for (const [bit, name] of MAP_BITS) if (v & bit) out.push(name);
  }
  return out;
}

/** mremap flag bits by name. */
const MREMAP_BITS: ReadonlyArray<readonly [number, string]> = [
  [1, "MAYMOVE"],
  [2, "FIXED"],
  [4, "DONTUNMAP"],
];

/** MREMAP_ names, numbers decoded. */
export function mremapFlags(text: string | undefined): string[] {
  const out: string[] = [];
  for (const n of flagNames(text ?? "", "MREMAP_")) {
    const v = parseInt0x(n);
    if (v === null) out.push(n);
    else for (const [bit, name] of MREMAP_BITS) if (v & bit) out.push(name);
  }
  return out;
}

/** A madvise advice by name (`MADV_DONTNEED`, `DONTNEED`) or number, or null. */
export function parseAdvice(text: string | undefined): number | null {
  if (text === undefined) return 0; // perf leaves out MADV_NORMAL (0)
  const t = text.trim();
  const name = t.startsWith("MADV_") ? t.slice(5) : t;
  if (name in MADVICE) return MADVICE[name as keyof typeof MADVICE];
  return parseInt0x(t);
}

/** Splits an argument list at top-level commas (outside (), [], {} and quotes). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "" || out.length > 0) out.push(last);
  return out;
}

/** PR_SET_VMA, the prctl option that names anonymous memory. */
export const PR_SET_VMA = 0x53564d41;
