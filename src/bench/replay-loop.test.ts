import { execFile } from "node:child_process";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bundledCaptures, THIS_BUILD } from "./replay.js";
import { captureReplayer } from "./replay-modules.js";

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL("../../dist/src/bench/replay-loop.js", import.meta.url));

describe("replay-loop", () => {
  it("replays the capture the number of times asked, every event each time", async () => {
    const path = bundledCaptures().find((p) => basename(p) === "compactor") as string;
    const once = (await captureReplayer(THIS_BUILD, path)).once();
    const { stdout } = await run(process.execPath, [SCRIPT, "compactor", "3"]);
    expect(stdout).toBe(`compactor: 3 replays, ${3 * once} events\n`);
  });

  it("names what is wrong with its arguments and exits with status 2", async () => {
    for (const [args, wrong] of [
      [["nope", "3"], "'nope' is not a bundled capture"],
      [["compactor", "0"], "'0' is not a positive integer"],
      [["compactor"], "expected 2 arguments, got 1"],
    ] as const) {
      const failed = run(process.execPath, [SCRIPT, ...args]);
      await expect(failed).rejects.toMatchObject({ code: 2 });
      const err = await failed.catch((e: { stderr: string }) => e.stderr);
      expect(err).toContain(`replay-loop: ${wrong}\n`);
      expect(err).toContain("CAPTURE: one of compactor,");
    }
  });
});
