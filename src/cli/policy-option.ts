// The --policy option shared by the commands that run the model: one name or a comma list.

import { DEFAULT_OPTIONS } from "../model/options.js";
import { getPolicy, listPolicies } from "../policy/registry.js";
import { UsageError } from "./errors.js";
import type { OptionSpec, ParsedArgs } from "./spec.js";

/** --policy NAME[,NAME…]. */
export const POLICY_OPTION: OptionSpec = {
  name: "policy",
  type: "string",
  value: "NAME[,NAME…]",
  default: DEFAULT_OPTIONS.policy,
  help: "merge policy; a comma list (or 'all') runs each in turn (see 'vmasim policies')",
};

/** The distinct policies of `--policy a,b,c` (or `all`), each checked against the registry. */
export function policiesOf(args: ParsedArgs): string[] {
  const value = args.string("policy");
  if (value === "all") return listPolicies().map((p) => p.name);
  const names = [...new Set(value.split(",").map((s) => s.trim()))];
  if (names.some((n) => n === "")) {
    throw new UsageError(`--policy: empty name in '${value}', give NAME or NAME,NAME,…`, false);
  }
  for (const name of names) {
    try {
      getPolicy(name);
    } catch (e) {
      throw new UsageError((e as Error).message, false);
    }
  }
  return names;
}
