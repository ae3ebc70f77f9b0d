// The package version, for --version: read from the package.json above this file, which
// works both from src/ (tests) and from dist/src/ (the installed command).

import { readFile } from "node:fs/promises";

/** vmasim's version, from the nearest enclosing package.json named "vmasim". */
export async function readVersion(): Promise<string> {
  let dir = new URL(".", import.meta.url);
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(new URL("package.json", dir), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "vmasim" && pkg.version) return pkg.version;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) {
      throw new Error("--version: vmasim's package.json not found, reinstall vmasim");
    }
    dir = parent;
  }
}
