// Colours: one hue per anon_vma (stable across steps and runs), neutral tones for VMAs
// without one, one colour per run in charts.

import type { VmaRecord } from "../../src/report/record.js";

/** The colour of anon_vma `name` ("av12"). */
export function anonColor(name: string): string {
  const id = Number(/\d+/.exec(name)?.[0] ?? 0);
  return `hsl(${Math.round((id * 137.508) % 360)} 62% 62%)`;
}

/** A VMA's fill: its anon_vma's colour, else by kind. */
export function vmaColor(v: VmaRecord): string {
  const av = v.model?.anon_vma;
  if (av) return anonColor(av);
  if (v.kind === "file") return "#cdb894";
  if (v.kind === "shanon") return "#93c5c0";
  return v.rss_kb > 0 ? "#9aa5b1" : "#d3d8de";
}

export const STALE = "#d62728";
export const CHANGED = "#ff7f0e";

const RUN_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/** The colour of the i-th run or series in a chart. */
export function runColor(i: number): string {
  return RUN_COLORS[i % RUN_COLORS.length] as string;
}
