// Parser of `perf trace` text output (perf 6.1): one line per syscall or tracepoint,
// `TIME ( DUR ms): COMM/TID name(key: value, …) = RET`. Calls interrupted by another
// task's line print `name(…) ...` and later ` ... [continued]: name()) = RET`; default
// (zero) arguments are left out. This module is browser compatible.

import { BadCall, callEvent, type Call } from "./calls.js";
import type { TraceEvent, TraceParser, TraceProblem } from "./events.js";
import { parseInt0x, splitArgs } from "./values.js";

const LINE =
  /^\s*(\?|\d+(?:\.\d+)?) \(\s*(\d+(?:\.\d+)?)?(?: ms)?\s*\): (.*?)\/(\d+)\s+(\.\.\. \[continued\]: |)([a-z_][\w]*(?::[\w]+)?)\((.*)$/;
const DONE = /^(.*)\)\s*= ?(.*)$/;
const TRACEPOINT = /^(.*)\)\s*$/;
const UNFINISHED = /^(.*)\)\s*\.\.\.\s*$/;

/** x86 page-fault error code bits (arch/x86/include/asm/trap_pf.h). */
const X86_PF_WRITE = 1 << 1;

interface Pending {
  name: string;
  args: string;
  time: number;
}

export class PerfTraceParser implements TraceParser {
  readonly problems: TraceProblem[] = [];
  private readonly pending = new Map<number, Pending>();
  private lastTime = 0;

  push(text: string, lineNo: number): TraceEvent[] {
    if (text.trim() === "") return [];
    const m = LINE.exec(text);
    if (!m) return this.problem(lineNo, "not a perf trace event line", text);
    const [, timeText, durText, , tidText, continued, name, rest] = m as unknown as string[];
    const tid = Number(tidText);
    const time = timeText === "?" ? this.lastTime : Number(timeText);
    this.lastTime = Math.max(this.lastTime, time);
    const dur = durText === undefined ? 0 : Number(durText);
    let args: string;
    let ret: string;
    let start = time;
    if (continued) {
      const done = DONE.exec(rest as string);
      if (!done) return this.problem(lineNo, "truncated continued line", text);
      const p = this.pending.get(tid);
      this.pending.delete(tid);
      const same = p !== undefined && p.name === name;
      args = same ? p.args : "";
      if (same && timeText === "?") start = p.time;
      ret = done[2] as string;
    } else if ((name as string).includes(":")) {
      const tp = TRACEPOINT.exec(rest as string);
      if (!tp) return this.problem(lineNo, "truncated tracepoint line", text);
      args = tp[1] as string;
      ret = "";
    } else {
      const unfinished = UNFINISHED.exec(rest as string);
      if (unfinished) {
        this.pending.set(tid, { name: name as string, args: unfinished[1] as string, time });
        return [];
      }
      const done = DONE.exec(rest as string);
      if (!done) return this.problem(lineNo, "truncated line (no return value)", text);
      args = done[1] as string;
      ret = done[2] as string;
    }
    const named = new Map<string, string>();
    for (const a of splitArgs(args)) {
      const i = a.indexOf(": ");
      if (i < 0) return this.problem(lineNo, `argument without a name: '${a}'`, text);
      named.set(a.slice(0, i), a.slice(i + 2));
    }
    if ((name as string).startsWith("exceptions:page_fault_")) {
      const addr = parseInt0x(named.get("address") ?? "0"); // perf leaves out a zero address
      const code = parseInt0x(named.get("error_code") ?? "0");
      if (addr === null || code === null)
        return this.problem(lineNo, "page fault with a bad address or error code", text);
      const write = (code & X86_PF_WRITE) !== 0;
      return [{ time: start, dur, tid, line: lineNo, kind: "fault", addr, write }];
    }
    const call: Call = { name: name as string, arg: (_pos, key) => named.get(key), ret };
    try {
      // perf prints no paths: the replay tells files apart by descriptor and open
      const body = callEvent(call, (fd) => `fd:${fd}`);
      // the common fields first, then the spread: V8 builds `{ ...a, ...b }` and
      // `{ ...b, x }` as objects whose fields take 30× longer to read than a literal's
      return body ? [{ time: start, dur, tid, line: lineNo, ...body }] : [];
    } catch (e) {
      if (e instanceof BadCall) return this.problem(lineNo, e.message, text);
      throw e;
    }
  }

  private problem(line: number, message: string, text: string): [] {
    this.problems.push({ line, message, text });
    return [];
  }
}
