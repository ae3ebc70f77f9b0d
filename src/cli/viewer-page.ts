// The viewer's page from a command line: shared by `vmasim report --html` and `vmasim view`.

import { renderHtml } from "../view/html.js";
import type { RunSummary } from "../report/summary.js";
import { POLICY_OPTION, policiesOf } from "./policy-option.js";
import { REGION_OPTIONS } from "./region.js";
import { MODEL_OPTIONS, modelOptions } from "./run.js";
import type { OptionSpec, ParsedArgs } from "./spec.js";
import { loadViewerAssets } from "./viewer-assets.js";
import { loadViewInputs } from "./viewer-inputs.js";

/** The options that choose what the viewer shows. */
export const VIEWER_OPTIONS: readonly OptionSpec[] = [
  POLICY_OPTION,
  ...REGION_OPTIONS,
  ...MODEL_OPTIONS,
];

export type ViewerPage =
  { ok: true; html: string; summary: RunSummary } | { ok: false; errors: string[] };

/** The page for the positional files under the chosen policies. Throws UsageError. */
export async function viewerPage(args: ParsedArgs): Promise<ViewerPage> {
  const options = modelOptions(args);
  const policies = policiesOf(args);
  const inputs = await loadViewInputs(args.positionals, policies, options);
  if (!inputs.ok) return inputs;
  const title = `vmasim: ${args.positionals.join(", ")}`;
  const html = renderHtml(inputs.data, await loadViewerAssets(), title);
  return { ok: true, html, summary: inputs.summary };
}
