// The invariant checker must catch what it claims to: each test corrupts one piece of
// model state the way a broken rule would, and expects the invariant's ID.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import { anonVmaAlloc, unlinkAnonVmas, type AnonVma } from "../model/anon-vma.js";
import type { Folio } from "../model/folio.js";
import { Machine } from "../model/machine.js";
import { DEFAULT_OPTIONS } from "../model/options.js";
import type { Vma } from "../model/vma.js";
import { checkInvariants } from "./invariants.js";

/** Two processes sharing a faulted VMA, then a second VMA in the child. */
function setUp() {
  const m = new Machine({ ...DEFAULT_OPTIONS });
  for (const op of parseScenario("mmap 0 4p\ntouch 0 4p\nfork\nmmap 8p 2p\ntouch 8p 1p\n", "t.vms"))
    m.step(op);
  const k = m.kernel;
  const child = k.procs[1]?.mm;
  const vma = child?.vmaLookup(k.options.base) as Vma;
  const pte = child?.pageTable.get(k.options.base);
  const folio = (pte?.kind === "present" ? pte.folio : null) as Folio;
  return { k, vma, folio, child };
}

const ids = (k: Parameters<typeof checkInvariants>[0]) => [
  ...new Set(checkInvariants(k).map((v) => v.id)),
];

describe("invariants", () => {
  it("hold on a consistent state", () => {
    expect(checkInvariants(setUp().k)).toEqual([]);
  });

  it("I-live: a folio pointing at a freed anon_vma", () => {
    const { k, folio } = setUp();
    const av = folio.mapping as { freed: boolean };
    av.freed = true;
    expect(ids(k)).toContain("I-live");
  });

  it("I-rmap: a stale index", () => {
    const { k, folio } = setUp();
    folio.index += 1;
    const v = checkInvariants(k).find((x) => x.id === "I-rmap");
    expect(v?.message).toMatch(/index/);
  });

  it("I-rmap: a mapping whose tree does not hold the VMA", () => {
    const { k, folio, vma } = setUp();
    folio.mapping = vma.anonVma; // the child's own anon_vma: the parent's VMA is not in its tree
    expect(ids(k)).toContain("I-rmap");
  });

  it("I-count: a wrong num_active_vmas", () => {
    const { k, vma } = setUp();
    (vma.anonVma as { numActiveVmas: number }).numActiveVmas++;
    expect(checkInvariants(k).find((x) => x.id === "I-count")?.message).toMatch(/num_active_vmas/);
  });

  it("I-chain: an AVC missing from its anon_vma's tree", () => {
    const { k, vma } = setUp();
    const avc = vma.chain;
    if (avc) avc.anonVma.removeAvc(avc);
    expect(ids(k)).toContain("I-chain");
  });

  it("I-mapcount: a mapcount that the page tables do not explain", () => {
    const { k, folio } = setUp();
    folio.mapcount++;
    expect(ids(k)).toContain("I-mapcount");
  });

  it("I-count: an anon_vma that nothing references and nobody freed (a leak)", () => {
    const { k } = setUp();
    anonVmaAlloc(k); // allocated, never linked to a VMA nor put
    const v = checkInvariants(k).find((x) => x.id === "I-count");
    expect(v?.message).toMatch(/leaked/);
  });

  it("I-count: a root kept alive by a child that nothing references", () => {
    const { k, vma } = setUp();
    const own = vma.anonVma as AnonVma; // the child's own anon_vma, below the parent's
    own.refcount++; // a pin nobody holds: unlinking the VMA no longer frees it
    unlinkAnonVmas(k, vma);
    expect(checkInvariants(k).some((x) => x.id === "I-count" && /leaked/.test(x.message))).toBe(
      true,
    );
  });

  it("I-vma-order: overlapping VMAs", () => {
    const { k, vma } = setUp();
    vma.pages += 16; // grows over the next VMA without the index knowing
    expect(ids(k)).toContain("I-vma-order");
  });

  it("I-pte-orphan: a page-table entry outside every VMA", () => {
    const { k, child } = setUp();
    const pte = child?.pageTable.get(k.options.base);
    if (pte) child?.pageTable.set(k.options.base + 100 * 4096, { ...pte });
    expect(ids(k)).toContain("I-pte-orphan");
  });

  it("name the step's objects in the message", () => {
    const { k, folio } = setUp();
    folio.index += 1;
    const msg = checkInvariants(k).find((x) => x.id === "I-rmap")?.message ?? "";
    expect(msg).toMatch(/^p\d page \d+ \(f\d+\)/);
  });
});
