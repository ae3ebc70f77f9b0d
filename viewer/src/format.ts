// How addresses, sizes, VMAs and verdicts are spelled, as `vmasim run` spells them.

import type { MergeVerdict, VmaRecord } from "../../src/report/record.js";

export const PAGE = 4096;

/** A relative address in pages when aligned ("12p"), else hex. */
export function addr(a: number): string {
  return a % PAGE === 0 ? `${a / PAGE}p` : `0x${a.toString(16)}`;
}

/** A range, "0p–4p". */
export function range(start: number, end: number): string {
  return `${addr(start)}–${addr(end)}`;
}

/** A size in pages, "4 pages". */
export function pages(bytes: number): string {
  const n = bytes / PAGE;
  return `${n} page${n === 1 ? "" : "s"}`;
}

/** A verdict: "anon-vma-differs (av2 ≠ av1)". */
export function verdict(v: MergeVerdict): string {
  return v.detail === undefined ? v.reason : `${v.reason} (${v.detail})`;
}

/** The anon_vma and chain, "av2 [av2 av1]", or "-" when unfaulted. */
export function anon(v: VmaRecord): string {
  const m = v.model;
  if (!m) return "";
  return `${m.anon_vma ?? "-"} [${m.chain.join(" ")}]`;
}

/** Every field of a VMA, one per line, for the tooltip. */
export function vmaLines(v: VmaRecord): string[] {
  const lines = [
    `${range(v.start, v.end)}  (${pages(v.end - v.start)})`,
    `${v.perms}  ${v.kind}${v.name === undefined ? "" : `  ${v.name}`}`,
    `flags: ${v.vmflags}`,
    `rss ${v.rss_kb} kB, anon ${v.anon_kb} kB, shared ${v.shared_kb} kB`,
  ];
  if (v.model) {
    lines.push(`pgoff ${v.model.pgoff}  anon_vma ${anon(v)}`);
    if (v.model.next) lines.push(`with next: not merged, ${verdict(v.model.next)}`);
  }
  return lines;
}
