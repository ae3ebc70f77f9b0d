// `vmasim bench --baseline DIR`: this build's replays of the bundled captures against
// another build's, each capture replayed by both in alternating slices of time
// (src/bench/ab.ts). Each order (this build first, the baseline first) runs in a process of
// its own, a child of this one started with `--first`, so that neither inherits the other's
// compiled code.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { alternate, meanRatio, type Side } from "../bench/ab.js";
import { cpuMs } from "../bench/measure.js";
import {
  bundledCaptures,
  captureReplayer,
  THIS_BUILD,
  type ReplayModules,
} from "../bench/replay.js";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import type { ParsedArgs } from "./spec.js";

export const FIRST = ["this", "baseline"] as const;
type First = (typeof FIRST)[number];

/** Each build's rate for one capture, with one of them first. */
interface OrderResult {
  capture: string;
  this_per_s: number;
  baseline_per_s: number;
}

/** Alternation slices: short enough for many turns, long enough for whole replays. */
const SLICE_MS = 100;

/**
 * The compiled sources of the build at `dir`: a repository or package (with dist/src), its
 * dist directory, or dist/src itself.
 */
function buildSources(dir: string): string {
  const root = resolve(dir);
  for (const src of [join(root, "dist", "src"), join(root, "src"), root]) {
    if (existsSync(join(src, "replay", "replay.js"))) return src;
  }
  throw new UsageError(
    `--baseline: ${dir} holds no build of vmasim (no dist/src/replay/replay.js); make one with ` +
      "'git worktree add DIR COMMIT && (cd DIR && npm ci)'",
    false,
  );
}

/** Where each module a replay needs lives in a build's compiled sources. */
const MODULE_FILES: ReadonlyArray<readonly [string, readonly (keyof ReplayModules)[]]> = [
  ["capture/load.js", ["openInput"]],
  ["capture/files.js", ["readLines"]],
  ["input/trace/perf-trace.js", ["PerfTraceParser"]],
  ["input/trace/strace.js", ["StraceParser"]],
  ["replay/engine.js", ["detectFormat", "FIDELITY_POLICY"]],
  ["replay/reorder.js", ["Reorder"]],
  ["replay/replay.js", ["TraceReplay"]],
];

/** The replay modules of the build whose compiled sources are at `src`. */
async function loadReplayModules(src: string): Promise<ReplayModules> {
  const found: Partial<Record<keyof ReplayModules, unknown>> = {};
  for (const [file, names] of MODULE_FILES) {
    const path = join(src, file);
    const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const name of names) {
      if (mod[name] === undefined)
        throw new UsageError(`--baseline: ${path} does not export ${name}`, false);
      found[name] = mod[name];
    }
  }
  return found as ReplayModules;
}

/** The bundled captures `--captures` names (every one by default). */
function chosenCaptures(args: ParsedArgs): string[] {
  const all = bundledCaptures();
  const value = args.optional("captures");
  if (value === undefined) return all;
  return value.split(",").map((name) => {
    const path = all.find((p) => basename(p) === name.trim());
    if (!path) {
      const names = all.map((p) => basename(p)).join(", ");
      throw new UsageError(
        `--captures: no bundled capture '${name}', choose from: ${names}`,
        false,
      );
    }
    return path;
  });
}

/** `--seconds`: how long each capture alternates, in each order. */
function secondsOf(args: ParsedArgs): number {
  const value = args.optional("seconds") ?? "8";
  const s = Number(value);
  if (!(s > 0) || !Number.isFinite(s))
    throw new UsageError(`--seconds: '${value}' is not a positive number of seconds`, false);
  return s;
}

const CLOCKS = { cpuMs, wallMs: () => performance.now() };

/** One order in this process: each capture, both builds alternating, `first` starting. */
async function runOrder(
  first: First,
  baseline: ReplayModules,
  captures: readonly string[],
  seconds: number,
  progress: (msg: string) => void,
): Promise<OrderResult[]> {
  const out: OrderResult[] = [];
  for (const path of captures) {
    const mine = await captureReplayer(THIS_BUILD, path);
    const theirs = await captureReplayer(baseline, path);
    progress(`ab: ${mine.name}, ${first} build first`);
    const sides: Side[] = first === "this" ? [mine, theirs] : [theirs, mine];
    // a warm-up of each, in the same order, so that both are compiled before the clock runs
    alternate(sides, SLICE_MS, Math.min(1000, seconds * 100), CLOCKS);
    const [a, b] = alternate(sides, SLICE_MS, seconds * 1000, CLOCKS) as [number, number];
    const [mineRate, theirRate] = first === "this" ? [a, b] : [b, a];
    out.push({ capture: mine.name, this_per_s: mineRate, baseline_per_s: theirRate });
  }
  return out;
}

/** Runs one order in a child process (`--first`), which prints its results as JSON. */
function childOrder(first: First, args: ParsedArgs, captures: readonly string[]): OrderResult[] {
  const script = process.argv[1] as string;
  const argv = [
    ...process.execArgv,
    script,
    "bench",
    "--baseline",
    args.optional("baseline") as string,
    "--captures",
    captures.map((p) => basename(p)).join(","),
    "--seconds",
    String(secondsOf(args)),
    "--first",
    first,
  ];
  const r = spawnSync(process.execPath, argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0)
    throw new Error(`bench --baseline: the run with the ${first} build first failed (${r.status})`);
  return (JSON.parse(r.stdout) as { ab: OrderResult[] }).ab;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** The comparison of both orders, as text. */
function abText(dir: string, seconds: number, orders: Record<First, OrderResult[]>): string {
  const rows = orders.this.map((t, i) => {
    const b = orders.baseline[i] as OrderResult;
    const r1 = t.this_per_s / t.baseline_per_s;
    const r2 = b.this_per_s / b.baseline_per_s;
    return [
      t.capture,
      fmt(t.this_per_s),
      fmt(t.baseline_per_s),
      r1.toFixed(3),
      fmt(b.this_per_s),
      fmt(b.baseline_per_s),
      r2.toFixed(3),
      `${meanRatio([r1, r2]).toFixed(3)}×`,
    ];
  });
  const head = [
    "capture",
    "this /s",
    "baseline /s",
    "ratio",
    "this /s",
    "baseline /s",
    "ratio",
    "mean",
  ];
  const widths = head.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => (r[c] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((x, c) => (c === 0 ? x.padEnd(widths[c] as number) : x.padStart(widths[c] as number)))
      .join("  ");
  // each order's three columns under its name
  const span = (from: number) =>
    (widths[from] as number) + (widths[from + 1] as number) + (widths[from + 2] as number) + 4;
  const group = [
    " ".repeat(widths[0] as number),
    "this first".padStart(span(1)),
    "baseline first".padStart(span(4)),
  ].join("  ");
  return [
    `Replays of the bundled captures by this build and by the baseline at ${dir}, in events`,
    `per CPU second. Each capture is replayed by both builds in turn, ${SLICE_MS} ms each, for`,
    `${seconds} s: once with this build first in each pair, then, in another process, with the`,
    "baseline first. A ratio is this build's rate over the baseline's; mean is the geometric",
    "mean of the two ratios, in which each order's bias cancels out.",
    "",
    group,
    line(head),
    "-".repeat(line(head).length),
    ...rows.map(line),
    "",
  ].join("\n");
}

/** `vmasim bench --baseline DIR`. */
export async function benchAgainstBaseline(args: ParsedArgs, io: CliIo): Promise<number> {
  const dir = args.optional("baseline") as string;
  const baselineSrc = buildSources(dir);
  const captures = chosenCaptures(args);
  const seconds = secondsOf(args);
  const progress = (msg: string) => io.stderr.write(`${msg}\n`);
  const first = args.optional("first") as First | undefined;
  if (first !== undefined) {
    const baseline = await loadReplayModules(baselineSrc);
    const ab = await runOrder(first, baseline, captures, seconds, progress);
    await writeAll(io.stdout, `${JSON.stringify({ ab })}\n`);
    return 0;
  }
  const orders = { this: childOrder("this", args, captures), baseline: [] as OrderResult[] };
  orders.baseline = childOrder("baseline", args, captures);
  if (args.flag("json")) {
    const ab = orders.this.map((t, i) => {
      const b = orders.baseline[i] as OrderResult;
      const ratios = [t.this_per_s / t.baseline_per_s, b.this_per_s / b.baseline_per_s];
      return {
        capture: t.capture,
        orders: { this_first: t, baseline_first: b },
        ratio: meanRatio(ratios),
      };
    });
    await writeAll(io.stdout, `${JSON.stringify({ baseline: dir, seconds, ab })}\n`);
  } else {
    await writeAll(io.stdout, abText(dir, seconds, orders));
  }
  return 0;
}
