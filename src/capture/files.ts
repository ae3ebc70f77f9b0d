// A capture directory's files, and reading text files line by line whether gzipped or not.

import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import type { CaptureTool } from "./capture.js";

/** metadata.json of a capture. */
export interface CaptureMetadata {
  command: string[];
  kernel: string;
  date: string;
  tool: CaptureTool;
  toolVersion: string;
  intervalMs: number;
  maxSamples: number;
  exitStatus: number;
}

/** The files of a capture directory (see docs/capture.md). */
export const CAPTURE_FILES = {
  metadata: "metadata.json",
  trace: "trace.txt.gz",
  truth: "truth.txt.gz",
} as const;

/** Whether `path` starts with the gzip magic bytes. */
async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, "r");
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * The lines of a text file, gunzipped when it is gzip. `onBytes` is told, after each line,
 * how many bytes of the file (compressed) have been read.
 */
export async function* readLines(
  path: string,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const text: Readable = (await isGzip(path)) ? raw.pipe(createGunzip()) : raw;
  raw.on("error", (e) => text.destroy(e));
  for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
    yield line;
    onBytes?.(raw.bytesRead);
  }
}
