// Turns operations into helper command lines, refusing model-only ops and ranges outside the region.

import type { Op, Prot } from "../input/ops.js";
import { KernelRefusedError } from "./errors.js";

/** Operation kinds the kernel engine knows how to perform or report. */
const KNOWN = new Set<string>([
  "mmap",
  "munmap",
  "mprotect",
  "mremap",
  "touch",
  "read",
  "madvise",
  "mlock",
  "munlock",
  "name",
  "fork",
  "switch",
  "exit",
  "window",
  "dump",
  "pages",
  "expect",
  "expectvmas",
  "expectvma",
  "echo",
]);

const hex = (n: number) => `0x${n.toString(16)}`;

function checkRange(op: Op, what: string, addr: number, len: number, size: number): void {
  if (addr + len <= size) return;
  throw new KernelRefusedError(
    op.kind,
    op.loc,
    `${op.kind}: ${what} [${hex(addr)}, ${hex(addr + len)}) leaves the test region [0, ${hex(size)}), ` +
      (op.kind === "mremap"
        ? "keep it inside the region, or drop FIXED and let the kernel choose with MAYMOVE"
        : "keep it inside the region or give a larger region size"),
  );
}

/**
 * Refuses, before anything runs, what the real kernel must not or cannot do: operations only
 * the model can perform, and ranges that leave the region [0, size). Throws KernelRefusedError.
 */
export function checkOp(op: Op, size: number): void {
  const kind: string = op.kind;
  if (!KNOWN.has(kind)) {
    const keyword = op.text.split(" ")[0] ?? kind; // "migrate finish" is kind migratefinish
    throw new KernelRefusedError(
      keyword,
      op.loc,
      `${keyword}: only the model can perform this operation, run the scenario with the model engine`,
    );
  }
  switch (op.kind) {
    case "mmap":
      if (op.file) {
        throw new KernelRefusedError(
          "mmap file=",
          op.loc,
          "mmap file=: file-backed mappings are model-only (replayed traces), run the scenario with the model engine",
        );
      }
      return checkRange(op, "range", op.addr, op.len, size);
    case "munmap":
    case "mprotect":
    case "touch":
    case "read":
    case "mlock":
    case "munlock":
    case "name":
    case "pages":
      return checkRange(op, "range", op.addr, op.len, size);
    case "madvise":
      if (op.advice > 0x7fffffff) {
        throw new KernelRefusedError(
          op.kind,
          op.loc,
          `madvise: advice ${op.advice} is not an int, give a name or a small number`,
        );
      }
      return checkRange(op, "range", op.addr, op.len, size);
    case "mremap": {
      checkRange(op, "old range", op.addr, op.oldLen, size);
      const fixed = op.flags.includes("FIXED");
      if (fixed && op.newAddr === null) {
        throw new KernelRefusedError(
          op.kind,
          op.loc,
          "mremap: FIXED needs NEWADDR, give the destination",
        );
      }
      if (fixed) return checkRange(op, "new range", op.newAddr ?? 0, op.newLen, size);
      if (!op.flags.includes("MAYMOVE")) {
        return checkRange(op, "grown range", op.addr, Math.max(op.oldLen, op.newLen), size);
      }
      return;
    }
    default:
      return;
  }
}

function prot(p: Prot): string {
  return `${p.read ? "r" : "-"}${p.write ? "w" : "-"}${p.exec ? "x" : "-"}`;
}

function flags(list: readonly string[]): string {
  return list.length === 0 ? "0" : list.join("|");
}

/**
 * The helper command (without the process prefix) that performs a syscall-like op, or null for
 * operations the runner handles itself (reporting, windows, processes, expectations).
 */
export function syscallCommand(op: Op): string | null {
  switch (op.kind) {
    case "mmap":
      return `mmap ${op.addr} ${op.len} ${prot(op.prot)} ${flags(op.flags)}`;
    case "munmap":
    case "mlock":
    case "munlock":
    case "read":
      return `${op.kind} ${op.addr} ${op.len}`;
    case "mprotect":
      return `mprotect ${op.addr} ${op.len} ${prot(op.prot)}`;
    case "mremap":
      return `mremap ${op.addr} ${op.oldLen} ${op.newLen} ${flags(op.flags)} ${op.newAddr ?? "-"}`;
    case "touch":
      return `touch ${op.addr} ${op.len} ${op.value & 0xff}`;
    case "madvise":
      return `madvise ${op.addr} ${op.len} ${op.advice}`;
    case "name":
      return `name ${op.addr} ${op.len} ${op.name ?? "-"}`;
    default:
      return null;
  }
}
