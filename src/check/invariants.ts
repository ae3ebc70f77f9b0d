// Every invariant family, checked after each step (`--no-check` turns them off).
// Each family recomputes from scratch what the model maintains incrementally.
// This module is browser compatible.

import type { Kernel } from "../model/kernel.js";
import type { InvariantViolation } from "../report/record.js";
import { checkAnonVmas } from "./invariants/anon-vma.js";
import { pageTableEntries } from "./invariants/entries.js";
import { checkPmdMappings } from "./invariants/pmd.js";
import { checkRmap } from "./invariants/rmap.js";
import { checkSwapAndMigrationLinks } from "./invariants/swap-links.js";
import { checkVmaIndex } from "./invariants/vma-index.js";
import { checkWritablePtes } from "./invariants/writable.js";

/**
 * Stable invariant IDs: every ID the checks and the model's detections report, and the rows
 * of docs/invariants.md, which says what each asserts (invariant-ids.test.ts holds all three
 * to this list).
 */
export const INVARIANT_IDS = [
  "I-vma-range",
  "I-vma-order",
  "I-vma-mm",
  "I-pte-orphan",
  "I-chain",
  "I-count",
  "I-live",
  "I-rmap",
  "I-mapcount",
  "I-exclusive",
  "I-pmd",
  "I-writable",
  "I-swapcache",
  "I-swapcount",
  "I-migration",
  "I-walk",
  "I-swapin",
] as const;

export function checkInvariants(k: Kernel): InvariantViolation[] {
  const procs = pageTableEntries(k);
  return [
    ...checkVmaIndex(k, procs),
    ...checkAnonVmas(k),
    ...checkRmap(k, procs),
    ...checkPmdMappings(k, procs),
    ...checkWritablePtes(k, procs),
    ...checkSwapAndMigrationLinks(k, procs),
  ];
}
