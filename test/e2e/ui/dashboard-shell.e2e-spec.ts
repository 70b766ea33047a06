import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { activeWorkflow, start, waitForExecution } from '../../support/engine-helpers';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn, storedApiKey } from './support/browser';

const AREAS = [
  { label: 'Executions', path: '/ui/executions' },
  { label: 'Workflows', path: '/ui/workflows' },
  { label: 'Traces', path: '/ui/traces' },
  { label: 'Agents', path: '/ui/agents' },
  { label: 'Tasks', path: '/ui/tasks' },
  { label: 'Memory', path: '/ui/memory' },
  { label: 'Events', path: '/ui/events' },
];

// Screenshots of this spec are the shell's own (sign-in, sign-in-error, shell-phone); each area's page spec takes its page's.
describe('the dashboard shell at /ui (real server, real PostgreSQL, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let executionId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('ui-shell');
    const api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'ui-shell-flow', steps: [{ id: 'greet', type: 'transform', params: { output: 'hello' } }] });
    const started = await start(api, 'ui-shell-flow');
    executionId = started.body.id;
    await waitForExecution(api, executionId);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  describe('served by the API process', () => {
    it('answers index.html at /ui and at any client route, revalidated, without an API key', async () => {
      for (const path of ['/ui', '/ui/', '/ui/executions', `/ui/executions/${executionId}`, '/ui/workflows/some.flow-id']) {
        const res = await fetch(`${t.url}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.headers.get('cache-control')).toBe('no-cache');
        expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
        expect(await res.text()).toContain('<div id="app"></div>');
      }
    });

    it('serves the hashed assets as immutable, and a missing asset or a climb out of dist/ui as 404', async () => {
      const assets = readdirSync(join(__dirname, '..', '..', '..', 'dist', 'ui', 'assets'));
      const script = assets.find((name) => name.endsWith('.js')) as string;
      const res = await fetch(`${t.url}/ui/assets/${script}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await res.text()).toBe(readFileSync(join(__dirname, '..', '..', '..', 'dist', 'ui', 'assets', script), 'utf8'));

      expect((await fetch(`${t.url}/ui/assets/index-00000000.js`)).status).toBe(404);
      expect((await fetch(`${t.url}/ui/..%2Fsrc%2Fmain.js`)).status).toBe(404);
      expect((await fetch(`${t.url}/ui/.vite/manifest.json`)).status).toBe(404);
    });

    it('is not part of the API: not under /api/v3 and not in the OpenAPI document', async () => {
      expect((await fetch(`${t.url}/api/v3/ui`, { headers: { authorization: `Bearer ${t.key}` } })).status).toBe(404);
      const document = (await (await fetch(`${t.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths).filter((path) => path.startsWith('/ui'))).toEqual([]);
    });
  });

  it('refuses a wrong key with the problem the API answered, and keeps nothing', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await page.goto(`${t.url}/ui`);
      await page.getByLabel('API key').fill('cos_wrong_notakey');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // What the API says of that key, shown as is: the problem+json title and detail.
      const problem = (await (await fetch(`${t.url}/api/v3/workflows?limit=1`, { headers: { authorization: 'Bearer cos_wrong_notakey' } })).json()) as { title: string; detail: string };
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      expect(problem.detail.length).toBeGreaterThan(0);
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      expect(await storedApiKey(page)).toBeNull();
      expect(page.url()).not.toContain('cos_wrong');
      await screenshot(page, 'sign-in-error');
      // The 401 of the check is the only console error (Chromium logs failed fetches).
      expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('signs in with the right key, kept in sessionStorage and never in the URL, renders every area, and signs out', async () => {
    const { page, errors, close } = await newPage(browser);
    const visited: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) visited.push(frame.url());
    });
    try {
      await page.goto(`${t.url}/ui`);
      await screenshot(page, 'sign-in');
      await signIn(page, t.url, t.key);
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const area of AREAS) expect(await nav.getByRole('link', { name: area.label, exact: true }).isVisible()).toBe(true);
      expect(await storedApiKey(page)).toBe(t.key);
      // /ui lands on Executions, which lists the execution started above.
      await page.waitForURL(`${t.url}/ui/executions`);
      await page.getByRole('table', { name: /Executions/ }).waitFor();
      expect(await page.getByRole('table').textContent()).toContain('ui-shell-flow@1.0.0');

      for (const area of AREAS) {
        await nav.getByRole('link', { name: area.label, exact: true }).click();
        await page.waitForURL(`${t.url}${area.path}`);
        await page.getByRole('heading', { level: 1, name: area.label }).waitFor();
        // Each page settles on its list or its empty state, never a problem.
        await page.locator('.table-wrap, .empty, [role="alert"]').first().waitFor();
        expect({ area: area.label, problems: await page.getByRole('alert').allTextContents() }).toEqual({ area: area.label, problems: [] });
        expect(await nav.getByRole('link', { name: area.label, exact: true }).getAttribute('aria-current')).toBe('page');
      }
      // Real lists: the workflow and its events are there.
      await nav.getByRole('link', { name: 'Workflows', exact: true }).click();
      await page.getByRole('table', { name: 'Workflows' }).waitFor();
      expect(await page.getByRole('table', { name: 'Workflows' }).textContent()).toContain('ui-shell-flow');
      await nav.getByRole('link', { name: 'Events', exact: true }).click();
      await page.getByRole('table', { name: 'Domain events' }).waitFor();
      expect(await page.getByRole('table', { name: 'Domain events' }).textContent()).toContain('WorkflowExecutionCompleted');

      // A reload or a deep link keeps the session (sessionStorage) and the route (the server's SPA fallback).
      await page.goto(`${t.url}/ui/workflows`);
      await page.getByRole('table', { name: 'Workflows' }).waitFor();
      // An unknown client route says so.
      await page.goto(`${t.url}/ui/nowhere`);
      await page.getByRole('heading', { level: 1, name: 'Not found' }).waitFor();

      for (const url of visited) expect(url).not.toContain(t.key);
      expect(errors).toEqual([]);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await storedApiKey(page)).toBeNull();
      await page.reload();
      await page.getByLabel('API key').waitFor();
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
    } finally {
      await close();
    }
  });

  it('offers to sign in again when the stored key stops working', async () => {
    const { page, close } = await newPage(browser);
    try {
      const other = await t.newTenant('revoked');
      await signIn(page, t.url, other.key);
      const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
      await t.app.get(ApiKeyService).revokeKey(other.keyId);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('The API key is unknown or revoked');
      await alert.getByRole('button', { name: 'Sign in again' }).click();
      await page.getByLabel('API key').waitFor();
      expect(await storedApiKey(page)).toBeNull();
    } finally {
      await close();
    }
  });

  it('is usable at phone width (390 px): every nav link on screen, no sideways scrolling of the page', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const area of AREAS) {
        const box = await nav.getByRole('link', { name: area.label, exact: true }).boundingBox();
        expect(box).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
        expect(box!.height).toBeGreaterThanOrEqual(24);
      }
      await nav.getByRole('link', { name: 'Workflows', exact: true }).click();
      await page.getByRole('table', { name: 'Workflows' }).waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await screenshot(page, 'shell-phone');
      // Keyboard: from a fresh load, Tab reaches the skip link, the brand, then the areas in order.
      await page.reload();
      await page.getByRole('table', { name: 'Workflows' }).waitFor();
      const focused: (string | undefined)[] = [];
      for (let i = 0; i < 4; i++) {
        await page.keyboard.press('Tab');
        focused.push(await inPage<string | undefined>(page, 'document.activeElement?.textContent ?? undefined'));
      }
      expect(focused).toEqual(['Skip to content', 'CognitionOS', 'Executions', 'Workflows']);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${t.url}/ui/workflows`);
      await page.getByRole('heading', { level: 1, name: 'Workflows' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
