// Terminal colours for the text reporter: node:util styleText, which stays plain when the
// stream is not a TTY or NO_COLOR is set (and colours when FORCE_COLOR is).

import { styleText } from "node:util";
import type { Writable } from "node:stream";
import type { StyleKind, Styler } from "../report/text.js";

const FORMATS: Record<StyleKind, Parameters<typeof styleText>[0]> = {
  title: "bold",
  step: "bold",
  echo: "cyan",
  ok: "green",
  fail: "red",
  notice: "yellow",
  violation: ["bold", "red"],
  dim: "dim",
};

/** A styler for text written to `stream`; plain unless the stream can show colours. */
export function terminalStyler(stream: Writable): Styler {
  return (kind, text) => styleText(FORMATS[kind], text, { stream });
}
