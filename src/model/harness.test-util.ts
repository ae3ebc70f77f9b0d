// A tiny userspace-harness for model unit tests, after tools/testing/vma: VMAs are made
// and linked by hand (alloc_and_link_vma) so merge functions can be called directly.

import { anonVmaAlloc, anonVmaChainLink, type AnonVma } from "./anon-vma.js";
import { VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE } from "./flags.js";
import { Machine } from "./machine.js";
import type { Mm } from "./mm.js";
import { DEFAULT_OPTIONS } from "./options.js";
import { Vma } from "./vma.js";

export const P = 4096;
/** The harness's default flags: READ|WRITE|MAYREAD|MAYWRITE. */
export const F = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;

export function harness(policy = "linux-6.18") {
  const machine = new Machine({ ...DEFAULT_OPTIONS, policy });
  const k = machine.kernel;
  const mm = (k.procs[0] as { mm: Mm }).mm;
  /** alloc_and_link_vma: [start, end) in pages, with pgoff in pages. */
  const vma = (start: number, end: number, pgoff: number, flags = F): Vma => {
    const v = new Vma(mm, start * P, end * P, pgoff, flags, null);
    mm.insert(v);
    return v;
  };
  /** A root anon_vma. */
  const anonVma = (): AnonVma => {
    const av = anonVmaAlloc(k);
    av.numChildren++;
    return av;
  };
  /** Gives `v` the anon_vma `av` with one AVC (faulted, not a fork child). */
  const fault = (v: Vma, av: AnonVma): void => {
    v.anonVma = av;
    anonVmaChainLink(v, av);
    av.numActiveVmas++;
  };
  /** The VMAs as [start, end, pgoff] page triples. */
  const layout = () => mm.allVmas().map((v) => [v.start / P, v.end / P, v.pgoff]);
  return { k, mm, vma, anonVma, fault, layout };
}
