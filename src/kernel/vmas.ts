// Converts the helper's raw smaps and pagemap entries into contract records, keys in contract order.

import type { PageRecord, VmaRecord } from "../report/record.js";
import type { RawPage, RawVma } from "./helper-process.js";

/** The maps name of shared anonymous memory (shmem_zero_setup); never reported as a name. */
export const SHMEM_ZERO_NAME = "/dev/zero (deleted)";

/**
 * The kind of a VMA from its maps line: `anon` for private anonymous memory (no path, or an
 * `[anon:…]`, `[heap]` or `[stack]` name), `shanon` for shared anonymous memory
 * (`/dev/zero (deleted)`, `[anon_shmem:…]`, SysV shm), `file` otherwise.
 */
export function vmaKind(perms: string, inode: number, path: string): VmaRecord["kind"] {
  const shared = perms[3] === "s";
  if (
    path === SHMEM_ZERO_NAME ||
    path.startsWith("[anon_shmem:") ||
    /^\/SYSV[0-9a-f]{8}( \(deleted\))?$/.test(path)
  ) {
    return "shanon";
  }
  if (
    inode === 0 &&
    (path === "" || path.startsWith("[anon:") || path === "[heap]" || path === "[stack]")
  ) {
    return shared ? "shanon" : "anon";
  }
  return "file";
}

/** One VmaRecord from a helper VMA; `name` only when the maps line names something other than shmem. */
export function toVmaRecord(v: RawVma): VmaRecord {
  const rec: VmaRecord = {
    start: v.start,
    end: v.end,
    perms: v.perms,
    kind: vmaKind(v.perms, v.inode, v.path),
    rss_kb: v.rss_kb,
    anon_kb: v.anon_kb,
    shared_kb: v.shared_kb,
    swap_kb: v.swap_kb,
    thp_kb: v.thp_kb,
    vmflags: v.vmflags.trim().split(/\s+/).filter(Boolean).join(" "),
  };
  if (v.path !== "" && v.path !== SHMEM_ZERO_NAME) rec.name = v.path;
  return rec;
}

/** One PageRecord from a helper page entry. */
export function toPageRecord(p: RawPage): PageRecord {
  return {
    addr: p.addr,
    present: p.present,
    swapped: p.swapped,
    exclusive: p.exclusive,
    mapcount: p.mapcount,
    zero: p.zero,
    thp: p.thp,
    ksm: p.ksm,
  };
}
