// I-chain, I-count and I-live for anon_vmas: each VMA's chain is consistent with the
// anon_vmas' trees, and num_active_vmas, num_children and refcount match a recount from
// scratch. This module is browser compatible.

import { chainOf, reachableAnonVmas, type AnonVma } from "../../model/anon-vma.js";
import type { Kernel } from "../../model/kernel.js";
import type { Vma } from "../../model/vma.js";
import type { InvariantViolation } from "../../report/record.js";
import { describeVma } from "./describe.js";

function liveVmas(k: Kernel): Vma[] {
  return k.liveMms().flatMap((p) => p.mm.allVmas());
}

export function checkAnonVmas(k: Kernel): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const vmas = liveVmas(k);
  const active = new Map<AnonVma, number>();
  for (const v of vmas) {
    const what = describeVma(k, v);
    const chain = chainOf(v);
    if ((v.anonVma === null) !== (chain.length === 0)) {
      out.push({
        id: "I-chain",
        message: `${what}: anon_vma ${v.anonVma?.name ?? "none"} with a chain of ${chain.length}`,
      });
    }
    if (v.anonVma) {
      active.set(v.anonVma, (active.get(v.anonVma) ?? 0) + 1);
      if (!chain.some((c) => c.anonVma === v.anonVma)) {
        out.push({
          id: "I-chain",
          message: `${what}: its anon_vma ${v.anonVma.name} is not on its chain`,
        });
      }
    }
    const roots = new Set(chain.map((c) => c.anonVma.root));
    if (roots.size > 1)
      out.push({ id: "I-chain", message: `${what}: chain spans ${roots.size} anon_vma roots` });
    for (const c of chain) {
      if (c.anonVma.freed)
        out.push({ id: "I-live", message: `${what}: chain links freed ${c.anonVma.name}` });
      if (!c.anonVma.hasAvc(c)) {
        out.push({
          id: "I-chain",
          message: `${what}: AVC to ${c.anonVma.name} missing from its tree`,
        });
      }
    }
  }
  const live = reachableAnonVmas(k);
  if (live.length !== k.liveAnonVmas) {
    out.push({
      id: "I-count",
      message: `${k.liveAnonVmas} anon_vmas allocated and not freed, ${live.length} referenced (leaked)`,
    });
  }
  for (const av of live) {
    for (const c of av.avcs()) {
      if (!chainOf(c.vma).includes(c) || !c.vma.mm.contains(c.vma)) {
        out.push({
          id: "I-chain",
          message: `${av.name}: tree holds an AVC of a VMA that is gone or unlinked`,
        });
      }
    }
    out.push(...checkCounts(k, av, live, active.get(av) ?? 0));
  }
  return out;
}

/** Recomputes num_active_vmas, num_children and refcount of `av` and compares. */
function checkCounts(
  k: Kernel,
  av: AnonVma,
  live: readonly AnonVma[],
  activeVmas: number,
): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  let children = av.root === av && !av.treeEmpty ? 1 : 0;
  let pins = av.treeEmpty ? 0 : 1;
  for (const node of k.stableNodes) pins += node.rmapItems.filter((r) => r.anonVma === av).length;
  for (const pinned of k.migrations.values()) if (pinned === av) pins++;
  for (const x of live) {
    if (x === av) continue;
    if (x.parent === av && !x.treeEmpty) children++;
    if (x.root === av) pins++;
  }
  if (av.numActiveVmas !== activeVmas) {
    out.push({
      id: "I-count",
      message: `${av.name}: num_active_vmas ${av.numActiveVmas}, recounted ${activeVmas}`,
    });
  }
  if (av.numChildren !== children) {
    out.push({
      id: "I-count",
      message: `${av.name}: num_children ${av.numChildren}, recounted ${children}`,
    });
  }
  if (av.refcount !== pins) {
    out.push({ id: "I-count", message: `${av.name}: refcount ${av.refcount}, recounted ${pins}` });
  }
  // the root is pinned by every anon_vma below it; the parent only matters while the
  // anon_vma still has VMAs (unlink_anon_vmas touches parent->num_children once, when its
  // tree empties), so an emptied anon_vma kept alive by a pin may outlive its parent
  if (av.root.freed || (av.parent.freed && !av.treeEmpty)) {
    out.push({ id: "I-live", message: `${av.name}: its root or parent was freed` });
  }
  return out;
}
