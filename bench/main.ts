// `npm run bench`: operations per second of the model (invariant checks off) and of the
// real kernel for the same workloads, side by side. Figures are printed, not asserted.
//
//   node dist/bench/main.js [--quick] [--json] [--no-kernel] [--filter SUBSTRING]...
//
// Targets (from the issue): every operation class at least twice the kernel's rate; fork of
// the 10,000-VMA process faster than the kernel's; no cost growing with a VMA's length in
// pages when no page changes (the 16-page and 1 GiB rates about equal).

import { availableParallelism, loadavg } from "node:os";
import { prepareKernel, runKernelWorkload, type KernelBench } from "./kernel.js";
import { runModelWorkload } from "./model.js";
import {
  FULL_TIMING,
  LENGTH_PAIRS,
  LENGTH_TOLERANCE,
  QUICK_TIMING,
  WORKLOADS,
  wanted,
  type WorkloadInfo,
} from "./workloads.js";

interface Args {
  quick: boolean;
  json: boolean;
  kernel: boolean;
  filters: string[];
}

const USAGE = `usage: npm run bench -- [--quick] [--json] [--no-kernel] [--filter SUBSTRING]...
  --quick           short warm-up and repetitions (the whole run takes well under 30 s)
  --json            print {"results":[{"name","model_per_s","kernel_per_s","ratio"}...]} on stdout
  --no-kernel       model only
  --filter S        only workloads whose name contains S (repeatable), e.g. --filter fork
kernel and model runs of each workload alternate; progress goes to stderr
workloads: ${WORKLOADS.map((w) => w.name).join(", ")}`;

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { quick: false, json: false, kernel: true, filters: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") a.quick = true;
    else if (arg === "--json") a.json = true;
    else if (arg === "--no-kernel") a.kernel = false;
    else if (arg === "--filter" && i + 1 < argv.length) a.filters.push(argv[++i] as string);
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`bench: unknown argument '${arg}'\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return a;
}

interface Row {
  info: WorkloadInfo;
  model: number | null;
  kernel: number | null;
  ratio: number | null;
  verdict: string;
}

function verdictOf(info: WorkloadInfo, ratio: number | null): string {
  if (ratio === null || info.target === "info") return "";
  if (info.target === "2x") return ratio >= 2 ? "ok" : "MISS";
  return ratio > 1 ? "ok" : "MISS";
}

const TARGET_TEXT: Record<WorkloadInfo["target"], string> = {
  "2x": "≥2× kernel",
  faster: ">1× kernel",
  info: "",
};

function fmtRate(r: number | null): string {
  if (r === null) return "-";
  if (r >= 100) return Math.round(r).toLocaleString("en-US");
  return r.toPrecision(3);
}

function fmtRatio(r: number | null): string {
  return r === null ? "-" : `${r.toFixed(2)}×`;
}

function table(rows: readonly string[][], rightAlign: ReadonlySet<number>): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) =>
          rightAlign.has(c) && i > 0 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
        )
        .join("  ")
        .trimEnd();
      return i === 0 ? `${line}\n${"-".repeat(line.length)}` : line;
    })
    .join("\n");
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const timing = args.quick ? QUICK_TIMING : FULL_TIMING;
  const progress = (msg: string) => process.stderr.write(`${msg}\n`);

  let kernel: KernelBench = { ok: false, reason: "--no-kernel" };
  if (args.kernel) {
    progress("kernel: compiling bench/kernel.c");
    kernel = await prepareKernel();
    if (!kernel.ok) progress(`kernel: skipped: ${kernel.reason}`);
  }

  // kernel and model runs of each workload alternate, so that both see the same machine load
  const rows: Row[] = [];
  for (const info of WORKLOADS.filter((w) => wanted(w.name, args.filters))) {
    let k: number | null = null;
    if (kernel.ok) {
      try {
        k = await runKernelWorkload(kernel.path, args.quick, info.name);
      } catch (e) {
        progress(`kernel: ${info.name}: ${(e as Error).message}`);
      }
    }
    progress(`model: ${info.name}`);
    const m = runModelWorkload(info.name, timing);
    const ratio = k !== null && k > 0 ? m / k : null;
    rows.push({ info, model: m, kernel: k, ratio, verdict: verdictOf(info, ratio) });
  }
  const byName = new Map(rows.map((r) => [r.info.name, r]));
  const lengths = LENGTH_PAIRS.flatMap((p) => {
    const s = byName.get(p.small);
    const l = byName.get(p.large);
    if (!s || !l) return [];
    const ratio = (a: number | null, b: number | null) =>
      a !== null && b !== null && a > 0 ? b / a : null;
    return [
      { ...p, modelRatio: ratio(s.model, l.model), kernelRatio: ratio(s.kernel, l.kernel), s, l },
    ];
  });

  if (args.json) {
    const out = {
      results: rows.map((r) => ({
        name: r.info.name,
        model_per_s: r.model,
        kernel_per_s: r.kernel,
        ratio: r.ratio,
      })),
      length_independence: lengths.map((x) => ({
        name: x.label,
        model_16p_per_s: x.s.model,
        model_1g_per_s: x.l.model,
        ratio: x.modelRatio,
        kernel_ratio: x.kernelRatio,
      })),
      kernel: kernel.ok ? { available: true } : { available: false, reason: kernel.reason },
      quick: args.quick,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }

  const lines: string[] = [];
  lines.push(
    `vmasim bench${args.quick ? " (--quick)" : ""}: model with invariant checks off vs. the kernel (${process.platform}); median of 3 runs`,
  );
  const load = loadavg()[0] ?? 0;
  const cpus = availableParallelism();
  lines.push(
    `machine: ${cpus} CPUs, load average ${load.toFixed(2)} at the end of the run` +
      (load > cpus / 2 ? " (other work was running: figures are noisy)" : ""),
  );
  if (!kernel.ok) lines.push(`kernel column skipped: ${kernel.reason}`);
  lines.push("");
  const head = ["workload", "unit", "model /s", "kernel /s", "model/kernel", "target", ""];
  const body = rows.map((r) => [
    r.info.label,
    r.info.unit,
    fmtRate(r.model),
    fmtRate(r.kernel),
    fmtRatio(r.ratio),
    TARGET_TEXT[r.info.target],
    r.verdict,
  ]);
  lines.push(table([head, ...body], new Set([2, 3, 4])));

  const forks = rows.filter((r) => r.info.name.startsWith("fork_"));
  if (forks.length > 0) {
    lines.push("");
    lines.push("fork+exit, time per fork:");
    for (const r of forks) {
      const ms = (x: number | null) =>
        x === null || x === 0 ? "-" : `${(1000 / x).toFixed(3)} ms`;
      lines.push(`  ${r.info.label}: model ${ms(r.model)}, kernel ${ms(r.kernel)}`);
    }
  }
  if (lengths.length > 0) {
    lines.push("");
    lines.push(
      "length independence (unfaulted VMA, 16 pages vs 1 GiB = 262,144 pages; rate ratio 1 GiB / 16 pages):",
    );
    for (const x of lengths) {
      const ok =
        x.modelRatio === null
          ? ""
          : x.modelRatio >= LENGTH_TOLERANCE
            ? "ok"
            : "MISS (cost grows with length)";
      lines.push(
        `  ${x.label}: model ${fmtRate(x.s.model)} vs ${fmtRate(x.l.model)} /s, ratio ${fmtRatio(x.modelRatio)} ${ok}` +
          (x.kernelRatio === null ? "" : `  (kernel ratio ${fmtRatio(x.kernelRatio)})`),
      );
    }
  }
  const misses = [
    ...rows.filter((r) => r.verdict === "MISS").map((r) => r.info.label),
    ...lengths
      .filter((x) => x.modelRatio !== null && x.modelRatio < LENGTH_TOLERANCE)
      .map((x) => `${x.label} length dependence`),
  ];
  lines.push("");
  if (!kernel.ok) lines.push("targets: not judged without the kernel column");
  else
    lines.push(misses.length === 0 ? "targets: all met" : `targets missed: ${misses.join("; ")}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
