// The address-space map: one canvas, one row per (run, process), on a shared compressed
// axis. VMAs are filled by anon_vma, the ones this step changed are outlined, ranges it
// unmapped are dashed, adjacent pairs that did not merge get a mark on their boundary, and
// a strip under each row shows resident pages (red where a page's mapping is stale).
// Only what is visible is drawn, at most a few rectangles per pixel column.

import type { VmaRecord } from "../../src/report/record.js";
import type { PageRun } from "../../src/view/data.js";
import type { Axis } from "./axis.js";
import { CHANGED, STALE, anonColor, vmaColor } from "./colors.js";
import { el } from "./dom.js";
import { addr, range, vmaLines, verdict } from "./format.js";
import { pageStatus, type Lane } from "./state.js";
import type { Tooltip } from "./tooltip.js";

export interface MapRow {
  label: string;
  lane: Lane;
}

const LABEL_W = 150;
const TOP = 22;
const BAR_H = 30;
const STRIP_H = 8;
const ROW_H = BAR_H + STRIP_H + 12;
/** How many changed ranges the map's text description names. */
const DESCRIBED = 12;

interface Hit {
  x0: number;
  x1: number;
  lines: () => string[];
}

export class AddressMap {
  readonly canvas = el("canvas", "map");
  private rows: MapRow[] = [];
  private axis: Axis | null = null;
  private from = 0;
  private to = 1;
  private page = 4096;
  /** Hit rectangles per row: bars, strips and boundary marks, in x order each. */
  private hits: Array<{ bars: Hit[]; strip: Hit[]; marks: Hit[] }> = [];
  private drag: { x: number; from: number; to: number } | null = null;

  constructor(
    readonly root: HTMLElement,
    private readonly tooltip: Tooltip,
  ) {
    root.append(this.canvas);
    this.canvas.addEventListener("wheel", (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener("mousedown", (e) => {
      this.drag = { x: e.clientX, from: this.from, to: this.to };
    });
    window.addEventListener("mouseup", () => (this.drag = null));
    this.canvas.addEventListener("mousemove", (e) => this.onMove(e));
    this.canvas.addEventListener("mouseleave", () => this.tooltip.hide());
    this.canvas.addEventListener("dblclick", () => this.fit());
    new ResizeObserver(() => this.draw()).observe(root);
  }

  setAxis(axis: Axis): void {
    this.axis = axis;
    this.fit();
  }

  setRows(rows: MapRow[], page: number): void {
    this.rows = rows;
    this.page = page;
    this.draw();
  }

  fit(): void {
    this.from = 0;
    this.to = this.axis?.total ?? 1;
    this.draw();
  }

  /** Zooms by `factor` (< 1 zooms in) around the unit under canvas x `x` (default: centre). */
  zoom(factor: number, x?: number): void {
    const w = this.plotWidth();
    const fx = x === undefined ? 0.5 : Math.min(1, Math.max(0, (x - LABEL_W) / w));
    const span = this.to - this.from;
    const at = this.from + fx * span;
    const total = this.axis?.total ?? 1;
    const next = Math.min(total, Math.max(span * factor, total / 1e7, 1));
    this.from = Math.max(0, at - fx * next);
    this.to = Math.min(total, this.from + next);
    this.from = Math.max(0, this.to - next);
    this.draw();
  }

  private plotWidth(): number {
    return Math.max(10, this.root.clientWidth - LABEL_W - 8);
  }

  private xOf(unit: number): number {
    return LABEL_W + ((unit - this.from) / (this.to - this.from)) * this.plotWidth();
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.canvas.getBoundingClientRect();
    this.zoom(e.deltaY > 0 ? 1.25 : 0.8, e.clientX - r.left);
  }

  private onMove(e: MouseEvent): void {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    if (this.drag) {
      const du = ((this.drag.x - e.clientX) / this.plotWidth()) * (this.drag.to - this.drag.from);
      const span = this.drag.to - this.drag.from;
      const total = this.axis?.total ?? 1;
      this.from = Math.min(Math.max(0, this.drag.from + du), total - span);
      this.to = this.from + span;
      this.draw();
      return;
    }
    const row = Math.floor((y - TOP) / ROW_H);
    const inRow = y - TOP - row * ROW_H;
    const hits = this.hits[row];
    if (!hits || x < LABEL_W) return this.tooltip.hide();
    const list = inRow < BAR_H ? (findHit(hits.marks, x, 4) ? hits.marks : hits.bars) : hits.strip;
    const hit = findHit(list, x, inRow < BAR_H ? 4 : 0) ?? findHit(list, x, 0);
    if (hit && inRow < BAR_H + STRIP_H) this.tooltip.show(hit.lines(), e.clientX, e.clientY);
    else this.tooltip.hide();
  }

  /** Redraws everything. */
  draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = this.root.clientWidth;
    const height = TOP + Math.max(1, this.rows.length) * ROW_H;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext("2d");
    if (!ctx || !this.axis) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "12px system-ui, sans-serif";
    this.drawTicks(ctx, height);
    this.hits = this.rows.map((row, i) => this.drawRow(ctx, row, TOP + i * ROW_H));
    this.canvas.setAttribute("aria-label", this.describe());
  }

  /** A text summary of the map, for screen readers (and tests). */
  private describe(): string {
    return this.rows
      .map((r) => {
        const changed = [...r.lane.changed].slice(0, DESCRIBED).map((i) => {
          const v = r.lane.vmas[i] as VmaRecord;
          return range(v.start, v.end);
        });
        const more = r.lane.changed.size - changed.length;
        const list = `${changed.join(" ")}${more > 0 ? ` and ${more} more` : ""}`;
        const n = r.lane.vmas.length;
        return `${r.label}: ${n} VMA${n === 1 ? "" : "s"}${changed.length ? `, changed ${list}` : ""}`;
      })
      .join("; ");
  }

  private drawTicks(ctx: CanvasRenderingContext2D, height: number): void {
    const axis = this.axis as Axis;
    ctx.fillStyle = "#555";
    ctx.textBaseline = "middle";
    let lastLabel = -Infinity;
    for (const s of axis.segments()) {
      if (s.u1 < this.from || s.u0 > this.to) continue;
      const x0 = this.xOf(s.u0);
      const x1 = this.xOf(s.u1);
      if (x0 >= LABEL_W && x0 - lastLabel > 40) {
        ctx.fillText(addr(s.a), x0 + 2, 10);
        lastLabel = x0;
      }
      // a break mark in each compressed gap
      const g = this.xOf(s.u1 + axis.gap / 2);
      if (g > LABEL_W && g < LABEL_W + this.plotWidth()) {
        ctx.strokeStyle = "#bbb";
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(g, TOP - 4);
        ctx.lineTo(g, height);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (x1 - x0 > 80 && x1 <= LABEL_W + this.plotWidth() + 1) {
        ctx.textAlign = "right";
        ctx.fillText(addr(s.b), x1 - 2, 10);
        ctx.textAlign = "left";
      }
    }
  }

  private drawRow(
    ctx: CanvasRenderingContext2D,
    row: MapRow,
    y: number,
  ): { bars: Hit[]; strip: Hit[]; marks: Hit[] } {
    const axis = this.axis as Axis;
    const { vmas } = row.lane;
    ctx.fillStyle = "#222";
    ctx.textBaseline = "middle";
    ctx.fillText(row.label, 4, y + BAR_H / 2, LABEL_W - 8);
    ctx.save();
    ctx.beginPath();
    ctx.rect(LABEL_W, y - 2, this.plotWidth(), ROW_H);
    ctx.clip();
    const bars: Hit[] = [];
    const marks: Hit[] = [];
    const right = LABEL_W + this.plotWidth();
    for (let i = this.firstVisible(vmas, this.from); i < vmas.length;) {
      const v = vmas[i] as VmaRecord;
      const x0 = this.xOf(axis.unit(v.start));
      const x1 = this.xOf(axis.unit(v.end));
      if (x0 > right) break;
      const w = Math.max(1, x1 - x0);
      ctx.globalAlpha = v.perms.startsWith("---") ? 0.45 : 1;
      ctx.fillStyle = vmaColor(v);
      ctx.fillRect(x0, y, w, BAR_H);
      ctx.globalAlpha = 1;
      bars.push({ x0, x1: x0 + w, lines: () => vmaLines(v) });
      if (x1 - x0 < 2) {
        // dense: one VMA per pixel column, then on to the first VMA of the next column
        i = Math.max(i + 1, this.firstVisible(vmas, this.unitAt(Math.floor(x0) + 1)));
        continue;
      }
      i++;
      if (w > 3) {
        ctx.strokeStyle = "#fff";
        ctx.strokeRect(x0 + 0.5, y + 0.5, w - 1, BAR_H - 1);
      }
      if (w > 44) {
        ctx.fillStyle = "#111";
        const text = `${v.model?.anon_vma ?? "-"} ${v.perms}`;
        ctx.fillText(text, x0 + 4, y + BAR_H / 2, w - 8);
      }
      const next = v.model?.next;
      if (next && w > 8) {
        ctx.fillStyle = "#b00020";
        ctx.beginPath();
        ctx.moveTo(x1 - 4, y - 1);
        ctx.lineTo(x1 + 4, y - 1);
        ctx.lineTo(x1, y + 6);
        ctx.fill();
        marks.push({
          x0: x1 - 4,
          x1: x1 + 4,
          lines: () => [`${range(v.start, v.end)} | next: not merged`, verdict(next)],
        });
      }
    }
    ctx.strokeStyle = CHANGED;
    ctx.lineWidth = 3;
    for (const i of row.lane.changed) {
      const v = vmas[i] as VmaRecord;
      const x0 = this.xOf(axis.unit(v.start));
      const x1 = this.xOf(axis.unit(v.end));
      if (x1 < LABEL_W || x0 > right) continue;
      ctx.strokeRect(x0 + 1.5, y + 1.5, Math.max(1, x1 - x0 - 3), BAR_H - 3);
    }
    ctx.lineWidth = 1;
    this.drawUnmapped(ctx, row, y);
    const strip = this.drawPages(ctx, row, y + BAR_H + 2);
    ctx.restore();
    return { bars, strip, marks };
  }

  /** VMAs of the previous step that no VMA covers any more: dashed outlines. */
  private drawUnmapped(ctx: CanvasRenderingContext2D, row: MapRow, y: number): void {
    const axis = this.axis as Axis;
    ctx.strokeStyle = STALE;
    ctx.setLineDash([4, 3]);
    for (const v of row.lane.unmapped) {
      const x0 = this.xOf(axis.unit(v.start));
      const x1 = this.xOf(axis.unit(v.end));
      if (x1 < LABEL_W || x0 > LABEL_W + this.plotWidth()) continue;
      ctx.strokeRect(x0 + 1.5, y + 1.5, Math.max(1, x1 - x0 - 3), BAR_H - 3);
    }
    ctx.setLineDash([]);
  }

  private drawPages(ctx: CanvasRenderingContext2D, row: MapRow, y: number): Hit[] {
    const axis = this.axis as Axis;
    const runs = row.lane.pages;
    const hits: Hit[] = [];
    if (!runs) return hits;
    let lastPx = -1;
    for (const run of runs) {
      const x0 = this.xOf(axis.unit(run.start));
      const x1 = this.xOf(axis.unit(run.end));
      if (x1 < LABEL_W) continue;
      if (x0 > LABEL_W + this.plotWidth()) break;
      if (x1 - x0 < 1 && Math.floor(x0) === lastPx) continue;
      lastPx = Math.floor(x0);
      const status = pageStatus(run, row.lane.vmas, this.page);
      const stale = status.startsWith("stale");
      ctx.fillStyle = stale
        ? STALE
        : run.zero
          ? "#c8c8c8"
          : run.mapping === null
            ? "#7f8c8d"
            : anonColor(run.mapping);
      ctx.fillRect(x0, y, Math.max(1, x1 - x0), stale ? STRIP_H : STRIP_H - 2);
      hits.push({ x0, x1: Math.max(x0 + 1, x1), lines: () => pageLines(run, status, this.page) });
    }
    return hits;
  }

  /** The unit at canvas x `x`. */
  private unitAt(x: number): number {
    return this.from + ((x - LABEL_W) / this.plotWidth()) * (this.to - this.from);
  }

  /** Index of the first VMA that ends after unit `u` (binary search). */
  private firstVisible(vmas: readonly VmaRecord[], u: number): number {
    const axis = this.axis as Axis;
    let lo = 0;
    let hi = vmas.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (axis.unit((vmas[mid] as VmaRecord).end) <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function pageLines(run: PageRun, status: string, page: number): string[] {
  const n = (run.end - run.start) / page;
  const what = run.zero ? "zero page" : `mapping ${run.mapping ?? "?"}, index ${run.index}…`;
  return [
    `${range(run.start, run.end)}: ${n} resident page${n === 1 ? "" : "s"}`,
    what,
    `mapcount ${run.mapcount}`,
    status,
  ];
}

/** The hit at x (within `slack` pixels), by binary search over x-ordered hits. */
function findHit(hits: readonly Hit[], x: number, slack: number): Hit | undefined {
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((hits[mid] as Hit).x1 + slack < x) lo = mid + 1;
    else hi = mid;
  }
  const h = hits[lo];
  return h && h.x0 - slack <= x ? h : undefined;
}
