// A capture's ground truth, as the sampler writes it (src/capture/sampler): the task tree,
// the layout every exec produced, and the samples of /proc/PID/smaps, one record per
// block. This module is browser compatible.
//
//   sampler PID                        the sampler itself (its events are not replayed)
//   task TID PARENT KIND               KIND: fork | vfork | thread
//   exec TID START_BRK START_STACK     then VMA lines, then `end`
//   sample ID PID                      then VMA lines, then `end`
//   VMA line: START-END PERMS OFFSET ANON_KB VMFLAGS [NAME]   (hex range and offset;
//   VMFLAGS comma-joined as in smaps)

import type { SpawnKind } from "../input/trace/events.js";

/** One VMA as /proc/PID/smaps showed it. */
export interface TruthVma {
  start: number;
  end: number;
  perms: string;
  /** File offset in bytes. */
  offset: number;
  /** Anonymous memory in it, kB. */
  anonKb: number;
  vmflags: string;
  /** Path, [heap], [stack], [vdso]…, or "" for anonymous memory. */
  name: string;
}

export interface ExecLayout {
  startBrk: number;
  startStack: number;
  vmas: TruthVma[];
}

export interface Sample {
  id: number;
  pid: number;
  vmas: TruthVma[];
}

export interface Truth {
  sampler: number | null;
  tasks: Map<number, { parent: number; kind: SpawnKind }>;
  /** Exec layouts per task, in exec order. */
  execs: Map<number, ExecLayout[]>;
  /** Samples by id (one id covers every process read in that round). */
  samples: Map<number, Sample[]>;
  problems: string[];
}

const VMA = /^([0-9a-f]+)-([0-9a-f]+) ([rwxsp-]{4}) ([0-9a-f]+) (\d+) (\S+)(?: (.*))?$/;
const KINDS: readonly string[] = ["fork", "vfork", "thread"];

/** Parses the sampler's file; bad lines are reported in `problems` and skipped. */
export function parseTruth(lines: Iterable<string>): Truth {
  const truth: Truth = {
    sampler: null,
    tasks: new Map(),
    execs: new Map(),
    samples: new Map(),
    problems: [],
  };
  let block: TruthVma[] | null = null;
  let n = 0;
  for (const raw of lines) {
    n++;
    const line = raw.trimEnd();
    if (line === "") continue;
    if (block) {
      if (line === "end") {
        block = null;
        continue;
      }
      const m = VMA.exec(line);
      if (!m) truth.problems.push(`line ${n}: not a VMA line: ${line}`);
      else
        block.push({
          start: parseInt(m[1] as string, 16),
          end: parseInt(m[2] as string, 16),
          perms: m[3] as string,
          offset: parseInt(m[4] as string, 16),
          anonKb: Number(m[5]),
          vmflags: m[6] === "-" ? "" : (m[6] as string),
          name: m[7] ?? "",
        });
      continue;
    }
    const w = line.split(" ");
    const num = (i: number) => Number(w[i]);
    if (w[0] === "sampler" && w.length === 2) truth.sampler = num(1);
    else if (w[0] === "task" && w.length === 4 && KINDS.includes(w[3] as string)) {
      truth.tasks.set(num(1), { parent: num(2), kind: w[3] as SpawnKind });
    } else if (w[0] === "exec" && w.length === 4) {
      const layout: ExecLayout = { startBrk: num(2), startStack: num(3), vmas: [] };
      const list = truth.execs.get(num(1)) ?? [];
      list.push(layout);
      truth.execs.set(num(1), list);
      block = layout.vmas;
    } else if (w[0] === "sample" && w.length === 3) {
      const s: Sample = { id: num(1), pid: num(2), vmas: [] };
      const list = truth.samples.get(s.id) ?? [];
      list.push(s);
      truth.samples.set(s.id, list);
      block = s.vmas;
    } else {
      truth.problems.push(`line ${n}: unknown record: ${line}`);
    }
  }
  return truth;
}
