// The viewer: reads the embedded data and lays out the timeline, the address-space map, one
// column per run (policy) and the VMA-count charts. ←/→ step (Shift: 10 steps), Home/End
// jump, +/-/0 zoom the map. The step is kept in the URL's #fragment.

import type { ViewData, ViewGroup, ViewStep } from "../../src/view/data.js";
import { DATA_ELEMENT_ID } from "../../src/view/html.js";
import { Axis } from "./axis.js";
import { Chart, type Line } from "./chart.js";
import { RunColumn } from "./details.js";
import { el, fill } from "./dom.js";
import { AddressMap, type MapRow } from "./map.js";
import { RunDecoder } from "./state.js";
import { Tooltip } from "./tooltip.js";

const data = JSON.parse(document.getElementById(DATA_ELEMENT_ID)?.textContent ?? "{}") as ViewData;
const app = document.getElementById("app") as HTMLElement;
const tooltip = new Tooltip();

let group: ViewGroup | null = null;
let decoders: RunDecoder[] = [];
let shown: boolean[] = [];
let columns: RunColumn[] = [];
let index = 0;

const fileSelect = el("select", "file-select");
const runToggles = el("span", "run-toggles");
const slider = el("input", "slider");
slider.type = "range";
slider.min = "0";
slider.setAttribute("aria-label", "step");
const prevButton = el("button", "", "◀");
const nextButton = el("button", "", "▶");
prevButton.title = "previous step (←)";
nextButton.title = "next step (→)";
const stepLabel = el("span", "step-label");
const chapter = el("div", "chapter");
const opLine = el("div", "op-line");
const mapBox = el("div", "map-box");
const map = new AddressMap(mapBox, tooltip);
const columnsBox = el("div", "columns");
const stepChart = new Chart("step", (step) => go(stepIndexOf(step)));
const replays = el("section", "replays");

function button(text: string, title: string, action: () => void): HTMLButtonElement {
  const b = el("button", "", text);
  b.title = title;
  b.addEventListener("click", action);
  return b;
}

function layout(): void {
  const groups = data.groups ?? [];
  fileSelect.replaceChildren(...groups.map((g) => el("option", "", g.file)));
  groups.forEach((_, i) => ((fileSelect.options[i] as HTMLOptionElement).value = String(i)));
  fileSelect.hidden = groups.length < 2;
  fileSelect.addEventListener("change", () => selectGroup(Number(fileSelect.value), 0));
  slider.addEventListener("input", () => go(Number(slider.value)));
  prevButton.addEventListener("click", () => go(index - 1));
  nextButton.addEventListener("click", () => go(index + 1));
  const title = el("h1", "", "vmasim");
  const zoom = el(
    "span",
    "zoom",
    button("−", "zoom out (-)", () => map.zoom(1.5)),
    button("+", "zoom in (+)", () => map.zoom(1 / 1.5)),
    button("fit", "whole range (0)", () => map.fit()),
  );
  app.append(
    el("header", "", title, fileSelect, runToggles),
    el("div", "timeline", prevButton, slider, nextButton, stepLabel),
    chapter,
    opLine,
    el(
      "div",
      "map-head",
      el("h2", "", "Address space"),
      zoom,
      el(
        "span",
        "muted",
        "wheel: zoom · drag: pan · hover: details · orange: changed in this step · dashed: unmapped in this step · ▼: adjacent, not merged · strip: resident pages (red: stale mapping)",
      ),
    ),
    mapBox,
    columnsBox,
    el("section", "counts", el("h2", "", "VMA count per step"), stepChart.root),
    replays,
  );
  if (groups.length === 0) app.append(el("p", "muted", "No runs to show."));
  layoutReplays();
}

/** The replays' charts, one per title of each series file. */
function layoutReplays(): void {
  const charts = new Map<string, ViewData["series"]>();
  for (const s of data.series ?? []) {
    const key = JSON.stringify([s.file, s.title]);
    charts.set(key, [...(charts.get(key) ?? []), s]);
  }
  for (const [, list] of charts) {
    const first = list[0];
    if (!first) continue;
    const chart = new Chart(first.x);
    replays.append(el("h2", "", `VMA count over time: ${first.title}`), chart.root);
    chart.set(
      list.map((s): Line => ({ label: s.label, points: s.points })),
      null,
    );
  }
}

function selectGroup(g: number, at: number): void {
  group = data.groups[g] ?? null;
  if (!group) return;
  fileSelect.value = String(g);
  decoders = group.runs.map((r) => new RunDecoder(data, r));
  shown = group.runs.map(() => true);
  columns = group.runs.map((r) => new RunColumn(r.label));
  fill(
    runToggles,
    ...(group.runs.length < 2
      ? []
      : group.runs.map((r, i) => {
          const box = el("input");
          box.type = "checkbox";
          box.checked = true;
          box.addEventListener("change", () => {
            shown[i] = box.checked;
            render();
          });
          return el("label", "toggle", box, r.label);
        })),
  );
  map.setAxis(new Axis(group.extent));
  slider.max = String(Math.max(0, stepCount() - 1));
  index = -1;
  go(at);
}

function stepCount(): number {
  return Math.max(0, ...(group?.runs ?? []).map((r) => r.steps.length));
}

function longestSteps(): ViewStep[] {
  const runs = group?.runs ?? [];
  return runs.reduce<ViewStep[]>((a, r) => (r.steps.length > a.length ? r.steps : a), []);
}

/** The index of step number `step` (or the nearest before it). */
function stepIndexOf(step: number): number {
  const steps = longestSteps();
  let i = 0;
  while (i + 1 < steps.length && (steps[i + 1] as ViewStep).step <= step) i++;
  return i;
}

function go(i: number): void {
  const n = stepCount();
  const next = Math.max(0, Math.min(n - 1, i));
  if (next === index) return;
  index = next;
  render();
}

function render(): void {
  if (!group) return;
  const steps = longestSteps();
  const step = steps[index];
  slider.value = String(index);
  stepLabel.textContent = step ? `step ${step.step} of ${steps.length}` : "no steps";
  let echo: string | null = null;
  for (let i = index; i >= 0 && echo === null; i--) echo = steps[i]?.echo ?? null;
  chapter.textContent = echo ?? "";
  const real = steps
    .slice(0, index + 1)
    .reverse()
    .find((s) => s.op !== undefined);
  opLine.textContent = step?.echo !== undefined ? "" : real ? `p${real.proc} ${real.op}` : "";
  history.replaceState(null, "", `#file=${fileSelect.value}&step=${step?.step ?? 0}`);
  const rows: MapRow[] = [];
  const visible = group.runs.map((_, i) => i).filter((i) => shown[i]);
  fill(columnsBox, ...visible.map((i) => (columns[i] as RunColumn).root));
  for (const i of visible) {
    const d = decoders[i] as RunDecoder;
    const state = d.stateAfter(index);
    (columns[i] as RunColumn).show(state, d.run.header.page);
    for (const lane of state.lanes) {
      rows.push({
        label: visible.length > 1 ? `${d.run.label} · p${lane.proc}` : `p${lane.proc}`,
        lane,
      });
    }
  }
  map.setRows(rows, group.runs[0]?.header.page ?? 4096);
  stepChart.set(
    visible.map((i) => {
      const r = group?.runs[i];
      const points = (r?.steps ?? [])
        .filter((s) => s.nvma !== undefined)
        .map((s): [number, number] => [s.step, s.nvma as number]);
      return { label: r?.label ?? "", points };
    }),
    step?.step ?? null,
  );
}

function onKey(e: KeyboardEvent): void {
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === "SELECT" || (t.tagName === "INPUT" && t !== slider))) return;
  const jump = e.shiftKey ? 10 : 1;
  const actions: Record<string, () => void> = {
    ArrowLeft: () => go(index - jump),
    ArrowRight: () => go(index + jump),
    Home: () => go(0),
    End: () => go(stepCount() - 1),
    "+": () => map.zoom(1 / 1.5),
    "=": () => map.zoom(1 / 1.5),
    "-": () => map.zoom(1.5),
    "0": () => map.fit(),
  };
  const action = actions[e.key];
  if (!action) return;
  e.preventDefault();
  action();
}

function fromHash(): { file: number; step: number } {
  const params = new URLSearchParams(location.hash.slice(1));
  return { file: Number(params.get("file") ?? 0) || 0, step: Number(params.get("step") ?? 0) || 0 };
}

layout();
document.addEventListener("keydown", onKey);
const start = fromHash();
if (data.groups?.length) {
  const g = start.file < data.groups.length ? start.file : 0;
  group = data.groups[g] ?? null;
  selectGroup(g, start.step > 0 ? stepIndexOf(start.step) : 0);
}
