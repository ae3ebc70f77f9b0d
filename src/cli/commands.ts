// The command table: every command `vmasim` offers, in the order help lists them.

import { diffCommand } from "./diff.js";
import { kernelCommand } from "./kernel.js";
import { policiesCommand } from "./policies.js";
import { runCommand } from "./run.js";
import type { CommandSpec } from "./spec.js";

/** Every command except `help`, which main handles. */
export const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  kernelCommand,
  diffCommand,
  policiesCommand,
];

/** The command called `name`, if any. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
