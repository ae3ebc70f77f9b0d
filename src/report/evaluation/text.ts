// Tables as aligned plain text and as Markdown. Pure.

import type { Table } from "./table.js";

/** A table with columns padded to their widest cell. */
export function textTable(t: Table): string {
  const widths = t.header.map((h, i) =>
    Math.max(h.length, ...t.rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return (
    [t.title, line(t.header), ...t.rows.map(line), ...t.notes.map((n) => `  ${n}`)].join("\n") +
    "\n"
  );
}

const md = (s: string) => s.replace(/\|/g, "\\|");

/** A GitHub-flavoured Markdown table with its title and notes. */
export function markdownTable(t: Table): string {
  return [
    `### ${t.title}`,
    "",
    `| ${t.header.map(md).join(" | ")} |`,
    `|${t.header.map(() => "---").join("|")}|`,
    ...t.rows.map((r) => `| ${r.map(md).join(" | ")} |`),
    "",
    ...t.notes.map((n) => `* ${n}`),
    "",
  ].join("\n");
}
