// The text reporter: a readable, deterministic account of each run for a kernel mm
// developer — every step, the VMAs in the window, merge verdicts, invariant violations.
// Pure; browser compatible (the CLI supplies the colours).

import { isSyscallOp } from "../input/ops.js";
import { parseLine } from "../input/scenario.js";
import {
  isEcho,
  isHeader,
  type EchoRecord,
  type HeaderRecord,
  type MergeAttempt,
  type MergeVerdict,
  type PageRecord,
  type RunRecord,
  type StepRecord,
  type VmaRecord,
} from "./record.js";
import { isExpectFailure, isExpectPass } from "./expect.js";
import { MeasureCollector, measuresTable, type RunMeasures } from "./measures.js";
import { addSummary, emptySummary, isClean, tally, type RunSummary } from "./summary.js";
import { renderTable, type Column, type TableRow } from "./table.js";

/** What a span of text is, so that the CLI can colour it on a terminal. */
export type StyleKind = "title" | "step" | "echo" | "ok" | "fail" | "notice" | "violation" | "dim";

/** Marks up a span of text; must not change what the text says. */
export type Styler = (kind: StyleKind, text: string) => string;

/** The styler that adds nothing (files, pipes, NO_COLOR). */
export const plain: Styler = (_kind, text) => text;

export interface TextOptions {
  /** Markup for terminals; plain by default. */
  style?: Styler;
  /** Print a banner before the runs of each policy (when several policies run in turn). */
  policySections?: boolean;
}

const BANNER_WIDTH = 78;
const INDENT = "    ";

/**
 * Renders runs (each a record stream that starts with its header) as text, one chunk per
 * record, then a summary line per run and a total when there are several runs.
 * O(total record size).
 */
export function* renderText(
  runs: Iterable<Iterable<RunRecord>>,
  options: TextOptions = {},
): Generator<string> {
  const style = options.style ?? plain;
  const total = emptySummary();
  let count = 0;
  let policy: string | undefined;
  let anyModel = false;
  const measured: RunMeasures[] = [];
  for (const run of runs) {
    const summary = emptySummary();
    const measures = new MeasureCollector();
    let page = 4096;
    let model = false;
    for (const record of run) {
      tally(summary, record);
      measures.add(record);
      if (isHeader(record)) {
        page = record.page;
        model = record.engine === "model";
        if (options.policySections && (count === 0 || record.policy !== policy)) {
          yield `${count === 0 ? "" : "\n"}${style("title", banner(`policy ${record.policy ?? "?"}`, "═"))}\n\n`;
        }
        policy = record.policy;
        yield `${style("title", headerLine(record))}\n`;
      } else if (isEcho(record)) {
        yield `${style("echo", echoLine(record))}\n`;
      } else {
        yield lines(stepLines(record, page, style));
      }
    }
    yield `${style(isClean(summary) ? "ok" : "fail", `summary: ${summaryText(summary, model)}`)}\n\n`;
    addSummary(total, summary);
    anyModel ||= model;
    measured.push(measures.result);
    count++;
  }
  if (options.policySections && new Set(measured.map((m) => m.policy)).size > 1) {
    yield `${style("title", banner("policies side by side", "═"))}\n\n`;
    yield lines(measuresTable(measured, (l) => style("title", l)));
    yield "\n";
  }
  if (count > 1) {
    const text = `total of ${count} runs: ${summaryText(total, anyModel)}`;
    yield `${style(isClean(total) ? "ok" : "fail", text)}\n`;
  }
}

function lines(out: readonly string[]): string {
  return out.map((l) => `${l}\n`).join("");
}

function banner(text: string, rule: string): string {
  const head = `${rule.repeat(2)} ${text} `;
  return head + rule.repeat(Math.max(2, BANNER_WIDTH - head.length));
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** `0x8000 (8p)`; the page count only when aligned. */
function addr(n: number, page: number): string {
  return n % page === 0 ? `${hex(n)} (${n / page}p)` : hex(n);
}

/** `0x0-0x8000 (0p-8p)`; the page counts only when both ends are aligned. */
function range(start: number, end: number, page: number): string {
  const span = `${hex(start)}-${hex(end)}`;
  return start % page === 0 && end % page === 0
    ? `${span} (${start / page}p-${end / page}p)`
    : span;
}

function bytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n} bytes`;
}

function onOff(b: boolean): string {
  return b ? "on" : "off";
}

function headerLine(h: HeaderRecord): string {
  const engine =
    h.engine === "kernel" ? `kernel ${h.kernel ?? "?"}` : `model, policy ${h.policy ?? "?"}`;
  return (
    `== ${h.file}: ${engine} (base ${h.base}, size ${bytes(h.size)}, page ${h.page}, ` +
    `zero page ${onOff(h.zero_page)}, anon names ${onOff(h.anon_name)})`
  );
}

function echoLine(r: EchoRecord): string {
  return `[${r.step}] ${banner(r.echo, "─")}`;
}

/** The counts; invariant violations only where the model ran (the kernel checks none). */
function summaryText(s: RunSummary, model: boolean): string {
  const expectations = `${s.steps} steps; expectations: ${s.expectPassed} passed, ${s.expectFailed} failed`;
  return model ? `${expectations}; invariant violations: ${s.violations}` : expectations;
}

/** The return value as the op means it: a relative address for mmap/mremap, else a count. */
function retText(r: StepRecord, page: number): string {
  let op = null;
  try {
    op = parseLine(r.op, "", r.step);
  } catch {
    // Not scenario syntax (e.g. a traced call): show the raw return value.
  }
  if (op && !isSyscallOp(op) && r.err === "") return "";
  const value =
    r.err === "" && (op?.kind === "mmap" || op?.kind === "mremap") ? addr(r.ret, page) : `${r.ret}`;
  return `  = ${value}${r.err === "" ? "" : ` (${r.err})`}`;
}

function noteText(note: string, style: Styler): string {
  if (note === "") return "";
  const kind = isExpectFailure(note) ? "fail" : isExpectPass(note) ? "ok" : "dim";
  return `  ${style(kind, note)}`;
}

function stepLines(r: StepRecord, page: number, style: Styler): string[] {
  const out = [
    `${style("step", `[${r.step}] p${r.proc}  ${r.op}`)}${retText(r, page)}${noteText(r.note, style)}`,
  ];
  if (r.procs) {
    for (const p of r.procs) {
      out.push(`${INDENT}p${p.proc}: nvma ${p.nvma}`);
      out.push(...vmaTable(p.vmas, page, INDENT + "  ", style));
    }
  } else {
    out.push(...vmaTable(r.vmas, page, INDENT, style));
  }
  if (r.pages) out.push(...pageTable(r.pages, page, style));
  for (const m of r.model?.merges ?? []) out.push(INDENT + mergeLine(m, page, style));
  for (const v of r.model?.violations ?? []) {
    out.push(INDENT + style("violation", `!! invariant ${v.id} violated: ${v.message}`));
  }
  return out;
}

function verdictText(v: MergeVerdict): string {
  return v.detail ? `${v.reason} (${v.detail})` : v.reason;
}

function nextLine(v: MergeVerdict, style: Styler): string {
  const text = v.merged
    ? `  ↳ mergeable with next: ${verdictText(v)}`
    : `  ↳ not merged with next: ${verdictText(v)}`;
  return style(v.merged ? "notice" : "dim", text);
}

const MERGE_RESULT: Record<MergeAttempt["result"], string> = {
  none: "not merged",
  prev: "merged with prev",
  next: "merged with next",
  both: "merged with prev and next",
};

function mergeLine(m: MergeAttempt, page: number, style: Styler): string {
  const side = (name: string, v: MergeVerdict | undefined) =>
    `${name}: ${v ? verdictText(v) : "-"}`;
  const result = style(m.result === "none" ? "dim" : "ok", MERGE_RESULT[m.result]);
  return `merge ${m.fn} ${range(m.start, m.end, page)}: ${side("prev", m.prev)}; ${side("next", m.next)} → ${result}`;
}

/** A column shown only when some row needs it. */
interface VmaColumn extends Column {
  cell: (v: VmaRecord, page: number) => string;
  shown?: (v: VmaRecord) => boolean;
}

const VMA_COLUMNS: readonly VmaColumn[] = [
  { title: "start-end", align: "left", cell: (v, page) => range(v.start, v.end, page) },
  { title: "perms", align: "left", cell: (v) => v.perms },
  { title: "kind", align: "left", cell: (v) => v.kind },
  { title: "rss kB", align: "right", cell: (v) => `${v.rss_kb}` },
  { title: "anon kB", align: "right", cell: (v) => `${v.anon_kb}` },
  { title: "swap kB", align: "right", cell: (v) => `${v.swap_kb}`, shown: (v) => v.swap_kb > 0 },
  {
    title: "shared kB",
    align: "right",
    cell: (v) => `${v.shared_kb}`,
    shown: (v) => v.shared_kb > 0,
  },
  { title: "thp kB", align: "right", cell: (v) => `${v.thp_kb}`, shown: (v) => v.thp_kb > 0 },
  { title: "vmflags", align: "left", cell: (v) => v.vmflags },
  {
    title: "pgoff",
    align: "right",
    cell: (v) => `${v.model?.pgoff ?? ""}`,
    shown: (v) => !!v.model,
  },
  {
    title: "anon_vma [chain]",
    align: "left",
    cell: (v) => (v.model ? `${v.model.anon_vma ?? "-"} [${v.model.chain.join(" ")}]` : ""),
    shown: (v) => !!v.model,
  },
  { title: "name", align: "left", cell: (v) => v.name ?? "", shown: (v) => v.name !== undefined },
];

function vmaTable(
  vmas: readonly VmaRecord[],
  page: number,
  indent: string,
  style: Styler,
): string[] {
  if (vmas.length === 0) return [`${indent}${style("dim", "(no VMAs in the window)")}`];
  const columns = VMA_COLUMNS.filter((c) => !c.shown || vmas.some(c.shown));
  const rows: TableRow[] = vmas.map((v) => ({
    cells: columns.map((c) => c.cell(v, page)),
    after: v.model?.next ? [nextLine(v.model.next, style)] : [],
  }));
  return renderTable(columns, rows, indent, (t) => style("dim", t));
}

function yes(b: boolean): string {
  return b ? "y" : "-";
}

function pageTable(pages: readonly PageRecord[], page: number, style: Styler): string[] {
  const model = pages.some((p) => p.model);
  const columns: Column[] = [
    { title: "page", align: "left" },
    ...["present", "swapped", "excl"].map((title) => ({ title, align: "left" as const })),
    { title: "mapcount", align: "right" },
    ...["zero", "thp", "ksm"].map((title) => ({ title, align: "left" as const })),
    ...(model
      ? [
          { title: "folio", align: "left" as const },
          { title: "mapping", align: "left" as const },
          { title: "index", align: "right" as const },
        ]
      : []),
  ];
  const rows = pages.map((p) => ({
    cells: [
      addr(p.addr, page),
      yes(p.present),
      yes(p.swapped),
      yes(p.exclusive),
      `${p.mapcount}`,
      yes(p.zero),
      yes(p.thp),
      yes(p.ksm),
      ...(p.model ? [p.model.folio, p.model.mapping ?? "-", `${p.model.index}`] : []),
    ],
  }));
  return renderTable(columns, rows, INDENT, (t) => style("dim", t));
}
