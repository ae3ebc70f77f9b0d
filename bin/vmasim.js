#!/usr/bin/env -S node --max-semi-space-size=64
// The vmasim command: a thin launcher for the compiled CLI (built by `npm install`).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
