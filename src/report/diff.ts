// Compares a model run with a kernel run of the same scenario, record by record, on what
// userspace can see: return values, errnos, and every VMA's boundaries, perms, flags and
// sizes. This module is browser compatible.

import { isExpectFailure } from "./expect.js";
import type { RunRecord, StepRecord, VmaRecord } from "./record.js";

/** The fields of a VMA both engines report. */
const VMA_FIELDS = [
  "start",
  "end",
  "perms",
  "kind",
  "rss_kb",
  "anon_kb",
  "shared_kb",
  "swap_kb",
  "thp_kb",
  "vmflags",
  "name",
] as const satisfies ReadonlyArray<keyof VmaRecord>;

/** The first place two runs disagree. */
export interface Divergence {
  step: number;
  op: string;
  /** What differs, e.g. "ret: model 0, kernel -1" or "VMA 2 (0x8000-0xc000) vmflags: …". */
  what: string;
  model: StepRecord | null;
  kernel: StepRecord | null;
}

/**
 * `ret` as userspace can compare it: addresses the kernel chose outside the test region
 * (an mremap move without FIXED) are placed by ASLR, so any outside address equals any other.
 */
function comparableRet(r: StepRecord, size: number): string {
  const isAddress = /^(mmap|mremap)\b/.test(r.op);
  if (isAddress && r.ret !== -1 && (r.ret < 0 || r.ret >= size)) return "outside the region";
  return String(r.ret);
}

function describeVma(v: VmaRecord): string {
  return `0x${v.start.toString(16)}-0x${v.end.toString(16)}`;
}

function compareVmaLists(
  a: readonly VmaRecord[],
  b: readonly VmaRecord[],
  where: string,
): string | null {
  if (a.length !== b.length) {
    return `${where}VMA count: model ${a.length} [${a.map(describeVma).join(" ")}], kernel ${b.length} [${b.map(describeVma).join(" ")}]`;
  }
  for (let i = 0; i < a.length; i++) {
    const m = a[i] as VmaRecord;
    const k = b[i] as VmaRecord;
    for (const f of VMA_FIELDS) {
      if (m[f] !== k[f]) {
        return `${where}VMA ${i} (${describeVma(k)}) ${f}: model ${String(m[f])}, kernel ${String(k[f])}`;
      }
    }
  }
  return null;
}

/** Compares two step records; null when they agree on everything userspace sees. */
export function compareSteps(m: StepRecord, k: StepRecord, size: number): string | null {
  if (m.proc !== k.proc) return `proc: model p${m.proc}, kernel p${k.proc}`;
  if (comparableRet(m, size) !== comparableRet(k, size))
    return `ret: model ${m.ret}, kernel ${k.ret}`;
  if (m.err !== k.err) return `err: model ${m.err || "none"}, kernel ${k.err || "none"}`;
  if (isExpectFailure(m.note) !== isExpectFailure(k.note))
    return `expectation: model "${m.note}", kernel "${k.note}"`;
  const vmas = compareVmaLists(m.vmas, k.vmas, "");
  if (vmas) return vmas;
  for (const kp of k.procs ?? []) {
    const mp = m.procs?.find((p) => p.proc === kp.proc);
    if (!mp) return `dumpall: p${kp.proc} missing from the model`;
    const d = compareVmaLists(mp.vmas, kp.vmas, `p${kp.proc} `);
    if (d) return d;
  }
  const kpages = k.pages ?? [];
  for (let i = 0; i < kpages.length; i++) {
    const kp = kpages[i];
    const mp = m.pages?.[i];
    if (!kp || !mp) continue;
    for (const f of [
      "present",
      "swapped",
      "exclusive",
      "mapcount",
      "zero",
      "thp",
      "ksm",
    ] as const) {
      if (mp[f] !== kp[f])
        return `page 0x${kp.addr.toString(16)} ${f}: model ${String(mp[f])}, kernel ${String(kp[f])}`;
    }
  }
  return null;
}

/** The first divergence between a model run and a kernel run (headers skipped), or null. */
export function firstDivergence(
  model: readonly RunRecord[],
  kernel: readonly RunRecord[],
  size: number,
): Divergence | null {
  const ms = model.filter((r): r is StepRecord => "op" in r);
  const ks = kernel.filter((r): r is StepRecord => "op" in r);
  const n = Math.max(ms.length, ks.length);
  for (let i = 0; i < n; i++) {
    const m = ms[i] ?? null;
    const k = ks[i] ?? null;
    if (!m || !k) {
      const r = (m ?? k) as StepRecord;
      return {
        step: r.step,
        op: r.op,
        what: `only the ${m ? "model" : "kernel"} ran this step`,
        model: m,
        kernel: k,
      };
    }
    const what = compareSteps(m, k, size);
    if (what) return { step: k.step, op: k.op, what, model: m, kernel: k };
  }
  return null;
}
