// Parser of `strace -f` output: with `-o FILE` every line starts with the PID, without it
// `[pid N] ` (absent for the first process); optional -t/-tt/-ttt times and -T durations;
// -y paths on descriptors; calls split into `<unfinished ...>` and `<... name resumed>`;
// signal (`---`) and exit (`+++`) lines. This module is browser compatible.

import { BadCall, callEvent, type Call } from "./calls.js";
import type { TraceEvent, TraceParser, TraceProblem } from "./events.js";
import { splitArgs } from "./values.js";

const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:(\d+\.\d+|\d\d:\d\d:\d\d(?:\.\d+)?)\s+)?(.*)$/;
const CALL = /^([a-z_][\w]*)\((.*)$/;
const DONE = /^(.*)\)\s+= (.*?)(?:\s+<(\d+(?:\.\d+)?)>)?\s*$/;
const UNFINISHED = /^(.*?)\s*<unfinished \.\.\.>\s*$/;
const RESUMED = /^<\.\.\. ([a-z_]\w*) resumed>(.*)$/;
const EXITED = /^\+\+\+ (?:exited with -?\d+|killed by \w+(?: \(core dumped\))?) \+\+\+$/;

/** The task of lines without a pid: the first process when strace ran without -o. */
const FIRST_TASK = 0;

export class StraceParser implements TraceParser {
  readonly problems: TraceProblem[] = [];
  private readonly pending = new Map<number, { name: string; args: string; time: number }>();
  private firstTime: number | null = null;
  private lastTime = 0;

  push(text: string, lineNo: number): TraceEvent[] {
    const line = text.trim();
    if (line === "" || line.startsWith("strace: ")) return [];
    const m = PREFIX.exec(line) as RegExpExecArray;
    const tid = Number(m[1] ?? m[2] ?? FIRST_TASK);
    const time = m[3] === undefined ? this.lastTime : this.clock(m[3]);
    const body = m[4] as string;
    if (body.startsWith("---")) return []; // a signal
    if (EXITED.test(body)) {
      return [{ kind: "exit", group: false, time, dur: 0, tid, line: lineNo }];
    }
    if (body.startsWith("+++")) return []; // "superseded by execve"
    let name: string;
    let rest: string;
    let start = time;
    const resumed = RESUMED.exec(body);
    if (resumed) {
      const p = this.pending.get(tid);
      this.pending.delete(tid);
      if (!p || p.name !== resumed[1]) {
        return this.problem(lineNo, `'${resumed[1]} resumed' without its unfinished call`, text);
      }
      name = p.name;
      rest = `${p.args}${p.args === "" ? "" : ", "}${(resumed[2] as string).replace(/^\s*,?\s*/, "")}`;
      start = p.time;
    } else {
      const call = CALL.exec(body);
      if (!call) return this.problem(lineNo, "not a strace system call line", text);
      name = call[1] as string;
      rest = call[2] as string;
      const unfinished = UNFINISHED.exec(rest);
      if (unfinished) {
        this.pending.set(tid, { name, args: unfinished[1] as string, time });
        return [];
      }
    }
    const done = DONE.exec(rest);
    if (!done) return this.problem(lineNo, "truncated line (no return value)", text);
    const args = splitArgs(done[1] as string);
    const dur = done[3] === undefined ? 0 : Number(done[3]) * 1000;
    const call: Call = { name, ret: done[2] as string, arg: (pos, key) => argOf(args, pos, key) };
    try {
      const ev = callEvent(call, fileOf);
      return ev
        ? [
            {
              // the common fields first: see PerfTraceParser.push
              time: start,
              dur: resumed ? Math.max(dur, time - start) : dur,
              tid,
              line: lineNo,
              ...ev,
            },
          ]
        : [];
    } catch (e) {
      if (e instanceof BadCall) return this.problem(lineNo, e.message, text);
      throw e;
    }
  }

  /** Milliseconds since the first timestamp (epoch seconds, or a time of day). */
  private clock(text: string): number {
    const parts = text.split(":").map(Number);
    const secs =
      parts.length === 3
        ? (parts[0] as number) * 3600 + (parts[1] as number) * 60 + (parts[2] as number)
        : Number(text);
    this.firstTime ??= secs;
    const ms = (secs - this.firstTime) * 1000;
    this.lastTime = Math.max(this.lastTime, ms);
    return ms;
  }

  private problem(line: number, message: string, text: string): [] {
    this.problems.push({ line, message, text });
    return [];
  }
}

/** `key=value` arguments by key (clone), others by position. */
function argOf(args: readonly string[], pos: number, key: string): string | undefined {
  const named = args.find((a) => a.startsWith(`${key}=`));
  if (named !== undefined) return named.slice(key.length + 1);
  return pos >= 0 ? args[pos] : undefined;
}

/** `3</usr/lib/libc.so.6>` (strace -y) names the path; a bare number is a descriptor. */
function fileOf(fd: string): string {
  const m = /^\d+<(.*)>$/.exec(fd.trim());
  return m ? (m[1] as string) : `fd:${fd.trim()}`;
}
