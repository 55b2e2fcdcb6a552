#!/usr/bin/env node
// Entry point of the `sluice` command: runs the compiled CLI.
import '../dist/cli/main.js';
