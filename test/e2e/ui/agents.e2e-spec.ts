import type { Browser, Locator, Page } from 'playwright-core';
import { startOpenAiFakeServer } from '../../support/fakes/openai-fake-server';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { until } from '../../support/wait';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn } from './support/browser';

type Api = ReturnType<typeof apiClient>;

// The page's formatting (ui/src/pages/traces/obs-format.ts), restated: what a reader must see.
const count = (n: number) => Math.round(n).toLocaleString('en-US');
const cost = (usd: number) => (usd === 0 ? '$0' : Math.abs(usd) < 0.01 ? `$${Number(usd.toPrecision(3))}` : `$${usd.toFixed(2)}`);
const seconds = (n: number) => `${Number(n.toFixed(1)).toLocaleString('en-US')} s`;

/** The agents pages (real server, real PostgreSQL, agents running a task against an OpenAI-compatible fake model, Chromium). */
describe('the Agents pages: budgets, usage over time, permissions, terminate and budget reset', () => {
  let t: TestApp;
  let api: Api;
  let browser: Browser;
  let model: Awaited<ReturnType<typeof startOpenAiFakeServer>>;
  let writer: any;
  let planner: any;

  beforeAll(async () => {
    browser = await launchBrowser();
    model = await startOpenAiFakeServer();
    t = await startTestApp('ui_agents', {
      MODEL_PROVIDER: 'openai',
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sk-test',
      MODEL_MAX_RETRIES: '0',
      AGENT_POLL_MS: '100',
      AGENT_HEALTH_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '100',
    });
    api = apiClient(t.url, t.key);
    const definition = async (body: Record<string, unknown>) => {
      const res = await api('POST', '/api/v3/agent-definitions', { body: { modelConfig: { provider: 'openai', model: 'gpt-4o-mini' }, ...body } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const writerDefinition = await definition({ name: 'writer', role: 'summarizer', capabilities: ['writing'], defaultBudget: { maxTokens: 5000, maxCostUsd: 0.5, maxTimeSeconds: 120, maxToolExecutions: 5 } });
    const plannerDefinition = await definition({ name: 'planner', role: 'planner', capabilities: ['planning'] });
    writer = (await api('POST', '/api/v3/agents', { body: { definitionId: writerDefinition } })).body;
    planner = (await api('POST', '/api/v3/agents', { body: { definitionId: plannerDefinition, permissions: ['crm:read'] } })).body;
    // The writer does two tasks: its usage (tokens, cost, time) comes from the model calls.
    for (const name of ['Write a haiku', 'Write a limerick']) {
      const task = (await api('POST', '/api/v3/tasks', { body: { name, description: `${name} about printers`, requiredCapabilities: ['writing'] } })).body;
      await until(() => api('GET', `/api/v3/tasks/${task.id}`).then((r) => r.body), (x) => x.status === 'completed' && x.assignedAgentId === writer.id, `task ${name} done by the writer`, 30_000);
      // Idle again before the next task, so the pool gives it to this agent rather than a new one.
      writer = await until(() => api('GET', `/api/v3/agents/${writer.id}`).then((r) => r.body), (a) => a.status === 'idle' && a.budgetUsage.tokensUsed > 0, 'the writer idle with usage');
    }
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await model?.close();
  });

  const card = (page: Page, name: string) => page.locator('.agent-card', { has: page.getByRole('link', { name, exact: true }) });
  const budget = (scope: Locator, key: string) => scope.locator(`.budget[data-budget="${key}"]`);
  /** The bar's fill, in percent of its track (the inline width the page sets). */
  const fillWidth = async (scope: Locator, key: string) => {
    const style = (await budget(scope, key).locator('.budget-fill').getAttribute('style')) ?? '';
    const match = /width:\s*([\d.e-]+)%/.exec(style);
    if (!match) throw new Error(`no width in "${style}"`);
    return parseFloat(match[1]);
  };

  it('lists the agents with status and a bar per budget (tokens, cost, time, tool calls), used against the limit, and filters them', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Agents', exact: true }).click();
      await page.locator('.agent-card').nth(1).waitFor();
      expect(await page.locator('.agent-card').count()).toBe(2);

      // The writer: real usage against its definition's budget.
      const w = card(page, 'writer');
      const u = writer.budgetUsage;
      expect(u.tokensUsed).toBeGreaterThan(0);
      expect(u.costUsd).toBeGreaterThan(0);
      expect(await w.locator('.badge').first().textContent()).toBe('idle');
      expect(await budget(w, 'tokens').locator('.budget-value').textContent()).toBe(`${count(u.tokensUsed)} / 5,000`);
      expect(await budget(w, 'cost').locator('.budget-value').textContent()).toBe(`${cost(u.costUsd)} / $0.50`);
      expect(await budget(w, 'time').locator('.budget-value').textContent()).toBe(`${seconds(u.timeSeconds)} / 120 s`);
      expect(await budget(w, 'tools').locator('.budget-value').textContent()).toBe(`${u.toolExecutions} / 5`);
      const tokensMeter = budget(w, 'tokens').getByRole('meter', { name: 'Tokens used' });
      expect(await tokensMeter.getAttribute('aria-valuenow')).toBe(String(u.tokensUsed));
      expect(await tokensMeter.getAttribute('aria-valuemax')).toBe('5000');
      expect(await fillWidth(w, 'tokens')).toBeCloseTo((u.tokensUsed / 5000) * 100, 5);
      expect(await fillWidth(w, 'cost')).toBeCloseTo((u.costUsd / 0.5) * 100, 5);

      // The planner: the default budget, nothing used, empty bars.
      const p = card(page, 'planner');
      expect(await budget(p, 'tokens').locator('.budget-value').textContent()).toBe('0 / 32,000');
      expect(await budget(p, 'cost').locator('.budget-value').textContent()).toBe('$0 / $1.00');
      expect(await budget(p, 'time').locator('.budget-value').textContent()).toBe('0 s / 300 s');
      expect(await budget(p, 'tools').locator('.budget-value').textContent()).toBe('0 / 10');
      for (const key of ['tokens', 'cost', 'time', 'tools']) expect(await fillWidth(p, key)).toBe(0);
      await screenshot(page, 'agents');

      // Filters: role, then a status nobody has.
      await page.getByLabel('Role').fill('planner');
      await page.getByRole('button', { name: 'Apply' }).click();
      await until(() => page.locator('.agent-card').count(), (n) => n === 1, 'only the planner');
      expect(await page.locator('.agent-card h2').allTextContents()).toEqual(['planner']);
      await page.getByLabel('Role').fill('');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByLabel('Status').selectOption('terminated');
      await page.getByText('No agents match these filters.').waitFor();
      await page.getByLabel('Status').selectOption('idle');
      await until(() => page.locator('.agent-card').count(), (n) => n === 2, 'both idle agents');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('shows an agent’s usage over time, its calls and permissions; grants and revokes; resets the budget with new limits', async () => {
    const usage = (await api('GET', `/api/v3/agents/${writer.id}/usage?limit=200`)).body;
    expect(usage.entries.length).toBeGreaterThanOrEqual(2);
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/agents`);
      await card(page, 'writer').getByRole('link', { name: 'writer' }).click();
      await page.waitForURL(`${t.url}/ui/agents/${writer.id}`);
      await page.getByRole('heading', { level: 1, name: 'Agent writer' }).waitFor();

      // Usage over time: an SVG with one dot per ledger entry; the calls table lists them.
      const chart = page.getByRole('img', { name: /^Usage over time: / });
      await chart.waitFor();
      expect(await chart.getAttribute('aria-label')).toContain(`${count(usage.ledgerTotals.tokensIn + usage.ledgerTotals.tokensOut)} tokens`);
      expect(await chart.locator('circle.point').count()).toBe(usage.entries.length);
      expect(await chart.locator('path.tokens-line').count()).toBe(1);
      expect(await chart.locator('path.cost-line').count()).toBe(1);
      const calls = page.getByRole('table', { name: 'Recent model and tool calls' });
      expect(await calls.locator('tbody tr').count()).toBe(usage.entries.length);
      expect(await calls.locator('tbody tr').first().textContent()).toContain('gpt-4o-mini');

      // Permissions: none yet; grant two, revoke one.
      const permissions = page.getByRole('region', { name: 'Permissions', exact: true });
      await permissions.getByText('No permissions granted.').waitFor();
      await permissions.getByLabel('Grant permissions (comma-separated)').fill('http, crm:read');
      await permissions.getByRole('button', { name: 'Grant' }).click();
      await until(() => permissions.locator('li code').allTextContents(), (p) => p.length === 2, 'two permissions');
      expect((await api('GET', `/api/v3/agents/${writer.id}`)).body.grantedPermissions.sort()).toEqual(['crm:read', 'http']);
      await permissions.getByRole('button', { name: 'Revoke http' }).click();
      await until(() => permissions.locator('li code').allTextContents(), (p) => p.join() === 'crm:read', 'http revoked');
      expect((await api('GET', `/api/v3/agents/${writer.id}`)).body.grantedPermissions).toEqual(['crm:read']);

      // Budget reset with a new token limit: usage back to zero, the limit changed, the rest kept.
      const budgetPanel = page.getByRole('region', { name: 'Budget', exact: true });
      expect(await budget(budgetPanel, 'tokens').locator('.budget-value').textContent()).toBe(`${count(writer.budgetUsage.tokensUsed)} / 5,000`);
      await page.getByLabel('Max tokens').fill('8000');
      await page.getByRole('button', { name: 'Reset budget' }).click();
      await until(() => budget(budgetPanel, 'tokens').locator('.budget-value').textContent(), (text) => text === '0 / 8,000', 'the reset budget');
      expect(await budget(budgetPanel, 'cost').locator('.budget-value').textContent()).toBe('$0 / $0.50');
      const after = (await api('GET', `/api/v3/agents/${writer.id}`)).body;
      expect(after.budgetLimits).toEqual({ maxTokens: 8000, maxCostUsd: 0.5, maxTimeSeconds: 120, maxToolExecutions: 5 });
      expect(after.budgetUsage).toEqual({ tokensUsed: 0, costUsd: 0, timeSeconds: 0, toolExecutions: 0 });
      // The ledger keeps the history: the chart still draws it.
      expect(await chart.locator('circle.point').count()).toBe(usage.entries.length);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('terminates an agent; a budget reset of a terminated agent shows the API’s 409 problem', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/agents/${planner.id}`);
      await page.getByRole('heading', { level: 1, name: 'Agent planner' }).waitFor();
      expect(await page.getByRole('region', { name: 'Permissions', exact: true }).locator('li code').allTextContents()).toEqual(['crm:read']);
      await page.getByRole('region', { name: 'Usage over time' }).getByText('No model or tool calls yet.').waitFor();

      await page.getByLabel('Reason').fill('no longer needed');
      await page.getByRole('button', { name: 'Terminate' }).click();
      await page.getByRole('button', { name: 'Terminated' }).waitFor();
      expect(await page.locator('.obs-facts .badge').first().textContent()).toBe('terminated');
      expect(await page.getByRole('button', { name: 'Terminated' }).isDisabled()).toBe(true);
      expect((await api('GET', `/api/v3/agents/${planner.id}`)).body.status).toBe('terminated');

      await page.getByRole('button', { name: 'Reset budget' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const problem = (await api('POST', `/api/v3/agents/${planner.id}/budget/reset`, { body: {} })).body;
      expect(problem).toMatchObject({ status: 409, code: 'AGENT_TERMINATED' });
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      expect(await alert.textContent()).toContain('AGENT_TERMINATED');
      // The page's own 409 is the only console error (Chromium logs failed fetches).
      expect(errors.filter((e) => !e.includes('409'))).toEqual([]);

      // An unknown agent: the API's 404 problem.
      await page.goto(`${t.url}/ui/agents/00000000-0000-7000-8000-0000000000aa`);
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/not found/i);
    } finally {
      await close();
    }
  });

  it('is usable at phone width: the cards stack, nothing scrolls sideways', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await page.goto(`${t.url}/ui/agents`);
      await page.locator('.agent-card').nth(1).waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await page.goto(`${t.url}/ui/agents/${writer.id}`);
      await page.getByRole('img', { name: /^Usage over time/ }).waitFor();
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
