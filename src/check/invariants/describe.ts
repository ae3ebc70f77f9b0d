// Names model objects in invariant messages. This module is browser compatible.

import type { Kernel } from "../../model/kernel.js";
import type { Vma } from "../../model/vma.js";

/** "VMA [0x1000,0x3000) p0" with relative addresses. */
export function describeVma(k: Kernel, v: Vma): string {
  return `VMA [0x${k.rel(v.start).toString(16)},0x${k.rel(v.end).toString(16)}) p${v.mm.proc}`;
}
