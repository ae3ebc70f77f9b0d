// --help text, rendered from the command table: examples first, then usage and options.

import { optionsOf, type CommandSpec, type OptionSpec } from "./spec.js";

/** Lines `left  right` with the right parts aligned. */
function twoColumns(rows: ReadonlyArray<readonly [string, string]>, indent = "  "): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}

function optionSynopsis(o: OptionSpec): string {
  const names = o.short ? `-${o.short}, --${o.name}` : `    --${o.name}`;
  if (o.type === "boolean") return names;
  return `${names} ${o.choices ? o.choices.join("|") : (o.value ?? "VALUE")}`;
}

function optionHelp(o: OptionSpec): string {
  return o.default === undefined ? o.help : `${o.help} [default: ${o.default}]`;
}

/** The help of one command. */
export function commandHelp(cmd: CommandSpec): string {
  const args = cmd.args ? ` ${cmd.args}` : "";
  return [
    `vmasim ${cmd.name}: ${cmd.summary}`,
    "",
    "Examples:",
    ...twoColumns(cmd.examples.map(([line, what]) => [line, `# ${what}`])),
    "",
    `Usage: vmasim ${cmd.name} [options]${args}`,
    "",
    "Options:",
    ...twoColumns(optionsOf(cmd).map((o) => [optionSynopsis(o), optionHelp(o)])),
    "",
    "Exit status:",
    ...twoColumns(cmd.exits.map(([code, meaning]) => [`${code}`, meaning])),
    "",
  ].join("\n");
}

/** The top-level help: examples, the command list, global options. */
export function mainHelp(commands: readonly CommandSpec[]): string {
  const examples = commands.flatMap((c) => c.examples.slice(0, 2));
  return [
    "vmasim: a laboratory for Linux's anonymous-memory VMA machinery",
    "",
    "Examples:",
    ...twoColumns(examples.map(([line, what]) => [line, `# ${what}`])),
    "",
    "Usage: vmasim COMMAND [options] [ARGS…]",
    "",
    "Commands:",
    ...twoColumns([
      ...commands.map((c) => [c.name, c.summary] as const),
      ["help", "show the help of a command (vmasim help COMMAND)"],
    ]),
    "",
    "Options:",
    ...twoColumns([
      ["-h, --help", "show this help"],
      ["-V, --version", "print the version"],
    ]),
    "",
    "Run 'vmasim help COMMAND' for a command's options and exit statuses.",
    "",
  ].join("\n");
}
