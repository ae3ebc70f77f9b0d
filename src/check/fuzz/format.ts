// Prints operations back as scenario-language lines, so every generated or shrunk op list is a
// scenario a person can read, save and re-run; `materialize` re-parses the text so each Op carries
// the `text` and `loc` the engines echo. This module is browser compatible.

import { MADVICE, type Op, type OpBody, type Prot, type VmaCheck } from "../../input/ops.js";
import { encodePath, PAGE_SIZE, parseScenario } from "../../input/scenario.js";

/** A number as the language spells it: `12p` for page multiples, `0x…` otherwise. */
export function formatNumber(n: number): string {
  if (n === 0) return "0";
  if (n % PAGE_SIZE === 0) return `${n / PAGE_SIZE}p`;
  return `0x${n.toString(16)}`;
}

/** Protection as `rw`, `r`, `rwx`, `none`… */
export function formatProt(p: Prot): string {
  const s = `${p.read ? "r" : ""}${p.write ? "w" : ""}${p.exec ? "x" : ""}`;
  return s === "" ? "none" : s;
}

const ADVICE_NAMES = new Map<number, string>(Object.entries(MADVICE).map(([k, v]) => [v, k]));

/** An madvise advice by name when the language has one, else its number. */
export function formatAdvice(advice: number): string {
  return ADVICE_NAMES.get(advice) ?? String(advice);
}

function formatCheck(c: VmaCheck): string {
  if (c.key === "none") return "none";
  if (c.key === "flags") return `flags=${c.value.split(" ").join(",")}`;
  if (c.key === "start" || c.key === "end") return `${c.key}=${formatNumber(c.value)}`;
  return `${c.key}=${String(c.value)}`; // rss (kB), pgoff (pages), chain, perms, anon
}

const isRw = (p: Prot) => p.read && p.write && !p.exec;

/** One operation as a scenario line (no trailing newline). Inverse of `parseLine` on its output. O(1). */
export function formatOp(op: OpBody): string {
  const n = formatNumber;
  switch (op.kind) {
    case "mmap": {
      const parts = ["mmap", n(op.addr), n(op.len)];
      if (op.flags.length > 0 || !isRw(op.prot)) parts.push(formatProt(op.prot));
      if (op.flags.length > 0) parts.push(op.flags.join("|"));
      if (op.file) {
        parts.push(`file=${encodePath(op.file.path)}`);
        if (op.file.offset !== 0) parts.push(`off=${n(op.file.offset)}`);
      }
      return parts.join(" ");
    }
    case "munmap":
    case "mlock":
    case "munlock":
    case "read":
    case "pages":
    case "swapin":
    case "ksm":
    case "pin":
    case "unpin":
    case "largefolio":
      return `${op.kind} ${n(op.addr)} ${n(op.len)}`;
    case "swapout":
      return `swapout ${n(op.addr)} ${n(op.len)}${op.cache ? " cache" : ""}`;
    case "migrate":
      return `migrate ${n(op.addr)} ${n(op.len)}${op.hold ? " hold" : ""}`;
    case "migratefinish":
      return "migrate finish";
    case "mprotect":
      return `mprotect ${n(op.addr)} ${n(op.len)} ${formatProt(op.prot)}`;
    case "mremap": {
      const parts = ["mremap", n(op.addr), n(op.oldLen), n(op.newLen)];
      if (op.flags.length > 0 || op.newAddr !== null)
        parts.push(op.flags.length > 0 ? op.flags.join("|") : "0");
      if (op.newAddr !== null) parts.push(n(op.newAddr));
      return parts.join(" ");
    }
    case "touch":
      return `touch ${n(op.addr)} ${n(op.len)}${op.value === 1 ? "" : ` ${op.value}`}`;
    case "madvise":
      return `madvise ${n(op.addr)} ${n(op.len)} ${formatAdvice(op.advice)}`;
    case "name":
      return `name ${n(op.addr)} ${n(op.len)} ${op.name ?? "-"}`;
    case "fork":
      return op.stay ? "fork stay" : "fork";
    case "switch":
      return `switch ${op.proc}`;
    case "exit":
      return "exit";
    case "vfork":
      return "vfork";
    case "exec": {
      const parts = ["exec"];
      if (op.brk !== null) parts.push(`brk=${n(op.brk)}`);
      if (op.stack !== null) parts.push(`stack=${n(op.stack)}`);
      return parts.join(" ");
    }
    case "brk":
      return `brk ${n(op.addr)}`;
    case "special":
      return `special ${n(op.addr)} ${n(op.len)} ${formatProt(op.prot)} ${op.name}`;
    case "window":
      return op.len === null ? "window" : `window ${n(op.start)} ${n(op.len)}`;
    case "dump":
      return op.all ? "dumpall" : "dump";
    case "expect":
      return `expect ${op.count}`;
    case "expectvmas":
      return ["expectvmas", ...op.ranges.map(([s, e]) => `${n(s)}-${n(e)}`)].join(" ");
    case "expectvma":
      return ["expectvma", n(op.addr), ...op.checks.map(formatCheck)].join(" ");
    case "echo":
      return `echo ${op.message}`;
  }
}

/** A whole scenario: optional `#` header lines, then one line per op. O(ops). */
export function formatScenario(ops: readonly OpBody[], header: readonly string[] = []): string {
  const lines = header.map((h) => (h === "" ? "#" : `# ${h}`));
  if (lines.length > 0) lines.push("");
  for (const op of ops) lines.push(formatOp(op));
  return `${lines.join("\n")}\n`;
}

/**
 * Prints `ops` and parses the text back: the result carries each op's canonical `text` and a
 * `loc` numbered from line 1, and is guaranteed to be a valid scenario. Throws ScenarioError
 * if an op cannot be spelled (a bug). O(ops).
 */
export function materialize(ops: readonly OpBody[], file: string): Op[] {
  return parseScenario(ops.map(formatOp).join("\n"), file);
}

/** The syntactic body of an op, without `text` and `loc`. */
export function bodyOf(op: Op): OpBody {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { text, loc, ...body } = op;
  return body as OpBody;
}
