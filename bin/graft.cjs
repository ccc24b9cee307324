#!/usr/bin/env node
// The `graft` command: the built CLI bundle (npm ci builds it; `npm run build` rebuilds it).
require('../dist/cli.cjs');
