import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the dashboard is served: outside the API prefix, public (the page asks for the API key itself), not in OpenAPI. */
export const DASHBOARD_PATH = '/ui';

/** Hashed file names (vite's `assets/name-<hash>.js`) never change content: cached for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and unhashed files: revalidated on every load, so a new build is picked up at once. */
const REVALIDATE = 'no-cache';
/**
 * The page's policy: its own scripts, styles and API only. Script-made style changes (CSSOM) are
 * not inline styles, so the bundle needs no 'unsafe-inline'; `data:` covers the empty favicon.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The built dashboard: `dist/ui` under the package's root (the nearest folder above this file with a
 * package.json), the same from `src/` (ts-node, tests) and from `dist/src/` (npm start).
 */
export function defaultDashboardDirectory(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'ui');
    dir = parent;
  }
  return join(dir, 'dist', 'ui');
}

/**
 * Serves the dashboard built by `npm run build` (scripts/build-ui.js) at /ui: a file of the build
 * when one matches the path (hashed assets cached as immutable), else index.html for any client
 * route (/ui/executions/…, the SPA fallback), except under /ui/assets/ where a missing file is a 404.
 * When the dashboard is not built, /ui answers a 404 problem saying how to build it.
 */
export function useDashboard(fastify: FastifyInstance, root: string = defaultDashboardDirectory()): void {
  const base = resolve(root);
  // Registered now, loaded with the app's other plugins when it starts (app.init / listen).
  fastify.register(async (scope) => {
    // Only `reply.sendFile` (ETag, Last-Modified, ranges, content types): routing is ours, below.
    await scope.register(fastifyStatic, { root: base, serve: false, suppressWarning: true, dotfiles: 'deny', cacheControl: false, etag: true, lastModified: true });

    const sendIndex = (reply: FastifyReply) => {
      if (!isFile(join(base, 'index.html'))) {
        return reply
          .code(404)
          .header('content-type', 'application/problem+json; charset=utf-8')
          .header('cache-control', REVALIDATE)
          .send({
            type: 'about:blank',
            title: 'Dashboard not built',
            status: 404,
            detail: `There is no ${join(base, 'index.html')}: run \`npm run build\` (or \`node scripts/build-ui.js\`) to build the dashboard.`,
            code: 'DASHBOARD_NOT_BUILT',
          });
      }
      return reply.header('cache-control', REVALIDATE).header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').sendFile('index.html', base);
    };

    const handler = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
      const relative = request.params['*'] ?? '';
      if (relative === '' || relative === 'index.html') return sendIndex(reply);
      const file = resolve(base, relative);
      // Nothing outside dist/ui, and no dot-file or dot-folder (Vite's .vite/manifest.json): a 404, not the page.
      if (!file.startsWith(base + sep) || relative.split('/').some((part) => part.startsWith('.'))) return reply.callNotFound();
      if (isFile(file)) {
        const hashed = relative.startsWith('assets/');
        return reply
          .header('cache-control', hashed ? IMMUTABLE : REVALIDATE)
          .header('x-content-type-options', 'nosniff')
          .sendFile(relative, base);
      }
      // A missing asset is a 404 (an old page asking for a file of a previous build), not the page.
      if (relative.startsWith('assets/')) return reply.callNotFound();
      return sendIndex(reply);
    };
    scope.get(DASHBOARD_PATH, handler);
    scope.get(`${DASHBOARD_PATH}/*`, handler);
  });
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
