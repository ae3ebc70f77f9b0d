// I-rmap, I-live, I-mapcount and I-exclusive for mapped folios, and the same reachability
// for the folios behind swap and migration entries (I-swapcache, I-migration, I-swapcount):
// every entry is found by an rmap walk from its folio's mapping at its index
// (rmap_walk_anon / rmap_walk_ksm / vma_address), no folio points at a freed anon_vma, and
// mapcounts and refcounts match the page tables. This module is browser compatible.

import type { AnonVma } from "../../model/anon-vma.js";
import { type Folio, LargeFolio } from "../../model/folio.js";
import type { Kernel } from "../../model/kernel.js";
import type { Mm } from "../../model/mm.js";
import type { SwapSlot } from "../../model/swap-slot.js";
import type { Vma } from "../../model/vma.js";
import type { InvariantViolation } from "../../report/record.js";
import type { ProcessEntries } from "./entries.js";

/**
 * Why an rmap walk from `f` would not find page `sub` of it at `addr` in `vma`, or null
 * when it would. Returns [invariant id, reason].
 */
function unreachable(
  k: Kernel,
  tree: (av: AnonVma) => Set<Vma>,
  f: Folio,
  vma: Vma,
  addr: number,
  sub: number,
): [string, string] | null {
  const mapping = f.mapping;
  if (mapping === null) return ["I-rmap", "folio has no mapping"];
  if (mapping.kind === "ksm") {
    const found = mapping.rmapItems.some(
      (r) => r.address === addr && !r.anonVma.freed && tree(r.anonVma).has(vma),
    );
    return found
      ? null
      : ["I-rmap", `no rmap_item of ${mapping.name} leads to this VMA (rmap_walk_ksm misses it)`];
  }
  if (mapping.kind !== "anon_vma") {
    return mapping === vma.file && f.index + sub === vma.linearIndex(addr)
      ? null
      : ["I-rmap", "file folio not at its file index"];
  }
  if (mapping.freed) return ["I-live", `folio mapping ${mapping.name} was freed`];
  if (!tree(mapping).has(vma))
    return ["I-rmap", `${mapping.name}'s tree does not hold the VMA mapping it`];
  const at = vma.addressOf(f.index + sub);
  if (at !== addr)
    return [
      "I-rmap",
      `index ${k.relPgoff(f.index + sub)} resolves to ${at === null ? "nothing" : k.rel(at)}, not ${k.rel(addr)}`,
    ];
  return null;
}

export function checkRmap(k: Kernel, procs: readonly ProcessEntries[]): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const trees = new Map<AnonVma, Set<Vma>>();
  const tree = (av: AnonVma) => {
    let t = trees.get(av);
    if (!t) trees.set(av, (t = new Set([...av.avcs()].map((c) => c.vma))));
    return t;
  };
  const mappings = new Map<Folio, number>();
  /** Per large folio and mm, its large-mapcount mappings: a PTE one, a PMD mapping one. */
  const largeMappings = new Map<LargeFolio, Map<Mm, number>>();
  const swapRefs = new Map<SwapSlot, number>();
  const exclusiveSeen = new Set<string>();
  /** Swap entries marked exclusive (pte_swp_exclusive), with where they are. */
  const exclusiveSwaps: Array<[string, SwapSlot]> = [];
  /** Per large folio, the entries mapping each of its pages (its pages' _mapcount). */
  const pageMappings = new Map<LargeFolio, number[]>();
  /** THPs reported for a PMD mapping whose pages differ in PageAnonExclusive (once each). */
  const pmdBitReported = new Set<Folio>();
  for (const p of procs) {
    p.entries.forEach(({ addr, pte, vma }) => {
      const where = `p${p.proc} page ${k.rel(addr)}`;
      if (pte.kind === "guard") return;
      if (pte.kind === "swap") {
        swapRefs.set(pte.slot, (swapRefs.get(pte.slot) ?? 0) + 1);
        if (pte.exclusive) exclusiveSwaps.push([where, pte.slot]);
        const f = pte.slot.cache;
        if (pte.slot.freed)
          out.push({
            id: "I-swapcount",
            message: `${where}: swap entry ${pte.slot.name} was freed`,
          });
        if (!f || !vma) return;
        const why = unreachable(k, tree, f, vma, addr, 0);
        if (why)
          out.push({
            id: why[0] === "I-live" ? "I-live" : "I-swapcache",
            message: `${where} (${pte.slot.name}, swap cache ${f.name}): ${why[1]}; swap-in would BUG`,
          });
        return;
      }
      const f = pte.folio;
      if (pte.kind === "migration") {
        if (!k.migrations.has(f)) {
          out.push({
            id: "I-migration",
            message: `${where}: migration entry of ${f.name} outlived its migration (remove_migration_ptes missed it)`,
          });
        } else if (vma) {
          const why = unreachable(k, tree, f, vma, addr, pte.sub);
          if (why)
            out.push({
              id: "I-migration",
              message: `${where} (migrating ${f.name}): ${why[1]}; remove_migration_ptes will miss it`,
            });
        }
        return;
      }
      if (f.isZero) return;
      mappings.set(f, (mappings.get(f) ?? 0) + 1);
      if (f instanceof LargeFolio) {
        let perPage = pageMappings.get(f);
        if (!perPage) pageMappings.set(f, (perPage = new Array<number>(f.nrPages).fill(0)));
        perPage[pte.sub] = (perPage[pte.sub] ?? 0) + 1;
      }
      if (f instanceof LargeFolio && (!pte.pmd || pte.sub === 0)) {
        const perMm = largeMappings.get(f) ?? new Map<Mm, number>();
        perMm.set(p.mm, (perMm.get(p.mm) ?? 0) + 1);
        largeMappings.set(f, perMm);
      }
      if (
        pte.pmd &&
        f.pageAnonExclusive(pte.sub) !== f.pageAnonExclusive(0) &&
        !pmdBitReported.has(f)
      ) {
        pmdBitReported.add(f);
        // a PMD mapping has one PageAnonExclusive, the head page's, which a split hands to
        // every page (__split_huge_pmd_locked): the model keeps it on every page
        out.push({
          id: "I-exclusive",
          message: `${f.name}: page ${pte.sub} of a PMD mapping differs from the head in PageAnonExclusive (reported once)`,
        });
      }
      if (f.isKsm && f.pageAnonExclusive(pte.sub))
        out.push({ id: "I-exclusive", message: `${where}: KSM page ${f.name} is anon-exclusive` });
      if (f.pageAnonExclusive(pte.sub)) {
        const key = `${f.id}:${pte.sub}`;
        if (exclusiveSeen.has(key))
          out.push({
            id: "I-exclusive",
            message: `${f.name}: page ${pte.sub} is anon-exclusive but mapped twice`,
          });
        exclusiveSeen.add(key);
      }
      if (f.freed) out.push({ id: "I-live", message: `${where} (${f.name}): maps a freed folio` });
      if (!vma) return; // reported by I-pte-orphan
      const why = unreachable(k, tree, f, vma, addr, pte.sub);
      if (why) out.push({ id: why[0], message: `${where} (${f.name}): ${why[1]}` });
    });
  }
  for (const [f, n] of mappings) {
    if (f.mapcount !== n)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: mapcount ${f.mapcount}, mapped ${n} times`,
      });
    const cached = f.mapping && (f.mapping.kind === "file" || f.mapping.kind === "shmem") ? 1 : 0;
    const users = n + cached + (f.swap ? 1 : 0) + f.pins;
    if (f.refcount < users)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: refcount ${f.refcount} below its ${users} users`,
      });
  }
  for (const [f, perMm] of largeMappings) out.push(...checkMmOwners(f, perMm));
  for (const [f, perPage] of pageMappings) {
    const sub = perPage.findIndex((n, i) => f.pageMapcount(i) !== n);
    if (sub >= 0)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: page ${sub} has mapcount ${f.pageMapcount(sub)}, mapped ${perPage[sub]} times`,
      });
  }
  // an exclusive swap entry stands for an anon-exclusive page: no other entry names its
  // slot and its swap-cache folio is mapped nowhere (fork clears the mark: copy_nonpresent_pte)
  for (const [where, slot] of exclusiveSwaps) {
    const others = (swapRefs.get(slot) ?? 1) - 1;
    const mapped = slot.cache?.mapcount ?? 0;
    if (others > 0 || mapped > 0)
      out.push({
        id: "I-swapcount",
        message: `${where}: exclusive swap entry ${slot.name}, but ${others} other swap entries name it and its folio is mapped ${mapped} times`,
      });
  }
  for (const [slot, n] of swapRefs) {
    if (slot.count !== n)
      out.push({
        id: "I-swapcount",
        message: `${slot.name}: swap count ${slot.count}, referenced by ${n} swap entries`,
      });
  }
  return out;
}

/**
 * I-mapcount for a large folio: its large mapcount equals its mappings (a PMD mapping
 * counting one), no slot of its MM owner tracking counts more mappings than its mm holds,
 * and a clear shared bit means one mm holds them all (__folio_large_mapcount_sanity_checks,
 * folio_maybe_mapped_shared).
 */
function checkMmOwners(f: LargeFolio, perMm: Map<Mm, number>): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const total = [...perMm.values()].reduce((a, b) => a + b, 0);
  if (f.largeMapcount !== total)
    out.push({
      id: "I-mapcount",
      message: `${f.name}: large mapcount ${f.largeMapcount}, mapped ${total} times`,
    });
  const { slots, shared } = f.mmOwners();
  for (const [mm, n] of slots) {
    const held = perMm.get(mm) ?? 0;
    if (n > held)
      out.push({
        id: "I-mapcount",
        message: `${f.name}: the MM owner slot of p${mm.proc} counts ${n} mappings, it holds ${held}`,
      });
  }
  if (!shared && perMm.size > 1)
    out.push({
      id: "I-mapcount",
      message: `${f.name}: mapped by ${perMm.size} processes but not marked maybe shared`,
    });
  return out;
}
