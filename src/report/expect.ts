// Evaluation of `expect`, `expectvmas` and `expectvma` against the VMAs a step reports.
// Shared by the model and the kernel engine so both judge expectations identically.
// This module is browser compatible.

import { MODEL_ONLY_CHECKS, type OpBody, type VmaCheck } from "../input/ops.js";
import type { VmaRecord } from "./record.js";

const PAGE = 4096;

function formatAddr(n: number): string {
  return n % PAGE === 0 ? `${n / PAGE}p` : `0x${n.toString(16)}`;
}

/** Formats VMA boundaries the way `expectvmas` spells them: `0p-8p 8p-12p`. */
export function formatBoundaries(vmas: ReadonlyArray<{ start: number; end: number }>): string {
  return vmas.map((v) => `${formatAddr(v.start)}-${formatAddr(v.end)}`).join(" ");
}

/** Whether a note records an expectation that held. */
export function isExpectPass(note: string): boolean {
  return note.startsWith("EXPECT OK");
}

/** Whether a note records a failed expectation. */
export function isExpectFailure(note: string): boolean {
  return note.startsWith("EXPECT FAIL");
}

/**
 * Judges expectations through a run. Holds the `anon=LABEL` bindings of `expectvma`:
 * a label binds to an anon_vma on first use; later uses must name the same one, and two
 * labels never name the same anon_vma.
 */
export class ExpectationChecker {
  private readonly labels = new Map<string, string>();

  /**
   * @param seesModel whether the engine reports model fields (false for the kernel engine,
   *   which then skips the model-only keys and says so)
   */
  constructor(private readonly seesModel: boolean) {}

  /** "EXPECT OK…" or "EXPECT FAIL <why>"; null for operations that are not expectations. */
  check(op: OpBody, vmas: readonly VmaRecord[]): string | null {
    switch (op.kind) {
      case "expect":
        return vmas.length === op.count
          ? "EXPECT OK"
          : `EXPECT FAIL expected ${op.count} VMAs, found ${vmas.length}: ${formatBoundaries(vmas)}`;
      case "expectvmas": {
        const want = formatBoundaries(op.ranges.map(([start, end]) => ({ start, end })));
        const got = formatBoundaries(vmas);
        return want === got
          ? "EXPECT OK"
          : `EXPECT FAIL expected ${want || "(none)"}, found ${got || "(none)"}`;
      }
      case "expectvma":
        return this.checkVma(op.addr, op.checks, vmas);
      default:
        return null;
    }
  }

  private checkVma(addr: number, checks: readonly VmaCheck[], vmas: readonly VmaRecord[]): string {
    const vma = vmas.find((v) => v.start <= addr && addr < v.end);
    const failures: string[] = [];
    const skipped: string[] = [];
    for (const c of checks) {
      if (c.key === "none") {
        if (vma)
          failures.push(`no VMA expected at ${formatAddr(addr)}, found ${formatBoundaries([vma])}`);
        continue;
      }
      if (!vma) {
        failures.push(`no VMA contains ${formatAddr(addr)}`);
        break;
      }
      if (MODEL_ONLY_CHECKS.has(c.key) && !this.seesModel) {
        skipped.push(c.key);
        continue;
      }
      const failure = this.checkOne(c, vma);
      if (failure) failures.push(failure);
    }
    if (failures.length > 0) return `EXPECT FAIL ${failures.join("; ")}`;
    return skipped.length > 0
      ? `EXPECT OK (model-only, not checked: ${skipped.join(" ")})`
      : "EXPECT OK";
  }

  private checkOne(c: Exclude<VmaCheck, { key: "none" }>, vma: VmaRecord): string | null {
    const model = vma.model;
    const mismatch = (got: string | number, want: string | number) =>
      got === want ? null : `${c.key}: expected ${want}, found ${got}`;
    switch (c.key) {
      case "start":
        return mismatch(formatAddr(vma.start), formatAddr(c.value));
      case "end":
        return mismatch(formatAddr(vma.end), formatAddr(c.value));
      case "rss":
        return mismatch(vma.rss_kb, c.value);
      case "perms":
        return mismatch(vma.perms, c.value);
      case "flags":
        return mismatch(vma.vmflags, c.value);
      case "pgoff":
        return mismatch(model?.pgoff ?? "?", c.value);
      case "chain":
        return mismatch(model?.chain.length ?? "?", c.value);
      case "anon":
        return this.checkAnon(c.value, model?.anon_vma ?? null);
    }
  }

  private checkAnon(label: string, anonVma: string | null): string | null {
    if (label === "none") return anonVma === null ? null : `anon: expected none, found ${anonVma}`;
    if (anonVma === null) return `anon: expected ${label}, found none`;
    const bound = this.labels.get(label);
    if (bound !== undefined) {
      return bound === anonVma ? null : `anon: ${label} is ${bound}, found ${anonVma}`;
    }
    for (const [other, av] of this.labels) {
      if (av === anonVma)
        return `anon: expected a new anon_vma for ${label}, found ${other}'s (${av})`;
    }
    this.labels.set(label, anonVma);
    return null;
  }
}
