import type { Browser, Page } from 'playwright-core';
import { activeWorkflow, start, waitForExecution } from '../../support/engine-helpers';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { adminRows } from '../../support/test-database';
import { until } from '../../support/wait';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn } from './support/browser';

type Api = ReturnType<typeof apiClient>;

const D = '/api/v3/dead-letters';

/**
 * Events, subscriptions and dead letters on the dashboard. The dead letters are real: a trigger makes the
 * trace store refuse the spans of the `ui-poison` workflow, so the `trace-spans` subscriber's handler throws
 * on that workflow's events, is retried (EVENT_HANDLER_MAX_ATTEMPTS) and dead-letters them; dropping the
 * trigger heals it, and a retry from the page delivers the event.
 */
describe('the events pages (real server, real PostgreSQL, Chromium)', () => {
  let t: TestApp;
  let api: Api;
  let browser: Browser;
  let manyId: string;
  const poisoned: string[] = [];

  const db = <T = any>(sql: string, params: unknown[] = []) => adminRows<T>(sql, params, t.db.name);

  beforeAll(async () => {
    browser = await launchBrowser();
    t = await startTestApp('ui-events', {
      EVENT_HANDLER_MAX_ATTEMPTS: '2',
      EVENT_HANDLER_RETRY_BASE_MS: '50',
      EVENT_HANDLER_RETRY_MAX_MS: '100',
      OUTBOX_POLL_MS: '100',
      WORKER_POLL_MS: '100',
    });
    api = apiClient(t.url, t.key);
    // Enough events for more than one page (50): a forEach of 30 items.
    await activeWorkflow(api, {
      id: 'ui-many',
      steps: [
        {
          id: 'each',
          type: 'transform',
          forEach: '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]',
          params: { output: '${{ item * 2 }}' },
        },
      ],
    });
    manyId = (await start(api, 'ui-many')).body.id;
    await waitForExecution(api, manyId);

    await db(`CREATE FUNCTION ui_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'trace store refused span %', NEW.name; END $$`);
    await db(`CREATE TRIGGER ui_refuse_poison BEFORE INSERT OR UPDATE ON trace_spans FOR EACH ROW WHEN (NEW.name LIKE 'ui-poison@%') EXECUTE FUNCTION ui_refuse_poison()`);
    await activeWorkflow(api, { id: 'ui-poison', steps: [{ id: 'noop', type: 'transform', params: { output: 1 } }] });
    for (let i = 0; i < 2; i++) {
      const id = (await start(api, 'ui-poison')).body.id;
      poisoned.push(id);
      await waitForExecution(api, id);
    }
    // Every workflow-span event of both executions ends up dead (Started and Completed of each, at least).
    await until(
      () => api('GET', `${D}?subscriber=trace-spans&status=dead`).then((r) => r.body.items as any[]),
      (items) => items.length >= 4,
      'the poisoned events to be dead-lettered',
      30_000,
    );
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const rowsOf = (page: Page, table: string) => page.getByRole('table', { name: table }).locator('tbody tr');

  it('lists the events page by page (after the last position), filters them, and shows an envelope', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events', exact: true }).click();
      await page.getByRole('table', { name: 'Domain events' }).waitFor();
      const first = (await api('GET', '/api/v3/events?limit=50&after=0')).body.items as any[];
      expect(first).toHaveLength(50);
      expect(await rowsOf(page, 'Domain events').locator('td:first-child').allTextContents()).toEqual(first.map((e) => e.position));
      await screenshot(page, 'events');

      // The next page continues after the last position shown.
      await page.getByRole('button', { name: 'Next page' }).click();
      const second = (await api('GET', `/api/v3/events?limit=50&after=${first[49].position}`)).body.items as any[];
      await page.getByText(`Positions ${second[0].position}–${second[second.length - 1].position}`).waitFor();
      expect(await rowsOf(page, 'Domain events').locator('td:first-child').allTextContents()).toEqual(second.map((e) => e.position));
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByText(`Positions ${first[0].position}–${first[49].position}`).waitFor();

      // Filters: a type, then one aggregate (from its cell).
      await page.getByLabel('Type', { exact: true }).fill('WorkflowExecutionCompleted');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByText(/^Positions /).waitFor();
      const completed = (await api('GET', '/api/v3/events?type=WorkflowExecutionCompleted')).body.items as any[];
      await until(
        () => rowsOf(page, 'Domain events').locator('td:nth-child(2)').allTextContents(),
        (types) => types.length === completed.length && types.every((type) => type === 'WorkflowExecutionCompleted'),
        'the type filter',
        5000,
      );
      expect(completed.map((e) => e.aggregateId).sort()).toEqual([manyId, ...poisoned].sort());
      await page.getByRole('button', { name: 'Clear' }).click();
      await page.getByLabel('Aggregate id').fill(poisoned[0]);
      await page.getByRole('button', { name: 'Filter' }).click();
      const ofOne = (await api('GET', `/api/v3/events?aggregateId=${poisoned[0]}`)).body.items as any[];
      await until(
        () => rowsOf(page, 'Domain events').locator('td:first-child').allTextContents(),
        (positions) => JSON.stringify(positions) === JSON.stringify(ofOne.map((e) => e.position)),
        'the aggregate filter',
        5000,
      );

      // The envelope of one event: ids, correlation, payload.
      const started = ofOne.find((e) => e.type === 'WorkflowExecutionStarted');
      await page.getByRole('button', { name: `Show envelope of event ${started.position}` }).click();
      const envelope = page.getByRole('region', { name: /WorkflowExecutionStarted/ });
      await envelope.waitFor();
      const text = await envelope.textContent();
      for (const value of [started.id, started.aggregateId, started.tenantId, '"workflowId": "ui-poison"']) expect(text).toContain(value);
      await page.getByRole('button', { name: 'Close' }).click();
      expect(await envelope.count()).toBe(0);

      // A bad filter is the API's problem, shown plainly.
      await page.getByLabel('Aggregate id').fill('x'.repeat(300));
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByRole('alert').waitFor();
      const problem = (await api('GET', `/api/v3/events?limit=50&after=0&aggregateId=${'x'.repeat(300)}`)).body;
      expect(problem.status).toBeGreaterThanOrEqual(400);
      expect(await page.getByRole('alert').textContent()).toContain(problem.title);
      expect(errors.filter((e) => !e.includes(String(problem.status)))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the subscribers with their checkpoints and open dead letters', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/events?view=subscriptions`);
      const table = page.getByRole('table', { name: 'Subscriptions' });
      await table.waitFor();
      const subscriptions = (await api('GET', '/api/v3/subscriptions')).body.items as any[];
      expect(await rowsOf(page, 'Subscriptions').locator('td:first-child').allTextContents()).toEqual(subscriptions.map((s) => s.name));
      const traceRow = rowsOf(page, 'Subscriptions').filter({ hasText: 'trace-spans' });
      const traceSpans = subscriptions.find((s) => s.name === 'trace-spans');
      expect(traceSpans.deadLetters).toBeGreaterThanOrEqual(4);
      expect(Number(traceSpans.checkpoint.position)).toBeGreaterThan(0);
      const cells = await traceRow.locator('td').allTextContents();
      expect(cells[2]).toBe(traceSpans.checkpoint.position);
      expect(cells[5]).toContain(String(traceSpans.deadLetters));
      // Its dead-letter count opens the dead letters of that subscriber.
      await traceRow.getByRole('button', { name: `dead letters of trace-spans` }).click();
      await page.waitForURL(`${t.url}/ui/events?view=dead-letters&subscriber=trace-spans`);
      await page.getByRole('table', { name: 'Dead letters' }).waitFor();
      expect(await page.getByLabel('Subscriber').inputValue()).toBe('trace-spans');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('retries a real dead letter from the page: a failed retry shows the new error, a healed one is delivered and leaves the list; discard asks first', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/events?view=dead-letters&subscriber=trace-spans`);
      await page.getByRole('table', { name: 'Dead letters' }).waitFor();
      const dead = (await api('GET', `${D}?subscriber=trace-spans&status=dead`)).body.items as any[];
      expect(await rowsOf(page, 'Dead letters').count()).toBe(dead.length);
      // The handler's real error, plainly.
      expect(await rowsOf(page, 'Dead letters').first().textContent()).toContain('trace store refused span ui-poison@1.0.0');
      await screenshot(page, 'dead-letters');

      const target = dead.find((d) => d.type === 'WorkflowExecutionStarted');
      const retry = page.getByRole('button', { name: `Retry WorkflowExecutionStarted #${target.position} for trace-spans` });

      // Still poisoned: the retry fails again, the page says so with the new error, and the letter stays dead.
      await retry.click();
      const failed = page.getByRole('alert');
      await failed.waitFor();
      expect(await failed.textContent()).toContain('Retry failed');
      expect(await failed.textContent()).toContain('trace store refused span ui-poison@1.0.0');
      const afterFailure = (await api('GET', `${D}?subscriber=trace-spans&status=dead`)).body.items.find((d: any) => d.id === target.id);
      expect(afterFailure).toMatchObject({ status: 'dead', attempts: target.attempts + 1 });

      // Healed: the retry delivers it; it leaves the open list and its span exists.
      await db('DROP TRIGGER ui_refuse_poison ON trace_spans');
      await retry.click();
      await page.getByRole('status').filter({ hasText: 'Delivered' }).waitFor();
      await retry.waitFor({ state: 'detached' });
      expect(await rowsOf(page, 'Dead letters').count()).toBe(dead.length - 1);
      const resolved = (await api('GET', `${D}?subscriber=trace-spans&status=retried`)).body.items as any[];
      expect(resolved.map((d) => d.id)).toEqual([target.id]);
      // The delivered event wrote its execution's workflow span (the other execution's stays refused).
      const started = (await api('GET', `/api/v3/events?type=WorkflowExecutionStarted`)).body.items.find((e: any) => e.id === target.eventId);
      expect(poisoned).toContain(started.aggregateId);
      expect(await db(`SELECT entity_id FROM trace_spans WHERE name = 'ui-poison@1.0.0'`)).toEqual([{ entity_id: started.aggregateId }]);

      // The status filter shows resolved ones too.
      await page.getByLabel('Status').selectOption('retried');
      await until(
        () => rowsOf(page, 'Dead letters').count(),
        (n) => n === 1,
        'the retried dead letter',
        5000,
      );
      expect(await rowsOf(page, 'Dead letters').first().textContent()).toContain('retried');
      await page.getByLabel('Status').selectOption('dead');
      await until(
        () => rowsOf(page, 'Dead letters').count(),
        (n) => n === dead.length - 1,
        'the open dead letters',
        5000,
      );

      // Discard asks for a confirmation; "Keep" keeps it.
      const other = dead.find((d) => d.id !== target.id);
      await page.getByRole('button', { name: `Discard ${other.type} #${other.position} for trace-spans` }).click();
      await page.getByRole('button', { name: 'Keep' }).click();
      expect((await api('GET', `${D}?status=discarded`)).body.items).toEqual([]);
      await page.getByRole('button', { name: `Discard ${other.type} #${other.position} for trace-spans` }).click();
      await page.getByRole('button', { name: 'Confirm discard' }).click();
      await page.getByRole('status').filter({ hasText: 'Discarded' }).waitFor();
      await until(
        () => rowsOf(page, 'Dead letters').count(),
        (n) => n === dead.length - 2,
        'the discarded dead letter to leave',
        5000,
      );
      expect((await api('GET', `${D}?status=discarded`)).body.items.map((d: any) => d.id)).toEqual([other.id]);
      // A failed retry is a 200 with outcome `failed`: no request failed, so no console errors at all.
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows an action the API refuses as its problem', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/events?view=dead-letters&subscriber=trace-spans`);
      await page.getByRole('table', { name: 'Dead letters' }).waitFor();
      const open = (await api('GET', `${D}?subscriber=trace-spans&status=dead`)).body.items as any[];
      // Resolved behind the page's back (another operator): the page's retry is a 409 with the API's title and detail.
      const stale = open[0];
      expect((await api('DELETE', `${D}/${stale.id}`)).status).toBe(204);
      await page.getByRole('button', { name: `Retry ${stale.type} #${stale.position} for trace-spans` }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const problem = (await api('POST', `${D}/${stale.id}/retry`)).body;
      expect(problem).toMatchObject({ status: 409, code: 'DEAD_LETTER_RESOLVED' });
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is usable at phone width: the tables scroll inside their boxes, the page does not', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      for (const view of ['', '?view=subscriptions', '?view=dead-letters']) {
        await page.goto(`${t.url}/ui/events${view}`);
        await page.locator('.table-wrap, .empty').first().waitFor();
        expect({ view, fits: (await inPage<number>(page, 'document.documentElement.scrollWidth')) <= PHONE.width }).toEqual({ view, fits: true });
      }
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
