// struct anon_vma and struct anon_vma_chain, and their life cycle (mm/rmap.c):
// anon_vma_alloc, anon_vma_chain_link, anon_vma_clone, anon_vma_fork, unlink_anon_vmas,
// put_anon_vma. This module is browser compatible.

import type { Kernel } from "./kernel.js";
import { NO_CHAIN, type Vma } from "./vma.js";

/** One link between a VMA and an anon_vma (struct anon_vma_chain). */
export interface AnonVmaChain {
  readonly vma: Vma;
  readonly anonVma: AnonVma;
}

/** Up to this many AVCs an AvcSet keeps them in an array. */
const FEW = 8;

/**
 * The AVCs of one anon_vma, in the order they were added (a Set's order). Most anon_vmas
 * have one or two AVCs, and a Set costs about 150 bytes (and more time to build): one AVC
 * is kept in a field, up to FEW in an array, more in a Set. Unordered, as a Set, to the
 * explorer's state key (src/check/explore/canonical.ts).
 */
export class AvcSet {
  private one: AnonVmaChain | null = null;
  private few: AnonVmaChain[] | null = null;
  private many: Set<AnonVmaChain> | null = null;

  get size(): number {
    if (this.many !== null) return this.many.size;
    if (this.few !== null) return this.few.length;
    return this.one !== null ? 1 : 0;
  }

  has(avc: AnonVmaChain): boolean {
    if (this.many !== null) return this.many.has(avc);
    if (this.few !== null) return this.few.includes(avc);
    return this.one === avc;
  }

  add(avc: AnonVmaChain): void {
    if (this.has(avc)) return;
    if (this.many !== null) this.many.add(avc);
    else if (this.few !== null) {
      if (this.few.length < FEW) this.few.push(avc);
      else {
        this.many = new Set(this.few);
        this.many.add(avc);
        this.few = null;
      }
    } else if (this.one === null) this.one = avc;
    else {
      this.few = [this.one, avc];
      this.one = null;
    }
  }

  delete(avc: AnonVmaChain): boolean {
    if (this.many !== null) return this.many.delete(avc);
    if (this.few !== null) {
      const i = this.few.indexOf(avc);
      if (i < 0) return false;
      for (let j = i + 1; j < this.few.length; j++) this.few[j - 1] = this.few[j] as AnonVmaChain;
      this.few.pop();
      if (this.few.length === 1) {
        this.one = this.few[0] as AnonVmaChain;
        this.few = null;
      }
      return true;
    }
    if (this.one !== avc) return false;
    this.one = null;
    return true;
  }

  [Symbol.iterator](): Iterator<AnonVmaChain> {
    if (this.many !== null) return this.many.values();
    if (this.few !== null) return this.few.values();
    return (this.one !== null ? [this.one] : []).values();
  }
}

export class AnonVma {
  readonly kind = "anon_vma";
  root: AnonVma = this;
  parent: AnonVma = this;
  /** References: 1 for itself, +1 per child anon_vma pinning it as root, + transient pins. */
  refcount = 1;
  /** Anon_vmas whose parent is this one; a root counts itself (self-parent link). */
  numChildren = 0;
  /** VMAs whose `anon_vma` is this one. */
  numActiveVmas = 0;
  /**
   * The interval tree (rb_root) of AVCs. Keys derive from each VMA's current pgoff range,
   * so a set is enough: rmap walks test the range themselves.
   */
  readonly avcs = new AvcSet();
  freed = false;

  constructor(readonly id: number) {}

  get name(): string {
    return `av${this.id}`;
  }
}

/** anon_vma_alloc: a fresh anon_vma that is its own root and parent. */
export function anonVmaAlloc(k: Kernel): AnonVma {
  const av = new AnonVma(k.nextId("anon_vma"));
  k.anonVmas.add(av);
  return av;
}

/** anon_vma_chain_link: link `vma` to `anonVma`, at the head of the VMA's chain. */
export function anonVmaChainLink(vma: Vma, anonVma: AnonVma): void {
  const avc: AnonVmaChain = { vma, anonVma };
  // a new array of the exact length: unshift would leave ~16 spare slots on every chain
  // (about 130 bytes per faulted VMA); chains are short, so the copy costs what unshift does
  const old = vma.chain;
  const chain = new Array<AnonVmaChain>(old.length + 1);
  chain[0] = avc;
  for (let i = 0; i < old.length; i++) chain[i + 1] = old[i] as AnonVmaChain;
  vma.chain = chain;
  anonVma.avcs.add(avc);
}

/**
 * anon_vma_clone: give `dst` an AVC for every anon_vma on `src`'s chain, oldest first.
 * When `dst` has no anon_vma yet (fork), the first anon_vma with no active VMA and fewer
 * than two children is reused as dst's own (the 6.0 num_children/num_active_vmas rule).
 */
export function anonVmaClone(dst: Vma, src: Vma): void {
  const from = src.chain;
  if (from.length !== 0) {
    // each anon_vma_chain_link adds at the head, so dst's chain ends up as src's (same
    // order) before dst's old links: built as one array instead of one per link
    const old = dst.chain;
    const chain = new Array<AnonVmaChain>(from.length + old.length);
    for (let i = 0; i < old.length; i++) chain[from.length + i] = old[i] as AnonVmaChain;
    for (let i = from.length - 1; i >= 0; i--) {
      const av = (from[i] as AnonVmaChain).anonVma;
      const avc: AnonVmaChain = { vma: dst, anonVma: av }; // anon_vma_chain_link
      chain[i] = avc;
      av.avcs.add(avc);
      if (
        dst.anonVma === null &&
        src.anonVma !== null &&
        av.numChildren < 2 &&
        av.numActiveVmas === 0
      ) {
        dst.anonVma = av;
      }
    }
    dst.chain = chain;
  }
  if (dst.anonVma) dst.anonVma.numActiveVmas++;
}

/**
 * anon_vma_fork: attach the child VMA to every anon_vma of the parent VMA, then reuse an
 * abandoned one or allocate the child's own anon_vma below the parent's.
 */
export function anonVmaFork(k: Kernel, vma: Vma, pvma: Vma): void {
  if (!pvma.anonVma) return;
  vma.anonVma = null;
  anonVmaClone(vma, pvma);
  if (vma.anonVma) return;
  const av = anonVmaAlloc(k);
  av.numActiveVmas++;
  av.root = pvma.anonVma.root;
  av.parent = pvma.anonVma;
  av.root.refcount++; // get_anon_vma(anon_vma->root)
  vma.anonVma = av;
  anonVmaChainLink(vma, av);
  av.parent.numChildren++;
}

/**
 * unlink_anon_vmas: remove every AVC of `vma` from its anon_vma's tree; anon_vmas whose
 * tree becomes empty drop their parent's child count and are put (freed at refcount 0).
 */
export function unlinkAnonVmas(k: Kernel, vma: Vma): void {
  let emptied: AnonVma[] | null = null;
  for (const avc of vma.chain) {
    const av = avc.anonVma;
    av.avcs.delete(avc);
    if (av.avcs.size === 0) {
      av.parent.numChildren--;
      (emptied ??= []).push(av);
    }
  }
  if (vma.anonVma) {
    vma.anonVma.numActiveVmas--;
    vma.anonVma = null;
  }
  vma.chain = NO_CHAIN;
  if (emptied) for (const av of emptied) putAnonVma(k, av);
}

/** put_anon_vma / __put_anon_vma: drop a reference; free at zero, then drop the root's pin. */
export function putAnonVma(k: Kernel, av: AnonVma): void {
  if (--av.refcount > 0) return;
  freeAnonVma(k, av);
  const root = av.root;
  if (root !== av && --root.refcount === 0) freeAnonVma(k, root);
}

function freeAnonVma(k: Kernel, av: AnonVma): void {
  av.freed = true;
  k.anonVmas.delete(av);
}

/** list_is_singular(&vma->anon_vma_chain) with an anon_vma: the "fork child" test inverted. */
export function isForkChild(vma: Vma | null | undefined): boolean {
  // vma_is_fork_child (mm/vma.c, 6.18.8+)
  return !!vma && vma.anonVma !== null && vma.chain.length !== 1;
}
