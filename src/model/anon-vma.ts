// struct anon_vma and struct anon_vma_chain, and their life cycle (mm/rmap.c):
// anon_vma_alloc, anon_vma_chain_link, anon_vma_clone, anon_vma_fork, unlink_anon_vmas,
// put_anon_vma. This module is browser compatible.

import type { Kernel } from "./kernel.js";
import type { Vma } from "./vma.js";

/**
 * One link between a VMA and an anon_vma (struct anon_vma_chain). `next` is the VMA's next
 * older link: vma->anon_vma_chain is a list, newest first (anon_vma_chain_link adds at the
 * head), so a VMA with one anon_vma costs one small object and no array.
 */
export interface AnonVmaChain {
  readonly vma: Vma;
  readonly anonVma: AnonVma;
  next: AnonVmaChain | null;
}

/** Up to this many AVCs an anon_vma keeps them in an array; more go in a Set. */
const FEW = 8;

export class AnonVma {
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
   * so a set is enough: rmap walks test the range themselves. Most anon_vmas have one or
   * two AVCs, and a Set costs about 150 bytes (and more time to build): one AVC is kept
   * as it is, up to FEW in an array, more in a Set; in the order they were added (a Set's
   * order). Unordered, as a Set, to the explorer's state key (src/check/explore/canonical.ts).
   */
  private tree: AnonVmaChain | AnonVmaChain[] | Set<AnonVmaChain> | null = null;
  freed = false;

  constructor(readonly id: number) {}

  get kind(): "anon_vma" {
    return "anon_vma";
  }

  get name(): string {
    return `av${this.id}`;
  }

  /** The number of AVCs in the tree. */
  get avcCount(): number {
    const t = this.tree;
    if (t === null) return 0;
    if (t instanceof Set) return t.size;
    return Array.isArray(t) ? t.length : 1;
  }

  /** The tree's AVCs, in the order they were added. */
  avcs(): Iterable<AnonVmaChain> {
    const t = this.tree;
    if (t === null) return [];
    return t instanceof Set || Array.isArray(t) ? t : [t];
  }

  hasAvc(avc: AnonVmaChain): boolean {
    const t = this.tree;
    if (t === null) return false;
    if (t instanceof Set) return t.has(avc);
    return Array.isArray(t) ? t.includes(avc) : t === avc;
  }

  /** anon_vma_interval_tree_insert. */
  insertAvc(avc: AnonVmaChain): void {
    const t = this.tree;
    if (t === null) this.tree = avc;
    else if (t instanceof Set) t.add(avc);
    else if (!Array.isArray(t)) this.tree = [t, avc];
    else if (t.length < FEW) t.push(avc);
    else this.tree = new Set(t).add(avc);
  }

  /** anon_vma_interval_tree_remove. */
  removeAvc(avc: AnonVmaChain): void {
    const t = this.tree;
    if (t === avc) this.tree = null;
    else if (t instanceof Set) t.delete(avc);
    else if (Array.isArray(t)) {
      const i = t.indexOf(avc);
      if (i < 0) return;
      for (let j = i + 1; j < t.length; j++) t[j - 1] = t[j] as AnonVmaChain;
      t.pop();
      if (t.length === 1) this.tree = t[0] as AnonVmaChain;
    }
  }
}

/** anon_vma_alloc: a fresh anon_vma that is its own root and parent. */
export function anonVmaAlloc(k: Kernel): AnonVma {
  const av = new AnonVma(k.nextId("anon_vma"));
  k.liveAnonVmas++;
  return av;
}

/** anon_vma_chain_link: link `vma` to `anonVma`, at the head of the VMA's chain. */
export function anonVmaChainLink(vma: Vma, anonVma: AnonVma): void {
  const avc: AnonVmaChain = { vma, anonVma, next: vma.chain };
  vma.chain = avc;
  anonVma.insertAvc(avc);
}

/**
 * anon_vma_clone: give `dst` an AVC for every anon_vma on `src`'s chain, oldest first.
 * When `dst` has no anon_vma yet (fork), the first anon_vma with no active VMA and fewer
 * than two children is reused as dst's own (the 6.0 num_children/num_active_vmas rule).
 */
export function anonVmaClone(dst: Vma, src: Vma): void {
  // each anon_vma_chain_link adds at the head, so dst's chain ends up as src's (same
  // order) before dst's old links
  dst.chain = cloneLinks(dst, src, src.chain);
  if (dst.anonVma) dst.anonVma.numActiveVmas++;
}

/** The copies for `dst` of `src`'s links from `avc` on, before dst's old chain: oldest first. */
function cloneLinks(dst: Vma, src: Vma, avc: AnonVmaChain | null): AnonVmaChain | null {
  if (avc === null) return dst.chain;
  const older = cloneLinks(dst, src, avc.next);
  const av = avc.anonVma;
  const copy: AnonVmaChain = { vma: dst, anonVma: av, next: older }; // anon_vma_chain_link
  av.insertAvc(copy);
  if (dst.anonVma === null && src.anonVma !== null && av.numChildren < 2 && av.numActiveVmas === 0)
    dst.anonVma = av;
  return copy;
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
  for (let avc = vma.chain; avc !== null; avc = avc.next) {
    const av = avc.anonVma;
    av.removeAvc(avc);
    if (av.avcCount === 0) {
      av.parent.numChildren--;
      (emptied ??= []).push(av);
    }
  }
  if (vma.anonVma) {
    vma.anonVma.numActiveVmas--;
    vma.anonVma = null;
  }
  vma.chain = null;
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
  k.liveAnonVmas--;
}

/**
 * Every anon_vma not freed that something references, by id: those on a live VMA's chain,
 * their parents and roots, and those pinned by KSM's rmap_items or by a migration. The
 * kernel keeps no list of anon_vmas, nor does the model; the checker compares how many
 * this finds with `Kernel.liveAnonVmas` to find leaks.
 */
export function reachableAnonVmas(k: Kernel): AnonVma[] {
  const found = new Set<AnonVma>();
  const reach = (av: AnonVma | null) => {
    for (; av !== null && !found.has(av); av = av.parent === av ? null : av.parent) {
      found.add(av);
      found.add(av.root);
    }
  };
  for (const { mm } of k.liveMms())
    for (const v of mm.allVmas()) for (let c = v.chain; c !== null; c = c.next) reach(c.anonVma);
  for (const node of k.stableNodes) for (const item of node.rmapItems) reach(item.anonVma);
  for (const av of k.migrations.values()) reach(av);
  return [...found].filter((av) => !av.freed).sort((a, b) => a.id - b.id);
}

/** list_is_singular(&vma->anon_vma_chain) with an anon_vma: the "fork child" test inverted. */
export function isForkChild(vma: Vma | null | undefined): boolean {
  // vma_is_fork_child (mm/vma.c, 6.18.8+)
  return !!vma && vma.anonVma !== null && !isSingular(vma);
}

/** list_is_singular(&vma->anon_vma_chain). */
export function isSingular(vma: Vma): boolean {
  return vma.chain !== null && vma.chain.next === null;
}

/** `vma`'s AVCs, newest first. */
export function chainOf(vma: Vma): AnonVmaChain[] {
  const out: AnonVmaChain[] = [];
  for (let avc = vma.chain; avc !== null; avc = avc.next) out.push(avc);
  return out;
}
