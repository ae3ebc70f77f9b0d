// One run's column under the map: the step's outcome, its merge attempts, the VMAs with
// the verdict on each adjacent pair, the anon_vma tree with its chains to the VMAs, and
// where each resident page's mapping points.

import type { AnonVmaRecord, MergeAttempt, VmaRecord } from "../../src/report/record.js";
import { anonColor, vmaColor } from "./colors.js";
import { el, fill } from "./dom.js";
import { anon, range, verdict, vmaLines } from "./format.js";
import { pageStatus, type Lane, type RunState } from "./state.js";
import { VirtualList } from "./virtual-list.js";

const ROW_H = 24;
/** At most this many anon_vma trees are listed. */
const TREES = 200;

export class RunColumn {
  readonly root = el("section", "run-col");
  private readonly title = el("h2");
  private readonly outcome = el("div", "outcome");
  private readonly merges = el("div", "merges");
  private readonly lanes = el("div", "lanes");
  private readonly tree = el("div", "tree");
  private readonly table = new Map<number, VirtualList>();

  constructor(readonly label: string) {
    this.root.dataset.run = label;
    this.title.textContent = label;
    this.root.append(
      this.title,
      this.outcome,
      el("h3", "", "Merge attempts in this step"),
      this.merges,
      this.lanes,
      el("h3", "", "anon_vma tree"),
      this.tree,
    );
  }

  show(state: RunState, page: number): void {
    const s = state.step;
    const outcome: Array<HTMLElement | string> = [];
    if (s) {
      const failed = (s.note ?? "").startsWith("EXPECT FAIL");
      outcome.push(
        el("span", "op", `p${s.proc} ${s.op}`),
        ` = ${s.ret}${s.err ? ` (${s.err})` : ""}`,
      );
      if (s.note) outcome.push(el("span", failed ? "note fail" : "note", s.note));
      for (const v of s.violations ?? [])
        outcome.push(el("div", "violation", `${v.id}: ${v.message}`));
    } else {
      outcome.push("before the first operation");
    }
    fill(this.outcome, ...outcome);
    fill(
      this.merges,
      ...(s?.merges?.length ? s.merges.map(mergeLine) : [el("div", "muted", "none")]),
    );
    fill(this.lanes, ...state.lanes.map((lane) => this.laneView(lane, page)));
    fill(this.tree, ...anonTree(state));
  }

  private laneView(lane: Lane, page: number): HTMLElement {
    let list = this.table.get(lane.proc);
    if (!list) {
      list = new VirtualList(ROW_H, 14);
      this.table.set(lane.proc, list);
    }
    const names = lane.vmas.some((v) => v.name !== undefined);
    const header = el(
      "div",
      "vma-row head",
      el("span", "c-range", "range"),
      el("span", "c-perms", "perms"),
      el("span", "c-flags", "vmflags"),
      el("span", "c-pgoff", "pgoff"),
      el("span", "c-anon", "anon_vma [chain]"),
      names && el("span", "c-name", "name"),
      el("span", "c-verdict", "merge with next"),
    );
    list.set(lane.vmas.length, (i) =>
      vmaRow(lane.vmas[i] as VmaRecord, lane.changed.has(i), names),
    );
    const firstChanged = Math.min(...lane.changed);
    if (firstChanged < lane.vmas.length) list.reveal(firstChanged);
    const n = lane.vmas.length;
    const box = el(
      "div",
      "lane",
      el("h3", "", `p${lane.proc}: `, el("span", "nvma", `${n} VMA${n === 1 ? "" : "s"}`)),
      header,
      list.root,
    );
    box.dataset.proc = String(lane.proc);
    if (lane.pages) box.append(pagesView(lane, page));
    return box;
  }
}

function vmaRow(v: VmaRecord, changed: boolean, names: boolean): HTMLElement {
  const swatch = el("span", "swatch");
  swatch.style.background = vmaColor(v);
  const next = v.model?.next;
  const row = el(
    "div",
    changed ? "vma-row changed" : "vma-row",
    el("span", "c-range", swatch, range(v.start, v.end)),
    el("span", "c-perms", v.perms),
    el("span", "c-flags", v.vmflags),
    el("span", "c-pgoff", v.model ? String(v.model.pgoff) : ""),
    el("span", "c-anon", anon(v)),
    names && el("span", "c-name", v.name ?? ""),
    el("span", next ? "c-verdict verdict" : "c-verdict", next ? `✕ ${verdict(next)}` : ""),
  );
  row.title = vmaLines(v).join("\n");
  return row;
}

function mergeLine(m: MergeAttempt): HTMLElement {
  const side = (name: string, v: MergeAttempt["prev"]) =>
    el("span", v ? (v.merged ? "ok" : "no") : "muted", `${name}: ${v ? verdict(v) : "–"}`);
  return el(
    "div",
    "merge",
    el("span", "fn", m.fn),
    ` ${range(m.start, m.end)}  `,
    side("prev", m.prev),
    "; ",
    side("next", m.next),
    " → ",
    el(
      "span",
      m.result === "none" ? "result no" : "result ok",
      m.result === "none" ? "not merged" : `merged with ${m.result}`,
    ),
  );
}

/** The anon_vma forest, each node with the VMAs whose chain links to it. */
function anonTree(state: RunState): HTMLElement[] {
  const users = new Map<string, Array<{ proc: number; v: VmaRecord }>>();
  for (const lane of state.lanes) {
    for (const v of lane.vmas) {
      for (const av of v.model?.chain ?? []) {
        const list = users.get(av) ?? [];
        list.push({ proc: lane.proc, v });
        users.set(av, list);
      }
    }
  }
  const nodes: AnonVmaRecord[] =
    state.anonVmas ?? [...users.keys()].map((name) => ({ name, parent: name, root: name }));
  if (nodes.length === 0) return [el("div", "muted", "no anon_vma")];
  const children = new Map<string, AnonVmaRecord[]>();
  for (const n of nodes) {
    if (n.parent === n.name) continue;
    const list = children.get(n.parent) ?? [];
    list.push(n);
    children.set(n.parent, list);
  }
  const known = new Set(nodes.map((n) => n.name));
  const node = (n: AnonVmaRecord): HTMLElement => {
    const dot = el("span", "swatch");
    dot.style.background = anonColor(n.name);
    const vmas = users.get(n.name) ?? [];
    const shown = vmas
      .slice(0, 8)
      .map(({ proc, v }) =>
        el(
          "span",
          v.model?.anon_vma === n.name ? "user own" : "user",
          `p${proc} ${range(v.start, v.end)}`,
        ),
      );
    const more = vmas.length > 8 ? el("span", "muted", ` +${vmas.length - 8} more`) : null;
    return el(
      "li",
      "",
      el("span", "av", dot, n.name),
      n.root !== n.name ? el("span", "muted", ` root ${n.root}`) : null,
      " ← ",
      ...(vmas.length ? shown : [el("span", "muted", "no VMA")]),
      more,
      (children.get(n.name) ?? []).length
        ? el("ul", "", ...(children.get(n.name) ?? []).map(node))
        : null,
    );
  };
  const roots = nodes.filter((n) => n.parent === n.name || !known.has(n.parent));
  const more = roots.length - TREES;
  return [
    el("ul", "forest", ...roots.slice(0, TREES).map(node)),
    ...(more > 0 ? [el("div", "muted", `+${more} more trees`)] : []),
  ];
}

function pagesView(lane: Lane, page: number): HTMLElement {
  const runs = lane.pages ?? [];
  const list = new VirtualList(ROW_H, 8);
  list.set(runs.length, (i) => {
    const r = runs[i] as NonNullable<Lane["pages"]>[number];
    const status = pageStatus(r, lane.vmas, page);
    const n = (r.end - r.start) / page;
    return el(
      "div",
      status.startsWith("stale") ? "page-row stale" : "page-row",
      el("span", "c-range", `${range(r.start, r.end)} (${n})`),
      el("span", "c-map", r.zero ? "zero page" : `→ ${r.mapping ?? "?"} @ ${r.index}`),
      el("span", "c-count", `mapcount ${r.mapcount}`),
      el("span", "c-status", status),
    );
  });
  return el("div", "pages", el("h3", "", `Resident pages (${runs.length} runs)`), list.root);
}
