// promoteYoung must leave the young generation empty of what was live in it: the objects
// a benchmark's set-up built move to the old generation before the timed operation.

import { getHeapSpaceStatistics } from "node:v8";
import { expect, test } from "vitest";
import { promoteYoung } from "./heap.js";

const used = (space: string) =>
  getHeapSpaceStatistics().find((s) => s.space_name === space)?.space_used_size ?? NaN;

test("objects kept live leave the young generation for the old one", () => {
  const kept: Array<{ i: number; next: unknown }> = [];
  for (let i = 0; i < 50_000; i++) kept.push({ i, next: kept[i - 1] });
  const oldBefore = used("old_space");
  promoteYoung();
  expect(kept).toHaveLength(50_000);
  // 50,000 objects of three words and more: well over a megabyte, now in the old space
  expect(used("old_space") - oldBefore).toBeGreaterThan(1_000_000);
  expect(used("new_space")).toBeLessThan(256 * 1024);
});
