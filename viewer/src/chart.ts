// A line chart of VMA count over time, one line per policy, on a canvas: per-step counts of
// the runs shown, or a replay's series. Dense series are drawn as per-pixel min/max.

import { runColor } from "./colors.js";
import { el } from "./dom.js";

export interface Line {
  label: string;
  points: ReadonlyArray<readonly [number, number]>;
}

const H = 160;
const PAD = { l: 48, r: 12, t: 10, b: 24 };

export class Chart {
  readonly root = el("figure", "chart");
  private readonly canvas = el("canvas");
  private readonly legend = el("figcaption");
  private lines: Line[] = [];
  private cursor: number | null = null;
  private xMin = 0;
  private xMax = 1;

  constructor(
    private readonly xLabel: string,
    onPick?: (x: number) => void,
  ) {
    this.root.append(this.canvas, this.legend);
    new ResizeObserver(() => this.draw()).observe(this.root);
    if (onPick) {
      this.canvas.addEventListener("click", (e) => {
        const r = this.canvas.getBoundingClientRect();
        const f = (e.clientX - r.left - PAD.l) / (r.width - PAD.l - PAD.r);
        onPick(Math.round(this.xMin + Math.min(1, Math.max(0, f)) * (this.xMax - this.xMin)));
      });
    }
  }

  set(lines: Line[], cursor: number | null): void {
    this.lines = lines;
    this.cursor = cursor;
    this.legend.replaceChildren(
      ...lines.map((l, i) => {
        const key = el("span", "key");
        key.style.background = runColor(i);
        const last = l.points[l.points.length - 1];
        return el("span", "legend", key, `${l.label}${last ? ` (last: ${last[1]})` : ""}`);
      }),
      el("span", "muted", `  x: ${this.xLabel}, y: VMAs`),
    );
    this.draw();
  }

  private draw(): void {
    const width = this.root.clientWidth || 600;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${H}px`;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(H * dpr);
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    const all = this.lines.flatMap((l) => l.points);
    if (all.length === 0) return;
    this.xMin = Math.min(...all.map((p) => p[0]));
    this.xMax = Math.max(this.xMin + 1, ...all.map((p) => p[0]));
    const yMax = Math.max(1, ...all.map((p) => p[1]));
    const w = width - PAD.l - PAD.r;
    const h = H - PAD.t - PAD.b;
    const X = (x: number) => PAD.l + ((x - this.xMin) / (this.xMax - this.xMin)) * w;
    const Y = (y: number) => PAD.t + h - (y / yMax) * h;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#555";
    ctx.strokeStyle = "#ccc";
    ctx.strokeRect(PAD.l, PAD.t, w, h);
    ctx.textAlign = "right";
    ctx.fillText(String(yMax), PAD.l - 4, PAD.t + 8);
    ctx.fillText("0", PAD.l - 4, PAD.t + h);
    ctx.textAlign = "left";
    ctx.fillText(String(this.xMin), PAD.l, H - 6);
    ctx.textAlign = "right";
    ctx.fillText(String(this.xMax), PAD.l + w, H - 6);
    ctx.textAlign = "left";
    this.lines.forEach((line, i) => {
      ctx.strokeStyle = runColor(i);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let px = -1;
      let lo = 0;
      let hi = 0;
      const flush = () => {
        if (px < 0) return;
        ctx.lineTo(px, Y(lo));
        ctx.lineTo(px, Y(hi));
      };
      line.points.forEach(([x, y], j) => {
        const p = Math.round(X(x));
        if (j === 0) ctx.moveTo(p, Y(y));
        if (p !== px) {
          flush();
          px = p;
          lo = hi = y;
        } else {
          lo = Math.min(lo, y);
          hi = Math.max(hi, y);
        }
      });
      flush();
      ctx.stroke();
    });
    if (this.cursor !== null) {
      ctx.strokeStyle = "#ff7f0e";
      ctx.beginPath();
      ctx.moveTo(X(this.cursor), PAD.t);
      ctx.lineTo(X(this.cursor), PAD.t + h);
      ctx.stroke();
    }
  }
}
