// The evaluation report as one self-contained HTML page: the tables, and per capture an
// inline SVG plot of the VMA count over time under each policy. No scripts, no network.
// Pure.

import type { ReplayReport } from "../../replay/engine.js";
import type { Table } from "./table.js";

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function htmlTable(t: Table): string {
  const head = t.header.map((h) => `<th>${esc(h)}</th>`).join("");
  const rows = t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
    .join("\n");
  const notes = t.notes.map((n) => `<li>${esc(n)}</li>`).join("");
  return `<h2>${esc(t.title)}</h2>\n<table><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>\n<ul class="notes">${notes}</ul>`;
}

/** An SVG line plot of VMA count over time, one line per policy. */
export function vmaPlot(r: ReplayReport): string {
  const W = 640;
  const H = 220;
  const L = 50;
  const B = 30;
  const xmax = Math.max(1, ...r.policies.flatMap((p) => p.series.map(([t]) => t)));
  const ymax = Math.max(1, ...r.policies.map((p) => p.peak));
  const x = (t: number) => (L + ((W - L - 10) * t) / xmax).toFixed(1);
  const y = (v: number) => (H - B - ((H - B - 10) * v) / ymax).toFixed(1);
  const lines = r.policies.map((p, i) => {
    const pts = p.series.map(([t, v]) => `${x(t)},${y(v)}`).join(" ");
    const c = COLOURS[i % COLOURS.length] as string;
    const dash = i === 0 ? "" : ` stroke-dasharray="${2 + 2 * i},${2 + i}"`;
    return `<polyline fill="none" stroke="${c}" stroke-width="1.5"${dash} points="${pts}"><title>${esc(p.policy)}</title></polyline>`;
  });
  const legend = r.policies.map(
    (p, i) =>
      `<text x="${L + 10 + 150 * i}" y="14" fill="${COLOURS[i % COLOURS.length]}" font-size="12">— ${esc(p.policy)} (peak ${p.peak})</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="VMA count over time, ${esc(r.name)}">`,
    `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#888"/>`,
    `<line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#888"/>`,
    `<text x="${L - 4}" y="${y(ymax)}" text-anchor="end" font-size="11">${ymax}</text>`,
    `<text x="${L - 4}" y="${H - B}" text-anchor="end" font-size="11">0</text>`,
    `<text x="${W - 10}" y="${H - 8}" text-anchor="end" font-size="11">${(xmax / 1000).toFixed(2)} s</text>`,
    `<text x="${L}" y="${H - 8}" font-size="11">0 s</text>`,
    ...lines,
    ...legend,
    "</svg>",
  ].join("\n");
}

/** The whole page. */
export function evaluationHtml(
  title: string,
  tables: readonly Table[],
  reports: readonly ReplayReport[],
  examplesHref: string | null = null,
): string {
  const examples =
    examplesHref === null
      ? ""
      : `<p>Step through the held-up examples (a faulted VMA moved next to another, the .NET-style commit, fork, realloc growth) under linux-6.18 and safe-merge side by side: <a href="${esc(examplesHref)}">${esc(examplesHref)}</a>.</p>`;
  const plots = reports
    .map(
      (r) =>
        `<section><h3>${esc(r.name)}</h3><p>VMAs of all live processes over the trace's time.</p>\n${vmaPlot(r)}</section>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
th{background:#f3f3f3}.notes{font-size:12px;color:#555}section{margin:1em 0}
</style></head><body>
<h1>${esc(title)}</h1>
${examples}
${tables.map(htmlTable).join("\n")}
<h2>VMA count over time</h2>
${plots}
</body></html>
`;
}
