// `vmasim policies`: the merge policies, one per line.

import { listPolicies } from "../policy/registry.js";
import { writeAll, type CliIo } from "./io.js";
import type { CommandSpec } from "./spec.js";

async function policies(_args: unknown, io: CliIo): Promise<number> {
  const all = listPolicies();
  const width = Math.max(...all.map((p) => p.name.length));
  await writeAll(io.stdout, all.map((p) => `${p.name.padEnd(width)}  ${p.summary}\n`).join(""));
  return 0;
}

/** The `policies` command. */
export const policiesCommand: CommandSpec = {
  name: "policies",
  summary: "list the merge policies (for --policy)",
  args: "",
  minArgs: 0,
  maxArgs: 0,
  examples: [["vmasim policies", "name and one-line summary of each policy"]],
  options: [],
  exits: [
    [0, "listed"],
    [2, "usage error"],
  ],
  run: policies,
};
