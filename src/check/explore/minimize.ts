// Turns a finding of the search into the smallest scenario that still breaks the same
// invariant: the breadth-first path is already shortest in the alphabet; the fuzzer's shrinker
// then drops what is irrelevant and simplifies operands, and the result is printed as a
// scenario file with the command that replays it. This module is browser compatible.

import type { Op } from "../../input/ops.js";
import { ScenarioError } from "../../input/scenario.js";
import { Machine } from "../../model/machine.js";
import type { Policy } from "../../policy/policy.js";
import { getPolicy } from "../../policy/registry.js";
import { formatScenario, bodyOf } from "../fuzz/format.js";
import { shrink } from "../fuzz/shrink.js";
import { MODEL_ERROR, searchOptions, type SearchSpace } from "./expand.js";
import { signatureOf, type Finding } from "./search.js";

/** A minimal failing scenario, ready to write. */
export interface Counterexample {
  invariant: string;
  /** The violation's message in the minimal scenario. */
  message: string;
  ops: Op[];
  /** Length of the path the search found. */
  foundLength: number;
  /** The scenario file's text, with a header saying what it breaks and how to replay it. */
  text: string;
}

/** The file of the `n`th counterexample (from 1) breaking `invariant` under `policy`. */
export function counterexampleFile(policy: string, invariant: string, n = 1): string {
  return n === 1 ? `${policy}-${invariant}.vms` : `${policy}-${invariant}-${n}.vms`;
}

/** The command that replays a counterexample file. */
export function replayCommand(policy: string, file: string): string {
  return `npx vmasim run --policy ${policy} ${file}`;
}

/**
 * The message of the first violation of the kind `signature` (see signatureOf) when `ops` run
 * on a fresh machine under `policy` with every invariant checked after every step (exactly
 * what `vmasim run` does), or null.
 */
export function violationOf(
  ops: readonly Op[],
  signature: string,
  policy: string,
  policyObject: Policy,
): string | null {
  const m = new Machine({ ...searchOptions(policy), checkInvariants: true }, policyObject);
  try {
    for (const op of ops) {
      const rec = m.step(op);
      const found = ("model" in rec && rec.model?.violations) || [];
      const v = found.find((x) => signatureOf(x) === signature);
      if (v) return v.message;
    }
  } catch (e) {
    if (e instanceof ScenarioError) return null; // a shrunk candidate that is no scenario
    const crash = { id: MODEL_ERROR, message: e instanceof Error ? e.message : String(e) };
    return signatureOf(crash) === signature ? crash.message : null;
  }
  return null;
}

/** Shrinks a finding to its counterexample. O(shrink budget × path length × step). */
export async function minimize(
  finding: Finding,
  alphabet: readonly Op[],
  space: SearchSpace,
  file: string,
  policyObject: Policy = getPolicy(space.policy),
): Promise<Counterexample> {
  const found = finding.path.map((i) => alphabet[i] as Op);
  const fails = (ops: Op[]) =>
    violationOf(ops, finding.signature, space.policy, policyObject) !== null;
  const { ops } = await shrink(found, fails, { file, maxCalls: 2000 });
  const message =
    violationOf(ops, finding.signature, space.policy, policyObject) ?? finding.message;
  const b = space.bounds;
  const header = [
    `Breaks ${finding.invariant} under ${space.policy}: ${message}`,
    `Found by: vmasim explore --policy ${space.policy} --depth ${b.depth} --slots ${b.slots} --procs ${b.procs} --seed ${space.seed}${space.families ? ` --ops ${space.families.join(",")}` : ""}`,
    `(a path of ${found.length} operations, shrunk to ${ops.length})`,
    `Replay: ${replayCommand(space.policy, file)}`,
  ];
  return {
    invariant: finding.invariant,
    message,
    ops,
    foundLength: found.length,
    text: formatScenario(ops.map(bodyOf), header),
  };
}
