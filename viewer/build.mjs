// Bundles the viewer (viewer/src/main.ts and style.css) into dist/viewer/viewer.js and
// dist/viewer/viewer.css with esbuild; the CLI inlines both into every page it makes.
// Run by `npm run build:viewer`, which `prepare` (npm install) and `npm test` call.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: { viewer: "viewer/src/main.ts" },
  outdir: "dist/viewer",
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
});
await build({
  absWorkingDir: root,
  entryPoints: { viewer: "viewer/src/style.css" },
  outdir: "dist/viewer",
  bundle: true,
  minify: true,
  logLevel: "warning",
});
