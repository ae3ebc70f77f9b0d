// The viewer's page: one self-contained HTML document with the viewer's script and style
// inlined and the data embedded as JSON that cannot end its script element. Pure; browser
// compatible.

import type { ViewData } from "./data.js";

/** The viewer's compiled script and style (dist/viewer/, built by `npm run build`). */
export interface ViewerAssets {
  js: string;
  css: string;
  /** Base64 SHA-256 of `js`: the page's CSP lets only this script run. */
  jsSha256: string;
}

/** The id of the script element that holds the data. */
export const DATA_ELEMENT_ID = "vmasim-data";

/**
 * JSON for inside a <script> element: `<`, `>` and `&` become \u escapes (so no `</script>`
 * or `<!--` can appear), and so do U+2028/U+2029. JSON.parse reads it back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text for an HTML element or attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The page. Throws when an asset could end its own element early. */
export function renderHtml(data: ViewData, assets: ViewerAssets, title: string): string {
  if (/<\/script/i.test(assets.js)) throw new Error("viewer: the script contains '</script'");
  if (/<\/style/i.test(assets.css)) throw new Error("viewer: the style contains '</style'");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // offline by construction: nothing may be fetched, and only the viewer's own script runs
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-${assets.jsSha256}'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${assets.css}</style>`,
    "</head>",
    "<body>",
    '<div id="app"></div>',
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(data)}</script>`,
    `<script>${assets.js}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
