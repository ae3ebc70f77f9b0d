#!/usr/bin/env -S node --max-semi-space-size=64
// The vmasim command: a thin launcher for the compiled CLI (built by `npm install`).
import { main } from "../dist/src/cli/main.js";
import { applyV8Flags } from "../dist/src/cli/v8-flags.js";

applyV8Flags(); // before any model code is hot: see src/cli/v8-flags.ts

process.exitCode = await main(process.argv.slice(2));
