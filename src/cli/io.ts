// Where the CLI reads and writes: the process streams (or test doubles), and a buffered
// writer that honours backpressure so that nothing is lost when output is piped.

import { once } from "node:events";
import { open } from "node:fs/promises";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { UsageError } from "./errors.js";

/** The streams a command writes to: data to stdout, diagnostics to stderr. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
}

/** The real process streams. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Chunks smaller than this are gathered before they are written. */
const FLUSH_AT = 64 * 1024;

/** The first error of each stream written to, watched by one listener per stream. */
const streamErrors = new WeakMap<Writable, { error: Error | null }>();

/** The error slot of `stream`; the listener stays, so a late EPIPE never goes unhandled. */
function errorSlot(stream: Writable): { error: Error | null } {
  let slot = streamErrors.get(stream);
  if (!slot) {
    const fresh: { error: Error | null } = { error: null };
    stream.on("error", (e: Error) => {
      fresh.error ??= e;
    });
    streamErrors.set(stream, fresh);
    slot = fresh;
  }
  return slot;
}

/**
 * A buffered writer over one stream. `write` waits for `drain` when the stream pushes back,
 * and every method rethrows the stream's first error (EPIPE, ENOSPC…).
 */
export class Sink {
  private pending = "";
  private readonly errors: { error: Error | null };

  /** @param owned whether `close` ends the stream (a file) or leaves it open (stdout). */
  constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {
    this.errors = errorSlot(stream);
  }

  private check(): void {
    if (this.errors.error) throw this.errors.error;
  }

  /** Appends text; writes when enough has gathered. */
  async write(text: string): Promise<void> {
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  /** Writes what has gathered and waits until the stream accepts more. */
  async flush(): Promise<void> {
    this.check();
    if (this.pending === "") return;
    const chunk = this.pending;
    this.pending = "";
    const more = this.stream.write(chunk);
    this.check();
    if (!more) await once(this.stream, "drain");
  }

  /** Flushes, then ends the stream if this sink owns it and waits until it is finished. */
  async close(): Promise<void> {
    await this.flush();
    if (this.owned) {
      this.stream.end();
      await finished(this.stream);
    }
    this.check();
  }
}

/**
 * A sink to `path`, created or truncated now so that a bad path fails before any work, or
 * to stdout when `path` is undefined. Throws UsageError when the file cannot be opened.
 */
export async function openSink(path: string | undefined, io: CliIo): Promise<Sink> {
  if (path === undefined) return new Sink(io.stdout, false);
  try {
    const handle = await open(path, "w");
    return new Sink(handle.createWriteStream(), true);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(
      `-o: cannot open '${path}' for writing (${code}), check that its directory exists`,
      false,
    );
  }
}

/** Writes every chunk to the sink, then closes it; on failure still flushes what it can. */
export async function drainTo(sink: Sink, chunks: Iterable<string>): Promise<void> {
  try {
    for (const chunk of chunks) await sink.write(chunk);
  } catch (e) {
    await sink.close().catch(() => undefined);
    throw e;
  }
  await sink.close();
}

/** Writes `text` to a stream that stays open (stdout, stderr), honouring backpressure. */
export async function writeAll(stream: Writable, text: string): Promise<void> {
  await drainTo(new Sink(stream, false), [text]);
}

/** Whether an error means the reader of our output went away (`vmasim … | head`). */
export function isBrokenPipe(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === "EPIPE";
}
