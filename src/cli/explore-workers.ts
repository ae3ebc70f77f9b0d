// The worker-thread backend of `vmasim explore --jobs J`: J threads, each with its own model
// and its own record of the states seen; batches go to the least loaded thread. The search
// absorbs results in batch order, so the outcome does not depend on which thread ran what.

import { Worker } from "node:worker_threads";
import type { Child, SearchSpace, Task } from "../check/explore/expand.js";
import { Expander } from "../check/explore/expand.js";
import type { Backend } from "../check/explore/search.js";
import type { WorkerRequest } from "./explore-worker.js";

interface Reply {
  id: number;
  children: Child[];
  applied: number;
}

/** A backend over `jobs` worker threads; `close` ends them. */
export function workerBackend(
  space: SearchSpace,
  jobs: number,
): Backend & { close(): Promise<void> } {
  const workers = Array.from(
    { length: jobs },
    () => new Worker(new URL("./explore-worker.js", import.meta.url), { workerData: space }),
  );
  const load = workers.map(() => 0);
  const waiting = new Map<
    number,
    { resolve(r: Reply): void; reject(e: Error): void; worker: number }
  >();
  let nextId = 0;
  workers.forEach((w, i) => {
    w.on("message", (r: Reply) => {
      const p = waiting.get(r.id);
      if (!p) return;
      waiting.delete(r.id);
      load[i] = (load[i] as number) - 1;
      p.resolve(r);
    });
    w.on("error", (e) => {
      for (const [id, p] of waiting) {
        if (p.worker !== i) continue;
        waiting.delete(id);
        p.reject(e);
      }
    });
  });
  const post = (w: number, msg: WorkerRequest) => (workers[w] as Worker).postMessage(msg);
  return {
    parallelism: jobs * 2,
    rootKey: new Expander(space).rootKey(),
    expand(batch: readonly Task[]) {
      const w = load.indexOf(Math.min(...load));
      load[w] = (load[w] as number) + 1;
      const id = nextId++;
      return new Promise<Reply>((resolve, reject) => {
        waiting.set(id, { resolve, reject, worker: w });
        post(w, { type: "expand", id, batch: [...batch] });
      });
    },
    learn(keys) {
      for (let w = 0; w < workers.length; w++) post(w, { type: "learn", keys: [...keys] });
      return Promise.resolve();
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
