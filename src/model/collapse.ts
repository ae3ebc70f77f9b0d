// MADV_COLLAPSE on private anonymous memory (mm/khugepaged.c, Linux 6.18): every
// PMD-aligned 2 MiB of the advised range becomes one THP of the VMA's anon_vma, mapped by
// the PMD. madvise_collapse scans each PMD (hpage_collapse_scan_pmd), swaps in what is not
// present (__collapse_huge_page_swapin), checks the pages again
// (__collapse_huge_page_isolate) and copies them into the new folio, freeing the old ones
// (__collapse_huge_page_copy). MADV_COLLAPSE ignores khugepaged's limits (max_ptes_none,
// max_ptes_swap, max_ptes_shared) and, in 6.18, needs no writable PTE: an empty page table
// or one mapping only the zero page collapses too, into zero-filled pages. khugepaged
// itself, which collapses in the background, is not modelled, nor is the collapse of shmem
// pages (collapseShmem: only its refusals). This module is browser compatible.

import { PAGE_SIZE, PTRS_PER_PTE } from "./constants.js";
import { Errno } from "./errno.js";
import { handleMmFault } from "./fault.js";
import { VM_HUGETLB, VM_NOHUGEPAGE, VM_SPECIAL, VM_WRITE } from "./flags.js";
import type { Kernel } from "./kernel.js";
import { ksmFolioUnmapped } from "./ksm.js";
import { dropMapping } from "./rmap.js";
import { HPAGE_PMD_SIZE, newThp, pmdStart, setHugePmd } from "./thp.js";
import type { Vma } from "./vma.js";

/** The values of enum scan_result that the model reaches. */
type ScanResult =
  | "succeed"
  | "pmd-mapped" // SCAN_PMD_MAPPED: a THP is mapped there already, which counts as done
  | "pmd-none" // SCAN_PMD_NONE: no page table
  | "pte-non-present" // SCAN_PTE_NON_PRESENT
  | "page-count" // SCAN_PAGE_COUNT: a page has references beyond its mappings (a pin)
  | "fail"; // SCAN_FAIL: the swap-in fault failed (a guard marker)

/**
 * The results after which madvise_collapse goes on to the next PMD; on others it stops.
 * The stops on a missing page table and on a failed swap-in were probed on 6.18; the two
 * that go on are read from madvise_collapse's switch (the kernel engine cannot pin a page
 * or hold a migration).
 */
const GO_ON: ReadonlySet<ScanResult> = new Set<ScanResult>(["pte-non-present", "page-count"]);

/**
 * madvise_collapse for [start, end) of `vma`. thp_vma_allowable_order(TVA_FORCED_COLLAPSE)
 * first: the VMA must not be VM_NOHUGEPAGE nor special (VM_NO_KHUGEPAGED), must hold an
 * aligned PMD and, if anonymous, have an anon_vma; the sysfs setting does not matter
 * (probed in "madvise" mode on VMAs without VM_HUGEPAGE). Then each PMD of the range. Throws
 * what madvise_collapse_errno makes of the last failure when not every PMD holds a THP at
 * the end: EAGAIN for a pinned page, EINVAL otherwise; also EINVAL when the range lies
 * inside one PMD without reaching its end (the count of PMDs, hend - hstart, is unsigned).
 * A shmem or file VMA must also map its file at an offset aligned as its address is
 * (thp_vma_suitable_order); then see collapseShmem.
 */
export function madviseCollapse(k: Kernel, vma: Vma, start: number, end: number): Vma {
  const fits =
    pmdStart(vma.end - HPAGE_PMD_SIZE) >= vma.start &&
    (vma.isAnonymous || (vma.start / PAGE_SIZE - vma.pgoff) % PTRS_PER_PTE === 0);
  if (vma.flags & (VM_NOHUGEPAGE | VM_SPECIAL | VM_HUGETLB) || !fits) throw new Errno("EINVAL");
  if (vma.isAnonymous && !vma.anonVma) throw new Errno("EINVAL", "no anon_vma yet");
  const hstart = pmdStart(start + HPAGE_PMD_SIZE - 1);
  const hend = pmdStart(end);
  if (hend < hstart) throw new Errno("EINVAL", "the range holds no PMD boundary");
  if (!vma.isAnonymous) return collapseShmem(vma, hstart, hend);
  let thps = 0;
  let lastFail: ScanResult = "fail";
  for (let addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
    const result = scanPmd(k, vma, addr);
    if (result === "succeed" || result === "pmd-mapped") {
      thps++;
      continue;
    }
    lastFail = result;
    if (!GO_ON.has(result)) break;
  }
  if (thps * HPAGE_PMD_SIZE === hend - hstart) return vma;
  // madvise_collapse_errno
  throw new Errno(lastFail === "page-count" ? "EAGAIN" : "EINVAL", `collapse failed: ${lastFail}`);
}

/**
 * madvise_collapse over a shmem VMA, PMD by PMD (hpage_collapse_scan_file, collapse_file): a
 * PMD whose file range holds no page at all stops the walk with EINVAL (collapse_file finds
 * nothing from its first index on: SCAN_TRUNCATED), leaving the PMDs after it as they were.
 * The collapse of a range that holds pages is not modelled: the kernel puts a THP in the page
 * cache, unmaps the old pages from every process and maps the THP by this PMD
 * (collapse_file, retract_page_tables, collapse_pte_mapped_thp); the model leaves the pages
 * as they are and counts the PMD as collapsed, so that the call returns what the kernel
 * returns. Regular files (model only) are left as they are.
 */
function collapseShmem(vma: Vma, hstart: number, hend: number): Vma {
  const file = vma.file;
  if (file?.kind !== "shmem") return vma;
  for (let addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
    const first = vma.linearIndex(addr);
    let present = false;
    for (let i = first; i < first + PTRS_PER_PTE && !present; i++) present = file.pages.has(i);
    if (!present) throw new Errno("EINVAL", "collapse failed: no page in the file range");
  }
  return vma;
}

/**
 * hpage_collapse_scan_pmd for the PMD at `haddr`: every present page must hold no
 * reference beyond its mappings (and the swap cache's); then collapse_huge_page.
 */
function scanPmd(k: Kernel, vma: Vma, haddr: number): ScanResult {
  const table = vma.mm.pageTable;
  // find_pmd_or_thp_or_none
  if (table.isPmdMapped(haddr)) return "pmd-mapped";
  if (!table.hasTable(haddr)) return "pmd-none";
  const pageCount = checkPages(vma, haddr, false);
  if (pageCount !== "succeed") return pageCount;
  return collapseHugePage(k, vma, haddr);
}

/**
 * The per-page test of the scan and of __collapse_huge_page_isolate: none and zero-page
 * entries are skipped; a present page's folio must pass is_refcount_suitable. With
 * `requirePresent` (the isolation, after the swap-in) any other entry fails
 * (SCAN_PTE_NON_PRESENT); without (the scan), swap entries and markers are left for the
 * swap-in (is_swap_pte).
 */
function checkPages(vma: Vma, haddr: number, requirePresent: boolean): ScanResult {
  const table = vma.mm.pageTable;
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    const pte = table.get(haddr + i * PAGE_SIZE);
    if (pte === undefined) continue;
    if (pte.kind !== "present") {
      if (requirePresent) return "pte-non-present";
      continue;
    }
    const folio = pte.folio;
    if (folio.isZero) continue;
    // is_refcount_suitable: the mappings, plus the swap cache's reference
    if (folio.refcount !== folio.mapcount + (folio.swap ? 1 : 0)) return "page-count";
  }
  return "succeed";
}

/**
 * collapse_huge_page: entries that are not present are faulted in as reads
 * (__collapse_huge_page_swapin: a swap entry is swapped in, a migration entry waited for,
 * a guard marker fails); the pages are checked again, then copied into a new THP of the
 * VMA's anon_vma (the caller checked it has one), mapped dirty by the PMD, writable if the
 * VMA is.
 */
function collapseHugePage(k: Kernel, vma: Vma, haddr: number): ScanResult {
  const table = vma.mm.pageTable;
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    const addr = haddr + i * PAGE_SIZE;
    const pte = table.get(addr);
    if (pte === undefined || pte.kind === "present") continue;
    if (handleMmFault(k, vma, addr, false) !== "ok") return "fail";
  }
  const isolated = checkPages(vma, haddr, true);
  if (isolated !== "succeed") return isolated;
  const thp = newThp(k, vma, haddr);
  for (let i = 0; i < PTRS_PER_PTE; i++) {
    const addr = haddr + i * PAGE_SIZE;
    const pte = table.get(addr);
    if (pte?.kind !== "present") continue; // pte_none: the page stays zero-filled
    table.clear(addr);
    const folio = pte.folio;
    if (folio.isZero) continue;
    // __collapse_huge_page_copy: copy_mc_user_highpage, then folio_remove_rmap_pte and
    // free_folio_and_swap_cache (a folio others still swap out stays in the swap cache)
    thp.copyData(i, folio, pte.sub);
    dropMapping(vma.mm, folio, pte.sub);
    ksmFolioUnmapped(k, folio);
  }
  setHugePmd(vma.mm, haddr, thp, (vma.flags & VM_WRITE) !== 0);
  return "succeed";
}
