// A worker thread of `vmasim explore --jobs J`: expands the batches of states the main thread
// sends, and learns the keys other workers found. See src/cli/explore-workers.ts.

import { parentPort, workerData } from "node:worker_threads";
import { Expander, type SearchSpace, type Task } from "../check/explore/expand.js";

/** What the main thread sends. */
export type WorkerRequest =
  { type: "expand"; id: number; batch: Task[] } | { type: "learn"; keys: string[] };

Error.stackTraceLimit = 0; // errno exceptions are control flow in the model: no stack traces
const port = parentPort;
if (!port) throw new Error("explore-worker: not started as a worker thread");
const expander = new Expander(workerData as SearchSpace);
port.on("message", (msg: WorkerRequest) => {
  if (msg.type === "learn") return expander.learn(msg.keys);
  const before = expander.applied;
  const children = expander.expand(msg.batch);
  port.postMessage({ id: msg.id, children, applied: expander.applied - before });
});
