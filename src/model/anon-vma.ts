// struct anon_vma and struct anon_vma_chain, and their life cycle (mm/rmap.c):
// anon_vma_alloc, anon_vma_chain_link, anon_vma_clone, anon_vma_fork, unlink_anon_vmas,
// put_anon_vma. This module is browser compatible.

import type { Kernel } from "./kernel.js";
import type { Vma } from "./vma.js";

/**
 * One link between a VMA and an anon_vma (struct anon_vma_chain). `next` is the VMA's next
 * older link: vma->anon_vma_chain is a list, newest first (anon_vma_chain_link adds at the
 * head), so a VMA with one anon_vma costs one small object and no array. `before` and
 * `after` are its neighbours in its anon_vma's tree (null while in none).
 */
export class AnonVmaChain {
  before: AnonVmaChain | null = null;
  after: AnonVmaChain | null = null;

  /** anon_vma_chain_alloc: a link of `vma` to `anonVma`, before `next` on the VMA's chain. */
  constructor(
    readonly vma: Vma,
    readonly anonVma: AnonVma,
    public next: AnonVmaChain | null,
  ) {}
}

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
   * so the model keeps the AVCs in a plain list: rmap walks test the range themselves. It
   * is circular and doubly linked through the AVCs themselves (this is the oldest; its
   * `before` the newest), so that a link or unlink costs no allocation and no search, as
   * the rb-tree's links live in struct anon_vma_chain. Walked in the order the AVCs were
   * added; unordered to the explorer's state key (src/check/explore/canonical.ts).
   */
  private oldest: AnonVmaChain | null = null;

  constructor(readonly id: number) {}

  get kind(): "anon_vma" {
    return "anon_vma";
  }

  get name(): string {
    return `av${this.id}`;
  }

  /** Freed by put_anon_vma: its last reference is gone. */
  get freed(): boolean {
    return this.refcount === 0;
  }

  /** RB_EMPTY_ROOT: no AVC is in the tree. */
  get treeEmpty(): boolean {
    return this.oldest === null;
  }

  /** The number of AVCs in the tree (a walk). */
  get avcCount(): number {
    return this.avcs().length;
  }

  /** The tree's AVCs, in the order they were added (a snapshot). */
  avcs(): AnonVmaChain[] {
    const out: AnonVmaChain[] = [];
    const first = this.oldest;
    if (first === null) return out;
    let avc = first;
    do {
      out.push(avc);
      avc = avc.after as AnonVmaChain;
    } while (avc !== first);
    return out;
  }

  hasAvc(avc: AnonVmaChain): boolean {
    return avc.anonVma === this && avc.after !== null;
  }

  /** anon_vma_interval_tree_insert. */
  insertAvc(avc: AnonVmaChain): void {
    const first = this.oldest;
    if (first === null) {
      this.oldest = avc.before = avc.after = avc;
      return;
    }
    const last = first.before as AnonVmaChain;
    avc.before = last;
    avc.after = first;
    last.after = avc;
    first.before = avc;
  }

  /** anon_vma_interval_tree_remove. */
  removeAvc(avc: AnonVmaChain): void {
    if (!this.hasAvc(avc)) return;
    const after = avc.after as AnonVmaChain;
    if (after === avc) this.oldest = null;
    else {
      const before = avc.before as AnonVmaChain;
      before.after = after;
      after.before = before;
      if (this.oldest === avc) this.oldest = after;
    }
    avc.before = avc.after = null;
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
  const avc = new AnonVmaChain(vma, anonVma, vma.chain);
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
  const copy = new AnonVmaChain(dst, av, older); // anon_vma_chain_link
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
    if (av.treeEmpty) {
      av.parent.numChildren--;
      // a literal for the first, as a push onto [] calls V8's builtin that grows the store
      if (emptied === null) emptied = [av];
      else emptied.push(av);
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
  k.liveAnonVmas--; // anon_vma_free
  const root = av.root;
  if (root !== av && --root.refcount === 0) k.liveAnonVmas--;
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
