// Page migration (mm/migrate.c migrate_pages): try_to_migrate replaces every PTE the rmap
// walk finds with a migration entry; the new folio takes the old one's mapping and index
// (folio_migrate_mapping) and remove_migration_ptes, walking the rmap again, puts present
// PTEs back. A migration can be held half-way so other operations run while the entries
// are in place. This module is browser compatible.

import { putAnonVma } from "./anon-vma.js";
import { Folio } from "./folio.js";
import type { Kernel } from "./kernel.js";
import type { Mm } from "./mm.js";
import { isIsolatable, mapPage } from "./rmap.js";
import { rmapWalk } from "./rmap-walk.js";

/**
 * Migrates the small, unpinned, non-KSM anonymous folios mapped in [start, end) of `mm`
 * that are not in the swap cache. With `hold`, stops after unmapping (the folios stay in
 * Kernel.migrations). Returns the number of folios whose migration started.
 */
export function migrateRange(k: Kernel, mm: Mm, start: number, end: number, hold: boolean): number {
  let done = 0;
  for (const [addr, pte] of mm.pageTable.entries(start, end)) {
    if (pte.kind !== "present") continue;
    const folio = pte.folio;
    if (!isIsolatable(folio)) continue;
    if (mm.pageTable.folioAt(addr) !== folio) continue; // already migrated by this walk
    // migrate_folio_unmap: folio_get_anon_vma pins the anon_vma until the PTEs are back
    const av = folio.anonVma;
    if (av) av.refcount++;
    if (!tryToMigrate(k, folio)) {
      if (av) putAnonVma(k, av);
      continue;
    }
    done++;
    k.migrations.set(folio, av);
    if (!hold) finishMigration(k, folio);
  }
  return done;
}

/**
 * try_to_migrate: every PTE the walk finds becomes a migration entry. If some mapping is
 * missed the folio is still mapped and migration fails: the entries already installed
 * are restored from the same walk.
 */
function tryToMigrate(k: Kernel, folio: Folio): boolean {
  const mapped = folio.mapcount;
  const hits = rmapWalk(k, { kind: "present", folio }, folio, `migration of ${folio.name}`);
  for (const h of hits) {
    // try_to_migrate_one: a dirty PTE's bit moves to the folio (folio_mark_dirty) and
    // into the entry (make_migration_entry_dirty)
    const dirty = h.pte.kind === "present" && !!h.pte.dirty;
    if (dirty) folio.dirty = true;
    h.mm.pageTable.set(h.addr, {
      kind: "migration",
      folio,
      sub: h.pte.sub,
      writable: "writable" in h.pte && h.pte.writable,
      ...(dirty ? { dirty: true as const } : {}),
    });
    folio.mapcount--;
    folio.refcount--;
  }
  if (folio.mapcount === 0) return true;
  k.detect(
    "I-walk",
    `migration of ${folio.name}: the rmap walk found ${hits.length} of its ${mapped} mappings (stale mapping or index); migration fails`,
  );
  restoreMigrationPtes(k, folio, folio);
  return false;
}

/** Completes the migration of `old`: a new folio replaces every entry the walk finds. */
export function finishMigration(k: Kernel, old: Folio): void {
  if (!k.migrations.has(old)) return;
  const av = k.migrations.get(old) ?? null;
  k.migrations.delete(old);
  const dst = new Folio(k.nextId("folio"), old.mapping, old.index); // folio_migrate_mapping
  dst.anonExclusive = old.anonExclusive;
  dst.everShared = old.everShared;
  dst.dirty = old.dirty; // folio_migrate_flags
  dst.lazyfree = old.lazyfree; // folio_migrate_mapping copies PG_swapbacked
  dst.copyData(0, old, 0); // folio_mc_copy
  restoreMigrationPtes(k, old, dst);
  old.freed = true;
  if (av) putAnonVma(k, av); // drop the pin of migrate_folio_unmap
}

/** remove_migration_ptes(src, dst): walk dst's rmap for entries of src, map dst there. */
function restoreMigrationPtes(k: Kernel, src: Folio, dst: Folio): void {
  const hits = rmapWalk(
    k,
    { kind: "migration", folio: src },
    dst,
    `remove_migration_ptes of ${src.name}`,
  );
  for (const h of hits) {
    h.mm.pageTable.clear(h.addr);
    const entry = h.pte.kind === "migration" ? h.pte : null;
    // remove_migration_pte: pte_mkdirty if the folio and the entry are dirty
    const dirty = !!entry?.dirty && dst.dirty;
    mapPage(h.mm, h.addr, dst, h.pte.sub, !!entry?.writable, false, dirty);
  }
}

/** Completes every migration still in flight (`migrate finish`). */
export function finishAllMigrations(k: Kernel): number {
  const all = [...k.migrations.keys()];
  for (const f of all) finishMigration(k, f);
  return all.length;
}
