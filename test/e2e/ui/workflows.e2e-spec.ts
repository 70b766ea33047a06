import type { Browser, Page } from 'playwright-core';
import { activeWorkflow } from '../../support/engine-helpers';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn, until } from './support/browser';

// A diamond with a long arm: the critical path is ingest → enrich → score → report (4 steps).
const DIAMOND_STEPS = [
  { id: 'ingest', type: 'transform', params: { output: { rows: 3 } } },
  { id: 'summarize', type: 'transform', dependsOn: ['ingest'], params: { output: 'short' } },
  { id: 'enrich', type: 'transform', dependsOn: ['ingest'], params: { output: 'enriched' } },
  { id: 'score', type: 'transform', dependsOn: ['enrich'], forEach: '[1, 2]', params: { output: '${{ item }}' } },
  { id: 'report', type: 'transform', dependsOn: ['summarize', 'score'], params: { output: '${{ inputs.title }}' } },
  { id: 'notify', type: 'transform', params: { output: 'sent' } },
];


const ROWS = `document.querySelectorAll('tbody tr').length`;

/** The texts of the page's alert regions. */
function alerts(page: Page): Promise<string[]> {
  return page.getByRole('alert').allTextContents();
}

describe('the Workflows pages (real server, real PostgreSQL, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('ui-workflows');
    api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'ui-diamond', name: 'Diamond report', description: 'A diamond with a long arm', tags: ['reports'], steps: DIAMOND_STEPS });
    await activeWorkflow(api, { id: 'ui-review', tags: ['review'], steps: [{ id: 'check', type: 'transform', params: { output: 1 } }] });
    const draft = await api('POST', '/api/v3/workflows', { body: { id: 'ui-review', version: '1.1.0', name: 'ui-review', tags: ['review'], steps: [{ id: 'check', type: 'transform', params: { output: 2 } }] } });
    expect(draft.status).toBe(201);
    await activeWorkflow(api, { id: 'ui-billing', tags: ['billing'], steps: [{ id: 'bill', type: 'transform', params: { output: 3 } }] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists workflow versions with the status, tag and search filters of the API', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows', exact: true }).click();
      const table = page.getByRole('table', { name: /Workflows/ });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(4);

      await page.getByLabel('Status').selectOption('draft');
      await page.waitForURL(`${t.url}/ui/workflows?status=draft`);
      await until(page, `${ROWS} === 1`);
      expect(await table.locator('tbody').textContent()).toContain('1.1.0');

      await page.getByLabel('Status').selectOption('');
      await page.getByLabel('Tag').fill('billing');
      await page.getByLabel('Tag').press('Enter');
      await page.waitForURL(`${t.url}/ui/workflows?tag=billing`);
      await until(page, `${ROWS} === 1`);
      await table.getByRole('link', { name: 'ui-billing' }).waitFor();

      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel('Search').fill('DIAMOND');
      await page.getByLabel('Search').press('Enter');
      await page.waitForURL(`${t.url}/ui/workflows?q=DIAMOND`);
      await until(page, `${ROWS} === 1`);
      await table.getByRole('link', { name: 'ui-diamond' }).waitFor();

      await page.getByLabel('Search').fill('nothing-like-this');
      await page.getByLabel('Search').press('Enter');
      await page.getByText('No workflow version matches these filters.').waitFor();
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('moves a version through its lifecycle with only the valid actions enabled, and shows the API refusals as problems', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/workflows/ui-review`);
      const versions = page.getByRole('table', { name: 'Versions of ui-review' });
      await versions.waitFor();
      expect(await versions.locator('tbody tr').count()).toBe(2);
      expect(await versions.locator('tbody tr', { hasText: '1.0.0' }).locator('.badge').getAttribute('data-status')).toBe('active');
      expect(await versions.locator('tbody tr', { hasText: '1.1.0' }).locator('.badge').getAttribute('data-status')).toBe('draft');
      await versions.getByRole('link', { name: '1.1.0' }).click();
      await page.getByRole('heading', { level: 1, name: 'ui-review@1.1.0' }).waitFor();

      const lifecycle = page.getByRole('group', { name: 'Lifecycle' });
      const enabled = async () => {
        const out: string[] = [];
        for (const name of ['Activate', 'Deprecate', 'Archive']) if (await lifecycle.getByRole('button', { name }).isEnabled()) out.push(name);
        return out;
      };
      await lifecycle.getByRole('button', { name: 'Activate' }).waitFor();
      expect(await enabled()).toEqual(['Activate', 'Archive']);

      await lifecycle.getByRole('button', { name: 'Activate' }).click();
      await page.locator('.page-header .badge[data-status="active"]').waitFor();
      expect(await enabled()).toEqual(['Deprecate', 'Archive']);
      expect((await api('GET', '/api/v3/workflows/ui-review/versions/1.1.0')).body.status).toBe('active');

      await lifecycle.getByRole('button', { name: 'Deprecate' }).click();
      await page.locator('.page-header .badge[data-status="deprecated"]').waitFor();
      expect(await enabled()).toEqual(['Archive']);

      // A deprecated version starts nothing: the API's 409, title and detail, shown as is.
      const start = page.getByRole('form', { name: 'Start an execution' });
      expect(await start.textContent()).toContain('Only active versions start executions: this one is deprecated.');
      await start.getByRole('button', { name: 'Start execution' }).click();
      const refused = (await api('POST', '/api/v3/workflows/ui-review/executions', { body: { version: '1.1.0', inputs: {} } })).body as { status: number; title: string; detail: string; code: string };
      expect(refused.status).toBe(409);
      const startProblem = start.getByRole('alert');
      await startProblem.waitFor();
      expect(await startProblem.textContent()).toContain(refused.title);
      expect(await startProblem.textContent()).toContain(refused.detail);
      expect(await startProblem.textContent()).toContain(refused.code);
      expect(page.url()).toBe(`${t.url}/ui/workflows/ui-review/versions/1.1.0`);

      // A page gone stale: 1.0.0 deprecated behind its back, then "Deprecate" here: the 409 is shown.
      await page.goto(`${t.url}/ui/workflows/ui-review/versions/1.0.0`);
      await page.locator('.page-header .badge[data-status="active"]').waitFor();
      expect((await api('POST', '/api/v3/workflows/ui-review/versions/1.0.0/deprecate')).status).toBe(200);
      await lifecycle.getByRole('button', { name: 'Deprecate' }).click();
      const again = (await api('POST', '/api/v3/workflows/ui-review/versions/1.0.0/deprecate')).body as { status: number; title: string; detail: string };
      expect(again.status).toBe(409);
      const problem = page.getByRole('region', { name: 'Lifecycle' }).getByRole('alert');
      await problem.waitFor();
      expect(await problem.locator('.problem-title').textContent()).toContain(again.title);
      expect(await problem.locator('.problem-detail').textContent()).toBe(again.detail);

      // Archive is final: nothing is enabled after it.
      await page.reload();
      await page.locator('.page-header .badge[data-status="deprecated"]').waitFor();
      await lifecycle.getByRole('button', { name: 'Archive' }).click();
      await page.locator('.page-header .badge[data-status="archived"]').waitFor();
      expect(await enabled()).toEqual([]);
      expect(await page.getByText('Archived is final.').count()).toBe(1);
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a version: its analysis with the critical path on the DAG, its steps and definition; starts an execution from it', async () => {
    const analysis = (await api('GET', '/api/v3/workflows/ui-diamond/versions/1.0.0/analysis')).body as { criticalPath: string[]; levels: string[][]; maxParallelism: number };
    expect(analysis.criticalPath).toEqual(['ingest', 'enrich', 'score', 'report']);
    const { page, errors, close } = await newPage(browser);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/workflows/ui-diamond/versions/1.0.0`);
      await page.getByRole('heading', { level: 2, name: 'Diamond report' }).waitFor();
      expect(await page.getByText('A diamond with a long arm', { exact: true }).count()).toBe(1);

      const critical = page.getByTestId('critical-path');
      await critical.waitFor();
      expect(await critical.textContent()).toBe(analysis.criticalPath.join(' → '));
      // The DAG: a node per step, the critical ones (and only they) highlighted, with the edges between them.
      await page.locator('.dag-node').first().waitFor();
      const nodes = await inPage<string[]>(page, `[...document.querySelectorAll('.dag-node')].map((n) => n.dataset.step)`);
      expect(nodes.sort()).toEqual(DIAMOND_STEPS.map((s) => s.id).sort());
      const hot = await inPage<string[]>(page, `[...document.querySelectorAll('.dag-node.hot')].map((n) => n.dataset.step)`);
      expect(hot.sort()).toEqual([...analysis.criticalPath].sort());
      const hotEdges = await inPage<string[]>(page, `[...document.querySelectorAll('.dag-edge.hot')].map((e) => e.dataset.from + '>' + e.dataset.to)`);
      expect(hotEdges.sort()).toEqual(['enrich>score', 'ingest>enrich', 'score>report']);
      expect(await page.locator('.dag-edge').count()).toBe(DIAMOND_STEPS.reduce((n, s) => n + (s.dependsOn?.length ?? 0), 0));
      expect(await page.locator('.facts div', { hasText: 'Maximum parallelism' }).locator('dd').textContent()).toBe(String(analysis.maxParallelism));
      expect(await page.getByRole('region', { name: 'Analysis' }).locator('ol > li').count()).toBe(analysis.levels.length);

      const steps = page.getByRole('table', { name: 'Steps of this version' });
      expect(await steps.locator('tbody tr').count()).toBe(DIAMOND_STEPS.length);
      expect(await steps.getByRole('row', { name: /^score transform/ }).textContent()).toContain('[1, 2]');
      await page.getByText('The version as JSON').click();
      expect(await page.getByLabel('Definition of ui-diamond@1.0.0').textContent()).toContain('"id": "ui-diamond"');

      await inPage(page, `document.getElementById('analysis-title').scrollIntoView()`);
      await screenshot(page, 'workflows');

      // Inputs that are not a JSON object are refused here; valid ones start an execution and open it.
      const form = page.getByRole('form', { name: 'Start an execution' });
      await form.getByLabel('Inputs (JSON object)').fill('[1, 2]');
      await form.getByRole('button', { name: 'Start execution' }).click();
      expect(await form.getByRole('alert').textContent()).toContain('The inputs must be a JSON object');
      await form.getByLabel('Inputs (JSON object)').fill('{"title": ');
      await form.getByRole('button', { name: 'Start execution' }).click();
      expect(await form.getByRole('alert').textContent()).toContain('The inputs are not valid JSON');
      expect(posts).toEqual([]);
      await form.getByLabel('Inputs (JSON object)').fill('{"title": "Q3"}');
      await form.getByRole('button', { name: 'Start execution' }).click();
      await page.waitForURL(/\/ui\/executions\/[0-9a-f-]{36}$/);
      const executionId = page.url().split('/').pop() as string;
      await page.locator('.page-header .badge[data-status="completed"]').waitFor({ timeout: 20_000 });
      const stored = (await api('GET', `/api/v3/executions/${executionId}`)).body;
      expect(stored).toMatchObject({ workflowId: 'ui-diamond', workflowVersion: '1.0.0', status: 'completed', inputs: { title: 'Q3' } });
      expect(stored.outputs.report).toBe('Q3');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('fits a phone (390 px): the version page scrolls its DAG and tables inside their boxes', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/workflows/ui-diamond/versions/1.0.0`);
      await page.locator('.dag-node').first().waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await page.goto(`${t.url}/ui/workflows`);
      await page.getByRole('table', { name: /Workflows/ }).waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows an unknown version as the API problem', async () => {
    const problem = (await api('GET', '/api/v3/workflows/ui-diamond/versions/9.9.9')).body as { title: string; detail: string };
    const { page, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/workflows/ui-diamond/versions/9.9.9`);
      const alert = page.getByRole('alert').first();
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      // One problem: the analysis of a missing version is not shown under it.
      expect(await alerts(page)).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
