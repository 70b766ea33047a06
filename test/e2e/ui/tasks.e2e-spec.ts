import { CommandBus } from '@nestjs/cqrs';
import type { Browser, Page } from 'playwright-core';
import { AssignTaskCommand, CompleteTaskCommand, FailTaskCommand, StartTaskCommand } from '@cognition/task/contracts';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { until } from '../../support/wait';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn } from './support/browser';

type Api = ReturnType<typeof apiClient>;
const AGENT = '00000000-0000-7000-8000-00000000a9e2';
const STATUSES = ['pending', 'assigned', 'in_progress', 'completed', 'failed', 'cancelled'];

/** The task queue at /ui/tasks (real server, real PostgreSQL, Chromium); the tasks are driven through their states as an agent worker would. */
describe('the Tasks pages: the queue by status and priority, a task’s detail, cancel and retry', () => {
  let t: TestApp;
  let api: Api;
  let browser: Browser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // No agent worker: the tasks stay where this suite puts them.
    browser = await launchBrowser();
    t = await startTestApp('ui_tasks', { AGENT_WORKER_ENABLED: 'false' });
    api = apiClient(t.url, t.key);
    const bus = t.app.get(CommandBus);
    const create = async (name: string, priority: string, extra: Record<string, unknown> = {}) => {
      const res = await api('POST', '/api/v3/tasks', { body: { name, priority, ...extra } });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
      return res.body.id as string;
    };
    await create('Triage the inbox', 'critical', { requiredCapabilities: ['triage'], input: { mailbox: 'support@acme.test' } });
    await create('Archive old tickets', 'low', { input: { olderThanDays: 90 } });
    const drafting = await create('Draft a reply', 'high', { input: { ticket: 42 } });
    await bus.execute(new AssignTaskCommand(t.tenantId, drafting, AGENT));
    await bus.execute(new StartTaskCommand(t.tenantId, drafting, AGENT));
    const summary = await create('Summarize the thread', 'medium', { input: { thread: 7 } });
    await bus.execute(new AssignTaskCommand(t.tenantId, summary, AGENT));
    await bus.execute(new StartTaskCommand(t.tenantId, summary, AGENT));
    await bus.execute(new CompleteTaskCommand(t.tenantId, summary, AGENT, { summary: 'The printer is on fire.' }));
    const translation = await create('Translate the FAQ', 'medium', { maxAttempts: 1 });
    await bus.execute(new AssignTaskCommand(t.tenantId, translation, AGENT));
    await bus.execute(new StartTaskCommand(t.tenantId, translation, AGENT));
    await bus.execute(new FailTaskCommand(t.tenantId, translation, AGENT, { code: 'MODEL_ERROR', message: 'the model refused' }, 'fail'));
    await create('Depends on triage', 'low', { dependencies: [ids['Triage the inbox']] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The counts per status as the API has them. */
  async function apiCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const s of STATUSES) counts[s] = (await api('GET', `/api/v3/tasks?status=${s}&limit=200`)).body.items.length;
    return counts;
  }
  async function pageCounts(page: Page): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const s of STATUSES) counts[s] = Number(await page.locator(`.status-filter[data-status="${s}"] .task-count`).textContent());
    return counts;
  }
  const rowNames = (page: Page) => page.locator('.task-group tbody tr td:first-child').allTextContents();

  it('shows the queue: counts per status, grouped by priority, filtered by status and priority', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks', exact: true }).click();
      await page.locator('.task-group').first().waitFor();
      const expected = await apiCounts();
      expect(expected).toEqual({ pending: 3, assigned: 0, in_progress: 1, completed: 1, failed: 1, cancelled: 0 });
      await until(() => pageCounts(page), (c) => JSON.stringify(c) === JSON.stringify(expected), 'the counts per status');

      // Groups in priority order, each listing its tasks with their status.
      expect(await page.locator('.task-group h2').allTextContents()).toEqual(['critical (1)', 'high (1)', 'medium (2)', 'low (2)']);
      const critical = page.getByRole('table', { name: 'critical priority tasks' });
      expect(await critical.textContent()).toContain('Triage the inbox');
      expect(await critical.locator('.badge').textContent()).toBe('pending');
      expect(await page.getByRole('table', { name: 'high priority tasks' }).locator('.badge').textContent()).toBe('in progress');
      await screenshot(page, 'tasks');

      // By status: the failed one only.
      await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: /failed/ }).click();
      await until(() => rowNames(page), (names) => names.join() === 'Translate the FAQ', 'the failed task');
      expect(await page.locator('.status-filter[data-status="failed"]').getAttribute('aria-pressed')).toBe('true');
      // By status and priority: pending and low.
      await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: /pending/ }).click();
      await page.getByRole('combobox', { name: 'Priority' }).selectOption('low');
      await until(() => rowNames(page), (names) => names.sort().join() === 'Archive old tickets,Depends on triage', 'pending low tasks');
      // The counts follow the priority filter.
      await until(() => pageCounts(page), (c) => c.pending === 2 && c.completed === 0, 'the counts of low tasks');
      // Nothing there: the empty state.
      await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: /cancelled/ }).click();
      await page.getByText('No tasks match these filters.').waitFor();
      // An agent id must be a UUID before it is sent.
      await page.getByLabel('Agent id').fill('not-a-uuid');
      expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
      await page.getByText('An agent id is a UUID.').waitFor();
      await page.getByLabel('Agent id').fill(AGENT);
      await page.getByRole('combobox', { name: 'Priority' }).selectOption('');
      await page.getByRole('group', { name: 'Filter by status' }).getByRole('button', { name: 'All' }).click();
      await page.getByRole('button', { name: 'Apply' }).click();
      await until(() => rowNames(page), (names) => names.sort().join() === 'Draft a reply,Summarize the thread,Translate the FAQ', 'the agent’s tasks');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows a task’s payload, result, error and attempts; cancels a pending task and retries a failed one from the page', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      // A completed task: its payload and result; neither action applies.
      await page.goto(`${t.url}/ui/tasks`);
      await page.getByRole('link', { name: 'Summarize the thread' }).click();
      await page.waitForURL(`${t.url}/ui/tasks/${ids['Summarize the thread']}`);
      await page.getByRole('heading', { level: 1, name: 'Task Summarize the thread' }).waitFor();
      expect(await page.getByLabel('Payload (input)').textContent()).toBe(JSON.stringify({ thread: 7 }, null, 2));
      expect(await page.getByLabel('Result (output)').textContent()).toBe(JSON.stringify({ summary: 'The printer is on fire.' }, null, 2));
      expect(await page.getByRole('button', { name: 'Cancel task' }).isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Retry task' }).isDisabled()).toBe(true);
      expect(await page.locator('.obs-facts').textContent()).toContain(`Agent${AGENT}`);

      // A failed task: its error and attempts; retry makes it pending as attempt 2.
      await page.goto(`${t.url}/ui/tasks/${ids['Translate the FAQ']}`);
      await page.getByRole('heading', { level: 1, name: 'Task Translate the FAQ' }).waitFor();
      expect(await page.locator('.obs-facts').textContent()).toContain('Attempts1 of 1');
      expect(await page.getByText('the model refused').isVisible()).toBe(true);
      expect(await page.getByText('MODEL_ERROR').isVisible()).toBe(true);
      await page.getByRole('button', { name: 'Retry task' }).click();
      await until(() => page.locator('.obs-facts .badge').first().textContent(), (s) => s === 'pending', 'the retried task pending');
      expect(await page.locator('.obs-facts').textContent()).toContain('Attempts2 of 1');
      expect((await api('GET', `/api/v3/tasks/${ids['Translate the FAQ']}`)).body).toMatchObject({ status: 'pending', attempt: 2 });

      // A pending task: cancel it from the page (its dependent is cancelled with it, by the API).
      await page.goto(`${t.url}/ui/tasks/${ids['Triage the inbox']}`);
      await page.getByRole('heading', { level: 1, name: 'Task Triage the inbox' }).waitFor();
      expect(await page.getByLabel('Payload (input)').textContent()).toContain('support@acme.test');
      await page.getByRole('button', { name: 'Cancel task' }).click();
      await until(() => page.locator('.obs-facts .badge').first().textContent(), (s) => s === 'cancelled', 'the cancelled task');
      expect(await page.getByRole('button', { name: 'Cancel task' }).isDisabled()).toBe(true);
      expect((await api('GET', `/api/v3/tasks/${ids['Triage the inbox']}`)).body.status).toBe('cancelled');

      // Back to the queue: the counts moved.
      await page.getByRole('link', { name: 'All tasks' }).click();
      const expected = await apiCounts();
      expect(expected.cancelled).toBeGreaterThanOrEqual(1);
      await until(() => pageCounts(page), (c) => JSON.stringify(c) === JSON.stringify(expected), 'the counts after cancel and retry');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows the API’s 409 when a task moved on before the click (cancel of a task completed meanwhile), and a 404 plainly', async () => {
    const bus = t.app.get(CommandBus);
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      const id = ids['Archive old tickets'];
      // The page's clock is held, so its 3-second refresh cannot learn the news before the click.
      await page.clock.install();
      await page.goto(`${t.url}/ui/tasks/${id}`);
      await page.getByRole('heading', { level: 1, name: 'Task Archive old tickets' }).waitFor();
      await page.clock.pauseAt(new Date(Date.now() + 1000));
      // Meanwhile an agent takes it and finishes it.
      await bus.execute(new AssignTaskCommand(t.tenantId, id, AGENT));
      await bus.execute(new StartTaskCommand(t.tenantId, id, AGENT));
      await bus.execute(new CompleteTaskCommand(t.tenantId, id, AGENT, 'archived'));
      const problem = (await api('POST', `/api/v3/tasks/${id}/cancel`)).body;
      expect(problem.status).toBe(409);
      // The page still shows it pending: Cancel is enabled, and its click shows the API's problem.
      expect(await page.locator('.obs-facts .badge').first().textContent()).toBe('pending');
      await page.getByRole('button', { name: 'Cancel task' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      expect(await alert.textContent()).toContain(problem.code);
      // Time moves again: the refresh shows it completed.
      await page.clock.resume();
      await until(() => page.locator('.obs-facts .badge').first().textContent(), (s) => s === 'completed', 'the completed task', 10_000);
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);

      await page.goto(`${t.url}/ui/tasks/00000000-0000-7000-8000-0000000000bb`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/not found/i);
    } finally {
      await close();
    }
  });

  it('is usable at phone width: the tables scroll inside their boxes, the page does not', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/tasks`);
      await page.locator('.task-group').first().waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await page.goto(`${t.url}/ui/tasks/${ids['Summarize the thread']}`);
      await page.getByLabel('Result (output)').waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
