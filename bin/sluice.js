#!/usr/bin/env node
// Entry point of the `sluice` command: runs the compiled CLI (src/cli/entry.ts, src/cli/launch.ts).
import '../dist/cli/entry.js';
