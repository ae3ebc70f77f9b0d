// Compiles the C helper with the system compiler into a per-user cache, keyed by a source hash.

import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KernelUnavailableError } from "./errors.js";

/** Where to find the compiler and put the binary; every field defaults from the environment. */
export interface CompileOptions {
  /** Compiler command, possibly with arguments (like `$CC`); default `$CC`, then cc, gcc, clang. */
  cc?: string;
  /** Cache directory; default `$XDG_CACHE_HOME/vmasim` or `~/.cache/vmasim`. */
  cacheDir?: string;
  /** The C source to compile; default the bundled `helper/vmasim-helper.c`. */
  sourcePath?: string;
  /** Environment to read CC, PATH, XDG_CACHE_HOME and HOME from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** Whether the kernel engine can run here, and why not when it cannot. */
export type KernelAvailability =
  { available: true; compiler: string[] } | { available: false; reason: string };

const CFLAGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra"];
const SOURCE_DIRS = [
  "./helper/", // running from src/kernel
  "../../../src/kernel/helper/", // running from dist/src/kernel
];

/**
 * Path of a bundled C source in `src/kernel/helper/`: the helper (`vmasim-helper.c`) by
 * default, or the benchmark program (`vmasim-bench.c`).
 */
export function helperSourcePath(file = "vmasim-helper.c"): string {
  for (const dir of SOURCE_DIRS) {
    const p = fileURLToPath(new URL(dir + file, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new KernelUnavailableError(
    `kernel: the helper source ${file} is missing, reinstall vmasim (it ships in src/kernel/helper)`,
  );
}

/** The cache directory the helper binary is written to. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".cache"), "vmasim");
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function which(cmd: string, env: NodeJS.ProcessEnv): string | null {
  if (cmd.includes("/")) return isExecutable(cmd) ? cmd : null;
  for (const dir of (env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)) {
    if (dir && isExecutable(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/**
 * Finds the C compiler: `cc` option, then `$CC` (split on whitespace), then cc, gcc, clang on PATH.
 * Returns the command and its leading arguments, or a reason. O(PATH entries).
 */
export function findCompiler(
  options: CompileOptions = {},
): { argv: string[] } | { reason: string } {
  const env = options.env ?? process.env;
  const spec = (options.cc ?? env.CC ?? "").trim();
  if (spec !== "") {
    const argv = spec.split(/\s+/);
    const path = which(argv[0] ?? "", env);
    if (path) return { argv: [path, ...argv.slice(1)] };
    return {
      reason: `kernel: the C compiler '${argv[0]}' (from CC) is not found, install it or fix CC`,
    };
  }
  for (const name of ["cc", "gcc", "clang"]) {
    const path = which(name, env);
    if (path) return { argv: [path] };
  }
  return { reason: "kernel: no C compiler found (cc, gcc, clang), install gcc or set CC" };
}

/** Checks that the kernel engine can run: Linux and a C compiler. Cheap and synchronous. */
export function kernelAvailability(options: CompileOptions = {}): KernelAvailability {
  if (process.platform !== "linux") {
    return {
      available: false,
      reason: `kernel: the real-kernel engine needs Linux, this is ${process.platform}`,
    };
  }
  const cc = findCompiler(options);
  return "argv" in cc
    ? { available: true, compiler: cc.argv }
    : { available: false, reason: cc.reason };
}

function run(argv: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(argv[0] ?? "cc", argv.slice(1), { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 127) : 0;
      resolve({ code, output: `${stdout}${stderr}${err && !stderr ? err.message : ""}` });
    });
  });
}

/** Compilations under way, so concurrent callers in one process share one compiler run. */
const inFlight = new Map<string, Promise<string>>();

/**
 * Compiles the helper if the cache lacks this source version; returns the binary's path.
 * The binary is written under a temporary name and renamed, so concurrent runs are safe.
 * Throws KernelUnavailableError when not on Linux, with no compiler, or on a compile failure.
 */
export function compileHelper(options: CompileOptions = {}): Promise<string> {
  const avail = kernelAvailability(options);
  if (!avail.available) return Promise.reject(new KernelUnavailableError(avail.reason));
  const source = options.sourcePath ?? helperSourcePath();
  const text = readFileSync(source);
  const hash = createHash("sha256")
    .update(text)
    .update(`\0${avail.compiler.join(" ")}\0${CFLAGS.join(" ")}\0${process.arch}`)
    .digest("hex")
    .slice(0, 16);
  const dir = options.cacheDir ?? defaultCacheDir(options.env ?? process.env);
  const target = join(dir, `vmasim-helper-${hash}`);
  const pending = inFlight.get(target);
  if (pending) return pending;
  const job = build(avail.compiler, source, dir, target);
  inFlight.set(target, job);
  const forget = () => inFlight.delete(target);
  job.then(forget, forget);
  return job;
}

async function build(
  compiler: string[],
  source: string,
  dir: string,
  target: string,
): Promise<string> {
  if (isExecutable(target)) return target;
  await mkdir(dir, { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const result = await run([...compiler, ...CFLAGS, "-o", tmp, source]);
  if (result.code !== 0 || !isExecutable(tmp)) {
    await rm(tmp, { force: true });
    throw new KernelUnavailableError(
      `kernel: compiling the helper failed (${compiler.join(" ")} exited with ${result.code}), ` +
        `fix the compiler or set CC:\n${result.output.trim()}`,
    );
  }
  await rename(tmp, target);
  await pruneStale(dir, target);
  return target;
}

const STALE_MS = 7 * 24 * 3600 * 1000;

/** Removes helper binaries of other source versions not used for a week (best effort). */
async function pruneStale(dir: string, keep: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(dir, name);
    if (!name.startsWith("vmasim-helper-") || path === keep) continue;
    try {
      const st = statSync(path);
      if (Date.now() - Math.max(st.atimeMs, st.mtimeMs) > STALE_MS) await rm(path, { force: true });
    } catch {
      // raced with another process: fine
    }
  }
}
