#!/usr/bin/env node
// The dashboard's bundle budget (issue 15): the first page — index.html's entry chunk, every chunk and
// stylesheet it imports statically, and the lazily loaded chunk of the landing page (/ui opens
// Executions) with its own static imports — must weigh at most 300 kB gzipped. Reads the Vite manifest
// of dist/ui. `node scripts/check-ui-bundle.js [dist/ui]` exits 1 over budget; `npm run build` runs it.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gzipSync } = require('node:zlib');

const BUDGET_BYTES = 300 * 1000;
/** The page /ui lands on after sign-in (ui/src/app.tsx, AREAS[0]); its module as the manifest names it. */
const LANDING_PAGE = 'src/pages/executions/executions-page.tsx';

/** The files the first page loads, from the manifest: entries' static imports and CSS, transitively. */
function firstPageFiles(manifest) {
  const entries = Object.entries(manifest).filter(([, chunk]) => chunk.isEntry);
  if (entries.length !== 1) throw new Error(`expected one entry in the Vite manifest, found ${entries.length}`);
  if (!manifest[LANDING_PAGE]) throw new Error(`the landing page ${LANDING_PAGE} is not in the Vite manifest: update LANDING_PAGE in scripts/check-ui-bundle.js`);
  const files = new Set();
  const seen = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the Vite manifest names ${key} but has no entry for it`);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entries[0][0]);
  visit(LANDING_PAGE);
  return [...files];
}

function checkUiBundle(dir = join(__dirname, '..', 'dist', 'ui')) {
  const manifestPath = join(dir, '.vite', 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`no ${manifestPath}: build the dashboard first (node scripts/build-ui.js)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const sizes = firstPageFiles(manifest).map((file) => {
    const content = readFileSync(join(dir, file));
    return { file, raw: content.length, gzip: gzipSync(content, { level: 9 }).length };
  });
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  const ok = total <= BUDGET_BYTES;
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  const summary = [
    `dashboard first page: ${kb(total)} gzipped of a ${kb(BUDGET_BYTES)} budget${ok ? '' : ' — OVER BUDGET'} (${sizes.length} files)`,
    ...sizes.sort((a, b) => b.gzip - a.gzip).map((s) => `  ${s.file}: ${kb(s.gzip)} gzipped (${kb(s.raw)} raw)`),
  ].join('\n');
  return { ok, total, budget: BUDGET_BYTES, files: sizes, summary };
}

module.exports = { checkUiBundle, firstPageFiles, BUDGET_BYTES };

if (require.main === module) {
  try {
    const report = checkUiBundle(process.argv[2]);
    process.stdout.write(`${report.summary}\n`);
    if (!report.ok) process.exit(1);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
