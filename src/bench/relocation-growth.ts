// How a policy's relocation cost grows along each axis of the relocation grid: with the
// VMA's length (its resident pages fixed) and with its resident pages (its length fixed).
// The goal is that under safe-merge the first stays flat: relocation walks the resident
// pages, not the VMA. Each comparison uses the grid's largest resident count, where the
// mremap takes milliseconds and its timing the least noise. Pure: no I/O, no clock.

import type { RelocationRow } from "./relocation.js";

/** From one cell of the grid to another: what grew, and how the cost followed. */
export interface Growth {
  /** The cell compared against, and the cell compared. */
  from: { vmaPages: number; residentPages: number };
  to: { vmaPages: number; residentPages: number };
  /** Time per mremap at `to` over that at `from`. */
  time: number;
  /** Pages the policy walked at `to` over those at `from`; null when it walked none. */
  walked: number | null;
}

export interface PolicyGrowth {
  policy: string;
  /** The longest VMA against the shortest, both with the largest resident count. */
  length: Growth | null;
  /** The largest resident count against the one below it, in VMAs of the same length. */
  resident: Growth | null;
}

/** Time per mremap under safe-merge, a VMA many times longer: at most this many times. */
export const RELOCATION_LENGTH_GOAL = 2;
/** The policy the goal is about. */
export const GOAL_POLICY = "safe-merge";

function growth(from: RelocationRow, to: RelocationRow): Growth {
  return {
    from: { vmaPages: from.vmaPages, residentPages: from.residentPages },
    to: { vmaPages: to.vmaPages, residentPages: to.residentPages },
    time: to.usPerMerge / from.usPerMerge,
    walked: from.pagesWalked === 0 ? null : to.pagesWalked / from.pagesWalked,
  };
}

/** The two comparisons for one policy's rows (null where the grid has no such pair). */
function policyGrowth(policy: string, rows: readonly RelocationRow[]): PolicyGrowth {
  const maxResident = Math.max(...rows.map((r) => r.residentPages));
  const byLength = rows
    .filter((r) => r.residentPages === maxResident)
    .sort((a, b) => a.vmaPages - b.vmaPages);
  const shortest = byLength[0];
  const longest = byLength[byLength.length - 1];
  // the resident comparison: in the VMAs of the shortest length that holds maxResident
  const sameLength = rows
    .filter((r) => r.vmaPages === shortest?.vmaPages)
    .sort((a, b) => a.residentPages - b.residentPages);
  const most = sameLength[sameLength.length - 1];
  const fewer = sameLength[sameLength.length - 2];
  return {
    policy,
    length: shortest && longest && longest !== shortest ? growth(shortest, longest) : null,
    resident: fewer && most ? growth(fewer, most) : null,
  };
}

/** Every policy's growth, in the order its rows come. */
export function relocationGrowth(rows: readonly RelocationRow[]): PolicyGrowth[] {
  const policies = [...new Set(rows.map((r) => r.policy))];
  return policies.map((p) =>
    policyGrowth(
      p,
      rows.filter((r) => r.policy === p),
    ),
  );
}
