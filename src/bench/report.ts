// The benchmark's results and their two renderings: a readable report and one JSON
// object whose "results" array holds the side-by-side rows. Pure: no I/O, no clock.

import { CACHE_BYTES, MEMORY_BYTES, type MachineSpeed } from "./machine-speed.js";
import type { MemoryResult } from "./memory.js";
import type { RelocationRow } from "./relocation.js";
import {
  GOAL_POLICY,
  relocationGrowth,
  RELOCATION_LENGTH_GOAL,
  type Growth,
} from "./relocation-growth.js";
import { SCALE_OPS, SCALE_VMA_PAGES, type ScaleResult, type ScaleRow } from "./scale.js";
import type { SideRow } from "./side-by-side.js";

/** The machine a run measured. */
export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  /** Kernel release (uname -r). */
  kernel: string;
  node: string;
  /**
   * Node's and V8's flags: the heap sizes change what the collector costs, the inlining
   * budgets what a call costs.
   */
  nodeFlags: string;
  /** The 1-minute load average at the end of the run: above the CPU count, figures are noisy. */
  load: number;
  /** Its speed at the start of the run, apart from the model. */
  speed: MachineSpeed;
}

/** One run of `vmasim bench`: each section, or null when it was not run. */
export interface BenchResult {
  quick: boolean;
  machine: MachineInfo;
  /** Why the kernel column is empty, or null when the kernel ran. */
  kernelSkipped: string | null;
  side: SideRow[] | null;
  scale: ScaleResult | null;
  memory: MemoryResult | null;
  relocation: RelocationRow[] | null;
}

/** The issue's goals. Every side-by-side row: the model at least this many times the kernel. */
export const RATIO_GOAL = 3;
/** Cost per operation at SCALE_GOAL_VMAS, at most this many times that at the smallest size. */
export const SCALE_GOAL = 2;
export const SCALE_GOAL_VMAS = 1_000_000;
export const BYTES_PER_VMA_GOAL = 300;
export const BYTES_PER_PAGE_GOAL = 100;
/** Replay rows (unit "event"): trace events per second on the model. */
export const REPLAY_GOAL = 1_000_000;

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const roundAll = (xs: Record<string, number>, digits = 1) =>
  Object.fromEntries(Object.entries(xs).map(([k, v]) => [k, round(v, digits)]));

/** The JSON rendering: {"results":[{name,model_per_s,kernel_per_s,ratio}], …}. */
export function benchJson(r: BenchResult): string {
  const out = {
    results: (r.side ?? []).map((row) => ({
      name: row.name,
      model_per_s: round(row.model),
      kernel_per_s: row.kernel === null ? null : round(row.kernel),
      ratio: row.ratio === null ? null : round(row.ratio, 3),
    })),
    scale:
      r.scale?.rows.map((s) => ({
        vmas: s.vmas,
        resident_pages: s.residentPages,
        build_s: round(s.buildS, 2),
        heap_bytes: s.heapBytes,
        ns_per_op: roundAll(s.nsPerOp),
        adjacent_ns_per_op: roundAll(s.adjacentNsPerOp),
        gc_share: roundAll(s.gcShare, 3),
        adjacent_gc_share: roundAll(s.adjacentGcShare, 3),
        load_ns: round(s.loadNs),
        kernel_ns_per_op: s.kernelNsPerOp && roundAll(s.kernelNsPerOp),
      })) ?? null,
    memory: r.memory && {
      vmas: r.memory.vmas,
      pages: r.memory.pages,
      bytes_per_vma: round(r.memory.bytesPerVma),
      bytes_per_faulted_vma: round(r.memory.bytesPerFaultedVma),
      bytes_per_page: round(r.memory.bytesPerPage),
    },
    relocation:
      r.relocation?.map((x) => ({
        policy: x.policy,
        vma_pages: x.vmaPages,
        resident_pages: x.residentPages,
        merged: x.merged,
        pages_walked: x.pagesWalked,
        pages_relocated: x.pagesRelocated,
        us_per_merge: round(x.usPerMerge, 2),
      })) ?? null,
    relocation_growth:
      r.relocation &&
      relocationGrowth(r.relocation).map((g) => ({
        policy: g.policy,
        longer_time_ratio: g.length && round(g.length.time, 3),
        longer_walked_ratio: g.length?.walked == null ? null : round(g.length.walked, 3),
        more_resident_time_ratio: g.resident && round(g.resident.time, 3),
        more_resident_walked_ratio: g.resident?.walked == null ? null : round(g.resident.walked, 3),
      })),
    scale_skipped: r.scale?.skipped ?? null,
    machine: r.machine,
    kernel_skipped: r.kernelSkipped,
    quick: r.quick,
  };
  return `${JSON.stringify(out)}\n`;
}

function fmtRate(r: number | null): string {
  if (r === null) return "-";
  return r >= 100 ? Math.round(r).toLocaleString("en-US") : r.toPrecision(3);
}

function fmtNs(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${Math.round(ns)} ns`;
}

const int = (n: number) => n.toLocaleString("en-US");

/** Microseconds at the clock's resolution (1 µs). */
function fmtUs(us: number): string {
  return us >= 1000 ? `${int(Math.round(us))} µs` : `${us.toFixed(1)} µs`;
}

/** Aligned columns, header underlined; columns in `right` are right-aligned. */
function table(rows: readonly string[][], right: ReadonlySet<number>): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.flatMap((r, i) => {
    const line = r
      .map((cell, c) =>
        right.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join("  ")
      .trimEnd();
    return i === 0 ? [line, "-".repeat(line.length)] : [line];
  });
}

const verdict = (ok: boolean) => (ok ? "ok" : "MISS");

/**
 * The side-by-side table. A --quick run's warm-ups are too short for V8 to compile every
 * workload's code (`warmUp`), so its rates are rough and the goals are not judged on them.
 */
function sideText(rows: readonly SideRow[], quick: boolean): string[] {
  const judge = (ok: boolean) => (quick ? "" : verdict(ok));
  const body = rows.map((r) => [
    r.label,
    r.unit,
    fmtRate(r.model),
    fmtRate(r.kernel),
    r.ratio === null ? "-" : `${r.ratio.toFixed(2)}×`,
    r.ratio !== null
      ? judge(r.ratio >= RATIO_GOAL)
      : r.unit === "event"
        ? judge(r.model >= REPLAY_GOAL)
        : "",
  ]);
  return [
    `Model (invariant checks off) vs. the real kernel, operations per second; goals: ratio ≥ ${RATIO_GOAL},`,
    `replays (the model's part: events parsed beforehand) ≥ ${int(REPLAY_GOAL)} events/s`,
    ...(quick
      ? ["--quick: short warm-ups leave some code uncompiled; the goals are judged by a full run"]
      : []),
    "",
    ...table(
      [["workload", "unit", "model /s", "kernel /s", "ratio", ""], ...body],
      new Set([2, 3, 4]),
    ),
  ];
}

/** The rows' times per operation (`perOp`), after the VMA count and the `extra` columns. */
function opTable(
  rows: readonly ScaleRow[],
  perOp: (s: ScaleRow) => Record<string, number>,
  extraHead: readonly string[],
  extra: (s: ScaleRow) => string[],
): string[] {
  const head = ["VMAs", ...extraHead, ...SCALE_OPS];
  const body = rows.map((s) => [
    int(s.vmas),
    ...extra(s),
    ...SCALE_OPS.map((op) => fmtNs(perOp(s)[op] ?? NaN)),
  ]);
  return table([head, ...body], new Set(head.map((_, i) => i)));
}

function scaleText({ rows, skipped }: ScaleResult): string[] {
  const lines = [
    `Scale: one mm of N VMAs with ${SCALE_VMA_PAGES} resident pages each; time per operation on VMAs spread over it`,
    "",
    ...opTable(
      rows,
      (s) => s.nsPerOp,
      ["resident pages", "build", "heap"],
      (s) => [
        int(s.residentPages),
        `${s.buildS.toFixed(1)} s`,
        `${(s.heapBytes / 2 ** 20).toFixed(0)} MiB`,
      ],
    ),
  ];
  if (skipped) lines.push(`  ${skipped}`);
  lines.push(
    "",
    "The same operations, each on the VMA next to the previous one's (its index entries and page",
    "table warm in the caches), and the time of one load from memory at random (each waiting for",
    "the last) in a buffer the size of the heap",
    "",
    ...opTable(
      rows,
      (s) => s.adjacentNsPerOp,
      ["load"],
      (s) => [fmtNs(s.loadNs)],
    ),
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (first && last && last !== first) {
    const loads = (ns: number) => (ns / last.loadNs).toFixed(ns < 2 * last.loadNs ? 1 : 0);
    lines.push("");
    for (const op of SCALE_OPS) {
      const spread = last.nsPerOp[op] ?? NaN;
      const adjacent = last.adjacentNsPerOp[op] ?? NaN;
      const growth = spread / (first.nsPerOp[op] ?? NaN);
      const adjacentGrowth = adjacent / (first.adjacentNsPerOp[op] ?? NaN);
      const gcFirst = first.adjacentGcShare[op] ?? NaN;
      const gcLast = last.adjacentGcShare[op] ?? NaN;
      const pct = (x: number) => `${Math.round(100 * x)} %`;
      const goal =
        last.vmas >= SCALE_GOAL_VMAS
          ? `(goal ≤ ${SCALE_GOAL}×) ${verdict(growth <= SCALE_GOAL)}`
          : `(the goal, ≤ ${SCALE_GOAL}×, is judged at ${int(SCALE_GOAL_VMAS)} VMAs)`;
      lines.push(
        `  ${op}: ${int(last.vmas)} VMAs cost ${growth.toFixed(2)}× ${int(first.vmas)} VMAs ${goal};`,
        `    on neighbouring VMAs ${adjacentGrowth.toFixed(2)}×, ${(((1 - gcLast) / (1 - gcFirst)) * adjacentGrowth).toFixed(2)}× outside the collector's pauses (${pct(gcLast)} of the time, ${pct(gcFirst)} at ${int(first.vmas)});`,
        `    spread apart, the extra ${fmtNs(spread - adjacent)} is the time of ${loads(spread - adjacent)} loads from memory`,
      );
      // the goal's room over the smallest size, in the loads an operation on a cold VMA
      // cannot avoid: when it is under a few, no layout of the model can meet the goal
      if (last.vmas >= SCALE_GOAL_VMAS) {
        const room = (SCALE_GOAL - 1) * (first.nsPerOp[op] ?? NaN);
        lines.push(
          `    the goal allows ${fmtNs(room)} more than at ${int(first.vmas)} VMAs: ${loads(room)} such loads`,
        );
      }
    }
  }
  return [...lines, ...kernelScaleText(rows)];
}

/** The real kernel at the sizes it ran, beside the model; nothing when it ran none. */
function kernelScaleText(rows: readonly ScaleRow[]): string[] {
  const measured = rows.filter((s) => s.kernelNsPerOp !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  if (!first || !last) return [];
  const kernelNs = (s: ScaleRow, op: string) => s.kernelNsPerOp?.[op] ?? NaN;
  const head = ["VMAs", ...SCALE_OPS];
  const body = measured.map((s) => [
    int(s.vmas),
    ...SCALE_OPS.map((op) => {
      const k = kernelNs(s, op);
      return `${fmtNs(k)} (${(k / (s.nsPerOp[op] ?? NaN)).toFixed(2)}×)`;
    }),
  ]);
  const lines = [
    "",
    "The real kernel, same operations, at the sizes vm.max_map_count allows: time per operation,",
    "and how many times faster the model is (kernel time / model time)",
    "",
    ...table([head, ...body], new Set(head.map((_, i) => i))),
  ];
  if (last !== first) {
    lines.push("");
    for (const op of SCALE_OPS) {
      const k = kernelNs(last, op) / kernelNs(first, op);
      const m = (last.nsPerOp[op] ?? NaN) / (first.nsPerOp[op] ?? NaN);
      lines.push(
        `  ${op}: from ${int(first.vmas)} to ${int(last.vmas)} VMAs the kernel's cost grows ${k.toFixed(2)}×, the model's ${m.toFixed(2)}×`,
      );
    }
  }
  return lines;
}

function memoryText(m: MemoryResult): string[] {
  return [
    `Memory (V8 heap and ArrayBuffers after full GC; ${int(m.vmas)} one-page VMAs, one VMA of ${int(m.pages)} resident pages)`,
    "",
    `  per VMA, unfaulted:             ${m.bytesPerVma.toFixed(0)} B (goal ≤ ${BYTES_PER_VMA_GOAL}) ${verdict(m.bytesPerVma <= BYTES_PER_VMA_GOAL)}`,
    `  per VMA, faulted (+anon_vma…):  ${(m.bytesPerVma + m.bytesPerFaultedVma).toFixed(0)} B (goal ≤ ${BYTES_PER_VMA_GOAL}) ${verdict(m.bytesPerVma + m.bytesPerFaultedVma <= BYTES_PER_VMA_GOAL)}`,
    `  per resident page:              ${m.bytesPerPage.toFixed(0)} B (goal ≤ ${BYTES_PER_PAGE_GOAL}) ${verdict(m.bytesPerPage <= BYTES_PER_PAGE_GOAL)}`,
  ];
}

function relocationText(rows: readonly RelocationRow[]): string[] {
  const body = rows.map((x) => [
    x.policy,
    int(x.vmaPages),
    int(x.residentPages),
    x.merged ? "yes" : "no",
    int(x.pagesWalked),
    int(x.pagesRelocated),
    fmtUs(x.usPerMerge),
  ]);
  return [
    "Relocation: mremap B next to A (different anon_vmas), per policy; pages counted by Kernel.stats",
    "",
    ...table(
      [
        ["policy", "VMA pages", "resident", "merged", "walked", "relocated", "time/mremap"],
        ...body,
      ],
      new Set([1, 2, 4, 5, 6]),
    ),
    ...relocationGrowthText(rows),
  ];
}

/** "16× (16,384 → 262,144 VMA pages, 16,384 resident)": how much one axis grew, and where. */
function grewBy(g: Growth, axis: "vmaPages" | "residentPages"): string {
  const [what, other, fixed] =
    axis === "vmaPages"
      ? (["VMA pages", "residentPages", "resident"] as const)
      : (["resident pages", "vmaPages", "VMA pages"] as const);
  return `${int(g.to[axis] / g.from[axis])}× (${int(g.from[axis])} → ${int(g.to[axis])} ${what}, ${int(g.from[other])} ${fixed})`;
}

/** How each policy's cost grows with the VMA's length and with its resident pages. */
function relocationGrowthText(rows: readonly RelocationRow[]): string[] {
  const growths = relocationGrowth(rows);
  const sample = growths.find((g) => g.length && g.resident);
  const times = (g: Growth | null) => (g ? `${g.time.toFixed(2)}×` : "-");
  const walked = (g: Growth | null) => (g?.walked == null ? "-" : `${g.walked.toFixed(2)}×`);
  const lines = [""];
  if (sample?.length && sample.resident)
    lines.push(
      `As the VMA grows ${grewBy(sample.length, "vmaPages")} and as its resident pages grow`,
      `${grewBy(sample.resident, "residentPages")}: time per mremap, and pages walked ("-": none)`,
      "",
      ...table(
        [
          ["policy", "longer: time", "walked", "more resident: time", "walked"],
          ...growths.map((g) => [
            g.policy,
            times(g.length),
            walked(g.length),
            times(g.resident),
            walked(g.resident),
          ]),
        ],
        new Set([1, 2, 3, 4]),
      ),
      "",
    );
  const goal = growths.find((g) => g.policy === GOAL_POLICY)?.length;
  lines.push(
    goal
      ? `  ${GOAL_POLICY}: a VMA longer by ${grewBy(goal, "vmaPages")} takes ${goal.time.toFixed(2)}× the time (goal ≤ ${RELOCATION_LENGTH_GOAL}×: time with the resident pages, not the length) ${verdict(goal.time <= RELOCATION_LENGTH_GOAL)}`
      : `  ${GOAL_POLICY}: no two VMA lengths with as many resident pages in this grid: the goal was not measured`,
  );
  return lines;
}

/** The readable rendering. */
export function benchText(r: BenchResult): string {
  const m = r.machine;
  const sections: string[][] = [
    [
      `vmasim bench${r.quick ? " --quick" : ""}: ${m.cpus} CPUs (${m.cpuModel}), Linux ${m.kernel}, Node.js ${m.node}${m.nodeFlags ? ` (${m.nodeFlags})` : ""}`,
      `load average ${m.load.toFixed(2)} at the end${m.load > m.cpus / 2 ? " (other work was running: figures are noisy)" : ""}`,
      "machine speed at the start (a shared machine's moves from day to day: compare runs by it too):",
      `  ${m.speed.stepNs.toFixed(2)} ns per dependent integer step; a dependent load at random takes ${m.speed.cacheLoadNs.toFixed(0)} ns in ${CACHE_BYTES / 2 ** 20} MiB, ${m.speed.memoryLoadNs.toFixed(0)} ns in ${MEMORY_BYTES / 2 ** 20} MiB`,
      ...(r.kernelSkipped === null ? [] : [`kernel column skipped: ${r.kernelSkipped}`]),
    ],
  ];
  if (r.side) sections.push(sideText(r.side, r.quick));
  if (r.scale) sections.push(scaleText(r.scale));
  if (r.memory) sections.push(memoryText(r.memory));
  if (r.relocation) sections.push(relocationText(r.relocation));
  return `${sections.map((s) => s.join("\n")).join("\n\n")}\n`;
}
