// A process's layout as /proc/PID/maps shows it, from the model or from a sample, and the
// comparison of the two. This module is browser compatible.

import { permsString } from "../model/flags.js";
import type { Mm } from "../model/mm.js";
import type { TruthVma } from "./truth.js";

/** One VMA as far as the comparison goes: its range and permissions. */
export interface LayoutVma {
  start: number;
  end: number;
  perms: string;
}

/** The model's layout of `mm`. */
export function modelLayout(mm: Mm): LayoutVma[] {
  return mm.allVmas().map((v) => ({ start: v.start, end: v.end, perms: permsString(v.flags) }));
}

/** A sample's layout, without the vsyscall gate area (not a VMA). */
export function truthLayout(vmas: readonly TruthVma[]): LayoutVma[] {
  return vmas
    .filter((v) => v.name !== "[vsyscall]")
    .map(({ start, end, perms }) => ({ start, end, perms }));
}

const hex = (n: number) => n.toString(16);
const show = (v: LayoutVma | undefined) =>
  v ? `${hex(v.start)}-${hex(v.end)} ${v.perms}` : "nothing";

/** null when the layouts are identical, else the first difference in words. */
export function layoutDifference(
  model: readonly LayoutVma[],
  truth: readonly LayoutVma[],
): string | null {
  const n = Math.max(model.length, truth.length);
  for (let i = 0; i < n; i++) {
    const a = model[i];
    const b = truth[i];
    if (a && b && a.start === b.start && a.end === b.end && a.perms === b.perms) continue;
    return `VMA ${i}: model has ${show(a)}, the process had ${show(b)}`;
  }
  return null;
}
