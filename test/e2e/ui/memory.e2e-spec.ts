import type { Browser, Page } from 'playwright-core';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn } from './support/browser';

type Api = ReturnType<typeof apiClient>;

/** The memories of the spec, in three top-level namespaces (acme has a subtree). Embedded by the default offline hashing embedder. */
const MEMORIES = [
  {
    key: 'email',
    content: 'The customer prefers email over phone for delivery updates',
    namespace: 'acme.support',
    memoryType: 'preference',
    importance: 'high',
    tags: ['contact'],
  },
  { key: 'refund', content: 'Refunds above 500 euros need a manager approval', namespace: 'acme.support.tier2', memoryType: 'fact', importance: 'critical', tags: ['policy'] },
  { key: 'pricing', content: 'The sales team offers a ten percent discount for yearly plans', namespace: 'acme.sales', memoryType: 'knowledge', importance: 'medium', tags: [] },
  {
    key: 'paper',
    content: 'Delivery drones cut the email backlog in the research pilot',
    namespace: 'globex.research',
    memoryType: 'experience',
    importance: 'low',
    tags: ['pilot'],
  },
  { key: 'lab', content: 'The lab closes at six on Fridays', namespace: 'initech', memoryType: 'fact', importance: 'medium', tags: [] },
] as const;

describe('the memory explorer (real server, real PostgreSQL, Chromium)', () => {
  let t: TestApp;
  let api: Api;
  let browser: Browser;
  const ids: Record<string, string> = {};
  let collectionName: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('ui-memory');
    api = apiClient(t.url, t.key);
    const created = await api('POST', '/api/v3/memories', { body: { items: MEMORIES.map(({ key: _key, ...memory }) => memory) } });
    expect(created.status).toBe(201);
    created.body.items.forEach((memory: { id: string }, index: number) => (ids[MEMORIES[index].key] = memory.id));
    // The refund rule changes: its first content becomes a revision.
    const patched = await api('PATCH', `/api/v3/memories/${ids.refund}`, { body: { content: 'Refunds above 300 euros need a manager approval' } });
    expect(patched.status).toBe(200);
    collectionName = 'support-playbook';
    const collection = await api('POST', '/api/v3/memory-collections', { body: { name: collectionName, description: 'What support agents must know' } });
    expect(collection.status).toBe(201);
    expect((await api('PUT', `/api/v3/memory-collections/${collection.body.id}/memories/${ids.refund}`)).status).toBeLessThan(300);
    expect((await api('POST', '/api/v3/memory-collections', { body: { name: 'empty-shelf' } })).status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const tree = (page: Page) => page.getByRole('tree', { name: 'Namespaces' });
  const item = (page: Page, namespace: string) => tree(page).locator(`[role="treeitem"][data-namespace="${namespace}"]`);
  const shownNamespaces = async (page: Page) => Promise.all((await tree(page).getByRole('treeitem').all()).map((el) => el.getAttribute('data-namespace')));
  /** Waits until keyboard focus is on the tree item of `namespace` (fails after 5 s, naming where focus is). */
  const expectFocusOn = async (page: Page, namespace: string) => {
    const deadline = Date.now() + 5000;
    while ((await inPage<string | null>(page, 'document.activeElement?.getAttribute("data-namespace") ?? null')) !== namespace) {
      if (Date.now() > deadline)
        throw new Error(`focus is on ${await inPage<string | null>(page, 'document.activeElement?.outerHTML ?? null')}, not on the tree item ${namespace}`);
      await page.waitForTimeout(50);
    }
  };
  /** The contents listed once the list has its answer (aria-busy false), sorted. */
  const listedContents = async (page: Page) => {
    await page.locator('section.memory-list[aria-busy="false"]').waitFor();
    return (await page.getByRole('table', { name: 'Memories' }).locator('tbody tr td:first-child').allTextContents()).sort();
  };

  it('builds the namespace tree from the memories, navigates it with the keyboard, and lists the selected subtree', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/memory`);
      await tree(page).waitFor();
      // Top level: the first label of every namespace, with the count of its subtree; children hidden.
      expect(await shownNamespaces(page)).toEqual(['acme', 'globex', 'initech']);
      expect(await item(page, 'acme').getAttribute('aria-expanded')).toBe('false');
      expect(await item(page, 'acme').textContent()).toContain('3');
      expect(await item(page, 'initech').getAttribute('aria-expanded')).toBeNull();
      // Every memory is listed at first.
      expect(await listedContents(page)).toEqual(MEMORIES.map((m) => (m.key === 'refund' ? 'Refunds above 300 euros need a manager approval' : m.content)).sort());

      // Keyboard: one tab stop; → expands, ↓ moves, Enter selects, ← goes to the parent and collapses.
      await item(page, 'acme').focus();
      await page.keyboard.press('ArrowRight');
      expect(await item(page, 'acme').getAttribute('aria-expanded')).toBe('true');
      expect(await shownNamespaces(page)).toEqual(['acme', 'acme.sales', 'acme.support', 'globex', 'initech']);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await expectFocusOn(page, 'acme.support');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await expectFocusOn(page, 'acme.support.tier2');
      expect(await item(page, 'acme.support.tier2').getAttribute('aria-level')).toBe('3');
      await page.keyboard.press('ArrowLeft');
      await expectFocusOn(page, 'acme.support');
      await page.keyboard.press('Enter');
      await page.waitForURL(`${t.url}/ui/memory?namespace=acme.support`);
      expect(await item(page, 'acme.support').getAttribute('aria-selected')).toBe('true');
      await page.getByRole('heading', { name: 'Memories in acme.support and below' }).waitFor();
      expect(await listedContents(page)).toEqual(['Refunds above 300 euros need a manager approval', 'The customer prefers email over phone for delivery updates']);
      expect(await tree(page).locator('[tabindex="0"]').count()).toBe(1);

      // A filter narrows the subtree's list; a type with nothing in it says so.
      await page.getByLabel('Type').selectOption('fact');
      expect(await listedContents(page)).toEqual(['Refunds above 300 euros need a manager approval']);
      await page.getByLabel('Type').selectOption('skill');
      await page.getByText('No memories match.').waitFor();
      await page.getByLabel('Type').selectOption('');

      // ← on a top-level item collapses it; a click selects another namespace.
      await item(page, 'acme').focus();
      await page.keyboard.press('ArrowLeft');
      expect(await item(page, 'acme').getAttribute('aria-expanded')).toBe('false');
      expect(await item(page, 'acme.support').count()).toBe(0);
      await item(page, 'globex').click();
      await page.waitForURL(`${t.url}/ui/memory?namespace=globex`);
      await page.getByRole('heading', { name: 'Memories in globex and below' }).waitFor();
      expect(await listedContents(page)).toEqual(['Delivery drones cut the email backlog in the research pilot']);
      await page.getByRole('button', { name: 'All namespaces' }).click();
      await page.getByRole('heading', { name: 'All memories' }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  /** Runs a search from the form and waits for the results (or a problem). */
  async function search(page: Page, fill: { query: string; mode: string; namespace?: string }) {
    const form = page.getByRole('form', { name: 'Memory search' });
    await form.getByLabel('Query').fill(fill.query);
    await form.getByLabel('Mode').selectOption(fill.mode);
    if (fill.namespace !== undefined) {
      // The filters fold away; their summary says what they hold.
      const filters = form.locator('details.search-filters');
      if ((await filters.getAttribute('open')) === null) await filters.locator('summary').click();
      await form.getByLabel('Namespace (subtree)').fill(fill.namespace);
      await filters.locator('summary').click();
      expect(await filters.locator('summary').textContent()).toBe(fill.namespace ? `Filters: namespace ${fill.namespace}` : 'Filters (none)');
    }
    await form.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('region', { name: 'Search results' }).or(page.locator('.empty')).or(page.getByRole('alert')).first().waitFor();
  }

  /** The hits on screen: memory id, the score and the per-source scores as shown. */
  async function hitsOnScreen(page: Page) {
    const rows = page.getByRole('region', { name: 'Search results' }).locator('tbody tr');
    const out: { id: string; score: string; vector: string; text: string; relevance: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = rows.nth(i).locator('td');
      out.push({
        id: (await rows.nth(i).getAttribute('data-memory-id')) as string,
        score: (await cells.nth(2).textContent())!.trim(),
        vector: (await cells.nth(3).textContent())!.trim(),
        text: (await cells.nth(4).textContent())!.trim(),
        relevance: (await cells.nth(5).textContent())!.trim(),
      });
    }
    return out;
  }

  /** How the page prints a score (score-bars.tsx formatScore). */
  const shown = (value: number | undefined) => (value === undefined ? '—' : value === 0 ? '0' : Math.abs(value) >= 1 ? value.toFixed(3) : value.toPrecision(4));

  it('searches by text and hybrid from the form and shows each hit with its score and per-source scores', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/memory`);
      await page.getByRole('navigation', { name: 'Memory views' }).getByRole('link', { name: 'Search' }).click();
      await page.waitForURL(`${t.url}/ui/memory?view=search`);

      // Text: full-text candidates only, ranked by ts_rank_cd; no vector score.
      await search(page, { query: 'email delivery', mode: 'text' });
      const text = await hitsOnScreen(page);
      const textApi = (await api('POST', '/api/v3/memories/search', { body: { query: 'email delivery', mode: 'text', k: 10 } })).body.items as any[];
      expect(textApi.length).toBeGreaterThanOrEqual(2);
      expect(text.map((h) => h.id)).toEqual(textApi.map((h) => h.memory.id));
      expect(text.map((h) => h.id)).toEqual(expect.arrayContaining([ids.email, ids.paper]));
      expect(text.map((h) => h.score)).toEqual(textApi.map((h) => shown(h.score)));
      expect(text.map((h) => h.text)).toEqual(textApi.map((h) => shown(h.scores.text)));
      for (const hit of text) {
        expect(Number(hit.score)).toBeGreaterThan(0);
        expect(hit.vector).toBe('—');
        expect(hit.relevance).toBe('—');
      }
      // Each number has its bar.
      expect(await page.getByRole('region', { name: 'Search results' }).locator('tbody tr').first().locator('meter').count()).toBe(2);

      // Hybrid within the acme subtree, re-ranked: vector, text and relevance scores side by side.
      await page.getByLabel('Re-rank by relevance').check();
      await search(page, { query: 'email delivery', mode: 'hybrid', namespace: 'acme' });
      await page.getByText(/mode hybrid, re-ranked by relevance/).waitFor();
      const hybrid = await hitsOnScreen(page);
      const hybridApi = (await api('POST', '/api/v3/memories/search', { body: { query: 'email delivery', mode: 'hybrid', k: 10, rerank: true, filters: { namespace: 'acme' } } }))
        .body.items as any[];
      expect(hybrid.map((h) => h.id)).toEqual(hybridApi.map((h) => h.memory.id));
      expect(hybrid.map((h) => h.id)).not.toContain(ids.paper);
      expect(hybrid[0].id).toBe(ids.email);
      // Vector and text scores are the API's; relevance counts accesses (each search is one), so it is only checked in range,
      // and a re-ranked hit's order score is its relevance.
      expect(hybrid.map(({ vector, text }) => ({ vector, text }))).toEqual(hybridApi.map((h) => ({ vector: shown(h.scores.vector), text: shown(h.scores.text) })));
      for (const hit of hybrid) {
        expect(Number(hit.relevance)).toBeGreaterThan(0);
        expect(Number(hit.relevance)).toBeLessThanOrEqual(1);
        expect(hit.score).toBe(hit.relevance);
      }
      for (const value of [hybrid[0].vector, hybrid[0].text, hybrid[0].relevance]) expect(Number(value)).toBeGreaterThan(0);
      expect(await page.getByRole('region', { name: 'Search results' }).locator('tbody tr').first().locator('meter').count()).toBe(4);
      await screenshot(page, 'memory');

      // A vector that is not JSON is refused on the page; one of the wrong length by the API, shown as its problem.
      await page.getByLabel('Vector', { exact: true }).check();
      await page.getByLabel('Vector (JSON array)').fill('[0.1, oops]');
      await page.getByRole('button', { name: 'Search' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('The vector is not valid JSON');
      await page.getByLabel('Vector (JSON array)').fill('[0.1, 0.2, 0.3]');
      await page.getByRole('button', { name: 'Search' }).click();
      const refused = await fetch(`${t.url}/api/v3/memories/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ embedding: [0.1, 0.2, 0.3], mode: 'hybrid', k: 10, rerank: true, filters: { namespace: 'acme' } }),
      });
      const problem = (await refused.json()) as { title: string; detail: string };
      expect(refused.status).toBeGreaterThanOrEqual(400);
      const alert = page.getByRole('alert').filter({ hasText: problem.title });
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.detail);
      // The refused request is the only console error (Chromium logs failed fetches).
      expect(errors.filter((e) => !e.includes(String(refused.status)))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('opens a memory with its fields, its revisions after a PATCH of its content, and its collections', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/memory?namespace=acme.support.tier2`);
      await page.getByRole('link', { name: 'Refunds above 300 euros need a manager approval' }).click();
      await page.waitForURL(`${t.url}/ui/memory/${ids.refund}`);
      await page.getByText('Refunds above 300 euros need a manager approval').first().waitFor();
      const fields = await page.locator('dl.fields').textContent();
      expect(fields).toContain('acme.support.tier2');
      expect(fields).toContain('critical');
      expect(fields).toContain('policy');
      expect(fields).toMatch(/Access count\d+/);
      // The previous content, kept by the PATCH.
      const revisions = page.getByRole('table', { name: 'Revisions' });
      await revisions.waitFor();
      expect(await revisions.locator('tbody tr').count()).toBe(1);
      expect(await revisions.locator('tbody').textContent()).toContain('Refunds above 500 euros need a manager approval');
      // Membership: every collection, the one holding it marked.
      const memberships = page.getByRole('table', { name: 'Collections and this memory' });
      await memberships.waitFor();
      expect(await page.getByText(`In 1 collection: ${collectionName}.`).count()).toBe(1);
      const rows = await memberships.locator('tbody tr').allTextContents();
      expect(rows.find((r) => r.startsWith(collectionName))).toMatch(/yes$/);
      expect(rows.find((r) => r.startsWith('empty-shelf'))).toMatch(/no$/);

      // Another PATCH shows up as a second revision on reload.
      expect((await api('PATCH', `/api/v3/memories/${ids.refund}`, { body: { content: 'Refunds above 250 euros need a manager approval' } })).status).toBe(200);
      await page.reload();
      await page.getByRole('table', { name: 'Revisions' }).waitFor();
      expect(await page.getByRole('table', { name: 'Revisions' }).locator('tbody tr td:nth-child(2)').allTextContents()).toEqual([
        'Refunds above 500 euros need a manager approval',
        'Refunds above 300 euros need a manager approval',
      ]);
      // A memory that is not there is its problem, plainly.
      await page.goto(`${t.url}/ui/memory/00000000-0000-7000-8000-000000000000`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/not found/i);
      expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('lists the collections and their members', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/memory?view=collections`);
      const table = page.getByRole('table', { name: 'Collections' });
      await table.waitFor();
      expect(await table.locator('tbody tr td:first-child').allTextContents()).toEqual(['empty-shelf', collectionName]);
      await page.getByRole('button', { name: `Show members of ${collectionName}` }).click();
      const members = page.getByRole('table', { name: `Members of ${collectionName}` });
      await members.waitFor();
      expect(await members.locator('tbody tr td:first-child').allTextContents()).toEqual(['Refunds above 250 euros need a manager approval']);
      await page.getByRole('button', { name: 'Show members of empty-shelf' }).click();
      await page.getByText('This collection has no memories.').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is usable at phone width: the tree above the list, no sideways scrolling of the page', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/memory?view=search`);
      await tree(page).waitFor();
      await search(page, { query: 'email', mode: 'hybrid' });
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      const treeBox = (await tree(page).boundingBox())!;
      const formBox = (await page.getByRole('form', { name: 'Memory search' }).boundingBox())!;
      expect(treeBox.x + treeBox.width).toBeLessThanOrEqual(PHONE.width);
      expect(formBox.y).toBeGreaterThan(treeBox.y);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
