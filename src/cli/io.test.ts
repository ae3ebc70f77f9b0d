// Tests of the CLI's buffered writer: backpressure, files, stream errors.

import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { drainTo, isBrokenPipe, openSink, Sink } from "./io.js";

const chunks = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(100)}\n`);

describe("Sink", () => {
  test("loses nothing through a slow reader with a small buffer", async () => {
    const slow = new PassThrough({ highWaterMark: 1024 });
    let got = "";
    slow.setEncoding("utf8");
    const reader = (async () => {
      for await (const chunk of slow) {
        got += chunk as string;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await drainTo(new Sink(slow, true), chunks);
    await reader;
    expect(got).toBe(chunks.join(""));
  });

  test("writes -o FILE completely and closes it", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "vmasim-io-")), "out.txt");
    const io = { stdout: new PassThrough(), stderr: new PassThrough() };
    await drainTo(await openSink(path, io), chunks);
    expect(readFileSync(path, "utf8")).toBe(chunks.join(""));
  });

  test("rethrows the stream's error, and a broken pipe is recognised", async () => {
    const broken = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      },
    });
    const sink = new Sink(broken, false);
    await sink.write("a");
    const error: unknown = await drainTo(sink, ["b"]).catch((e: unknown) => e);
    expect(isBrokenPipe(error)).toBe(true);
    await expect(drainTo(new Sink(broken, false), ["c"])).rejects.toThrow("EPIPE");
  });
});
