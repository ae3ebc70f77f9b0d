// Replays a capture directory or a bare trace file (perf trace or strace -f text, gzip or
// not) through the engine, streaming the trace line by line.

import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { ReplayEngine, type ReplayReport } from "../replay/engine.js";
import { parseTruth, type Truth } from "../replay/truth.js";
import type { TraceProblem } from "../input/trace/events.js";
import { CAPTURE_FILES, readLines, type CaptureMetadata } from "./files.js";

export interface ReplayInput {
  /** Name shown in reports: the capture directory's or the trace file's base name. */
  name: string;
  trace: string;
  truth: Truth | null;
  metadata: CaptureMetadata | null;
}

/** A capture directory (with metadata.json) or a trace file. */
export async function openInput(path: string): Promise<ReplayInput> {
  if (!existsSync(path)) throw new InputError(`${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) {
    return { name: basename(path).replace(/\.gz$/, ""), trace: path, truth: null, metadata: null };
  }
  const metaPath = join(path, CAPTURE_FILES.metadata);
  if (!existsSync(metaPath))
    throw new InputError(`${path}: not a capture directory (no ${CAPTURE_FILES.metadata})`);
  const metadata = JSON.parse(await readFile(metaPath, "utf8")) as CaptureMetadata;
  const lines: string[] = [];
  for await (const l of readLines(join(path, CAPTURE_FILES.truth))) lines.push(l);
  return {
    name: basename(path),
    trace: join(path, CAPTURE_FILES.trace),
    truth: parseTruth(lines),
    metadata,
  };
}

/** A missing or unreadable input: exit status 2. */
export class InputError extends Error {}

/** A malformed line under --strict. */
export class StrictError extends InputError {
  constructor(file: string, p: TraceProblem) {
    super(`${file}:${p.line}: ${p.message}: ${p.text}`);
  }
}

export interface ReplayProgress {
  /** Compressed bytes of the trace read so far, out of `total`. */
  (done: number, total: number): void;
}

/** Replays `input` under `policies`; malformed lines are fatal when `strict`. */
export async function replayInput(
  input: ReplayInput,
  policies: readonly string[],
  strict: boolean,
  progress?: ReplayProgress,
): Promise<ReplayReport> {
  const excluded = input.truth?.sampler == null ? [] : [input.truth.sampler];
  const engine = new ReplayEngine(input.name, policies, input.truth, excluded);
  const total = statSync(input.trace).size;
  let n = 0;
  for await (const line of readLines(input.trace, (done) => progress?.(done, total))) {
    engine.line(line, ++n);
    if (strict && engine.problems.length > 0)
      throw new StrictError(input.trace, engine.problems[0] as TraceProblem);
  }
  return engine.finish();
}
