// A bench result for tests of the report: a fixed machine, and only the sections given.

import type { BenchResult } from "./report.js";

export function benchResult(sections: Partial<BenchResult>): BenchResult {
  return {
    quick: false,
    machine: {
      cpus: 2,
      cpuModel: "test",
      kernel: "6.18",
      node: "20",
      nodeFlags: "",
      load: 0,
      speed: { stepNs: 1, cacheLoadNs: 10, memoryLoadNs: 100 },
    },
    kernelSkipped: null,
    side: null,
    scale: null,
    memory: null,
    relocation: null,
    ...sections,
  };
}
