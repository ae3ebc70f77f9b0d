// The invariant checker must catch what it claims to: each test corrupts one piece of
// model state the way a broken rule would, and expects the invariant's ID.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../input/scenario.js";
import { anonVmaAlloc, unlinkAnonVmas, type AnonVma } from "../model/anon-vma.js";
import type { Folio, LargeFolio } from "../model/folio.js";
import { Machine } from "../model/machine.js";
import type { Kernel } from "../model/kernel.js";
import type { Mm } from "../model/mm.js";
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

/** The kernel after the scenario `text`, checked to hold every invariant. */
function kernelAfter(text: string): Kernel {
  const m = new Machine({ ...DEFAULT_OPTIONS });
  for (const op of parseScenario(text, "t.vms")) m.step(op);
  expect(checkInvariants(m.kernel)).toEqual([]);
  return m.kernel;
}

/** Process `n`'s mm. */
const mmOf = (k: Kernel, n: number) => (k.procs[n] as { mm: Mm }).mm;

/** Every violation, as "ID message". */
const violations = (k: Kernel) => checkInvariants(k).map((v) => `${v.id} ${v.message}`);

/** A THP written in p0, mapped by its PMD at the base. */
const THP = "mmap 0 2m\nmadvise 0 2m HUGEPAGE\ntouch 0 1p\n";

describe("invariants", () => {
  it("hold on a consistent state", () => {
    expect(checkInvariants(setUp().k)).toEqual([]);
  });

  it("I-live: a folio pointing at a freed anon_vma", () => {
    const { k, folio } = setUp();
    const av = folio.mapping as { refcount: number };
    av.refcount = 0; // put_anon_vma's last put

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

  it("I-swapcount: an exclusive swap entry whose slot another entry names", () => {
    const k = kernelAfter("mmap 0 1p\ntouch 0 1p\nswapout 0 1p\nfork\n");
    const table = mmOf(k, 1).pageTable;
    const pte = table.get(k.options.base);
    if (pte?.kind !== "swap") throw new Error("expected a swap entry");
    table.set(k.options.base, { ...pte, exclusive: true });
    expect(violations(k)).toEqual([
      `I-swapcount p1 page 0: exclusive swap entry ${pte.slot.name}, but 1 other swap entries name it and its folio is mapped 0 times`,
    ]);
  });

  describe("links between folios, swap slots and migrations", () => {
    it("I-swapcache: a swap-cache folio whose slot holds another folio", () => {
      // read back by the parent, the folio stays in the swap cache: the child's entry names it
      const k = kernelAfter("mmap 0 1p\ntouch 0 1p\nfork stay\nswapout 0 1p cache\nread 0 1p\n");
      const folio = mmOf(k, 0).pageTable.folioAt(k.options.base) as Folio;
      const slot = folio.swap;
      if (!slot) throw new Error("expected a swap-cache folio");
      slot.cache = null;
      expect(violations(k)).toContain(
        `I-swapcache ${folio.name}: in the swap cache of ${slot.name}, which holds no folio`,
      );
    });

    it("I-swapcache: a freed folio in the swap cache", () => {
      const k = kernelAfter("mmap 0 1p\ntouch 0 1p\nswapout 0 1p cache\n");
      const slot = [...mmOf(k, 0).pageTable.entries(k.options.base, k.options.base + 4096)]
        .map(([, pte]) => pte)
        .find((pte) => pte.kind === "swap")?.slot;
      if (!slot?.cache) throw new Error("expected a swap-cache folio");
      slot.cache.freed = true;
      expect(violations(k)).toContain(
        `I-swapcache ${slot.name}: its swap-cache folio ${slot.cache.name} was freed`,
      );
    });

    it("I-swapcache: a lazily freed folio in the swap cache", () => {
      const k = kernelAfter("mmap 0 1p\ntouch 0 1p\nfork stay\nswapout 0 1p cache\nread 0 1p\n");
      const folio = mmOf(k, 0).pageTable.folioAt(k.options.base) as Folio;
      expect(folio.swap).not.toBeNull();
      folio.lazyfree = true;
      expect(violations(k)).toContain(
        `I-swapcache ${folio.name}: lazily freed but in the swap cache`,
      );
    });

    it("I-migration: a folio under migration that is still mapped", () => {
      const k = kernelAfter("mmap 0 2p\ntouch 0 2p\nmigrate 0 1p hold\n");
      const folio = mmOf(k, 0).pageTable.folioAt(k.options.base + 4096) as Folio;
      k.migrations.set(folio, null);
      expect(violations(k)).toContain(
        `I-migration ${folio.name}: under migration but still mapped`,
      );
    });
  });

  it("I-writable: a COW-shared page mapped writable", () => {
    const { k, child } = setUp();
    child?.pageTable.setWritable(k.options.base, true);
    expect(violations(k)).toEqual([
      `I-writable p1 page 0 is writable: f1 page 0 is not anon-exclusive`,
    ]);
  });

  it("I-writable: a writable migration entry in a read-only VMA", () => {
    const k = kernelAfter("mmap 0 1p\ntouch 0 1p\nmigrate 0 1p hold\nmprotect 0 1p r\n");
    const table = mmOf(k, 0).pageTable;
    const pte = table.get(k.options.base);
    if (pte?.kind !== "migration") throw new Error("expected a migration entry");
    table.set(k.options.base, { ...pte, writable: true });
    expect(violations(k)).toEqual([
      "I-writable p0 page 0 has a writable migration entry: its VMA has no VM_WRITE",
    ]);
  });

  it("I-exclusive: a KSM page marked anon-exclusive", () => {
    const k = kernelAfter("mmap 0 2p\ntouch 0 2p\nmadvise 0 2p MERGEABLE\nksm 0 2p\n");
    const folio = mmOf(k, 0).pageTable.folioAt(k.options.base) as Folio;
    expect(folio.isKsm).toBe(true);
    folio.setPageAnonExclusive(0, true);
    expect(violations(k)).toContain(
      `I-exclusive p0 page 0: KSM page ${folio.name} is anon-exclusive`,
    );
  });

  it("I-mapcount: a mapcount that the page tables do not explain", () => {
    const { k, folio } = setUp();
    folio.mapcount++;
    expect(ids(k)).toContain("I-mapcount");
  });

  describe("I-mapcount on a THP's MM owner tracking", () => {
    /** A THP written in p0, then forked: p0 and p1 map it by the PMD. */
    function thp() {
      const k = kernelAfter(`${THP}fork\n`);
      const mm = (n: number) => mmOf(k, n);
      const folio = mm(0).pageTable.folioAt(k.options.base) as LargeFolio;
      return { k, folio, mm };
    }
    const messages = (k: Parameters<typeof checkInvariants>[0]) =>
      checkInvariants(k)
        .filter((v) => v.id === "I-mapcount")
        .map((v) => v.message);

    it("holds after fork", () => {
      expect(checkInvariants(thp().k)).toEqual([]);
    });

    it("I-exclusive: a page of a PMD mapping whose bit differs from the head's", () => {
      const k = kernelAfter(THP);
      const folio = mmOf(k, 0).pageTable.folioAt(k.options.base) as LargeFolio;
      folio.setPageAnonExclusive(5, false);
      expect(violations(k)).toEqual([
        `I-exclusive ${folio.name}: page 5 of a PMD mapping differs from the head in PageAnonExclusive (reported once)`,
        `I-writable p0 page ${5 * 4096} is writable: ${folio.name} page 5 is not anon-exclusive`,
      ]);
    });

    it("catches a page whose mapcount the page tables do not explain, the folio's being right", () => {
      const { k, folio } = thp();
      folio.countMapping(5, 1);
      folio.countMapping(6, -1);
      expect(messages(k)).toEqual([`${folio.name}: page 5 has mapcount 3, mapped 2 times`]);
    });

    describe("I-pmd: a PMD mapping is whole", () => {
      /** A THP mapped by the PMD at the base in p0, alone. */
      function single() {
        const k = kernelAfter(THP);
        const table = mmOf(k, 0).pageTable;
        return { k, table, base: k.options.base };
      }
      const pmdMessages = (k: Parameters<typeof checkInvariants>[0]) =>
        checkInvariants(k)
          .filter((v) => v.id === "I-pmd")
          .map((v) => v.message);

      it("catches an entry whose write bit differs from the head's, once for the PMD", () => {
        const { k, table, base } = single();
        table.setWritable(base + 5 * 4096, false);
        table.setWritable(base + 6 * 4096, false);
        expect(pmdMessages(k)).toEqual([
          `p0 PMD at 0: page ${5 * 4096} differs from the head in its write or dirty bit`,
        ]);
      });

      it("catches a PMD mapping that lost an entry", () => {
        const { k, table, base } = single();
        table.clear(base + 511 * 4096);
        expect(pmdMessages(k)).toEqual(["p0 PMD at 0: 511 of its 512 entries are mapped by it"]);
      });
    });

    it("catches a large mapcount the page tables do not explain", () => {
      const { k, folio, mm } = thp();
      folio.addLargeMapcount(mm(1), 1);
      expect(messages(k).join()).toMatch(/large mapcount 3, mapped 2 times/);
    });

    it("catches a shared folio whose shared bit was cleared", () => {
      const { k, folio, mm } = thp();
      // a zap that forgot its page-table entry: p1's slot is freed, p0's holds every
      // counted mapping, and the bit clears while p1 still maps the folio
      folio.subLargeMapcount(mm(1), 1);
      expect(messages(k).join()).toMatch(/mapped by 2 processes but not marked maybe shared/);
    });
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
