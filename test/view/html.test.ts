// The page's embedding: data that contains markup can neither end the script element nor
// change when read back.

import { describe, expect, test } from "vitest";
import { buildViewData } from "../../src/view/data.js";
import { embedJson, escapeHtml, renderHtml } from "../../src/view/html.js";
import { parseSeries } from "../../src/view/series.js";

const NASTY = "</script><script>alert(1)</script><!-- \u2028\u2029 & >";

describe("embedJson", () => {
  test("escapes <, >, & and U+2028/9, and reads back unchanged", () => {
    const value = { name: NASTY, n: [1, 2] };
    const text = embedJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("renderHtml", () => {
  const assets = { js: "console.log(1)", css: "body{}", jsSha256: "abc=" };
  const data = { ...buildViewData([]), series: [] };

  test("one script element with data, one with the viewer, a CSP pinning the viewer", () => {
    const html = renderHtml(
      { ...data, groups: [{ file: NASTY, extent: [], runs: [] }] },
      assets,
      NASTY,
    );
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain(`<title>${escapeHtml(NASTY)}</title>`);
    expect(html).toContain("script-src 'sha256-abc='");
  });

  test("refuses a script that would end its own element", () => {
    expect(() => renderHtml(data, { ...assets, js: "'</script>'" }, "t")).toThrow(/<\/script/);
  });
});

describe("parseSeries", () => {
  test("reads the documented format", () => {
    const text = JSON.stringify({
      vmasim_series: 1,
      title: "replay",
      x: "operations",
      series: [
        {
          label: "linux-6.18",
          points: [
            [0, 1],
            [10, 40],
          ],
        },
      ],
    });
    expect(parseSeries(text, "s.json")).toEqual([
      {
        file: "s.json",
        title: "replay",
        x: "operations",
        label: "linux-6.18",
        points: [
          [0, 1],
          [10, 40],
        ],
      },
    ]);
  });

  test("reads the series of `vmasim replay --format json`, one chart per replay", () => {
    const text = JSON.stringify({
      replays: [
        {
          name: "cap",
          lines: 3,
          policies: [
            {
              policy: "linux-6.18",
              series: [
                [0, 2],
                [5, 9],
              ],
              peak: 9,
            },
          ],
        },
      ],
    });
    expect(parseSeries(text, "r.json")).toEqual([
      {
        file: "r.json",
        title: "cap",
        x: "ms of trace time",
        label: "linux-6.18",
        points: [
          [0, 2],
          [5, 9],
        ],
      },
    ]);
  });

  test.each([
    ["{", /s\.json: not JSON/],
    ['{"series":[]}', /expected \{"vmasim_series": 1/],
    ['{"replays":[{"name":"c"}]}', /replays\[0\]: needs "name" and "policies"/],
    [
      '{"vmasim_series":1,"series":[{"label":"a","points":[[0]]}]}',
      /series\[0\]\.points\[0\]: expected \[x, count\]/,
    ],
    [
      '{"vmasim_series":1,"series":[{"label":"a","points":[[5,1],[2,1]]}]}',
      /x 2 is less than the previous 5/,
    ],
    ['{"vmasim_series":1,"series":[{"points":[]}]}', /series\[0\]: needs a string "label"/],
  ])("%s is refused with a clear message", (text, message) => {
    expect(() => parseSeries(text, "s.json")).toThrow(message);
  });
});
