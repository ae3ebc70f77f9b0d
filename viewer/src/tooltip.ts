// One floating tooltip for the whole page, filled with text lines.

import { el, fill } from "./dom.js";

export class Tooltip {
  private readonly box = el("div", "tooltip");

  constructor() {
    this.box.hidden = true;
    document.body.append(this.box);
  }

  show(lines: readonly string[], x: number, y: number): void {
    fill(this.box, ...lines.map((l) => el("div", "", l)));
    this.box.hidden = false;
    const w = this.box.offsetWidth;
    const h = this.box.offsetHeight;
    const left = x + 14 + w > window.innerWidth ? x - 14 - w : x + 14;
    const top = y + 14 + h > window.innerHeight ? y - 14 - h : y + 14;
    this.box.style.left = `${Math.max(0, left) + window.scrollX}px`;
    this.box.style.top = `${Math.max(0, top) + window.scrollY}px`;
  }

  hide(): void {
    this.box.hidden = true;
  }
}
