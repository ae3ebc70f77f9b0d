// The command table: every command `vmasim` offers, in the order help lists them.

import { benchCommand } from "./bench.js";
import { captureCommand } from "./capture.js";
import { compareCommand } from "./compare.js";
import { evaluateCommand } from "./evaluate.js";
import { exploreCommand } from "./explore.js";
import { diffCommand } from "./diff.js";
import { fuzzCommand } from "./fuzz.js";
import { kernelCommand } from "./kernel.js";
import { policiesCommand } from "./policies.js";
import { replayCommand } from "./replay.js";
import { reportCommand } from "./report-html.js";
import { runCommand } from "./run.js";
import type { CommandSpec } from "./spec.js";
import { viewCommand } from "./view.js";

/** Every command except `help`, which main handles. */
export const COMMANDS: readonly CommandSpec[] = [
  runCommand,
  kernelCommand,
  diffCommand,
  fuzzCommand,
  exploreCommand,
  policiesCommand,
  compareCommand,
  benchCommand,
  reportCommand,
  viewCommand,
  captureCommand,
  replayCommand,
  evaluateCommand,
];

/** The command called `name`, if any. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
