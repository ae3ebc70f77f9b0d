// Lint rules. The model core (src/model, src/policy, src/check) must stay pure and
// browser-compatible: no node: imports, no clock, no ambient randomness.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";
import globals from "globals";

const pureDirs = [
  "src/model/**/*.ts",
  "src/policy/**/*.ts",
  "src/check/**/*.ts",
  "src/input/**/*.ts",
  "src/view/**/*.ts",
  "viewer/src/**/*.ts",
];

export default tseslint.config(
  { ignores: ["dist/**", "dist-check/**", "node_modules/**", "coverage/**", "out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: pureDirs,
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["node:*", "fs", "path", "os", "child_process"],
              message: "the model core is pure and browser-compatible",
            },
          ],
        },
      ],
      "no-restricted-globals": ["error", "process", "Buffer", "setTimeout"],
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "use the seeded generator" },
        { object: "Date", property: "now", message: "the model core has no clock" },
      ],
    },
  },
);
