// `vmasim view`: serves the viewer on localhost. Every page load re-reads the files and
// runs them again, so an edited scenario shows on reload.

import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { UsageError } from "./errors.js";
import { writeAll, type CliIo } from "./io.js";
import type { CommandSpec, ParsedArgs } from "./spec.js";
import { VIEWER_OPTIONS, viewerPage } from "./viewer-page.js";

function portOf(args: ParsedArgs): number {
  const value = args.string("port");
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) {
    throw new UsageError(`--port: '${value}' is not a port number (0 to 65535)`, false);
  }
  return n;
}

/** Answers GET / with a freshly built page; errors in the inputs come back as text. */
async function answer(args: ParsedArgs, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  if (path !== "/" && path !== "/index.html") {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  try {
    const page = await viewerPage(args);
    const [status, type, body] = page.ok
      ? [200, "text/html; charset=utf-8", page.html]
      : [422, "text/plain; charset=utf-8", page.errors.map((e) => `${e}\n`).join("")];
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (e) {
    res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
    res.end(`vmasim view: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

async function view(args: ParsedArgs, io: CliIo): Promise<number> {
  const port = portOf(args);
  const host = args.string("host");
  const first = await viewerPage(args); // the inputs are checked before anything is served
  if (!first.ok) {
    await writeAll(io.stderr, first.errors.map((e) => `${e}\n`).join(""));
    return 2;
  }
  const server = createServer((req, res) => void answer(args, req, res));
  server.listen(port, host);
  try {
    await once(server, "listening");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`cannot listen on ${host}:${port} (${code}), try another --port`, false);
  }
  const { port: bound } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  await writeAll(io.stdout, `http://${shown}:${bound}/\n`);
  await writeAll(io.stderr, "vmasim view: serving until interrupted (Ctrl-C)\n");
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop).off("SIGTERM", stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
  });
  return 0;
}

/** The `view` command. */
export const viewCommand: CommandSpec = {
  name: "view",
  summary: "serve the viewer on localhost; a reload re-runs the files",
  args: "FILE…",
  minArgs: 1,
  maxArgs: Infinity,
  examples: [
    ["vmasim view scenarios/examples/*.vms", "prints the URL to open; Ctrl-C stops"],
    [
      "vmasim view --port 8080 --policy linux-6.18,safe-merge s.vms",
      "two policies side by side, on a chosen port",
    ],
  ],
  options: [
    {
      name: "port",
      type: "string",
      value: "N",
      default: "8370",
      help: "TCP port (0: any free port)",
    },
    {
      name: "host",
      type: "string",
      value: "ADDR",
      default: "127.0.0.1",
      help: "address to listen on",
    },
    ...VIEWER_OPTIONS,
  ],
  exits: [
    [0, "served until interrupted"],
    [2, "usage error, unreadable or unparsable input, port in use"],
  ],
  run: view,
};
