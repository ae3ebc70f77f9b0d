// mremap (mm/mremap.c, Linux 6.18): parameter checks, shrink, expand in place
// (vma_merge_extend), moves (copy_vma + move_page_tables), MREMAP_DONTUNMAP, and the 6.17
// multi-VMA move (remap_move). This module is browser compatible.

import type { MremapFlag } from "../input/ops.js";
import type { MovePlan } from "../policy/policy.js";
import { anonVmaClone, unlinkAnonVmas } from "./anon-vma.js";
import { isAligned, MMAP_BASE, MMAP_MIN_ADDR, PAGE_SIZE, TASK_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import { anonVmaPrepare, mmPopulate } from "./fault.js";
import {
  VM_ACCOUNT,
  VM_DONTEXPAND,
  VM_LOCKED,
  VM_LOCKED_MASK,
  VM_MAYSHARE,
  VM_PFNMAP,
  VM_SEALED,
  VM_SHARED,
} from "./flags.js";
import type { Kernel } from "./kernel.js";
import { breakKsm } from "./ksm-merge.js";
import { vmaMergeExistingRange, vmaMergeNewRange } from "./merge.js";
import { HPAGE_PMD_SIZE, pmdStart, splitHugePmd } from "./thp.js";
import type { Mm } from "./mm.js";
import { type Detached, doMunmap, pageAlign } from "./munmap.js";
import type { Pte } from "./page-table.js";
import type { Vma } from "./vma.js";
import { vmaVmg } from "./vmg.js";

/** struct vma_remap_struct. */
interface Vrm {
  mm: Mm;
  vma: Vma | null;
  addr: number;
  oldLen: number;
  newLen: number;
  fixed: boolean;
  mayMove: boolean;
  dontUnmap: boolean;
  newAddr: number;
  populateExpand: boolean;
}

const delta = (v: Vrm) => Math.abs(v.newLen - v.oldLen);
const impliesNewAddr = (v: Vrm) => v.fixed || v.dontUnmap;

/** The mremap system call. Returns the (absolute) address of the result. */
export function doMremap(
  k: Kernel,
  mm: Mm,
  addr: number,
  oldLen: number,
  newLen: number,
  flags: readonly MremapFlag[],
  newAddr: number | null,
): number {
  const vrm: Vrm = {
    mm,
    vma: null,
    addr,
    oldLen: pageAlign(oldLen),
    newLen: pageAlign(newLen),
    fixed: flags.includes("FIXED"),
    mayMove: flags.includes("MAYMOVE"),
    dontUnmap: flags.includes("DONTUNMAP"),
    newAddr: newAddr ?? 0,
    populateExpand: false,
  };
  checkMremapParams(k, vrm);
  let res: number;
  if (vrm.fixed && vrm.oldLen === vrm.newLen) {
    res = remapMove(k, vrm);
  } else {
    vrm.vma = mm.vmaLookup(vrm.addr) ?? null;
    checkPrepVma(vrm);
    res = impliesNewAddr(vrm) ? mremapTo(k, vrm) : mremapAt(k, vrm);
  }
  // VMA mlock'd and expanded: populate the expansion
  if (vrm.populateExpand) mmPopulate(k, mm, res + vrm.oldLen, res + vrm.newLen);
  return res;
}

/** check_mremap_params. */
function checkMremapParams(k: Kernel, vrm: Vrm): void {
  if (!isAligned(vrm.addr, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned OLD");
  if (vrm.newLen === 0) throw new Errno("EINVAL", "zero NEWLEN");
  if (vrm.newLen > TASK_SIZE) throw new Errno("EINVAL");
  if (!impliesNewAddr(vrm)) return;
  if (vrm.newAddr > TASK_SIZE - vrm.newLen) throw new Errno("EINVAL");
  if (!isAligned(vrm.newAddr, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned NEWADDR");
  if (!vrm.mayMove) throw new Errno("EINVAL", "FIXED and DONTUNMAP need MAYMOVE");
  if (vrm.dontUnmap && vrm.oldLen !== vrm.newLen)
    throw new Errno("EINVAL", "DONTUNMAP cannot resize");
  // vrm_overlaps
  if (vrm.addr + vrm.oldLen > vrm.newAddr && vrm.newAddr + vrm.newLen > vrm.addr) {
    throw new Errno("EINVAL", "source and destination overlap");
  }
  if (vrm.mm.mapCount + 2 >= k.options.maxMapCount - 3)
    throw new Errno("ENOMEM", "vm.max_map_count");
}

/** check_prep_vma. */
function checkPrepVma(vrm: Vrm): void {
  const vma = vrm.vma;
  if (!vma) throw new Errno("EFAULT", "no VMA at OLD");
  if (vma.flags & VM_SEALED) throw new Errno("EPERM");
  if (!impliesNewAddr(vrm)) vrm.newAddr = vrm.addr;
  const expand = vrm.newLen > vrm.oldLen;
  if (!expand && !impliesNewAddr(vrm)) return; // !vrm_will_map_new
  if (vrm.oldLen === 0 && !(vma.flags & (VM_SHARED | VM_MAYSHARE))) {
    throw new Errno("EINVAL", "cannot duplicate a private mapping");
  }
  if (vrm.dontUnmap && vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) throw new Errno("EINVAL");
  const oldLen = vrm.newLen < vrm.oldLen ? vrm.newLen : vrm.oldLen; // a shrink may cross VMAs
  if (oldLen > vma.end - vrm.addr) throw new Errno("EFAULT", "OLD range crosses the VMA's end");
  if (vrm.newLen === vrm.oldLen) return;
  if (vma.flags & VM_LOCKED) vrm.populateExpand = true;
  if (vma.flags & (VM_DONTEXPAND | VM_PFNMAP)) throw new Errno("EFAULT");
}

/** remap_move (6.17+): move every VMA of [addr, addr+len), keeping the gaps between them. */
function remapMove(k: Kernel, vrm: Vrm): number {
  const start = vrm.addr;
  const end = vrm.addr + vrm.oldLen;
  let targetAddr = vrm.newAddr;
  let res: number | null = null;
  let lastEnd = 0;
  let cursor = start;
  // for_each_vma_range resumes after the last VMA's old end and stops once that is past the
  // range (mas_find_setup): a VMA that merged with its own moved piece (DONTUNMAP keeps the
  // source) is not visited again
  while (cursor < end) {
    const vma = vrm.mm.findVmaIntersection(cursor, end);
    if (!vma) break;
    const pieceStart = Math.max(vma.start, start);
    const len = Math.min(end, vma.end) - pieceStart;
    if (res === null && start < vma.start) throw new Errno("EFAULT", "OLD starts in a hole");
    const offset = res === null ? 0 : vma.start - lastEnd;
    lastEnd = vma.end;
    cursor = vma.end;
    // every field written out: V8 reads an object built by spreading much more slowly
    const piece: Vrm = {
      mm: vrm.mm,
      vma,
      addr: pieceStart,
      oldLen: len,
      newLen: len,
      fixed: vrm.fixed,
      mayMove: vrm.mayMove,
      dontUnmap: vrm.dontUnmap,
      newAddr: targetAddr + offset,
      populateExpand: vrm.populateExpand,
    };
    checkPrepVma(piece);
    const moved = mremapTo(k, piece);
    if (res === null) res = moved;
    targetAddr = moved + len;
  }
  if (res === null) throw new Errno("EFAULT", "no VMA in OLD range");
  return res;
}

/** mremap_to: FIXED clears the destination first; a shrink unmaps the tail first. */
function mremapTo(k: Kernel, vrm: Vrm): number {
  const mm = vrm.mm;
  if (vrm.fixed) {
    doMunmap(k, mm, vrm.newAddr, vrm.newLen);
    vrm.vma = mm.vmaLookup(vrm.addr) ?? null;
    if (!vrm.vma) throw new Errno("EFAULT");
  }
  if (vrm.newLen < vrm.oldLen) {
    shrinkVma(k, vrm);
    vrm.oldLen = vrm.newLen;
  }
  vrm.newAddr = vrm.fixed
    ? vrm.newAddr
    : getUnmappedArea(mm, vrm.dontUnmap ? vrm.newAddr : 0, vrm.newLen);
  return moveVma(k, vrm);
}

/** mremap_at: resize in place, or move when expansion in place is impossible. */
function mremapAt(k: Kernel, vrm: Vrm): number {
  if (vrm.newLen === vrm.oldLen) return vrm.addr;
  if (vrm.newLen < vrm.oldLen) {
    shrinkVma(k, vrm);
    return vrm.addr;
  }
  const vma = vrm.vma as Vma;
  if (vma.end - vrm.addr === vrm.oldLen && vmaExpandable(vrm.mm, vma, delta(vrm))) {
    // expand_vma_in_place → vma_merge_extend
    const vmg = vmaVmg(vrm.mm, vma, vma, vma.end, vma.end + delta(vrm));
    vmg.next = vrm.mm.nextFrom(vma.end) ?? null;
    vmg.middle = null;
    if (!vmaMergeNewRange(k, vmg, "vma_merge_extend")) throw new Errno("ENOMEM");
    return vrm.addr;
  }
  if (!vrm.mayMove) throw new Errno("ENOMEM", "cannot grow in place without MAYMOVE");
  vrm.newAddr = getUnmappedArea(vrm.mm, 0, vrm.newLen);
  return moveVma(k, vrm);
}

/** shrink_vma: unmap the tail [addr+newLen, addr+oldLen). */
function shrinkVma(k: Kernel, vrm: Vrm): void {
  doMunmap(k, vrm.mm, vrm.addr + vrm.newLen, delta(vrm));
  vrm.vma = vrm.mm.vmaLookup(vrm.addr) ?? null;
  if (!vrm.vma) throw new Errno("EFAULT");
}

/** vma_expandable: the space after the VMA is free. */
function vmaExpandable(mm: Mm, vma: Vma, d: number): boolean {
  const end = vma.end + d;
  return !mm.findVmaIntersection(vma.end, end) && end <= TASK_SIZE;
}

/**
 * get_unmapped_area for an mremap destination: the hint when it is free, else the highest
 * free gap below mmap_base (unmapped_area_topdown). On the real kernel this lands outside
 * the test region at an address ASLR chooses.
 */
function getUnmappedArea(mm: Mm, hint: number, len: number): number {
  if (
    hint !== 0 &&
    hint >= MMAP_MIN_ADDR &&
    hint + len <= TASK_SIZE &&
    !mm.findVmaIntersection(hint, hint + len)
  ) {
    return hint;
  }
  let top = MMAP_BASE;
  for (let v = mm.prevOf(top); ; v = mm.prevOf(v.start)) {
    if (!v || v.end <= top - len) return top - len;
    top = Math.min(top, v.start);
    if (top - len < MMAP_MIN_ADDR) throw new Errno("ENOMEM");
  }
}

/**
 * move_vma: copy_vma, move the page tables, then unmap (or empty) the source. The policy's
 * plan may change the destination pgoff and relocate folios as their PTEs move.
 */
function moveVma(k: Kernel, vrm: Vrm): number {
  const mm = vrm.mm;
  if (mm.mapCount >= k.options.maxMapCount - 3) throw new Errno("ENOMEM", "vm.max_map_count"); // prep_move_vma
  const src = vrm.vma as Vma;
  breakKsm(k, src, vrm.addr, vrm.addr + vrm.oldLen); // prep_move_vma: ksm_madvise(MADV_UNMERGEABLE)
  const pgoff = src.pgoff + (vrm.addr - src.start) / PAGE_SIZE;
  const plan = k.policy.planMove(k, src, vrm.addr, vrm.oldLen, vrm.newAddr);
  const { newVma, vma, relocate, fresh } = copyVma(k, src, vrm.newAddr, vrm.newLen, pgoff, plan);
  vrm.vma = vma;
  const pmc: Pmc = {
    old: vma,
    new: newVma,
    oldAddr: vrm.addr,
    newAddr: vrm.newAddr,
    oldEnd: vrm.addr + vrm.oldLen,
    lenIn: vrm.oldLen,
  };
  movePageTables(k, pmc, relocate ? newVma : null, plan);
  if (vrm.dontUnmap) dontunmapComplete(k, vrm, newVma);
  else unmapSourceVma(k, vrm);
  if (fresh && mm.contains(newVma)) {
    // MREMAP_RELOCATE_ANON: the pages now share a neighbour's anon_vma; merge again
    const prev = mm.prevOf(newVma.start) ?? null;
    vmaMergeExistingRange(k, vmaVmg(mm, prev, newVma, newVma.start, newVma.end), "relocate_anon");
  }
  return vrm.newAddr;
}

/**
 * copy_vma (6.18.8+): merge the destination with its neighbours (copied_from = source),
 * or create a VMA that duplicates the source with all its AVCs. Returns the destination
 * VMA and the source (which is the merged VMA when the source merged with itself), and
 * whether the plan's relocation applies (not when Linux's merge already succeeded for a
 * fresh-VMA plan).
 */
function copyVma(
  k: Kernel,
  vma: Vma,
  addr: number,
  len: number,
  pgoff: number,
  plan: MovePlan,
): { newVma: Vma; vma: Vma; relocate: boolean; fresh: boolean } {
  const mm = vma.mm;
  const vmaStart = vma.start;
  // an unfaulted private anonymous VMA gets pgoff = new address "to increase its chance of
  // merging"; a faulted one keeps its linear pgoff (unless the policy says otherwise)
  const linuxPgoff = vma.isAnonymous && !vma.anonVma ? addr / PAGE_SIZE : pgoff;
  const srcStart = vma.start + (pgoff - vma.pgoff) * PAGE_SIZE;
  const merged = vmaMergeCopiedRange(
    k,
    vma,
    srcStart,
    addr,
    len,
    plan.fresh ? linuxPgoff : (plan.pgoff ?? linuxPgoff),
  );
  if (merged) {
    const self = vmaStart >= merged.start && vmaStart < merged.end;
    return { newVma: merged, vma: self ? merged : vma, relocate: !plan.fresh, fresh: false };
  }
  const newVma = vma.dup();
  newVma.setRange(addr, addr + len, plan.pgoff ?? linuxPgoff);
  if (plan.fresh) {
    newVma.anonVma = null;
    mm.insert(newVma);
    anonVmaPrepare(k, newVma); // adopts a compatible neighbour's anon_vma, next first
    return { newVma, vma, relocate: true, fresh: true };
  }
  anonVmaClone(newVma, vma);
  mm.insert(newVma);
  return { newVma, vma, relocate: true, fresh: false };
}

/** vma_merge_copied_range: a new-range merge of the destination, copied_from = source. */
function vmaMergeCopiedRange(
  k: Kernel,
  vma: Vma,
  srcStart: number,
  addr: number,
  len: number,
  pgoff: number,
): Vma | null {
  const mm = vma.mm;
  const prev = mm.prevOf(addr) ?? null;
  const vmg = vmaVmg(mm, prev, vma, addr, addr + len);
  vmg.pgoff = pgoff;
  vmg.next = mm.nextFrom(addr) ?? null;
  vmg.copiedFrom = vma;
  vmg.copiedStart = srcStart;
  vmg.middle = null;
  return vmaMergeNewRange(k, vmg, "copy_vma");
}

/** struct pagetable_move_control: what move_page_tables moves, from which VMA to which. */
interface Pmc {
  old: Vma;
  new: Vma;
  oldAddr: number;
  newAddr: number;
  oldEnd: number;
  lenIn: number;
}

/**
 * move_page_tables: [oldAddr, oldEnd) moves to newAddr one extent at a time, each bounded by
 * the next PMD boundary of the source and of the destination (get_extent). Extents whose
 * source PMD is none are skipped (get_old_pmd), here by going straight to the next PMD
 * span with a page table. Under a relocating plan each moved entry is handed to the policy
 * with the destination VMA `dst`.
 */
function movePageTables(k: Kernel, pmc: Pmc, dst: Vma | null, plan: MovePlan): void {
  const mm = pmc.old.mm;
  const relocate = plan.relocatePte;
  const moved =
    dst && relocate ? (at: number) => relocate(k, dst, at, mm.pageTable.get(at) as Pte) : undefined;
  tryRealignAddr(pmc);
  const delta = pmc.newAddr - pmc.oldAddr;
  for (let from = pmc.oldAddr; from < pmc.oldEnd;) {
    const table = mm.pageTable.nextTable(from);
    if (table === undefined) return;
    if (table > from) {
      from = table;
      continue;
    }
    const to = from + delta;
    const extent = Math.min(
      pmdStart(from) + HPAGE_PMD_SIZE - from,
      pmdStart(to) + HPAGE_PMD_SIZE - to,
      pmc.oldEnd - from,
    );
    moveExtent(mm, from, to, extent, moved);
    from += extent;
  }
}

/**
 * One extent of move_page_tables, whose source PMD has a page table. A PMD-sized extent
 * moves its PMD entry whole into a destination PMD that is none: a huge PMD
 * (move_huge_pmd) or the page table itself (move_normal_pmd), so the source is left
 * with no table. Otherwise a huge PMD is split, the destination gets a page table even if
 * no entry moves into it (pte_alloc), and the entries move (move_ptes); the source table
 * stays, emptied.
 */
function moveExtent(
  mm: Mm,
  from: number,
  to: number,
  extent: number,
  moved: ((at: number) => void) | undefined,
): void {
  const table = mm.pageTable;
  if (extent === HPAGE_PMD_SIZE && !table.hasTable(to)) {
    table.moveTable(from, to, moved);
    return;
  }
  splitHugePmd(mm, from);
  table.alloc(to);
  table.move(from, to, extent, moved);
}

/**
 * try_realign_addr (can_realign_addr): when the range reaches the source's next PMD
 * boundary, source and destination are equally misaligned, and each starts its VMA with no
 * VMA between it and the PMD boundary below, both are aligned down so that the first
 * extent moves a whole PMD.
 */
function tryRealignAddr(pmc: Pmc): void {
  const oldAlign = pmc.oldAddr - pmdStart(pmc.oldAddr);
  if (pmc.lenIn < HPAGE_PMD_SIZE - oldAlign || oldAlign === 0) return;
  if (oldAlign !== pmc.newAddr - pmdStart(pmc.newAddr)) return;
  if (!canAlignDown(pmc.old, pmc.oldAddr) || !canAlignDown(pmc.new, pmc.newAddr)) return;
  pmc.oldAddr = pmdStart(pmc.oldAddr);
  pmc.newAddr = pmdStart(pmc.newAddr);
}

/** can_align_down: `addr` starts `vma`, and no VMA lies between it and the PMD boundary below. */
function canAlignDown(vma: Vma, addr: number): boolean {
  return vma.start === addr && !vma.mm.findVmaIntersection(pmdStart(addr), vma.start);
}

/**
 * dontunmap_complete: the source stays mapped but empty and loses VM_LOCKED_MASK on the
 * whole VMA (it keeps VM_ACCOUNT since the stable fix "mm/mremap: correctly account old
 * mapping after MREMAP_DONTUNMAP remap", observed on 6.18.44); when moved whole, its
 * anon_vma links are dropped.
 */
function dontunmapComplete(k: Kernel, vrm: Vrm, newVma: Vma): void {
  const vma = vrm.vma as Vma;
  vma.flags &= ~VM_LOCKED_MASK;
  if (newVma !== vma && vrm.addr === vma.start && vrm.addr + vrm.oldLen === vma.end)
    unlinkAnonVmas(k, vma);
}

/**
 * unmap_source_vma: unmap the old range; VM_ACCOUNT is cleared first so that nothing is
 * unaccounted, and set again on the remnants either side.
 */
function unmapSourceVma(k: Kernel, vrm: Vrm): void {
  const mm = vrm.mm;
  const vma = vrm.vma as Vma;
  const end = vrm.addr + vrm.oldLen;
  const accountable = (vma.flags & VM_ACCOUNT) !== 0; // DONTUNMAP never reaches here
  const { start: vmStart, end: vmEnd } = vma;
  if (accountable) vma.flags &= ~VM_ACCOUNT;
  let detached: Detached;
  try {
    detached = doMunmap(k, mm, vrm.addr, vrm.oldLen);
  } catch (e) {
    if (e instanceof Errno) return; // OOM splitting: accounts are fixed up, nothing else
    throw e;
  }
  if (!accountable) return;
  // vma_prev and vma_next of the iterator do_vmi_munmap left at the hole
  if (vmStart < vrm.addr && detached.prev) detached.prev.flags |= VM_ACCOUNT;
  if (vmEnd > end && detached.next) detached.next.flags |= VM_ACCOUNT;
}
