// The search end to end: a policy with a planted bug is caught with a minimal scenario that
// replays; Linux 6.18 is clean at the same bound; runs are reproducible from their seed.

import { describe, expect, it } from "vitest";
import { linux618 } from "../../policy/linux-6.18.js";
import { OK, type Policy } from "../../policy/policy.js";
import { Expander, type SearchSpace } from "./expand.js";
import { minimize, violationOf } from "./minimize.js";
import { explore, localBackend, type ExploreResult } from "./search.js";

/** Accepts every anon_vma merge and relocates nothing: the pages of the absorbed VMA dangle. */
const planted: Policy = {
  ...linux618,
  name: "planted-merge-anything",
  summary: "test only: merges different anon_vmas without moving their pages",
  isMergeableAnonVma: () => OK,
  prevNextCompatible: () => OK,
};

const control = { now: () => 0, deadline: null, batch: 16 };

/** The VMA operations alone (no page states, one process): small enough for a unit test. */
const VMA_OPS = ["mmap", "munmap", "mprotect", "mremap", "mremap-grow", "touch", "read"];

function space(policy: string, depth: number, seed = 1): SearchSpace {
  return { policy, bounds: { slots: 3, procs: 1, depth }, families: VMA_OPS, seed };
}

async function run(s: SearchSpace, policy?: Policy): Promise<ExploreResult> {
  const backend = localBackend(s, new Expander(s, undefined, policy));
  return explore(s, backend, control);
}

describe("explore", () => {
  it("catches a policy that merges different anon_vmas without relocating, minimally", async () => {
    const s = space(planted.name, 5);
    const r = await run(s, planted);
    expect(r.complete).toBe(true);
    expect(r.findings.length).toBeGreaterThan(0);
    const alphabet = new Expander(s, undefined, planted).alphabet.ops;
    for (const f of r.findings) {
      // Breadth first: no shorter path breaks this invariant, and the path really breaks it.
      const ops = f.path.map((i) => alphabet[i]!);
      expect(violationOf(ops, f.signature, s.policy, planted)).not.toBeNull();
      const c = await minimize(f, alphabet, s, "planted.vms", planted);
      expect(c.ops.length).toBeLessThanOrEqual(f.path.length);
      expect(violationOf(c.ops, f.signature, s.policy, planted)).toBe(c.message);
      expect(c.text).toContain(`Breaks ${f.invariant} under planted-merge-anything`);
      expect(c.text).toContain(
        "Replay: npx vmasim run --policy planted-merge-anything planted.vms",
      );
      // Dropping any one operation makes it pass.
      for (let i = 0; i < c.ops.length; i++) {
        const fewer = [...c.ops.slice(0, i), ...c.ops.slice(i + 1)];
        expect(violationOf(fewer, f.signature, s.policy, planted)).toBeNull();
      }
    }
    // The absorbed VMA's anon_vma is freed while its pages still name it.
    expect(r.findings.map((f) => f.invariant)).toContain("I-live");
  });

  it("finds nothing under linux-6.18 at the same bound, and explores the same states", async () => {
    const r = await run(space("linux-6.18", 5));
    expect(r.findings).toEqual([]);
    expect(r.complete).toBe(true);
    expect(r.depthComplete).toBe(5);
    expect(r.levels.reduce((a, b) => a + b, 0)).toBe(r.distinct);
    expect(r.visited).toBeGreaterThan(r.distinct);
  });

  it("is reproducible from its seed, and the seed only changes the order", async () => {
    const a = await run(space(planted.name, 5, 7), planted);
    const b = await run(space(planted.name, 5, 7), planted);
    const c = await run(space(planted.name, 5, 8), planted);
    expect(b).toEqual(a);
    expect(c.distinct).toBe(a.distinct);
    expect(c.levels).toEqual(a.levels);
    expect(c.findings.map((f) => [f.invariant, f.path.length])).toEqual(
      a.findings.map((f) => [f.invariant, f.path.length]),
    );
  });

  it("stops at the deadline and says how deep it got", async () => {
    const s = space("linux-6.18", 6);
    let t = 0;
    const r = await explore(s, localBackend(s), { now: () => t++, deadline: 40, batch: 4 });
    expect(r.complete).toBe(false);
    expect(r.depthComplete).toBeLessThan(6);
  });
});
