// The viewer's compiled script and style, read from dist/viewer/ (built by `npm run
// build:viewer`, part of `npm install` and `npm test`), found from src/ (tests) and from
// dist/src/ (the installed command) alike.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ViewerAssets } from "../view/html.js";

const SCRIPT = "dist/viewer/viewer.js";
const STYLE = "dist/viewer/viewer.css";

/** The assets, from the nearest enclosing directory that has them. */
export async function loadViewerAssets(): Promise<ViewerAssets> {
  let dir = new URL(".", import.meta.url);
  for (;;) {
    try {
      const js = await readFile(new URL(SCRIPT, dir), "utf8");
      const css = await readFile(new URL(STYLE, dir), "utf8");
      return { js, css, jsSha256: createHash("sha256").update(js).digest("base64") };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) {
      throw new Error(`viewer: ${SCRIPT} not found, run 'npm run build:viewer' (or reinstall)`);
    }
    dir = parent;
  }
}
