// Canonical state keys: states that differ only in names meet; states that differ do not.

import { describe, expect, it } from "vitest";
import { parseScenario } from "../../input/scenario.js";
import { reachableAnonVmas } from "../../model/anon-vma.js";
import { Machine } from "../../model/machine.js";
import { stateKey } from "./canonical.js";
import { cloneMachine } from "./clone.js";
import { searchOptions } from "./expand.js";

function after(text: string): Machine {
  const m = new Machine(searchOptions("linux-6.18"));
  for (const op of parseScenario(text.split(";").join("\n"), "t.vms")) m.step(op);
  return m;
}

const key = (text: string) => stateKey(after(text));

describe("stateKey", () => {
  it("is equal for states that differ only in anon_vma and folio ids", () => {
    const a = after("mmap 0 1p; touch 0 1p; mmap 2p 1p; touch 2p 1p");
    const b = after("mmap 2p 1p; touch 2p 1p; mmap 0 1p; touch 0 1p");
    // Allocated in the other order: the ids differ…
    const ids = (m: Machine) => reachableAnonVmas(m.kernel).map((av) => av.id);
    expect(ids(a)).toEqual([1, 2]);
    const first = (m: Machine) => m.kernel.procs[0]!.mm.allVmas()[0]!.anonVma!.id;
    expect(first(a)).not.toBe(first(b));
    // …the states do not.
    expect(stateKey(a)).toBe(stateKey(b));
  });

  it("is equal for an unfaulted VMA moved and one mapped there (copy_vma resets its pgoff)", () => {
    expect(key("mmap 0 1p; mremap 0 1p 1p MAYMOVE|FIXED 1p")).toBe(key("mmap 1p 1p"));
  });

  it("is equal when an anon_vma's AVCs were linked in another order (its tree is a set)", () => {
    const a = after("mmap 0 4p; touch 0 4p; mprotect 1p 1p r; mprotect 3p 1p r");
    const b = after("mmap 0 4p; touch 0 4p; mprotect 3p 1p r; mprotect 1p 1p r");
    const order = (m: Machine) =>
      m.kernel.procs[0]!.mm.allVmas()[0]!
        .anonVma!.avcs()
        .map((c) => c.vma.start);
    expect(order(a)).not.toEqual(order(b));
    expect(stateKey(a)).toBe(stateKey(b));
  });

  it("is equal when exits leave process numbers behind", () => {
    expect(key("mmap 0 2p; touch 0 1p; fork; exit; fork")).toBe(key("mmap 0 2p; touch 0 1p; fork"));
  });

  it("is equal when forked children commute", () => {
    // Two orders of the same accesses by a parent and its child.
    expect(key("mmap 0 2p; touch 0 2p; fork; touch 0 1p; switch 0; touch 1p 1p")).toBe(
      key("mmap 0 2p; touch 0 2p; fork stay; touch 1p 1p; switch 1; touch 0 1p; switch 0"),
    );
  });

  it("tells apart states that differ", () => {
    const distinct = [
      "mmap 0 2p",
      "mmap 0 2p; touch 0 1p",
      "mmap 0 2p; touch 1p 1p",
      "mmap 0 2p; read 0 1p",
      "mmap 0 2p; mprotect 0 1p r",
      "mmap 0 2p; fork",
      "mmap 0 2p; fork stay",
      "mmap 0 2p; touch 0 1p; fork stay",
      "mmap 0 2p; touch 0 1p; fork stay; touch 0 1p",
      // A faulted VMA keeps its pgoff when moved: not the same as faulting it there.
      "mmap 0 1p; touch 0 1p; mremap 0 1p 1p MAYMOVE|FIXED 1p",
      "mmap 1p 1p; touch 1p 1p",
    ];
    const keys = distinct.map(key);
    const dup = keys.findIndex((k, i) => keys.indexOf(k) !== i);
    expect(dup < 0 ? [] : [distinct[keys.indexOf(keys[dup]!)], distinct[dup]]).toEqual([]);
  });

  it("is the same for a clone, and the clone shares no state", () => {
    const m = after("mmap 0 3p; touch 0 2p; fork; mprotect 1p 1p r");
    const c = cloneMachine(m);
    expect(stateKey(c)).toBe(stateKey(m));
    const before = stateKey(m);
    for (const op of parseScenario("touch 2p 1p\nmunmap 0 1p", "t.vms")) c.step(op);
    expect(stateKey(m)).toBe(before);
    expect(stateKey(c)).not.toBe(before);
  });
});
