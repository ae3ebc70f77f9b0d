// Series files: VMA count over time per policy, for the viewer's charts. Either the output
// of `vmasim replay --format json`, or this format (docs/viewer.md):
//   {"vmasim_series": 1, "title": "…", "x": "operations",
//    "series": [{"label": "linux-6.18", "points": [[0, 3], [1000, 412], …]}, …]}
// Pure; browser compatible.

/** One curve: a label (usually the policy) and its [x, VMA count] points, x ascending. */
export interface Series {
  /** The file it came from. */
  file: string;
  title: string;
  /** What x counts, e.g. "operations" or "seconds". */
  x: string;
  label: string;
  points: Array<[number, number]>;
}

/**
 * Parses a series file; throws an Error naming `file` and the offending field when the
 * text is not JSON in the format above.
 */
export function parseSeries(text: string, file: string): Series[] {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what} (see docs/viewer.md, "Series files")`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (isObject(doc) && Array.isArray(doc.replays)) return replaySeries(doc.replays, file, fail);
  if (!isObject(doc) || doc.vmasim_series !== 1) {
    return fail(`expected {"vmasim_series": 1, …} or {"replays": […]}`);
  }
  const title = optionalString(doc.title, "title", fail) ?? file;
  const x = optionalString(doc.x, "x", fail) ?? "step";
  if (!Array.isArray(doc.series)) return fail(`"series" must be an array`);
  return doc.series.map((s: unknown, i: number): Series => {
    const at = `series[${i}]`;
    if (!isObject(s) || typeof s.label !== "string") return fail(`${at}: needs a string "label"`);
    const points = checkPoints(s.points, `${at}.points`, fail);
    return { file, title, x, label: s.label, points };
  });
}

/**
 * `vmasim replay --format json` output: each replay's per-policy `series` (VMA count of the
 * live processes, [ms of trace time, count]).
 */
function replaySeries(replays: unknown[], file: string, fail: (what: string) => never): Series[] {
  return replays.flatMap((r, i) => {
    if (!isObject(r) || typeof r.name !== "string" || !Array.isArray(r.policies)) {
      return fail(`replays[${i}]: needs "name" and "policies"`);
    }
    const name = r.name;
    return r.policies.map((p: unknown, j: number): Series => {
      if (!isObject(p) || typeof p.policy !== "string") {
        return fail(`replays[${i}].policies[${j}]: needs a string "policy"`);
      }
      const points = checkPoints(p.series, `replays[${i}].policies[${j}].series`, fail);
      return { file, title: name, x: "ms of trace time", label: p.policy, points };
    });
  });
}

/** `[x, count]` pairs, x never decreasing. */
function checkPoints(
  v: unknown,
  at: string,
  fail: (what: string) => never,
): Array<[number, number]> {
  if (!Array.isArray(v)) return fail(`${at} must be an array`);
  let prev = -Infinity;
  return v.map((p: unknown, j: number): [number, number] => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((n) => Number.isFinite(n))) {
      return fail(`${at}[${j}]: expected [x, count], two numbers`);
    }
    const [px, py] = p as [number, number];
    if (px < prev) fail(`${at}[${j}]: x ${px} is less than the previous ${prev}`);
    prev = px;
    return [px, py];
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optionalString(
  v: unknown,
  name: string,
  fail: (what: string) => never,
): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : fail(`"${name}" must be a string`);
}
