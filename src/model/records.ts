// What a step reports: VMAs as /proc/PID/smaps shows them, plus the model's view (pgoff,
// anon_vma, chain, merge verdict with the next VMA), and per-page detail.
// This module is browser compatible.

import { detailOf, type Check } from "../policy/policy.js";
import type {
  MergeAttempt,
  MergeVerdict,
  PageRecord,
  VmaModelInfo,
  VmaRecord,
} from "../report/record.js";
import { chainOf } from "./anon-vma.js";
import { PAGE_SIZE } from "./constants.js";
import { permsString, vmflagsString } from "./flags.js";
import type { Kernel, MergeTry, Process } from "./kernel.js";
import { explainAdjacent } from "./merge.js";
import type { Mm } from "./mm.js";
import type { PresentPte, Pte } from "./page-table.js";
import type { Vma } from "./vma.js";

/** The VMAs of `p` overlapping its window. */
export function windowVmas(k: Kernel, p: Process): VmaRecord[] {
  const { start, end } = p.window;
  const vmas = p.mm.vmasIn(start, end);
  return vmas.map((v) => vmaRecord(k, v, p.mm.nextFrom(v.end) ?? null));
}

function vmaRecord(k: Kernel, v: Vma, next: Vma | null): VmaRecord {
  let rss = 0;
  let anon = 0;
  let shared = 0;
  let swap = 0;
  let thp = 0;
  // smaps_pte_entry: swap entries count as swap; migration entries as their page
  v.mm.pageTable.forEach(v.start, v.end, (_addr, pte) => {
    if (pte.kind === "swap") swap++;
    if ((pte.kind !== "present" && pte.kind !== "migration") || pte.folio.isZero) return; // vm_normal_page
    rss++;
    if (pte.folio.isAnon) anon++;
    if (pte.kind === "present" && pte.pmd) thp++; // AnonHugePages: PMD-mapped THPs
    if (pte.folio.pageMapcount(pte.sub) >= 2) shared++;
  });
  const kb = PAGE_SIZE / 1024;
  const r: VmaRecord = {
    start: k.rel(v.start),
    end: k.rel(v.end),
    perms: permsString(v.flags),
    kind: v.file === null ? "anon" : v.file.kind === "shmem" ? "shanon" : "file",
    rss_kb: rss * kb,
    anon_kb: anon * kb,
    shared_kb: shared * kb,
    swap_kb: swap * kb,
    thp_kb: thp * kb,
    vmflags: vmflagsString(v.flags),
  };
  const name = vmaName(v);
  if (name !== null) r.name = name;
  r.model = modelInfo(k, v, next);
  return r;
}

/**
 * The name /proc/PID/maps shows (get_vma_name): a file's path (nothing for anonymous
 * shmem, whose "/dev/zero (deleted)" is left out), a special mapping's name, [heap],
 * [stack], or the anon name.
 */
function vmaName(v: Vma): string | null {
  const mm = v.mm;
  if (v.file?.kind === "file") return v.file.path;
  if (v.file) return v.anonName === null ? null : `[anon_shmem:${v.anonName}]`;
  if (v.specialName !== null) return v.specialName;
  if (v.start < mm.brk && v.end > mm.startBrk) return "[heap]"; // vma_is_initial_heap
  if (v.start <= mm.startStack && v.end >= mm.startStack && mm.startStack !== 0) return "[stack]";
  return v.anonName === null ? null : `[anon:${v.anonName}]`;
}

function modelInfo(k: Kernel, v: Vma, next: Vma | null): VmaModelInfo {
  const info: VmaModelInfo = {
    // an anonymous private pgoff is an address (shown relative to the base); a file's is an offset
    pgoff: v.file || v.specialName !== null ? v.pgoff : k.relPgoff(v.pgoff),
    anon_vma: v.anonVma?.name ?? null,
    chain: chainOf(v).map((c) => c.anonVma.name),
  };
  if (next && next.start === v.end) {
    const c = explainAdjacent(k, v, next);
    info.next = c.ok
      ? {
          merged: false,
          reason: "mergeable",
          detail: "compatible, but no operation attempted the merge",
        }
      : verdict(c, false);
  }
  return info;
}

/** A merge attempt as its step record shows it: relative range, a verdict per side. */
export function mergeRecord(k: Kernel, t: MergeTry): MergeAttempt {
  const attempt: MergeAttempt = {
    fn: t.fn,
    start: k.rel(t.start),
    end: k.rel(t.end),
    result: t.result,
  };
  if (t.prev) attempt.prev = verdict(t.prev, t.result === "prev" || t.result === "both");
  if (t.next) attempt.next = verdict(t.next, t.result === "next" || t.result === "both");
  return attempt;
}

function verdict(c: Check, merged: boolean): MergeVerdict {
  const v: MergeVerdict = { merged, reason: c.ok && !merged ? "not-taken" : c.reason };
  const detail = detailOf(c);
  if (detail !== undefined) v.detail = detail;
  return v;
}

/** Per-page detail of [start, end) (pagemap, kpageflags, kpagecount). */
export function pageRecords(k: Kernel, mm: Mm, start: number, end: number): PageRecord[] {
  const out: PageRecord[] = [];
  for (let a = start; a < end; a += PAGE_SIZE) out.push(pageRecord(k, a, mm.pageTable.get(a)));
  return out;
}

/** Per-page detail of the present pages in [start, end) only, walking populated tables. */
export function residentPageRecords(k: Kernel, mm: Mm, start: number, end: number): PageRecord[] {
  const out: PageRecord[] = [];
  mm.pageTable.forEach(start, end, (a, pte) => {
    if (pte.kind === "present") out.push(pageRecord(k, a, pte));
  });
  return out;
}

/**
 * PM_MMAP_EXCLUSIVE (__folio_page_mapped_exclusively, CONFIG_PAGE_MAPCOUNT): the page's
 * precise mapcount is 1 (never for the zero page). For every page of a PMD mapping,
 * pagemap_pmd_range_thp asks it of pmd_page, the folio's first page.
 */
function mappedExclusively(pte: PresentPte): boolean {
  return !pte.folio.isZero && pte.folio.pageMapcount(pte.pmd ? 0 : pte.sub) === 1;
}

function pageRecord(k: Kernel, addr: number, pte: Pte | undefined): PageRecord {
  const present = pte?.kind === "present";
  // the folio behind the entry: mapped, under migration, or still in the swap cache
  const folio =
    pte?.kind === "present" || pte?.kind === "migration"
      ? pte.folio
      : pte?.kind === "swap"
        ? pte.slot.cache
        : null;
  const rec: PageRecord = {
    addr: k.rel(addr),
    present,
    // pte_to_pagemap_entry: a guard marker is a swap-format PTE marker, so PM_SWAP is set
    swapped: pte?.kind === "swap" || pte?.kind === "guard",
    exclusive: present && mappedExclusively(pte),
    mapcount: present && folio && !folio.isZero ? folio.pageMapcount(pte.sub) : 0,
    zero: present && !!folio?.isZero,
    // stable_page_flags: KPF_THP for a large folio, and for the huge zero page (a PMD
    // mapping of the zero page) beside KPF_ZERO_PAGE
    thp: present && !!folio && (folio.nrPages > 1 || (folio.isZero && !!pte.pmd)),
    ksm: present && !!folio?.isKsm,
  };
  if (folio && !folio.isZero) {
    rec.model = {
      mapping: folio.mapping?.name ?? null,
      index: folio.anonVma ? k.relPgoff(folio.index) : folio.index,
      folio: folio.name,
    };
    if (pte?.kind !== "present") rec.model.state = pte?.kind === "swap" ? "swapcache" : "migration";
    if (folio.pins > 0) rec.model.pins = folio.pins;
  }
  return rec;
}
