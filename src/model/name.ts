// prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME) (kernel/sys.c prctl_set_vma, mm/madvise.c
// madvise_set_anon_name). This module is browser compatible.

import { isAligned, PAGE_SIZE } from "./constants.js";
import { Errno } from "./errno.js";
import type { Kernel } from "./kernel.js";
import { walkVmas } from "./madvise.js";
import type { Mm } from "./mm.js";
import { vmaModifyName } from "./modify.js";
import { pageAlign } from "./munmap.js";

/** ANON_VMA_NAME_MAX_LEN, including the terminating NUL. */
const NAME_MAX = 80;

/** is_valid_name_char: printable ASCII except [ ] \ $ and `. */
function isValidName(name: string): boolean {
  return /^[\x20-\x7e]*$/.test(name) && !/[[\]\\$`]/.test(name);
}

/** Names (or, with null, unnames) the VMAs of [start, start+len). */
export function doSetAnonName(
  k: Kernel,
  mm: Mm,
  start: number,
  len: number,
  name: string | null,
): void {
  if (!k.options.anonName) throw new Errno("EINVAL", "kernel built without CONFIG_ANON_VMA_NAME");
  if (name !== null && (name.length >= NAME_MAX || !isValidName(name)))
    throw new Errno("EINVAL", "invalid name");
  if (!isAligned(start, PAGE_SIZE)) throw new Errno("EINVAL", "unaligned address");
  const end = start + pageAlign(len);
  if (end === start) return;
  // madvise_walk_vmas with madvise_vma_anon_name (anonymous and shmem VMAs may be named)
  walkVmas(k, mm, start, end, (kk, vma, s, e) =>
    vma.anonName === name ? vma : vmaModifyName(kk, vma, s, e, name),
  );
}
