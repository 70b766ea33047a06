import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { FastifyInstance } from 'fastify';
import { defaultDashboardDirectory, useDashboard } from './dashboard';

describe('the dashboard at /ui (useDashboard)', () => {
  let dir: string;
  let app: FastifyInstance;

  const serve = async (root: string) => {
    app = Fastify();
    useDashboard(app, root);
    await app.ready();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cos-dashboard-'));
  });
  afterEach(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('built', () => {
    beforeEach(async () => {
      mkdirSync(join(dir, 'assets'));
      mkdirSync(join(dir, '.vite'));
      writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
      writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
      writeFileSync(join(dir, 'robots.txt'), 'User-agent: *');
      writeFileSync(join(dir, '.vite', 'manifest.json'), '{}');
      await serve(dir);
    });

    it('answers index.html, revalidated, at /ui and every client route (dots in ids included)', async () => {
      for (const url of ['/ui', '/ui/', '/ui/index.html', '/ui/executions', '/ui/workflows/acme.flow-1/versions/1.2.3']) {
        const res = await app.inject({ method: 'GET', url });
        expect({ url, status: res.statusCode, body: res.body }).toEqual({ url, status: 200, body: '<!doctype html><div id="app"></div>' });
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['cache-control']).toBe('no-cache');
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      }
    });

    it('serves hashed assets as immutable and other files as revalidated', async () => {
      const asset = await app.inject({ method: 'GET', url: '/ui/assets/index-abc123.js' });
      expect([asset.statusCode, asset.body, asset.headers['cache-control']]).toEqual([200, 'console.log(1)', 'public, max-age=31536000, immutable']);
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect(asset.headers.etag).toBeDefined();
      const other = await app.inject({ method: 'GET', url: '/ui/robots.txt' });
      expect([other.statusCode, other.headers['cache-control']]).toEqual([200, 'no-cache']);
    });

    it('answers 404 for a missing asset, a dot-file and a path out of the folder, never the page', async () => {
      for (const url of ['/ui/assets/index-gone.js', '/ui/.vite/manifest.json', '/ui/..%2F..%2Fetc%2Fpasswd', '/ui/assets/..%2F..%2Fpackage.json']) {
        const res = await app.inject({ method: 'GET', url });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
        expect(res.body).not.toContain('<div id="app">');
      }
    });

    it('does not answer outside /ui', async () => {
      expect((await app.inject({ method: 'GET', url: '/uix' })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: '/index.html' })).statusCode).toBe(404);
    });
  });

  it('when not built, says how to build it (404 problem+json)', async () => {
    await serve(join(dir, 'missing'));
    const res = await app.inject({ method: 'GET', url: '/ui/executions' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'DASHBOARD_NOT_BUILT', title: 'Dashboard not built' });
    expect(res.json().detail).toContain('npm run build');
  });

  it('finds dist/ui under the package root, from src/ and from dist/src/', () => {
    const root = join(__dirname, '..', '..', '..');
    expect(defaultDashboardDirectory(__dirname)).toBe(join(root, 'dist', 'ui'));
    expect(defaultDashboardDirectory(join(root, 'dist', 'src', 'platform', 'http'))).toBe(join(root, 'dist', 'ui'));
  });
});
