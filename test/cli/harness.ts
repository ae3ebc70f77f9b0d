// Runs the CLI in-process with captured streams and temporary scenario files.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

/** `vmasim ARGV…`, in-process. */
export async function cli(...argv: string[]): Promise<CliResult> {
  const out = capture();
  const err = capture();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A fresh temporary directory holding `files` (name → content); returns name → path. */
export function scenarioFiles(
  files: Record<string, string>,
): Record<string, string> & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "vmasim-cli-"));
  const paths: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], text);
  }
  return Object.assign(paths, { dir });
}
