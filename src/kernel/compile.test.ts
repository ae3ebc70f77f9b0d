// Tests of helper compilation: compiler discovery, caching by source hash, clear failures.

import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  compileHelper,
  defaultCacheDir,
  findCompiler,
  helperSourcePath,
  kernelAvailability,
} from "./compile.js";
import { KernelUnavailableError } from "./errors.js";

const avail = kernelAvailability();
const tmp = join(tmpdir(), `vmasim-cc-${process.pid}-${Date.now()}`);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("compiler discovery", () => {
  it("reports a missing CC by name", () => {
    const r = findCompiler({ env: { CC: "no-such-cc-vmasim", PATH: "/usr/bin:/bin" } });
    expect(r).toEqual({
      reason: expect.stringContaining("'no-such-cc-vmasim' (from CC) is not found"),
    });
  });

  it("reports when no compiler is on PATH", () => {
    const r = kernelAvailability({ env: { PATH: join(tmp, "empty-path") } });
    if (process.platform === "linux")
      expect(r).toEqual({
        available: false,
        reason: expect.stringContaining("no C compiler found"),
      });
    else expect(r.available).toBe(false);
  });

  it("honours XDG_CACHE_HOME, else ~/.cache", () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/x/c", HOME: "/h" })).toBe("/x/c/vmasim");
    expect(defaultCacheDir({ HOME: "/h" })).toBe("/h/.cache/vmasim");
  });
});

describe.skipIf(!avail.available)(
  `compileHelper${avail.available ? "" : ` (skipped: ${avail.reason})`}`,
  () => {
    const cacheDir = join(tmp, "cache");

    it("compiles once and reuses the cached binary", async () => {
      const first = await compileHelper({ cacheDir });
      expect(first.startsWith(cacheDir)).toBe(true);
      const mtime = statSync(first).mtimeMs;
      const again = await compileHelper({ cacheDir });
      expect(again).toBe(first);
      expect(statSync(again).mtimeMs).toBe(mtime);
    });

    it("recompiles when the source changes", async () => {
      const src = join(cacheDir, "edited.c");
      writeFileSync(src, `${readFileSync(helperSourcePath(), "utf8")}\n/* edited */\n`);
      const edited = await compileHelper({ cacheDir, sourcePath: src });
      expect(edited).not.toBe(await compileHelper({ cacheDir }));
    });

    it("prunes other versions unused for a week when it compiles", async () => {
      const old = join(cacheDir, "vmasim-helper-0000000000000000");
      const recent = join(cacheDir, "vmasim-helper-1111111111111111");
      writeFileSync(old, "");
      writeFileSync(recent, "");
      const monthAgo = new Date(Date.now() - 30 * 24 * 3600 * 1000);
      utimesSync(old, monthAgo, monthAgo);
      const src = join(cacheDir, "edited-again.c");
      writeFileSync(src, `${readFileSync(helperSourcePath(), "utf8")}\n/* edited again */\n`);
      await compileHelper({ cacheDir, sourcePath: src });
      expect(existsSync(old)).toBe(false);
      expect(existsSync(recent)).toBe(true);
    });

    it("shows the compiler output when compiling fails", async () => {
      const src = join(cacheDir, "broken.c");
      writeFileSync(src, "int main(void) { return this_is_not_declared; }\n");
      const err = await compileHelper({ cacheDir, sourcePath: src }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelUnavailableError);
      expect((err as Error).message).toMatch(
        /compiling the helper failed[\s\S]*this_is_not_declared/,
      );
    });
  },
);
