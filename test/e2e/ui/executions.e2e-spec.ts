import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { activeWorkflow, start, waitForExecution, waitForStep } from '../../support/engine-helpers';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn, until } from './support/browser';

// Three dependent steps, a branch, a forEach step and a signal step: the DAG of the Executions pages.
const PIPELINE = {
  id: 'ui-pipeline',
  tags: ['ui'],
  steps: [
    { id: 'fetch', type: 'delay', params: { seconds: 2 } },
    { id: 'audit', type: 'transform', dependsOn: ['fetch'], params: { output: 'audited' } },
    { id: 'parse', type: 'delay', dependsOn: ['fetch'], params: { seconds: 1 } },
    { id: 'fanout', type: 'transform', dependsOn: ['parse'], forEach: '[1, 2, 3, 4]', params: { output: '${{ item * 10 }}' } },
    { id: 'approve', type: 'wait_for_signal', dependsOn: ['fanout'], params: { signal: 'approve' } },
    { id: 'publish', type: 'transform', dependsOn: ['approve', 'audit'], params: { output: { approvedBy: '${{ steps.approve.output.by }}', ticket: '${{ inputs.ticket }}' } } },
  ],
};
const STEP_IDS = PIPELINE.steps.map((s) => s.id);

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/** Samples every DAG node's status class in the page every 40 ms into window.__dagLog (changes only); it survives only if the page is never reloaded. */
const START_SAMPLER = `(() => {
  window.__dagLog = [];
  const last = {};
  window.__dagSampler = setInterval(() => {
    for (const node of document.querySelectorAll('.dag-node')) {
      const status = [...node.classList].find((c) => c.startsWith('status-'));
      if (last[node.dataset.step] !== status) {
        last[node.dataset.step] = status;
        window.__dagLog.push([node.dataset.step, status]);
      }
    }
  }, 40);
  return true;
})()`;


function nodeStatuses(page: Page): Promise<Record<string, string>> {
  return inPage(page, `Object.fromEntries([...document.querySelectorAll('.dag-node')].map((n) => [n.dataset.step, n.dataset.status]))`);
}

describe('the Executions pages (real server, real PostgreSQL, Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('ui-executions');
    api = apiClient(t.url, t.key);
    await activeWorkflow(api, PIPELINE);
    // Fails at its only step: an expression over an input that is not there.
    await activeWorkflow(api, { id: 'ui-failing', steps: [{ id: 'boom', type: 'transform', params: { output: '${{ inputs.missing.field }}' } }] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('starts an execution from the UI, colours its DAG live over SSE, takes a signal from the UI and ends green', async () => {
    const { page, errors, close } = await newPage(browser);
    const signalRequests: string[] = [];
    const streams: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/signals/')) signalRequests.push(request.url());
      if (request.url().endsWith('/events')) streams.push({ url: request.url(), authorization: request.headers().authorization });
    });
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows', exact: true }).click();
      await page.getByRole('table', { name: /Workflows/ }).getByRole('link', { name: '1.0.0' }).first().waitFor();
      await page.getByLabel('Search').fill('ui-pipeline');
      await page.getByLabel('Search').press('Enter');
      await page.waitForURL(/\/ui\/workflows\?q=ui-pipeline$/);
      // The filtered answer replaces the rows shown: wait for it (until then both workflows are listed).
      const workflowRows = page.getByRole('table', { name: /Workflows/ }).locator('tbody tr');
      await until(page, `document.querySelector('table') && [...document.querySelectorAll('table tbody tr')].every((r) => r.textContent.includes('ui-pipeline'))`);
      await workflowRows.filter({ hasText: 'ui-pipeline' }).getByRole('link', { name: '1.0.0' }).click();
      await page.getByRole('heading', { level: 1, name: 'ui-pipeline@1.0.0' }).waitFor();

      await page.getByLabel('Inputs (JSON object)').fill('{"ticket": 7}');
      await page.getByRole('button', { name: 'Start execution' }).click();
      await page.waitForURL(new RegExp(`/ui/executions/${UUID.source}$`));
      const executionId = UUID.exec(page.url())![0];
      await page.locator('.dag-node[data-step="fetch"]').waitFor();
      expect(await inPage(page, START_SAMPLER)).toBe(true);

      // The first step is a 2 s timer: when the DAG is first drawn nothing is completed yet.
      const first = await nodeStatuses(page);
      expect(Object.keys(first).sort()).toEqual([...STEP_IDS].sort());
      expect(Object.values(first)).not.toContain('completed');

      // The signal step waits; the forEach step before it is one node with its items counted.
      await page.locator('.dag-node[data-step="approve"].status-waiting').waitFor({ timeout: 30_000 });
      const fanout = page.locator('.dag-node[data-step="fanout"]');
      expect(await fanout.getAttribute('class')).toContain('status-completed');
      expect(await fanout.textContent()).toContain('4 items: 4 completed');
      expect(await page.locator('.dag-node[data-step="publish"]').getAttribute('data-status')).not.toBe('completed');

      // Keyboard: focus the forEach node and press Enter: the step panel lists its items.
      await fanout.focus();
      await page.keyboard.press('Enter');
      const panel = page.getByRole('complementary', { name: /Step fanout/ });
      await panel.waitFor();
      const items = panel.getByRole('table', { name: 'Items of fanout' });
      expect(await items.locator('tbody tr').count()).toBe(4);
      expect(await items.textContent()).toMatch(/10.*20.*30.*40/s);
      expect(await panel.textContent()).toContain('[1, 2, 3, 4]');

      // A body that is not JSON is refused here, before any request.
      const form = page.getByRole('form', { name: 'Send a signal' });
      expect(await form.getByLabel('Signal name').inputValue()).toBe('approve');
      await form.getByLabel('Body (JSON)').fill('{"by": ');
      await form.getByRole('button', { name: 'Send signal' }).click();
      expect(await form.getByRole('alert').textContent()).toContain('The body is not valid JSON');
      expect(signalRequests).toEqual([]);
      await form.getByLabel('Body (JSON)').fill('{"by": "ops"}');
      await form.getByRole('button', { name: 'Send signal' }).click();
      expect(await form.getByRole('status').textContent()).toContain('Signal "approve" delivered');
      expect(signalRequests).toEqual([`${t.url}/api/v3/executions/${executionId}/signals/approve`]);

      // The end arrives over the stream: every node green, the execution completed, the stream closed.
      await page.locator('.page-header .badge[data-status="completed"]').waitFor({ timeout: 30_000 });
      await page.locator('[data-stream="ended"]').waitFor();
      await page.locator('.dag-node[data-step="publish"].status-completed').waitFor();
      expect(Object.values(await nodeStatuses(page))).toEqual(STEP_IDS.map(() => 'completed'));
      // What the signal did stays on the page once the execution has ended (it ended right after); no more can be sent.
      expect(await form.getByRole('status').textContent()).toContain('Signal "approve" delivered');
      expect(await form.getByRole('button', { name: 'Send signal' }).isDisabled()).toBe(true);

      // The same page all along (the sampler lived through it), and each node went through earlier statuses to green.
      const log = await inPage<[string, string][]>(page, 'window.__dagLog');
      for (const step of ['fetch', 'parse', 'approve', 'publish']) {
        const seen = log.filter(([s]) => s === step).map(([, c]) => c);
        expect({ step, first: seen[0] === 'status-completed', last: seen[seen.length - 1] }).toEqual({ step, first: false, last: 'status-completed' });
      }
      const approveSeen = log.filter(([s]) => s === 'approve').map(([, c]) => c);
      expect(approveSeen.indexOf('status-waiting')).toBeLessThan(approveSeen.indexOf('status-completed'));

      // The stream: fetch-based with the key in the header, never in the URL.
      expect(streams.length).toBeGreaterThanOrEqual(1);
      for (const stream of streams) {
        expect(stream.url).toBe(`${t.url}/api/v3/executions/${executionId}/events`);
        expect(stream.authorization).toBe(`Bearer ${t.key}`);
      }

      // The outputs in the header and in the step panel are the API's.
      const stored = (await api('GET', `/api/v3/executions/${executionId}`)).body;
      expect(stored.status).toBe('completed');
      expect(stored.inputs).toEqual({ ticket: 7 });
      expect(stored.outputs.publish).toEqual({ approvedBy: 'ops', ticket: 7 });
      await page.locator('.dag-node[data-step="publish"]').click();
      const publish = page.getByRole('complementary', { name: /Step publish/ });
      await publish.waitFor();
      expect(await publish.getByLabel('Output of publish').textContent()).toContain('"approvedBy": "ops"');
      expect(await publish.textContent()).toContain('Attempt');
      await page.locator('.dag-node[data-step="fanout"]').click();
      await page.getByRole('complementary', { name: /Step fanout/ }).waitFor();
      // The DAG at the top of the screen, the panel under it.
      await inPage(page, `document.getElementById('dag-title').scrollIntoView()`);
      await screenshot(page, 'execution-detail');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('cancels a running execution from its page; cancelled is not retryable', async () => {
    const started = await start(api, PIPELINE.id, { ticket: 8 });
    const executionId = started.body.id as string;
    await waitForStep(api, executionId, 'approve', 'waiting');
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/executions/${executionId}`);
      await page.locator('.dag-node[data-step="approve"].status-waiting').waitFor();
      const retry = page.getByRole('button', { name: 'Retry execution' });
      expect(await retry.isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Cancel execution' }).click();
      await page.locator('.page-header .badge[data-status="cancelled"]').waitFor();
      await page.locator('.dag-node[data-step="approve"].status-cancelled').waitFor();
      expect(await page.getByRole('button', { name: 'Cancel execution' }).isDisabled()).toBe(true);
      expect(await retry.isDisabled()).toBe(true);
      // The signal form goes with the running execution.
      expect(await page.getByRole('form', { name: 'Send a signal' }).count()).toBe(0);
      expect((await api('GET', `/api/v3/executions/${executionId}`)).body.status).toBe('cancelled');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('retries a failed execution from its page: the stream is followed again and the same failure comes back', async () => {
    const started = await start(api, 'ui-failing');
    const executionId = started.body.id as string;
    const failed = await waitForExecution(api, executionId);
    expect(failed.status).toBe('failed');
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/executions/${executionId}`);
      await page.locator('.dag-node[data-step="boom"].status-failed').waitFor();
      await page.locator('[data-stream="ended"]').waitFor();
      // The execution's error, as the API stored it.
      const summary = page.getByRole('region', { name: 'Summary' });
      expect(await summary.textContent()).toContain(failed.error.code);
      expect(await summary.textContent()).toContain(failed.error.message);
      const log = page.getByRole('list', { name: 'Events of the execution, oldest first' });
      expect(await log.getByText('WorkflowExecutionFailed').count()).toBe(1);

      await page.getByRole('button', { name: 'Retry execution' }).click();
      // The retry restarts the execution; the page follows the stream after the last event it had, up to the second failure.
      await log.getByText('WorkflowExecutionFailed').nth(1).waitFor({ timeout: 20_000 });
      expect(await log.getByText('WorkflowExecutionStarted').count()).toBe(2);
      await page.locator('.page-header .badge[data-status="failed"]').waitFor();
      expect(await page.getByRole('button', { name: 'Retry execution' }).isEnabled()).toBe(true);
      expect((await api('GET', `/api/v3/executions/${executionId}`)).body.status).toBe('failed');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('lists executions with filters and pages, and updates a running one live', async () => {
    // A running one (waiting for its signal) beside the finished ones of the tests above.
    const started = await start(api, PIPELINE.id, { ticket: 9 });
    const runningId = started.body.id as string;
    await waitForStep(api, runningId, 'approve', 'waiting');
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.waitForURL(`${t.url}/ui/executions`);
      const table = page.getByRole('table', { name: /Executions/ });
      await table.waitFor();
      const all = (await api('GET', '/api/v3/executions?limit=100')).body.items as { id: string; status: string }[];
      expect(await table.locator('tbody tr').count()).toBe(all.length);
      const runningRow = table.locator('tbody tr', { has: page.locator(`a[href="/ui/executions/${runningId}"]`) });
      expect(await runningRow.locator('.badge').getAttribute('data-status')).toBe('running');
      expect(await page.getByText(/^Live: refreshing every 3 s/).count()).toBe(1);
      await screenshot(page, 'executions');

      // The signal arrives elsewhere; the row turns completed without a reload.
      await inPage(page, 'window.__sameList = true');
      expect((await api('POST', `/api/v3/executions/${runningId}/signals/approve`, { body: { by: 'api' } })).status).toBe(202);
      await runningRow.locator('.badge[data-status="completed"]').waitFor({ timeout: 15_000 });
      expect(await inPage(page, 'window.__sameList === true')).toBe(true);

      // Status filter (the API's): only the cancelled one.
      await page.getByLabel('Status').selectOption('cancelled');
      await page.waitForURL(`${t.url}/ui/executions?status=cancelled`);
      await table.locator('tbody tr').first().waitFor();
      await until(page, `[...document.querySelectorAll('tbody .badge')].every((b) => b.dataset.status === 'cancelled')`);
      expect(await table.locator('tbody tr').count()).toBe(all.filter((e) => e.status === 'cancelled').length);

      // Workflow filter (the API's), combined: failed executions of ui-failing.
      await page.getByLabel('Status').selectOption('failed');
      await page.getByLabel('Workflow').fill('ui-failing');
      await page.getByLabel('Workflow').press('Enter');
      await page.waitForURL(`${t.url}/ui/executions?workflowId=ui-failing&status=failed`);
      await until(page, `document.querySelectorAll('tbody tr').length === 1 && document.querySelector('tbody').textContent.includes('ui-failing@1.0.0')`);
      // Nothing matches: the empty state says so.
      await page.getByLabel('Workflow').fill('no-such-flow');
      await page.getByLabel('Workflow').press('Enter');
      await page.getByText('No executions match these filters.').waitFor();

      // Time filters (the API's from/to): one execution moved to two days ago is the only one created
      // before yesterday; nothing was created after tomorrow.
      const oldest = all[all.length - 1].id;
      await t.app.get(DataSource).query(`UPDATE workflow_executions SET created_at = now() - interval '2 days' WHERE id = $1`, [oldest]);
      const asLocal = (at: Date) => new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      const listCalls: string[] = [];
      page.on('request', (request) => {
        if (request.url().includes('/api/v3/executions?')) listCalls.push(request.url());
      });
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.waitForURL(`${t.url}/ui/executions`);
      await table.waitFor();
      await page.getByLabel('Created before').fill(asLocal(new Date(Date.now() - 86_400_000)));
      await until(page, `document.querySelectorAll('tbody tr').length === 1 && document.querySelector('tbody a').title === ${JSON.stringify(oldest)}`);
      expect(listCalls.some((url) => new URL(url).searchParams.has('to'))).toBe(true);
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel('Created after').fill(asLocal(new Date(Date.now() + 86_400_000)));
      await page.getByText('No executions match these filters.').waitFor();
      expect(listCalls.some((url) => new URL(url).searchParams.has('from'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('walks pages of executions with the API cursor', async () => {
    const other = await t.newTenant('paging');
    const otherApi = apiClient(t.url, other.key);
    await activeWorkflow(otherApi, { id: 'ui-tiny', steps: [{ id: 'one', type: 'transform', params: { output: 1 } }] });
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push((await start(otherApi, 'ui-tiny')).body.id);
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, other.key);
      const table = page.getByRole('table', { name: /Executions/ });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(25);
      const pager = page.getByRole('navigation', { name: 'Executions pages' });
      expect(await pager.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
      await pager.getByRole('button', { name: 'Next page' }).click();
      await pager.getByText('Page 2').waitFor();
      await until(page, `document.querySelectorAll('tbody tr').length === 2`);
      expect(await pager.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
      // Newest first: the second page holds the two started first.
      const hrefs = await inPage<string[]>(page, `[...document.querySelectorAll('tbody a[href^="/ui/executions/"]')].map((l) => l.getAttribute('href'))`);
      expect(hrefs.sort()).toEqual([`/ui/executions/${ids[0]}`, `/ui/executions/${ids[1]}`].sort());
      await pager.getByRole('button', { name: 'Previous page' }).click();
      await until(page, `document.querySelectorAll('tbody tr').length === 25`);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows an unknown execution as the API problem, and the detail page fits a phone', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const problem = (await api('GET', `/api/v3/executions/${missing}`)).body as { title: string; detail: string };
    const { page, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/executions/${missing}`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      expect(problem.detail.length).toBeGreaterThan(0);

      const done = (await api('GET', '/api/v3/executions?status=completed&workflowId=ui-pipeline')).body.items[0];
      await page.goto(`${t.url}/ui/executions/${done.id}`);
      await page.locator('.dag-node[data-step="publish"].status-completed').waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      // The steps as a list: a button per step opens the same panel.
      await page.getByText('Steps as a list').click();
      await page.getByRole('table', { name: 'Steps of the execution' }).getByRole('button', { name: 'approve' }).click();
      await page.getByRole('complementary', { name: /Step approve/ }).waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    } finally {
      await close();
    }
  });
});
