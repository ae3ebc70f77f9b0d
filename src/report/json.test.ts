// Tests of the JSON and JSON-lines reporters on hand-written records.

import { describe, expect, test } from "vitest";
import { SAMPLE_RUN } from "../../test/report/sample-run.js";
import { renderJson } from "./json.js";
import { renderJsonl } from "./jsonl.js";

const join = (chunks: Iterable<string>) => [...chunks].join("");

describe("renderJsonl", () => {
  test("prints exactly the records, one JSON object per line", () => {
    const out = join(renderJsonl([SAMPLE_RUN, SAMPLE_RUN]));
    const lines = out.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([...SAMPLE_RUN, ...SAMPLE_RUN]);
    expect(lines[0]).toBe(JSON.stringify(SAMPLE_RUN[0]));
  });

  test("is byte-identical across renderings", () => {
    expect(join(renderJsonl([SAMPLE_RUN]))).toBe(join(renderJsonl([structuredClone(SAMPLE_RUN)])));
  });
});

describe("renderJson", () => {
  test("prints one document with a header and records per run", () => {
    const doc = JSON.parse(join(renderJson([SAMPLE_RUN, SAMPLE_RUN.slice(0, 1)]))) as unknown;
    expect(doc).toEqual({
      runs: [
        { header: SAMPLE_RUN[0], records: SAMPLE_RUN.slice(1) },
        { header: SAMPLE_RUN[0], records: [] },
      ],
    });
  });

  test("prints valid JSON for no runs", () => {
    expect(JSON.parse(join(renderJson([])))).toEqual({ runs: [] });
  });

  test("rejects a run without its header", () => {
    expect(() => join(renderJson([SAMPLE_RUN.slice(1)]))).toThrow(/must start with its header/);
    expect(() => join(renderJson([[]]))).toThrow(/must start with its header/);
  });
});
