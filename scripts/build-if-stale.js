#!/usr/bin/env node
// `prestart`, `prestart:worker` and `precli`: runs `nest build` when dist/ is missing or older than
// what it is built from (src/, migrations/, the build settings, package.json), so `npm start` works
// on a fresh clone and after an edit. Silent when dist/ is up to date; `node scripts/build-if-stale.js
// --check` only says whether a build is needed (exit 1 when it is).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUTPUT = join(ROOT, 'dist', 'src', 'main.js');
const SOURCES = ['src', 'migrations', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', '.swcrc'];

/** The newest modification time below a path (files only; tests are not built, but cost nothing to count). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

function staleReason() {
  if (!existsSync(OUTPUT)) return 'dist/ is missing';
  const built = statSync(OUTPUT).mtimeMs;
  const changed = SOURCES.find((source) => newest(join(ROOT, source)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

const reason = staleReason();
if (process.argv.includes('--check')) {
  process.stdout.write(reason ? `build needed: ${reason}\n` : 'dist/ is up to date\n');
  process.exit(reason ? 1 : 0);
}
if (reason) {
  process.stderr.write(`building (${reason}): npm run build\n`);
  const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
