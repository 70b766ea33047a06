import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard (issue 15): served by the API process at /ui (src/platform/http/dashboard.ts) from dist/ui.
// `npm run build` builds it through scripts/build-ui.js; `npx vite --config ui/vite.config.ts` serves it
// with hot reload, proxying /api to a running API (COGNITION_API_URL, default http://localhost:3000).
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/ui/',
  // The dev server's dependency cache with the root's node_modules, not in ui/ (whose files decide when dist/ui is stale).
  cacheDir: here('../node_modules/.vite'),
  resolve: {
    // The repo's typed client, from its sources (openapi-fetch + the generated schema): every call goes through it.
    alias: { '@client': here('../clients/typescript/src') },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/ui'),
    emptyOutDir: true,
    // scripts/check-ui-bundle.js reads the manifest to weigh the first page.
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/api': { target: process.env.COGNITION_API_URL ?? 'http://localhost:3000', changeOrigin: true } },
  },
});
