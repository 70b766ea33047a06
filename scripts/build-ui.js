#!/usr/bin/env node
// Builds the dashboard (ui/, Vite + Preact) into dist/ui, then checks its bundle budget
// (scripts/check-ui-bundle.js). Part of `npm run build`, after `nest build` (which empties dist/).
// Vite writes into a fresh folder beside dist/ui that then replaces it in one rename, so a running
// server or a concurrent build never sees a half-written dashboard.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { checkUiBundle } = require('./check-ui-bundle');

const ROOT = join(__dirname, '..');
const OUTPUT = join(ROOT, 'dist', 'ui');

function buildUi() {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const staging = join(ROOT, 'dist', `.ui-build-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(ROOT, 'ui', 'vite.config.ts'), '--outDir', staging, '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  }
  const old = `${OUTPUT}.old-${process.pid}`;
  if (existsSync(OUTPUT)) renameSync(OUTPUT, old);
  renameSync(staging, OUTPUT);
  rmSync(old, { recursive: true, force: true });
}

module.exports = { buildUi };

if (require.main === module) {
  try {
    buildUi();
    const report = checkUiBundle(OUTPUT);
    process.stdout.write(`${report.summary}\n`);
    if (!report.ok) process.exit(1);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
