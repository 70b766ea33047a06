#!/usr/bin/env node
// `prestart`, `prestart:worker` and `precli`: runs `nest build` when dist/ is missing or older than
// what it is built from (src/, migrations/, the build settings, package.json), and builds the
// dashboard (scripts/build-ui.js) when dist/ui is missing or older than ui/ or the typed client it
// bundles (clients/typescript/src), so `npm start` works on a fresh clone and after an edit.
// `nest build` empties dist/, so a server build is always followed by a dashboard build. Silent when
// both are up to date; `node scripts/build-if-stale.js --check` only says whether a build is needed
// (exit 1 when it is); `--ui` looks at the dashboard only (the e2e tests' global setup uses it).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SERVER = {
  name: 'dist/',
  output: join(ROOT, 'dist', 'src', 'main.js'),
  sources: ['src', 'migrations', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', '.swcrc'],
};
const DASHBOARD = {
  name: 'dist/ui',
  output: join(ROOT, 'dist', 'ui', 'index.html'),
  sources: ['ui', 'clients/typescript/src', 'package.json', 'scripts/build-ui.js', 'scripts/check-ui-bundle.js'],
};

/**
 * The newest modification time below a path (files only; tests are not built, but cost nothing to
 * count). A node_modules folder is skipped: Vite's dev server keeps its temporary files in ui/node_modules.
 */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => (name === 'node_modules' ? max : Math.max(max, newest(join(path, name)))), 0);
}

function staleReason(target) {
  if (!existsSync(target.output)) return `${target.name} is missing`;
  const built = statSync(target.output).mtimeMs;
  const changed = target.sources.find((source) => newest(join(ROOT, source)) > built);
  return changed ? `${changed} changed since the last build` : undefined;
}

const uiOnly = process.argv.includes('--ui');
const serverReason = uiOnly ? undefined : staleReason(SERVER);
// A server build empties dist/ (nest-cli.json deleteOutDir), dist/ui with it.
const uiReason = serverReason ? 'the server build empties dist/' : staleReason(DASHBOARD);
if (process.argv.includes('--check')) {
  const reasons = [serverReason, uiReason].filter(Boolean);
  process.stdout.write(reasons.length > 0 ? `build needed: ${reasons.join('; ')}\n` : `${uiOnly ? 'dist/ui' : 'dist/'} is up to date\n`);
  process.exit(reasons.length > 0 ? 1 : 0);
}
if (serverReason) {
  process.stderr.write(`building (${serverReason}): nest build\n`);
  const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
if (uiReason) {
  process.stderr.write(`building the dashboard (${uiReason}): node scripts/build-ui.js\n`);
  const result = spawnSync(process.execPath, [join(__dirname, 'build-ui.js')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
