// The registry of merge policies: `vmasim policies` lists it, `--policy NAME` picks one.
// This module is browser compatible.

import type { Policy } from "./policy.js";
import { linux618 } from "./linux-6.18.js";
import { relocateAnon2025, relocateAnon2025Rfc } from "./relocate-anon-2025.js";
import { rfc2022, rfc2022AnonOnly } from "./rfc-2022.js";
import { rfc2022V3 } from "./rfc-2022-v3.js";
import { safeMerge } from "./safe-merge.js";

const POLICIES: readonly Policy[] = [
  linux618,
  rfc2022AnonOnly,
  rfc2022,
  rfc2022V3,
  relocateAnon2025,
  relocateAnon2025Rfc,
  safeMerge,
];

/** Every policy, in the order `vmasim policies` lists them. */
export function listPolicies(): readonly Policy[] {
  return POLICIES;
}

/** The policy named `name`; throws with the list of valid names otherwise. */
export function getPolicy(name: string): Policy {
  const p = POLICIES.find((x) => x.name === name);
  if (!p) {
    throw new Error(
      `--policy: unknown policy '${name}', choose one of: ${POLICIES.map((x) => x.name).join(", ")}`,
    );
  }
  return p;
}
