// Tests of the aligned-column table layout.

import { expect, test } from "vitest";
import { renderTable } from "./table.js";

test("aligns columns left or right, two spaces apart, with no trailing blanks", () => {
  const lines = renderTable(
    [
      { title: "name", align: "left" },
      { title: "n", align: "right" },
      { title: "note", align: "left" },
    ],
    [{ cells: ["a", "100", ""], after: ["(after a)"] }, { cells: ["longer", "7", "x"] }],
    "  ",
    (t) => `[${t}]`,
  );
  expect(lines).toEqual([
    "  [name      n  note]",
    "  a       100",
    "  (after a)",
    "  longer    7  x",
  ]);
});
