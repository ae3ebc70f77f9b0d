// Runs a command under a tracer and the ground-truth sampler and writes a capture
// directory: the trace (perf trace, or strace -f when perf cannot trace), the sampler's
// ground truth, and metadata.json.

import { execFile, spawn } from "node:child_process";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { release } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGzip } from "node:zlib";
import { compileHelper } from "../kernel/compile.js";
import { CAPTURE_FILES, type CaptureMetadata } from "./files.js";

export type CaptureTool = "perf" | "strace";

export interface CaptureOptions {
  dir: string;
  command: readonly string[];
  tool: CaptureTool | "auto";
  /** Milliseconds between ground-truth samples. */
  intervalMs: number;
  /** At most this many samples (rounds); exit-time samples count too. */
  maxSamples: number;
  /** Where progress goes. */
  log(line: string): void;
}

const SYSCALLS = [
  "mmap",
  "munmap",
  "mremap",
  "mprotect",
  "brk",
  "madvise",
  "mlock",
  "munlock",
  "mlock2",
  "mlockall",
  "munlockall",
  "clone",
  "clone3",
  "fork",
  "vfork",
  "execve",
  "execveat",
  "exit",
  "exit_group",
  "prctl",
  "open",
  "openat",
  "dup",
  "dup2",
  "dup3",
];
const PERF_EVENTS = [...SYSCALLS, "exceptions:page_fault_user", "exceptions:page_fault_kernel"];
const TRACEFS = "/sys/kernel/tracing";

function run(argv: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(argv[0] as string, argv.slice(1), (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 127) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** perf trace needs tracefs and the exceptions tracepoints; mount it when missing. */
async function perfUsable(): Promise<boolean> {
  if (!existsSync(join(TRACEFS, "events"))) await run(["mount", "-t", "tracefs", "nodev", TRACEFS]);
  const probe = await run(["perf", "trace", "-e", "exceptions:page_fault_user", "--", "true"]);
  return probe.code === 0;
}

async function chooseTool(wanted: CaptureOptions["tool"]): Promise<CaptureTool> {
  if (wanted === "strace") return "strace";
  if (await perfUsable()) return "perf";
  if (wanted === "perf")
    throw new Error("capture: perf trace cannot trace here (is this root, is perf installed?)");
  return "strace";
}

/** The bundled sampler's C source. */
function samplerSource(): string {
  for (const dir of ["./sampler/", "../../../src/capture/sampler/"]) {
    const p = fileURLToPath(new URL(`${dir}vmasim-sampler.c`, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error("capture: the sampler source vmasim-sampler.c is missing, reinstall vmasim");
}

function tracerArgv(tool: CaptureTool, traceFile: string, sampler: readonly string[]): string[] {
  return tool === "perf"
    ? ["perf", "trace", "-o", traceFile, "-e", PERF_EVENTS.join(","), "--", ...sampler]
    : [
        "strace",
        "-f",
        "-ttt",
        "-T",
        "-y",
        "-o",
        traceFile,
        "-e",
        `trace=${SYSCALLS.join(",")}`,
        ...sampler,
      ];
}

async function gzipTo(src: string, dst: string): Promise<void> {
  await pipeline(createReadStream(src), createGzip({ level: 9 }), createWriteStream(dst));
  await rm(src);
}

/** Captures `command` into `dir`; returns the metadata written. */
export async function capture(o: CaptureOptions): Promise<CaptureMetadata> {
  await mkdir(o.dir, { recursive: true });
  const tool = await chooseTool(o.tool);
  const sampler = await compileHelper({ sourcePath: samplerSource() });
  const traceFile = join(o.dir, "trace.txt");
  const truthFile = join(o.dir, "truth.txt");
  const samplerArgv = [
    sampler,
    truthFile,
    String(o.intervalMs),
    String(o.maxSamples),
    tool === "perf" ? "1" : "0",
    "--",
    ...o.command,
  ];
  const argv = tracerArgv(tool, traceFile, samplerArgv);
  o.log(`capture: ${argv.join(" ")}`);
  const date = new Date().toISOString();
  const exitStatus = await new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  const version = await run([tool, "--version"]);
  await gzipTo(traceFile, join(o.dir, CAPTURE_FILES.trace));
  await gzipTo(truthFile, join(o.dir, CAPTURE_FILES.truth));
  const meta: CaptureMetadata = {
    command: [...o.command],
    kernel: release(),
    date,
    tool,
    toolVersion: version.out.trim().split("\n")[0] ?? "",
    intervalMs: o.intervalMs,
    maxSamples: o.maxSamples,
    exitStatus,
  };
  await writeFile(join(o.dir, CAPTURE_FILES.metadata), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
