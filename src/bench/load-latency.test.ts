// loadLatencyNs must measure loads that wait for each other: a buffer far past the caches
// then costs many times a buffer that fits in them. (Ratios of one run, not absolute times.)

import { expect, test } from "vitest";
import { loadLatencyNs } from "./load-latency.js";

test("a random load in 256 MiB costs several times one in 1 MiB", () => {
  const cached = loadLatencyNs(2 ** 20);
  const memory = loadLatencyNs(2 ** 28);
  expect(cached).toBeGreaterThan(0);
  expect(memory / cached).toBeGreaterThan(3);
}, 60_000);
