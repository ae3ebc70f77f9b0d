// Page faults at addresses that are not page aligned, as real faults are (a trace's
// page_fault_user carries the faulting byte's address).

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import type { StepRecord } from "../report/record.js";
import { DEFAULT_OPTIONS } from "./options.js";
import { runModel } from "./run.js";

function run(text: string): StepRecord[] {
  const ops = parseScenario(text, "t.vms");
  return [...runModel(ops, "t.vms", { ...DEFAULT_OPTIONS, checkInvariants: true })].filter(
    (r): r is StepRecord => "op" in r,
  );
}

describe("an access inside a page faults that page", () => {
  it.each([
    ["anonymous", "mmap 0 4p rw"],
    ["file-backed private", "mmap 0 4p rw file=/lib/x.so off=8192"],
  ])("%s: the folio gets the page's index, and the rmap finds it", (_kind, map) => {
    const recs = run(`${map}\ntouch 0x1010 1\nread 0x2ff8 8\npages 0 4p\n`);
    expect(recs.flatMap((r) => r.model?.violations ?? [])).toEqual([]);
    const written = recs.at(-1)?.pages?.find((p) => p.addr === 0x1000);
    expect(written).toMatchObject({ present: true, zero: false });
  });
});
