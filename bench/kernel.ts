// The benchmark's kernel side: compiles bench/kernel.c with the system C compiler (cc -O2)
// into a cache directory keyed by the source's hash, runs it once per workload, and parses
// its "NAME<TAB>RATE" line. Skipped, with the reason, when not on Linux or without a compiler.

import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

export type KernelResult =
  { ok: true; rates: Map<string, number>; compiler: string } | { ok: false; reason: string };

const SOURCE_CANDIDATES = [
  "./kernel.c", // running from bench/ (e.g. through a TypeScript loader)
  "../../bench/kernel.c", // running from dist/bench/
];

function sourcePath(): string | null {
  for (const rel of SOURCE_CANDIDATES) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** $CC (split on whitespace), else cc, gcc, clang on PATH. */
function findCompiler(env: NodeJS.ProcessEnv): string[] | null {
  const which = (cmd: string): string | null => {
    if (cmd.includes("/")) return isExecutable(cmd) ? cmd : null;
    for (const dir of (env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(delimiter)) {
      if (dir && isExecutable(join(dir, cmd))) return join(dir, cmd);
    }
    return null;
  };
  const spec = (env.CC ?? "").trim();
  if (spec !== "") {
    const argv = spec.split(/\s+/);
    const path = which(argv[0] ?? "");
    return path ? [path, ...argv.slice(1)] : null;
  }
  for (const c of ["cc", "gcc", "clang"]) {
    const path = which(c);
    if (path) return [path];
  }
  return null;
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  const home = env.HOME || homedir();
  if (xdg && isAbsolute(xdg)) return join(xdg, "vmasim");
  if (home) return join(home, ".cache", "vmasim");
  return join(tmpdir(), "vmasim");
}

/** Compiles (or reuses) the kernel benchmark binary; returns its path or a reason. */
async function build(
  env: NodeJS.ProcessEnv,
): Promise<{ path: string; compiler: string } | { reason: string }> {
  const src = sourcePath();
  if (!src) return { reason: "bench/kernel.c not found next to the benchmark" };
  const cc = findCompiler(env);
  if (!cc) return { reason: "no C compiler found (set $CC, or install cc, gcc or clang)" };
  const text = readFileSync(src);
  const hash = createHash("sha256").update(text).update(cc.join(" ")).digest("hex").slice(0, 16);
  const dir = cacheDir(env);
  const bin = join(dir, `bench-kernel-${hash}`);
  const compiler = cc.join(" ");
  if (isExecutable(bin)) return { path: bin, compiler };
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    return { reason: `cannot create the cache directory ${dir}: ${(e as Error).message}` };
  }
  const tmp = `${bin}.tmp-${process.pid}`;
  try {
    await execFileP(cc[0] as string, [
      ...cc.slice(1),
      "-std=gnu11",
      "-O2",
      "-Wall",
      "-o",
      tmp,
      src,
    ]);
    await rename(tmp, bin);
  } catch (e) {
    await rm(tmp, { force: true });
    const err = e as { stderr?: string; message: string };
    return {
      reason: `compiling bench/kernel.c with ${compiler} failed: ${(err.stderr || err.message).trim()}`,
    };
  }
  return { path: bin, compiler };
}

/** The compiled kernel benchmark, or why there is none. */
export type KernelBench =
  { ok: true; path: string; compiler: string } | { ok: false; reason: string };

/** Compiles (or finds in the cache) the kernel benchmark program. */
export async function prepareKernel(): Promise<KernelBench> {
  if (process.platform !== "linux") {
    return { ok: false, reason: `not Linux (platform ${process.platform}): no kernel column` };
  }
  const built = await build(process.env);
  return "reason" in built ? { ok: false, reason: built.reason } : { ok: true, ...built };
}

/**
 * Runs the kernel workload `name` (one process per workload, so that kernel and model runs
 * of a workload can alternate); progress goes to our stderr. Returns ops/s.
 */
export function runKernelWorkload(bin: string, quick: boolean, name: string): Promise<number> {
  const args = [...(quick ? ["--quick"] : []), "--only", name];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (out += d));
    child.on("error", (e) => reject(new Error(`running ${bin}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`the kernel benchmark exited with ${signal ?? `status ${code}`}`));
        return;
      }
      for (const line of out.split("\n")) {
        const [n, rate] = line.split("\t");
        if (n === name && rate) {
          resolve(Number(rate));
          return;
        }
      }
      reject(new Error(`the kernel benchmark printed no figure for ${name}`));
    });
  });
}
