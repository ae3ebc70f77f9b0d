// Plain-text tables with aligned columns, for the text reporter. Pure; browser compatible.

/** One column: its title and how its cells align. */
export interface Column {
  title: string;
  align: "left" | "right";
}

/** One row: a cell per column, then lines printed under it as they are (not aligned). */
export interface TableRow {
  cells: readonly string[];
  after?: readonly string[];
}

/** Display width of a cell: its code points (the reporter prints no wide characters). */
function width(text: string): number {
  return Array.from(text).length;
}

function pad(text: string, to: number, align: Column["align"]): string {
  const fill = " ".repeat(Math.max(0, to - width(text)));
  return align === "left" ? text + fill : fill + text;
}

/**
 * Lays out a table, title line first, columns two spaces apart, no trailing blanks; each
 * line starts with `indent`. `styleTitle` marks up the title line after layout.
 * O(cells).
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly TableRow[],
  indent: string,
  styleTitle: (line: string) => string,
): string[] {
  const widths = columns.map((c, i) =>
    Math.max(width(c.title), ...rows.map((r) => width(r.cells[i] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((c, i) => pad(cells[i] ?? "", widths[i] ?? 0, c.align))
      .join("  ")
      .trimEnd();
  const out = [indent + styleTitle(line(columns.map((c) => c.title)).slice(indent.length))];
  for (const row of rows) {
    out.push(line(row.cells));
    for (const extra of row.after ?? []) out.push(indent + extra);
  }
  return out;
}
