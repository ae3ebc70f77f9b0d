// `vmasim bench --baseline DIR`: this build's replays of the bundled captures, and its rounds
// of the side-by-side model workloads, against another build's, each run by both in
// alternating turns (src/bench/ab.ts).
// Each order (this build first, the baseline first) runs in a child process of its own
// (src/bench/ab-child.ts), which loads both builds in that order.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { meanRatio, SLICE_MS, type OrderConfig, type OrderResult } from "../bench/ab.js";
import { bundledCaptures } from "../bench/replay.js";
import { WORKLOADS } from "../bench/workloads.js";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import type { ParsedArgs } from "./spec.js";

type First = OrderConfig["first"];

/**
 * The compiled sources (dist/src) of the build at `dir`: a repository or package with a
 * dist directory, that dist directory, or dist/src itself; null when none is there.
 */
function buildSources(dir: string): string | null {
  const root = resolve(dir);
  for (const src of [join(root, "dist", "src"), join(root, "src"), root]) {
    if (existsSync(join(src, "replay", "replay.js"))) return src;
  }
  return null;
}

/** This build's compiled sources: the dist of the package this module belongs to. */
function thisBuildSources(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const src = buildSources(dir);
  if (!src) throw new UsageError(`--baseline: this build has no dist/ under ${dir}`, false);
  return src;
}

/**
 * The bundled captures `--captures` names: every one by default, none when only
 * `--workloads` is given.
 */
function chosenCaptures(args: ParsedArgs): string[] {
  const all = bundledCaptures();
  const value = args.optional("captures");
  if (value === undefined) return args.optional("workloads") === undefined ? all : [];
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

/** The side-by-side model workloads `--workloads` names ('all': every one; default: none). */
function chosenWorkloads(args: ParsedArgs): string[] {
  const value = args.optional("workloads");
  const all = WORKLOADS.map((w) => w.name);
  if (value === undefined) return [];
  if (value.trim() === "all") return all;
  return value.split(",").map((raw) => {
    const name = raw.trim();
    if (!all.includes(name)) {
      throw new UsageError(
        `--workloads: no model workload '${name}', choose from: all, ${all.join(", ")}`,
        false,
      );
    }
    return name;
  });
}

/** `--seconds`: how long each capture or workload alternates, in each order. */
function secondsOf(args: ParsedArgs): number {
  const value = args.optional("seconds") ?? "8";
  const s = Number(value);
  if (!(s > 0) || !Number.isFinite(s))
    throw new UsageError(`--seconds: '${value}' is not a positive number of seconds`, false);
  return s;
}

/**
 * Runs one order in a child process (src/bench/ab-child.ts); progress passes through. What
 * stops the child (a build that lacks a module) is reported as the child words it.
 */
function childOrder(config: OrderConfig): OrderResult[] {
  const child = join(config.thisSrc, "bench", "ab-child.js");
  const r = spawnSync(process.execPath, [...process.execArgv, child, JSON.stringify(config)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  let out: { ab?: OrderResult[]; error?: string } = {};
  try {
    out = JSON.parse(r.stdout) as typeof out;
  } catch {
    // no JSON: the child died before it could say why (its stderr shows it)
  }
  if (out.error !== undefined) throw new UsageError(`--baseline: ${out.error}`, false);
  if (r.status !== 0 || out.ab === undefined) {
    throw new Error(
      `bench --baseline: the run with the ${config.first} build first failed (status ${r.status})`,
    );
  }
  return out.ab;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const ratioOf = (r: OrderResult) => r.this_per_s / r.baseline_per_s;

/** One table of both orders side by side, its first column headed `title`. */
function abTable(title: string, these: OrderResult[], baselines: OrderResult[]): string[] {
  const rows = these.map((t, i) => {
    const b = baselines[i] as OrderResult;
    return [
      t.name,
      fmt(t.this_per_s),
      fmt(t.baseline_per_s),
      ratioOf(t).toFixed(3),
      fmt(b.this_per_s),
      fmt(b.baseline_per_s),
      ratioOf(b).toFixed(3),
      `${meanRatio([ratioOf(t), ratioOf(b)]).toFixed(3)}×`,
    ];
  });
  const head = [title, "this /s", "baseline /s", "ratio", "this /s", "baseline /s", "ratio"];
  head.push("mean");
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
  return ["", group, line(head), "-".repeat(line(head).length), ...rows.map(line)];
}

/** Both orders side by side, as text: a table of captures, then one of workloads. */
function abText(dir: string, seconds: number, orders: Record<First, OrderResult[]>): string {
  const lines = [
    `This build against the baseline at ${dir}:`,
    "replays of bundled captures, in events per CPU second, and side-by-side model workloads,",
    "in operations per CPU second (a round's whole CPU time: the first-touch workloads' rounds",
    `include their mmap and munmap). Each is run by both builds in turn, ${SLICE_MS} ms each, for`,
    `${seconds} s, in two processes: in one, this build is loaded first and starts every pair; in`,
    "the other, the baseline does. A ratio is this build's rate over the baseline's; mean is",
    "the geometric mean of the two ratios, in which a bias toward either position cancels.",
  ];
  for (const kind of ["capture", "workload"] as const) {
    const these = orders.this.filter((r) => r.kind === kind);
    const baselines = orders.baseline.filter((r) => r.kind === kind);
    if (these.length > 0) lines.push(...abTable(kind, these, baselines));
  }
  return `${lines.join("\n")}\n`;
}

/** `vmasim bench --baseline DIR`. */
export async function benchAgainstBaseline(args: ParsedArgs, io: CliIo): Promise<number> {
  const dir = args.optional("baseline") as string;
  const baselineSrc = buildSources(dir);
  if (!baselineSrc) {
    throw new UsageError(
      `--baseline: ${dir} holds no build of vmasim (no dist/src/replay/replay.js); make one ` +
        "with 'git worktree add DIR COMMIT && (cd DIR && npm ci)'",
      false,
    );
  }
  const captures = chosenCaptures(args);
  const workloads = chosenWorkloads(args);
  const seconds = secondsOf(args);
  const thisSrc = thisBuildSources();
  if (resolve(baselineSrc) === resolve(thisSrc)) {
    throw new UsageError(
      `--baseline: ${dir} is this build: both sides would run the same loaded code; for a ` +
        "same-build control, compare with a copy of its dist ('cp -r dist /tmp/copy')",
      false,
    );
  }
  const base = { thisSrc, baselineSrc, captures, workloads, seconds };
  const orders: Record<First, OrderResult[]> = {
    this: childOrder({ ...base, first: "this" }),
    baseline: childOrder({ ...base, first: "baseline" }),
  };
  if (args.flag("json")) {
    const ab = orders.this.map((t, i) => {
      const b = orders.baseline[i] as OrderResult;
      const rates = (r: OrderResult) => ({
        this_per_s: r.this_per_s,
        baseline_per_s: r.baseline_per_s,
      });
      return {
        [t.kind]: t.name,
        orders: { this_first: rates(t), baseline_first: rates(b) },
        ratio: meanRatio([ratioOf(t), ratioOf(b)]),
      };
    });
    await writeAll(io.stdout, `${JSON.stringify({ baseline: dir, seconds, ab })}\n`);
  } else {
    await writeAll(io.stdout, abText(dir, seconds, orders));
  }
  return 0;
}
