import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The dashboard's bundle budget (scripts/check-ui-bundle.js), on hand-made Vite manifests.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkUiBundle, firstPageFiles, BUDGET_BYTES } = require('../../scripts/check-ui-bundle.js');

const LANDING = 'src/pages/executions/executions-page.tsx';

function manifest(extra: Record<string, unknown> = {}) {
  return {
    'index.html': { file: 'assets/index.js', isEntry: true, imports: ['_shared.js'], css: ['assets/index.css'], dynamicImports: [LANDING, 'src/pages/heavy/heavy-page.tsx'] },
    '_shared.js': { file: 'assets/shared.js' },
    [LANDING]: { file: 'assets/executions.js', isDynamicEntry: true, imports: ['_shared.js'] },
    'src/pages/heavy/heavy-page.tsx': { file: 'assets/heavy.js', isDynamicEntry: true },
    ...extra,
  };
}

describe('check-ui-bundle', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cos-bundle-'));
    mkdirSync(join(dir, 'assets'));
    mkdirSync(join(dir, '.vite'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (files: Record<string, Buffer | string>, m: object = manifest()) => {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    writeFileSync(join(dir, '.vite', 'manifest.json'), JSON.stringify(m));
  };

  it('counts the entry, its static imports and CSS, and the landing page; not the other lazy pages', () => {
    expect(firstPageFiles(manifest()).sort()).toEqual(['assets/executions.js', 'assets/index.css', 'assets/index.js', 'assets/shared.js']);
  });

  it('passes a small first page, whatever a lazy page weighs', () => {
    write({ 'assets/index.js': 'x'.repeat(1000), 'assets/index.css': 'a{}', 'assets/shared.js': 's', 'assets/executions.js': 'e', 'assets/heavy.js': randomBytes(400_000) });
    const report = checkUiBundle(dir);
    expect(report.ok).toBe(true);
    expect(report.total).toBeLessThan(1000);
    expect(report.files.map((f: { file: string }) => f.file)).not.toContain('assets/heavy.js');
  });

  it('fails when the first page is over 300 kB gzipped (random bytes do not compress)', () => {
    write({ 'assets/index.js': 'x', 'assets/index.css': 'a{}', 'assets/shared.js': randomBytes(BUDGET_BYTES + 1000), 'assets/executions.js': 'e', 'assets/heavy.js': 'h' });
    const report = checkUiBundle(dir);
    expect(report.ok).toBe(false);
    expect(report.total).toBeGreaterThan(BUDGET_BYTES);
    expect(report.summary).toContain('OVER BUDGET');
  });

  it('refuses a manifest without the landing page or a build without a manifest, rather than passing', () => {
    const withoutLanding = manifest();
    delete (withoutLanding as Record<string, unknown>)[LANDING];
    write({ 'assets/index.js': 'x' }, withoutLanding);
    expect(() => checkUiBundle(dir)).toThrow(/landing page/);
    rmSync(join(dir, '.vite'), { recursive: true });
    expect(() => checkUiBundle(dir)).toThrow(/build the dashboard first/);
  });
});
