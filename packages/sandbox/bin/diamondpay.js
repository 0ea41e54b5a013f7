#!/usr/bin/env node
// Committed shim so the bin exists before the package is built; the CLI itself is dist/cli.js.
import '../dist/cli.js';
