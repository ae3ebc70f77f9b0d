// INVARIANT_IDS is the one list of invariant IDs: docs/invariants.md documents exactly these,
// and the model's checks and detections report no other.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { INVARIANT_IDS } from "./invariants.js";

const src = join(dirname(fileURLToPath(import.meta.url)), "..");

const listFile = join(src, "check", "invariants.ts");

/** Every non-test TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("invariant IDs", () => {
  it("docs/invariants.md has one table row per ID, and no other", () => {
    const doc = readFileSync(join(src, "..", "docs", "invariants.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `(I-[a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(rows.sort()).toEqual([...INVARIANT_IDS].sort());
  });

  it("the source reports only listed IDs, and each of them somewhere", () => {
    const used = new Set<string>();
    for (const file of sources(src).filter((f) => f !== listFile)) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/"(I-[a-z-]+)"/g)) used.add(m[1] as string);
    }
    expect([...used].sort()).toEqual([...INVARIANT_IDS].sort());
  });
});
