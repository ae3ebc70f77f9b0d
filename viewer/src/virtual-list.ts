// A scrolling list that creates rows only for what is in view, so a list of tens of
// thousands of VMAs costs what a screenful costs.

import { el, fill } from "./dom.js";

export class VirtualList {
  readonly root = el("div", "vlist");
  private readonly inner = el("div", "vlist-inner");
  private count = 0;
  private row: (i: number) => HTMLElement = () => el("div");

  constructor(
    private readonly rowHeight: number,
    maxRows: number,
  ) {
    this.root.style.maxHeight = `${rowHeight * maxRows}px`;
    this.root.append(this.inner);
    this.root.addEventListener("scroll", () => this.render());
  }

  /** Shows `count` rows built by `row`. */
  set(count: number, row: (i: number) => HTMLElement): void {
    this.count = count;
    this.row = row;
    this.inner.style.height = `${count * this.rowHeight}px`;
    this.render();
  }

  /** Scrolls so that row `i` is in view. */
  reveal(i: number): void {
    const top = i * this.rowHeight;
    const h = this.root.clientHeight;
    if (top < this.root.scrollTop || top + this.rowHeight > this.root.scrollTop + h) {
      this.root.scrollTop = Math.max(0, top - h / 3);
    }
  }

  private render(): void {
    const h = this.root.clientHeight || this.rowHeight * 12;
    const first = Math.max(0, Math.floor(this.root.scrollTop / this.rowHeight) - 4);
    const last = Math.min(this.count, Math.ceil((this.root.scrollTop + h) / this.rowHeight) + 4);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const r = this.row(i);
      r.style.top = `${i * this.rowHeight}px`;
      r.style.height = `${this.rowHeight}px`;
      rows.push(r);
    }
    fill(this.inner, ...rows);
  }
}
