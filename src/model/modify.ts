// vma_modify_flags and vma_modify_name (mm/vma.c): change one attribute of [start, end)
// inside `vma`, merging with neighbours or splitting. This module is browser compatible.

import type { Kernel } from "./kernel.js";
import { VM_STICKY } from "./flags.js";
import { vmaModify } from "./merge.js";
import type { Vma } from "./vma.js";
import { vmaVmg } from "./vmg.js";

/** The prev a caller threads into vma_modify: `vma` itself when offset into it. */
function prevFor(vma: Vma, start: number): Vma | null {
  return start > vma.start ? vma : (vma.mm.prevOf(vma.start) ?? null);
}

/** vma_modify_flags: returns the VMA now covering exactly… or merged over [start, end). */
export function vmaModifyFlags(
  k: Kernel,
  vma: Vma,
  start: number,
  end: number,
  flags: number,
  fn: string,
): Vma {
  const vmg = vmaVmg(vma.mm, prevFor(vma, start), vma, start, end);
  vmg.flags = flags;
  const v = vmaModify(k, vmg, fn);
  v.flags = flags | (v.flags & VM_STICKY); // the merged VMA's sticky flags stay
  return v;
}

/** vma_modify_name. */
export function vmaModifyName(
  k: Kernel,
  vma: Vma,
  start: number,
  end: number,
  name: string | null,
): Vma {
  const vmg = vmaVmg(vma.mm, prevFor(vma, start), vma, start, end);
  vmg.anonName = name;
  const v = vmaModify(k, vmg, "madvise_update_vma");
  v.anonName = name;
  return v;
}
