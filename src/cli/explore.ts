// `vmasim explore`: bounded exhaustive search of every operation sequence up to a depth over a
// few page slots, invariants checked after every step; every violation shrunk to a minimal
// scenario file, printed with the command that replays it.

import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { FAMILY_NAMES } from "../check/explore/alphabet.js";
import { Expander, type SearchSpace } from "../check/explore/expand.js";
import { counterexampleFile, minimize, replayCommand } from "../check/explore/minimize.js";
import {
  explore,
  localBackend,
  type ExploreResult,
  type Progress,
} from "../check/explore/search.js";
import { UsageError } from "./errors.js";
import { workerBackend } from "./explore-workers.js";
import { integerOption } from "./integer-option.js";
import { writeAll, type CliIo } from "./io.js";
import { POLICY_OPTION, policiesOf } from "./policy-option.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";

/** States handed to a worker at once. */
const BATCH = 32;

/** --ops a,b: operation families, each one the alphabet has. */
function familiesOf(args: ParsedArgs): string[] | null {
  const value = args.optional("ops");
  if (value === undefined) return null;
  const names = value.split(",").map((s) => s.trim());
  for (const n of names) {
    if (!FAMILY_NAMES.includes(n)) {
      throw new UsageError(
        `--ops: unknown operation family '${n}', choose from: ${FAMILY_NAMES.join(", ")}`,
        false,
      );
    }
  }
  return names;
}

const thousands = (n: number) => n.toLocaleString("en-US");

/** One progress line on stderr at most every second, and at the end of each level. */
function progressPrinter(io: CliIo, policy: string): (p: Progress) => void {
  let last = -Infinity;
  return (p) => {
    if (p.done < p.frontier && p.elapsedMs - last < 1000) return;
    last = p.elapsedMs;
    io.stderr.write(
      `explore ${policy}: depth ${p.depth}: ${thousands(p.done)}/${thousands(p.frontier)} states expanded, ` +
        `${thousands(p.distinct)} distinct, ${thousands(p.visited)} visited, ${(p.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  };
}

/** The summary of one policy's search. */
function summaryLines(r: ExploreResult, jobs: number): string[] {
  const b = r.space.bounds;
  const s = r.elapsedMs / 1000;
  const reached = r.complete
    ? `${b.depth} (complete)`
    : `${r.depthComplete} complete of ${b.depth}, stopped by --time`;
  return [
    `explore ${r.space.policy}: depth ${b.depth}, ${b.slots} slots, ${b.procs} procs, seed ${r.space.seed}, ${jobs} job${jobs === 1 ? "" : "s"}` +
      (r.space.families ? `, ops ${r.space.families.join(",")}` : ""),
    `  new states by depth: ${r.levels.map(thousands).join(" ")}`,
    `  states visited ${thousands(r.visited)}, distinct ${thousands(r.distinct)}, depth reached ${reached}, ` +
      `time ${s.toFixed(1)} s, ${thousands(Math.round(r.visited / Math.max(s, 1e-3)))} states/s`,
  ];
}

/** A violation as reported: its minimal scenario, written to `file`. */
interface Reported {
  invariant: string;
  message: string;
  hits: number;
  file: string;
  ops: string[];
  /** Length of the path the search found, before shrinking. */
  found: number;
}

/** One policy's search, on worker threads when `jobs` > 1. */
async function search(
  space: SearchSpace,
  jobs: number,
  seconds: number | null,
  io: CliIo,
): Promise<ExploreResult> {
  const backend =
    jobs > 1
      ? workerBackend(space, jobs)
      : { ...localBackend(space), close: () => Promise.resolve() };
  try {
    const t0 = performance.now();
    return await explore(space, backend, {
      now: () => performance.now(),
      deadline: seconds === null ? null : t0 + seconds * 1000,
      batch: BATCH,
      onProgress: progressPrinter(io, space.policy),
    });
  } finally {
    await backend.close();
  }
}

/** Shrinks each finding and writes its scenario to `out`. */
async function report(r: ExploreResult, out: string, io: CliIo): Promise<Reported[]> {
  const policy = r.space.policy;
  if (r.findings.length > 0) await mkdir(out, { recursive: true });
  const alphabet = new Expander(r.space).alphabet.ops;
  const reported: Reported[] = [];
  for (const f of r.findings) {
    io.stderr.write(`explore ${policy}: shrinking the ${f.invariant} scenario…\n`);
    const nth = reported.filter((x) => x.invariant === f.invariant).length + 1;
    const file = join(out, counterexampleFile(policy, f.invariant, nth));
    const c = await minimize(f, alphabet, r.space, file);
    await writeFile(file, c.text);
    const ops = c.ops.map((op) => op.text);
    const { invariant, hits } = f;
    reported.push({ invariant, message: c.message, hits, file, ops, found: c.foundLength });
  }
  return reported;
}

/** The text report of one policy: the summary, then each violation with its scenario. */
function textLines(r: ExploreResult, jobs: number, found: readonly Reported[]): string[] {
  const lines = summaryLines(r, jobs);
  const policy = r.space.policy;
  for (const v of found) {
    lines.push(
      `  VIOLATION ${v.invariant} (${thousands(v.hits)} hit${v.hits === 1 ? "" : "s"}): ${v.message}`,
      `    minimal scenario: ${v.file} (${v.ops.length} ops; the search's path had ${v.found})`,
      ...v.ops.map((op) => `      ${op}`),
      `    replay: ${replayCommand(policy, v.file)}`,
    );
  }
  if (found.length === 0) lines.push("  no violation");
  return lines;
}

/** The JSON report of one policy. */
function jsonReport(r: ExploreResult, jobs: number, found: readonly Reported[]): unknown {
  return {
    policy: r.space.policy,
    bounds: r.space.bounds,
    seed: r.space.seed,
    families: r.space.families,
    jobs,
    visited: r.visited,
    distinct: r.distinct,
    levels: r.levels,
    depth_complete: r.depthComplete,
    complete: r.complete,
    seconds: r.elapsedMs / 1000,
    states_per_s: r.visited / Math.max(r.elapsedMs / 1000, 1e-3),
    violations: found,
  };
}

async function explorePolicies(args: ParsedArgs, io: CliIo): Promise<number> {
  const policies = policiesOf(args);
  const depth = integerOption(args, "depth", 1, 64);
  const slots = integerOption(args, "slots", 1, 64);
  const procs = integerOption(args, "procs", 1, 64);
  const jobs = integerOption(args, "jobs", 1, 256);
  const seed = integerOption(args, "seed", 0, 0xffffffff);
  const seconds = args.optional("time") === undefined ? null : integerOption(args, "time", 1);
  const families = familiesOf(args);
  const json = args.string("format") === "json";
  let violations = 0;
  const runs: unknown[] = [];
  for (const policy of policies) {
    const space: SearchSpace = { policy, bounds: { slots, procs, depth }, families, seed };
    const r = await search(space, jobs, seconds, io);
    const found = await report(r, args.string("out"), io);
    violations += found.length;
    if (json) runs.push(jsonReport(r, jobs, found));
    else await writeAll(io.stdout, `${textLines(r, jobs, found).join("\n")}\n`);
  }
  if (json) await writeAll(io.stdout, `${JSON.stringify({ runs }, null, 2)}\n`);
  return violations > 0 ? 1 : 0;
}

async function run(args: ParsedArgs, io: CliIo): Promise<number> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // errno exceptions are control flow in the model: no stack traces
  try {
    return await explorePolicies(args, io);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The `explore` command. */
export const exploreCommand: CommandSpec = {
  name: "explore",
  summary: "search every operation sequence up to a depth for invariant violations",
  args: "",
  minArgs: 0,
  maxArgs: 0,
  examples: [
    ["vmasim explore", "linux-6.18, every operation, depth 4, 4 slots, 2 processes, every core"],
    ["vmasim explore --policy rfc-2022 --depth 5 --time 60", "another policy, at most a minute"],
    [
      "vmasim explore --depth 6 --ops mmap,munmap,mprotect,mremap,mremap-grow,touch,read,fork,switch,exit",
      "the VMA operations alone, two levels deeper",
    ],
    ["vmasim explore --ops mmap,touch,mremap,fork --slots 3", "a smaller alphabet over 3 slots"],
  ],
  options: [
    POLICY_OPTION,
    {
      name: "depth",
      type: "string",
      value: "K",
      default: "4",
      help: "operations per sequence at most",
    },
    {
      name: "slots",
      type: "string",
      value: "N",
      default: "4",
      help: "page-sized slots of the region the operations use",
    },
    {
      name: "procs",
      type: "string",
      value: "P",
      default: "2",
      help: "live processes at most (fork, switch and exit need 2)",
    },
    {
      name: "time",
      type: "string",
      value: "S",
      help: "stop after S seconds (the report says how deep it got)",
    },
    {
      name: "jobs",
      type: "string",
      value: "J",
      default: String(availableParallelism()),
      help: "worker threads (default: the number of cores); the result does not depend on it",
    },
    {
      name: "seed",
      type: "string",
      value: "S",
      default: "1",
      help: "orders the operations tried from each state",
    },
    {
      name: "ops",
      type: "string",
      value: "LIST",
      help: `operation families to use (default all): ${FAMILY_NAMES.join(", ")}`,
    },
    {
      name: "out",
      type: "string",
      value: "DIR",
      default: "explore-findings",
      help: "where minimal scenarios are written",
    },
    {
      name: "format",
      type: "string",
      choices: ["text", "json"],
      default: "text",
      help: "report format",
    },
  ],
  exits: [
    [0, "no invariant was violated within the bound (or within --time)"],
    [1, "a violation was found: its minimal scenario was written"],
    [2, "usage error"],
  ],
  run,
};
