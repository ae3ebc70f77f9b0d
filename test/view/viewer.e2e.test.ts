// End to end in Debian's Chromium (driven by playwright-core, no browser download): the
// offline report of an example, stepped through with the keyboard and checked against the
// model's records; markup in names and echo text; several runs side by side with a replay
// series; and `vmasim view` serving the same page. Screenshots go to a temporary directory.
// Skipped, with a message, where /usr/bin/chromium is absent (`apt-get install chromium`).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseScenario } from "../../src/input/scenario.js";
import { listPolicies } from "../../src/policy/registry.js";
import { DEFAULT_OPTIONS } from "../../src/model/options.js";
import { runModel } from "../../src/model/run.js";
import { isEcho, isHeader, type StepRecord, type VmaRecord } from "../../src/report/record.js";
import { cli, scenarioFiles } from "../cli/harness.js";

const CHROMIUM = "/usr/bin/chromium";
const EXAMPLE = "scenarios/examples/faulted-move-next-to-neighbour.vms";
const available = existsSync(CHROMIUM);
if (!available) {
  console.warn(`SKIPPED: viewer end-to-end tests need ${CHROMIUM} (apt-get install chromium)`);
}

const shots = mkdtempSync(join(tmpdir(), "vmasim-viewer-shots-"));
let context: BrowserContext;

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector(".step-label");
  return { page, errors };
}

async function shot(page: Page, name: string): Promise<void> {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(10_000);
}

/** A VMA as the viewer compares it: everything but the verdict on the next VMA. */
function key(v: VmaRecord): string {
  return JSON.stringify(v.model ? { ...v, model: { ...v.model, next: null } } : v);
}

const rangeText = (v: VmaRecord) => `${v.start / 4096}p–${v.end / 4096}p`;

describe.skipIf(!available)("the viewer in Chromium", () => {
  beforeAll(async () => {
    execFileSync(process.execPath, ["viewer/build.mjs"]); // the bundle the CLI inlines
    context = await chromium.launchPersistentContext(
      mkdtempSync(join(tmpdir(), "vmasim-chromium-")),
      {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1400, height: 1000 },
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      },
    );
    console.log(`viewer screenshots: ${shots}`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  test("stepping through the example shows the model's VMAs, verdicts and changes", async () => {
    const out = join(shots, "report.html");
    const r = await cli("report", "--html", out, EXAMPLE);
    expect(r.stderr).toContain(`wrote ${out}`);
    expect(r.code).toBe(0);
    const records = [
      ...runModel(parseScenario(readFileSync(EXAMPLE, "utf8"), EXAMPLE), EXAMPLE, {
        ...DEFAULT_OPTIONS,
      }),
    ].slice(1);
    const { page, errors } = await open(`file://${out}`);
    const col = page.locator('.run-col[data-run="linux-6.18"]');
    let before: StepRecord | null = null;
    const seen: string[] = [];
    for (const [i, rec] of records.entries()) {
      if (i > 0) await page.keyboard.press("ArrowRight");
      if (isHeader(rec)) throw new Error("a second header");
      await expect
        .poll(() => page.locator(".step-label").textContent())
        .toBe(`step ${rec.step} of ${records.length}`);
      if (isEcho(rec)) {
        expect(await page.locator(".chapter").textContent()).toBe(rec.echo);
        continue;
      }
      const lane = col.locator(`.lane[data-proc="${rec.proc}"]`);
      expect(await lane.locator(".nvma").textContent()).toBe(
        `${rec.nvma} VMA${rec.nvma === 1 ? "" : "s"}`,
      );
      expect(await lane.locator(".vma-row:not(.head) .c-range").allTextContents()).toEqual(
        rec.vmas.map(rangeText),
      );
      const verdicts = await lane.locator(".vma-row:not(.head) .c-verdict").allTextContents();
      rec.vmas.forEach((v, j) => {
        const next = v.model?.next;
        const detail = next?.detail === undefined ? "" : ` (${next.detail})`;
        expect(verdicts[j]).toBe(next ? `✕ ${next.reason}${detail}` : "");
      });
      const had = new Set((before?.vmas ?? []).map(key));
      const changed = rec.vmas.filter((v) => !had.has(key(v))).map(rangeText);
      expect(await lane.locator(".vma-row.changed .c-range").allTextContents()).toEqual(changed);
      const label = await page.locator("canvas.map").getAttribute("aria-label");
      expect(label).toContain(`p${rec.proc}: ${rec.nvma} VMA${rec.nvma === 1 ? "" : "s"}`);
      if (changed.length) expect(label).toContain(`changed ${changed.join(" ")}`);
      const merges = await col.locator(".merges .merge").allTextContents();
      expect(merges).toHaveLength(rec.model?.merges.length ?? 0);
      if (rec.op === "mremap 100p 4p 4p MAYMOVE|FIXED 4p") {
        // the faulted VMA moved next to A is the change, and the pair stays two
        expect(changed).toEqual(["4p–8p"]);
        expect(verdicts[0]).toBe("✕ anon-vma-differs (av2 ≠ av1)");
        expect(merges[0]).toContain("copy_vma 4p–8p");
        expect(merges[0]).toContain("prev: anon-vma-differs (av2 ≠ av1)");
        expect(merges[0]).toContain("→ not merged");
        // hovering over the first VMA on the map shows its fields and the verdict
        const box = (await page.locator("canvas.map").boundingBox())!;
        await page.mouse.move(box.x + 160, box.y + 22 + 15);
        const tip = await page.locator(".tooltip").textContent();
        expect(tip).toContain("0p–4p  (4 pages)");
        expect(tip).toContain("with next: not merged, anon-vma-differs (av2 ≠ av1)");
        await page.mouse.move(0, 0);
        await shot(page, "faulted-move-two-vmas");
        seen.push("two");
      }
      if (rec.op === "mremap 200p 4p 4p MAYMOVE|FIXED 24p") {
        // the unfaulted one merges: one VMA 20p-28p, which is what changed
        expect(changed).toEqual(["20p–28p"]);
        expect(merges[0]).toContain("→ merged with prev");
        await shot(page, "unfaulted-move-one-vma");
        seen.push("one");
      }
      before = rec;
    }
    expect(seen).toEqual(["two", "one"]);
    await page.keyboard.press("Home");
    await expect
      .poll(() => page.locator(".step-label").textContent())
      .toBe(`step 1 of ${records.length}`);
    await shot(page, "first-step");
    expect(errors).toEqual([]);
  });

  test.skipIf(!listPolicies().some((p) => p.name === "safe-merge"))(
    "linux-6.18 and safe-merge side by side: two VMAs against one",
    async () => {
      const out = join(shots, "policies.html");
      const r = await cli("report", "--html", out, "--policy", "linux-6.18,safe-merge", EXAMPLE);
      expect(r.stderr).toContain(`wrote ${out}`);
      const { page, errors } = await open(`file://${out}#file=0&step=9`);
      const count = (run: string) =>
        page.locator(`.run-col[data-run="${run}"] .lane[data-proc="0"] .nvma`).textContent();
      expect(await count("linux-6.18")).toBe("2 VMAs");
      expect(await count("safe-merge")).toBe("1 VMA");
      expect(
        await page.locator('.run-col[data-run="safe-merge"] .merges .merge').textContent(),
      ).toContain("→ merged with prev");
      const label = await page.locator("canvas.map").getAttribute("aria-label");
      expect(label).toContain("linux-6.18 · p0: 2 VMAs, changed 4p–8p");
      expect(label).toContain("safe-merge · p0: 1 VMA, changed 0p–8p");
      await shot(page, "linux-6.18-vs-safe-merge");
      expect(errors).toEqual([]);
    },
  );

  test("markup in an echo or a VMA name stays text and runs nothing", async () => {
    const evil = "</script><script>window.__pwned=1</script>";
    const f = scenarioFiles({
      "evil.vms": `echo ${evil}\nmmap 0 4p\nname 0 4p ${evil.replace("1", "2")}\ntouch 0 4p\n`,
    });
    const out = join(f.dir, "evil.html");
    const r = await cli("report", "--anon-name", "--html", out, f["evil.vms"]!);
    expect(r.code).toBe(0);
    const { page, errors } = await open(`file://${out}`);
    expect(await page.locator(".chapter").textContent()).toBe(evil);
    await page.keyboard.press("End");
    expect(await page.locator(".vma-row:not(.head) .c-name").allTextContents()).toEqual([
      `[anon:${evil.replace("1", "2")}]`,
    ]);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(await page.evaluate("document.scripts.length")).toBe(2);
    await shot(page, "markup-in-names");
    expect(errors).toEqual([]);
  });

  test("several runs side by side, and a replay's VMA count over time", async () => {
    const jsonl = await cli("run", "--format", "jsonl", "--zero-page", "off", EXAMPLE);
    const f = scenarioFiles({
      "recorded.jsonl": jsonl.stdout,
      "replay.json": JSON.stringify({
        vmasim_series: 1,
        title: "a replay",
        x: "operations",
        series: [
          {
            label: "linux-6.18",
            points: [
              [0, 1],
              [500, 300],
              [1000, 420],
            ],
          },
          {
            label: "safe-merge",
            points: [
              [0, 1],
              [500, 80],
              [1000, 95],
            ],
          },
        ],
      }),
    });
    const out = join(f.dir, "side.html");
    const r = await cli("report", "--html", out, EXAMPLE, f["recorded.jsonl"]!, f["replay.json"]!);
    expect(r.code).toBe(0);
    const { page, errors } = await open(`file://${out}#file=0&step=9`);
    expect(await page.locator(".run-col").count()).toBe(2);
    const label = await page.locator("canvas.map").getAttribute("aria-label");
    expect(label?.split("; ")).toHaveLength(2);
    expect(await page.locator(".replays h2").textContent()).toBe("VMA count over time: a replay");
    expect(await page.locator(".replays figcaption").textContent()).toContain(
      "safe-merge (last: 95)",
    );
    await shot(page, "side-by-side");
    // unticking a run removes its column
    await page.locator(".run-toggles input").nth(1).uncheck();
    expect(await page.locator(".run-col").count()).toBe(1);
    expect(errors).toEqual([]);
  });

  test("tens of thousands of VMAs: only what is visible is built, and a step stays quick", async () => {
    const n = 40_000;
    const f = scenarioFiles({ "many.jsonl": manyVmas(n, 4) });
    const out = join(f.dir, "many.html");
    expect((await cli("report", "--html", out, f["many.jsonl"]!)).code).toBe(0);
    const { page, errors } = await open(`file://${out}`);
    const started = Date.now();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.locator(".step-label").textContent()).toBe("step 2 of 4");
    const ms = Date.now() - started;
    console.log(`one step with ${n} VMAs: ${ms} ms`);
    expect(ms).toBeLessThan(5_000);
    expect(await page.locator(".nvma").textContent()).toBe(`${n - 2} VMAs`);
    expect(await page.locator(".vma-row").count()).toBeLessThan(60);
    expect(await page.locator("canvas.map").getAttribute("aria-label")).toBe(`p0: ${n - 2} VMAs`);
    await page.keyboard.press("+");
    await shot(page, "many-vmas");
    expect(errors).toEqual([]);
  });

  test("vmasim view serves the same viewer on localhost", async () => {
    const child = spawn(process.execPath, ["bin/vmasim.js", "view", "--port", "0", EXAMPLE], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const [chunk] = (await once(child.stdout, "data")) as [Buffer];
      const url = chunk.toString().trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const { page, errors } = await open(url);
      await page.keyboard.press("ArrowRight");
      expect(await page.locator(".step-label").textContent()).toBe("step 2 of 19");
      expect((await fetch(`${url}nope`)).status).toBe(404);
      expect(errors).toEqual([]);
    } finally {
      child.kill("SIGTERM");
    }
    const [code] = (await once(child, "exit")) as [number];
    expect(code).toBe(0);
  });
});

/** Records of a run with `n` adjacent VMAs, each step unmapping the middle one. */
function manyVmas(n: number, steps: number): string {
  const header = {
    vmasim: 1,
    engine: "model",
    policy: "linux-6.18",
    file: "many.vms",
    base: "0x200000000000",
    size: 2 ** 40,
    page: 4096,
    zero_page: true,
    anon_name: false,
  };
  let vmas: VmaRecord[] = Array.from({ length: n }, (_, i) => {
    const av = `av${(i % 300) + 1}`;
    return {
      start: i * 8192,
      end: (i + 1) * 8192,
      perms: i % 3 ? "rw-p" : "r--p",
      kind: "anon",
      rss_kb: 8,
      anon_kb: 8,
      shared_kb: 0,
      swap_kb: 0,
      thp_kb: 0,
      vmflags: "rd wr mr mw me ac",
      model: {
        pgoff: i * 2,
        anon_vma: av,
        chain: [av],
        next: { merged: false, reason: "anon-vma-differs" },
      },
    };
  });
  const lines = [JSON.stringify(header)];
  for (let step = 1; step <= steps; step++) {
    vmas = vmas.filter((_, i) => i !== vmas.length >> 1);
    const rec = { step, proc: 0, op: `munmap ${step}`, ret: 0, err: "", note: "" };
    lines.push(JSON.stringify({ ...rec, nvma: vmas.length, vmas, model: { merges: [] } }));
  }
  return `${lines.join("\n")}\n`;
}
