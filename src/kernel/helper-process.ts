// One running helper: spawns it, speaks its line protocol, enforces the time budget, cleans up.

import { spawn, type ChildProcess } from "node:child_process";
import { KernelHelperError, KernelTimeoutError } from "./errors.js";

/** A VMA as the helper reports it (addresses relative to the base). */
export interface RawVma {
  start: number;
  end: number;
  perms: string;
  inode: number;
  path: string;
  rss_kb: number;
  anon_kb: number;
  shared_kb: number;
  swap_kb: number;
  thp_kb: number;
  vmflags: string;
}

/** A page as the helper reports it. */
export interface RawPage {
  addr: number;
  present: boolean;
  swapped: boolean;
  exclusive: boolean;
  mapcount: number;
  zero: boolean;
  thp: boolean;
  ksm: boolean;
}

/** One reply line. `ok:false` carries `error`; syscalls carry `ret`/`err`. */
export interface HelperReply {
  ok: boolean;
  error?: string;
  ret?: number;
  err?: string;
  /** fork: the child's process index and pid. */
  proc?: number;
  pid?: number;
  vmas?: RawVma[];
  pages?: RawPage[];
}

/** What p0 found when it started. */
export interface HelperHello {
  pid: number;
  page: number;
  zeroPage: boolean;
  anonName: boolean;
}

const KILL_GRACE_MS = 2000;

/**
 * A live helper (the controller process and its workers). Requests are strictly sequential.
 * Every request races the run's deadline; past it the helper is killed and the request fails
 * with KernelTimeoutError. `close()` (always call it) ends every process the helper started.
 */
export class HelperProcess {
  /** Pids of the controller and of every worker seen so far (for leftover checks). */
  readonly pids: number[] = [];
  private partial: string[] = [];
  private readonly lines: string[] = [];
  private waiter: ((line: string | null) => void) | null = null;
  private stderrTail = "";
  private exited = false;
  private readonly exitPromise: Promise<void>;
  hello: HelperHello = { pid: 0, page: 4096, zeroPage: true, anonName: false };

  private constructor(
    private readonly child: ChildProcess,
    private readonly deadline: number,
    private readonly timeoutMs: number,
  ) {
    if (child.pid !== undefined) this.pids.push(child.pid);
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => this.onData(chunk));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    child.stdin?.on("error", () => {}); // EPIPE when the helper is gone; surfaced by the reader
    this.exitPromise = new Promise((resolve) => {
      child.on("close", () => {
        this.exited = true;
        this.deliver(null);
        resolve();
      });
      child.on("error", () => {
        this.exited = true;
        this.deliver(null);
        resolve();
      });
    });
  }

  /**
   * Starts the helper binary for the region [base, base+size) and waits for p0's hello.
   * @param deadline absolute time (ms since the epoch) by which the whole run must end
   */
  static async start(
    binary: string,
    base: number,
    size: number,
    deadline: number,
    timeoutMs: number,
  ): Promise<HelperProcess> {
    const child = spawn(binary, [`0x${base.toString(16)}`, `0x${size.toString(16)}`], {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true, // own process group, so a last-resort kill reaches every worker
    });
    const helper = new HelperProcess(child, deadline, timeoutMs);
    const line = await helper.nextLine("start");
    const hello = helper.parse(line, "start");
    if (!hello.ok || typeof hello.pid !== "number") {
      await helper.close();
      throw new KernelHelperError(`kernel: the helper did not start: ${hello.error ?? line}`);
    }
    const raw = hello as unknown as Record<string, unknown>;
    helper.hello = {
      pid: hello.pid,
      page: typeof raw.page === "number" ? raw.page : 4096,
      zeroPage: raw.zero_page === true,
      anonName: raw.anon_name === true,
    };
    helper.pids.push(hello.pid);
    return helper;
  }

  /** Sends one command line (`PROC CMD ARG…`) and returns the parsed reply. */
  async request(line: string): Promise<HelperReply> {
    if (this.exited)
      throw new KernelHelperError(`kernel: the helper has exited, cannot send '${line}'`);
    this.child.stdin?.write(`${line}\n`);
    const reply = this.parse(await this.nextLine(line), line);
    if (typeof reply.pid === "number") this.pids.push(reply.pid);
    return reply;
  }

  /** Ends the helper: asks it to quit (it kills and reaps every worker), then kills what remains. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin?.end("- quit\n");
    if (await this.waitExit(KILL_GRACE_MS)) return;
    await this.kill();
  }

  /** Kills the helper now: SIGTERM to the controller (it kills its workers), then SIGKILL to the group. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill("SIGTERM");
    if (await this.waitExit(KILL_GRACE_MS)) return;
    if (this.child.pid !== undefined && !this.exited) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    }
    await this.waitExit(KILL_GRACE_MS);
  }

  private waitExit(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exitPromise.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Splits stdout into lines; only the new chunk is scanned, so long replies stay linear. */
  private onData(chunk: string): void {
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf("\n", start)) >= 0) {
      this.partial.push(chunk.slice(start, nl));
      const line = this.partial.join("");
      this.partial = [];
      start = nl + 1;
      this.deliver(line);
    }
    if (start < chunk.length) this.partial.push(chunk.slice(start));
  }

  private deliver(line: string | null): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(line);
    } else if (line !== null) {
      this.lines.push(line);
    }
  }

  private nextLine(what: string): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.exited) return Promise.reject(this.diedError(what));
    return new Promise((resolve, reject) => {
      const remaining = Math.max(0, this.deadline - Date.now());
      const timer = setTimeout(() => {
        this.waiter = null;
        void this.kill().then(() =>
          reject(
            new KernelTimeoutError(
              `kernel: timed out after ${this.timeoutMs} ms during '${what}', every helper process was killed`,
            ),
          ),
        );
      }, remaining);
      this.waiter = (line) => {
        clearTimeout(timer);
        if (line === null) reject(this.diedError(what));
        else resolve(line);
      };
    });
  }

  private diedError(what: string): KernelHelperError {
    const code = this.child.exitCode ?? this.child.signalCode ?? "?";
    const tail = this.stderrTail.trim();
    return new KernelHelperError(
      `kernel: the helper exited (${code}) during '${what}'${tail ? `: ${tail}` : ""}, this is a bug, please report it`,
    );
  }

  private parse(line: string, what: string): HelperReply {
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v === "object" && v !== null && typeof (v as HelperReply).ok === "boolean")
        return v as HelperReply;
    } catch {
      // fall through
    }
    throw new KernelHelperError(
      `kernel: unreadable helper reply to '${what}': ${line.slice(0, 200)}`,
    );
  }
}
