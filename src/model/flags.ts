// VM_* flags (include/linux/mm.h) and their smaps mnemonics (fs/proc/task_mmu.c,
// show_smap_vma_flags). Bits are the model's own, compact so they fit JS bit operations;
// MNEMONICS lists them in the kernel's bit order so VmFlags prints in the kernel's order.
// This module is browser compatible.

export const VM_READ = 1 << 0;
export const VM_WRITE = 1 << 1;
export const VM_EXEC = 1 << 2;
export const VM_SHARED = 1 << 3;
export const VM_MAYREAD = 1 << 4;
export const VM_MAYWRITE = 1 << 5;
export const VM_MAYEXEC = 1 << 6;
export const VM_MAYSHARE = 1 << 7;
export const VM_GROWSDOWN = 1 << 8;
export const VM_UFFD_MISSING = 1 << 9;
export const VM_PFNMAP = 1 << 10;
export const VM_UFFD_WP = 1 << 11;
export const VM_LOCKED = 1 << 12;
export const VM_IO = 1 << 13;
export const VM_SEQ_READ = 1 << 14;
export const VM_RAND_READ = 1 << 15;
export const VM_DONTCOPY = 1 << 16;
export const VM_DONTEXPAND = 1 << 17;
export const VM_LOCKONFAULT = 1 << 18;
export const VM_ACCOUNT = 1 << 19;
export const VM_NORESERVE = 1 << 20;
export const VM_HUGETLB = 1 << 21;
export const VM_WIPEONFORK = 1 << 22;
export const VM_DONTDUMP = 1 << 23;
export const VM_SOFTDIRTY = 1 << 24;
export const VM_MIXEDMAP = 1 << 25;
export const VM_HUGEPAGE = 1 << 26;
export const VM_NOHUGEPAGE = 1 << 27;
export const VM_MERGEABLE = 1 << 28;
export const VM_UFFD_MINOR = 1 << 29;
export const VM_SEALED = 1 << 30;
/**
 * VM_MAYBE_GUARD: a guard region may have been installed (MADV_GUARD_INSTALL). Upstream in
 * 6.19; present on the 6.18.44 stable kernel this project checks against (smaps `gu`).
 */
export const VM_MAYBE_GUARD = 1 << 31;

/** VM_READ | VM_WRITE | VM_EXEC. */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP: never merged. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
/** VM_STICKY: flags a merge keeps if any merged part had them. */
export const VM_STICKY = VM_SOFTDIRTY | VM_MAYBE_GUARD;
/** VM_IGNORE_MERGE: flags that never prevent a merge. */
export const VM_IGNORE_MERGE = VM_STICKY;
/** VM_LOCKED | VM_LOCKONFAULT. */
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

/** [flag, mnemonic], in the kernel's bit order (the order smaps prints them in). */
const MNEMONICS: ReadonlyArray<readonly [number, string]> = [
  [VM_READ, "rd"],
  [VM_WRITE, "wr"],
  [VM_EXEC, "ex"],
  [VM_SHARED, "sh"],
  [VM_MAYREAD, "mr"],
  [VM_MAYWRITE, "mw"],
  [VM_MAYEXEC, "me"],
  [VM_MAYSHARE, "ms"],
  [VM_GROWSDOWN, "gd"],
  [VM_UFFD_MISSING, "um"],
  [VM_PFNMAP, "pf"],
  [VM_MAYBE_GUARD, "gu"],
  [VM_UFFD_WP, "uw"],
  [VM_LOCKED, "lo"],
  [VM_IO, "io"],
  [VM_SEQ_READ, "sr"],
  [VM_RAND_READ, "rr"],
  [VM_DONTCOPY, "dc"],
  [VM_DONTEXPAND, "de"],
  [VM_LOCKONFAULT, "lf"],
  [VM_ACCOUNT, "ac"],
  [VM_NORESERVE, "nr"],
  [VM_HUGETLB, "ht"],
  [VM_WIPEONFORK, "wf"],
  [VM_DONTDUMP, "dd"],
  [VM_SOFTDIRTY, "sd"],
  [VM_MIXEDMAP, "mm"],
  [VM_HUGEPAGE, "hg"],
  [VM_NOHUGEPAGE, "nh"],
  [VM_MERGEABLE, "mg"],
  [VM_UFFD_MINOR, "ui"],
  [VM_SEALED, "sl"],
];

/** The VmFlags line of smaps for `flags`, e.g. "rd wr mr mw me ac". */
export function vmflagsString(flags: number): string {
  const out: string[] = [];
  for (const [bit, name] of MNEMONICS) if (flags & bit) out.push(name);
  return out.join(" ");
}

/** Names the flags in `diff` with a sign for who has them: "+ac -nr" (a has +, b has -). */
export function describeFlagDifference(a: number, b: number): string {
  const out: string[] = [];
  for (const [bit, name] of MNEMONICS) {
    if ((a & bit) !== (b & bit)) out.push(`${a & bit ? "+" : "-"}${name}`);
  }
  return out.join(" ");
}

/** The rwxp/s column of /proc/PID/maps (show_map_vma). */
export function permsString(flags: number): string {
  return (
    (flags & VM_READ ? "r" : "-") +
    (flags & VM_WRITE ? "w" : "-") +
    (flags & VM_EXEC ? "x" : "-") +
    (flags & VM_MAYSHARE ? "s" : "p")
  );
}
