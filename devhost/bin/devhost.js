#!/usr/bin/env node
'use strict';
// Plain JS shim: the devhost itself is TypeScript, built into devhost/dist/ by `npm run build` (at the repository root, or in this folder).
const path = require('node:path');
const fs = require('node:fs');

const cli = path.join(__dirname, '..', 'dist', 'devhost', 'cli.js');
if (!fs.existsSync(cli)) {
  console.error(`devhost: ${cli} is missing; run "npm run build" first.`);
  process.exit(1);
}
void require(cli).main();
