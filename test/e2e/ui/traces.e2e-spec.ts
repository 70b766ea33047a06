import type { Browser, Page } from 'playwright-core';
import { activeWorkflow, start, testServer, TestServer, waitForExecution } from '../../support/engine-helpers';
import { startOpenAiFakeServer } from '../../support/fakes/openai-fake-server';
import { apiClient } from '../../support/http-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { until } from '../../support/wait';
import { inPage, launchBrowser, newPage, PHONE, screenshot, signIn } from './support/browser';

type Api = ReturnType<typeof apiClient>;

interface Span {
  id: string;
  type: string;
  entityId: string;
  name: string;
  status: string;
  inputs: unknown;
  outputs: unknown;
  metadata: Record<string, unknown>;
  durationMs: number | null;
  completedAt: string | null;
  children: Span[];
  totals?: { tokensIn: number; tokensOut: number; costUsd: number; modelCalls: number; toolCalls: number; durationMs: number | null };
}

const flatten = (node: Span): Span[] => [node, ...node.children.flatMap(flatten)];

// The page's formatting (ui/src/format.ts, ui/src/pages/traces/obs-format.ts), restated: what a reader must see.
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  throw new Error(`a span of ${ms} ms is longer than this test expects`);
}
const cost = (usd: number) => (usd === 0 ? '$0' : Math.abs(usd) < 0.01 ? `$${Number(usd.toPrecision(3))}` : `$${usd.toFixed(2)}`);
const count = (n: number) => n.toLocaleString('en-US');

/** The trace waterfall at /ui/traces (real server, real PostgreSQL, an OpenAI-compatible fake model, Chromium). */
describe('the Traces pages: the waterfall of an execution’s span tree', () => {
  let t: TestApp;
  let api: Api;
  let browser: Browser;
  let model: Awaited<ReturnType<typeof startOpenAiFakeServer>>;
  let data: TestServer;
  let executionId: string;
  let tree: Span;

  /** Spans come from the outbox relay, asynchronously: waits for the execution's tree to satisfy `done`. */
  const traceOf = (id: string, done: (root: Span) => boolean): Promise<Span> =>
    until(
      async () => {
        const list = await api('GET', `/api/v3/traces?entityId=${id}&type=workflow`);
        if (!list.body.items?.length) return null;
        return (await api('GET', `/api/v3/traces/${list.body.items[0].id}`)).body as Span;
      },
      (root) => !!root && done(root),
      `trace of ${id}`,
      30_000,
    ) as Promise<Span>;

  beforeAll(async () => {
    browser = await launchBrowser();
    [model, data] = await Promise.all([startOpenAiFakeServer(), testServer()]);
    t = await startTestApp('ui_traces', {
      MODEL_PROVIDER: 'openai',
      OPENAI_BASE_URL: model.baseUrl,
      OPENAI_API_KEY: 'sk-test',
      MODEL_MAX_RETRIES: '0',
      HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*',
      AGENT_POLL_MS: '100',
      AGENT_HEALTH_INTERVAL_MS: '3600000',
      OUTBOX_POLL_MS: '100',
    });
    api = apiClient(t.url, t.key);
    const definition = await api('POST', '/api/v3/agent-definitions', {
      body: { name: 'researcher', role: 'reasoner', tools: ['http_fetch'], capabilities: ['research'], modelConfig: { provider: 'openai', model: 'gpt-4o-mini' } },
    });
    expect(definition.status).toBe(201);
    expect((await api('POST', '/api/v3/agents', { body: { definitionId: definition.body.id, permissions: ['http'] } })).status).toBe(201);
    // A transform, an agent step whose agent calls the model, a tool, and the model again, then a transform.
    await activeWorkflow(api, {
      id: 'ui-trace-flow',
      steps: [
        { id: 'prepare', type: 'transform', params: { output: { topic: 'printers' } } },
        { id: 'research', type: 'agent_task', dependsOn: ['prepare'], params: { agent: 'researcher', instructions: `Find the facts. [[tool:http_fetch {"url":"${data.url}/facts"}]]` } },
        { id: 'report', type: 'transform', dependsOn: ['research'], params: { output: 'reported' } },
      ],
    });
    const started = await start(api, 'ui-trace-flow');
    executionId = started.body.id;
    expect((await waitForExecution(api, executionId, ['completed', 'failed', 'cancelled'], 30_000)).status).toBe('completed');
    tree = await traceOf(executionId, (root) => root.status === 'completed' && flatten(root).every((s) => s.status === 'completed') && (root.totals?.toolCalls ?? 0) >= 1);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await model?.close();
    await data?.close();
  });

  const rows = (page: Page) => page.locator('.wf-row');

  /** Opens the trace of an execution by the execution's id (the page looks its span up) and waits for the rows. */
  async function openTrace(page: Page, id: string, expectedRows: number): Promise<void> {
    await page.goto(`${t.url}/ui/traces/${id}`);
    await page.getByRole('heading', { level: 1, name: /^Trace: / }).waitFor();
    await until(() => rows(page).count(), (n) => n === expectedRows, `${expectedRows} waterfall rows`);
  }

  it('draws one row per span in tree order, bars on one time axis, durations, tokens and cost of model calls, and the totals', async () => {
    const spans = flatten(tree);
    expect(spans.map((s) => s.type)).toEqual(expect.arrayContaining(['workflow', 'step', 'task', 'agent_action', 'model_call', 'tool_call']));
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await openTrace(page, executionId, spans.length);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Trace: ui-trace-flow@1.0.0');

      // Rows: the tree depth first, each with its type and status, indented by depth.
      expect(await inPage<string[][]>(page, `Array.from(document.querySelectorAll('.wf-row'), (el) => [el.getAttribute('data-span-type'), el.getAttribute('data-span-status')])`)).toEqual(spans.map((s) => [s.type, s.status]));
      expect(await page.locator('.wf-title').allTextContents()).toEqual(spans.map((s) => s.name));
      const indents = await inPage<string[]>(page, `Array.from(document.querySelectorAll('.wf-row .wf-name'), (el) => el.style.paddingLeft)`);
      expect(indents[0]).toBe('0rem');
      const stepIndex = spans.findIndex((s) => s.type === 'step');
      const modelIndex = spans.findIndex((s) => s.type === 'model_call');
      expect(parseFloat(indents[stepIndex])).toBeGreaterThan(0);
      expect(parseFloat(indents[modelIndex])).toBeGreaterThan(parseFloat(indents[stepIndex]));

      // Durations: the API's, as the page formats them.
      expect(await page.locator('.wf-duration-text').allTextContents()).toEqual(spans.map((s) => duration(s.durationMs as number)));

      // Bars: the workflow spans the whole axis; the three steps start one after the other, inside it.
      const box = async (name: string, type = 'step') => (await page.locator(`.wf-row[data-span-type="${type}"]`, { has: page.locator('.wf-title', { hasText: new RegExp(`^${name}$`) }) }).locator('.wf-bar').boundingBox())!;
      const track = (await rows(page).first().locator('.wf-track').boundingBox())!;
      const root = await box('ui-trace-flow@1.0.0', 'workflow');
      expect(Math.abs(root.x - track.x)).toBeLessThan(2);
      expect(Math.abs(root.width - track.width)).toBeLessThan(2);
      const [prepare, research, report] = [await box('prepare'), await box('research'), await box('report')];
      expect(prepare.x).toBeLessThan(research.x);
      expect(research.x + research.width).toBeLessThanOrEqual(report.x + 1);
      expect(report.x + report.width).toBeLessThanOrEqual(track.x + track.width + 1);
      expect(research.width).toBeGreaterThan(prepare.width);
      // Status colour: completed spans are green (tone-ok).
      expect(await page.locator('.wf-bar.tone-ok').count()).toBe(spans.length);

      // Model calls: tokens in/out and cost from their metadata; tool calls: the tool.
      const calls = await page.locator('.wf-row[data-span-type="model_call"] .wf-call').allTextContents();
      const modelSpans = spans.filter((s) => s.type === 'model_call');
      expect(modelSpans.length).toBeGreaterThanOrEqual(2);
      expect(calls).toEqual(modelSpans.map((s) => `${count(s.metadata.tokensIn as number)} in / ${count(s.metadata.tokensOut as number)} out · ${cost(s.metadata.costUsd as number)}`));
      expect(modelSpans.every((s) => (s.metadata.tokensIn as number) > 0 && (s.metadata.costUsd as number) > 0)).toBe(true);
      expect(await page.locator('.wf-row[data-span-type="tool_call"] .wf-call').allTextContents()).toEqual(['tool http_fetch']);

      // Totals: the tree's, and per model.
      const totals = tree.totals!;
      const line = await page.locator('.totals-line').textContent();
      expect(line).toContain(`Duration${duration(totals.durationMs as number)}`);
      expect(line).toContain(`Tokens${count(totals.tokensIn)} in / ${count(totals.tokensOut)} out`);
      expect(line).toContain(`Cost${cost(totals.costUsd)}`);
      expect(line).toContain(`Model calls${totals.modelCalls}`);
      expect(line).toContain(`Tool calls${totals.toolCalls}`);
      const byModel = page.getByRole('table', { name: 'Tokens and cost by model' });
      expect((await byModel.locator('tbody tr').allTextContents()).map((r) => r.trim())).toEqual([
        `openai/gpt-4o-mini${totals.modelCalls}${count(totals.tokensIn)}${count(totals.tokensOut)}${cost(totals.costUsd)}`,
      ]);

      // A click shows a span's inputs, outputs and metadata.
      await page.locator('.wf-row[data-span-type="step"]', { has: page.locator('.wf-title', { hasText: /^research$/ }) }).click();
      const details = page.getByRole('region', { name: /^research/ });
      await details.waitFor();
      const researchSpan = spans.find((s) => s.type === 'step' && s.name === 'research')!;
      expect(await details.getByLabel('Outputs').textContent()).toBe(JSON.stringify(researchSpan.outputs, null, 2));
      expect(await details.getByLabel('Metadata').textContent()).toContain('"stepType": "agent_task"');

      // Keyboard: Tab to the tool call row and Enter opens its inputs (the URL the agent fetched) and outputs.
      const tool = page.locator('.wf-row[data-span-type="tool_call"]');
      await page.locator('.wf-row[data-span-type="agent_action"]').focus();
      await page.keyboard.press('Tab');
      expect(await inPage<string | null>(page, 'document.activeElement?.getAttribute("data-span-type") ?? null')).toBe(spans[spans.findIndex((s) => s.type === 'agent_action') + 1].type);
      await tool.focus();
      await page.keyboard.press('Enter');
      expect(await tool.getAttribute('aria-pressed')).toBe('true');
      const toolDetails = page.getByRole('region', { name: /^http_fetch/ });
      await toolDetails.waitFor();
      expect(await toolDetails.getByLabel('Inputs').textContent()).toContain(`${data.url}/facts`);
      await screenshot(page, 'traces');
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('lists spans by entity and type, each opening its waterfall; a missing trace shows the API’s problem', async () => {
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Traces', exact: true }).click();
      // By default: the workflow traces.
      const table = page.getByRole('table', { name: 'Trace spans' });
      await table.waitFor();
      expect(await table.locator('tbody tr').count()).toBe(1);
      expect(await table.textContent()).toContain('ui-trace-flow@1.0.0');

      // Filter: the model calls of the whole tenant.
      await page.getByLabel('Type').selectOption('model_call');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/type=model_call/);
      await until(() => table.locator('tbody tr').allTextContents(), (r) => r.length === flatten(tree).filter((s) => s.type === 'model_call').length && r.every((x) => x.includes('openai/gpt-4o-mini')), 'model call rows');

      // Filter: the execution's id, any type → its workflow span; the link opens the waterfall by span id.
      await page.getByLabel('Entity id').fill(executionId);
      await page.getByLabel('Type').selectOption('any');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(new RegExp(`entityId=${executionId}`));
      await until(() => table.locator('tbody tr').count(), (n) => n === 1, 'the execution span');
      await table.getByRole('link', { name: 'ui-trace-flow@1.0.0' }).click();
      await page.waitForURL(`${t.url}/ui/traces/${tree.id}`);
      await until(() => rows(page).count(), (n) => n === flatten(tree).length, 'waterfall rows');

      // An entity with no spans says so.
      await page.goto(`${t.url}/ui/traces?entityId=00000000-0000-7000-8000-000000000001`);
      await page.getByText('No spans for 00000000-0000-7000-8000-000000000001.').waitFor();

      // A trace that does not exist: the API's problem, title and detail.
      const missing = '00000000-0000-7000-8000-0000000000ff';
      const problem = (await api('GET', `/api/v3/traces/${missing}`)).body as { title: string; detail: string; code: string };
      expect(problem.code).toBe('TRACE_NOT_FOUND');
      await page.goto(`${t.url}/ui/traces/${missing}`);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain(problem.title);
      expect(await alert.textContent()).toContain(problem.detail);
      // Chromium logs the 404s of the lookups as console errors; nothing else may fail.
      expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
    } finally {
      await close();
    }
  });

  it('draws a running execution up to now, refreshes it live, and turns it green when it completes', async () => {
    await activeWorkflow(api, {
      id: 'ui-trace-wait',
      steps: [
        { id: 'first', type: 'transform', params: { output: 1 } },
        { id: 'gate', type: 'wait_for_signal', dependsOn: ['first'], params: { signal: 'go' } },
      ],
    });
    const running = (await start(api, 'ui-trace-wait')).body.id as string;
    await traceOf(running, (root) => flatten(root).some((s) => s.name === 'gate' && s.status === 'running'));
    const { page, errors, close } = await newPage(browser);
    try {
      await signIn(page, t.url, t.key);
      await openTrace(page, running, 3);
      const workflowRow = page.locator('.wf-row[data-span-type="workflow"]');
      expect(await workflowRow.getAttribute('data-span-status')).toBe('running');
      expect(await workflowRow.locator('.wf-duration-text').textContent()).toMatch(/ so far$/);
      expect(await workflowRow.locator('.wf-bar').getAttribute('class')).toContain('open');
      expect(await page.locator('.totals-line').textContent()).toMatch(/so far/);
      // The open bar reaches "now": its duration grows with the refreshes.
      const first = await workflowRow.locator('.wf-duration-text').textContent();
      await until(() => workflowRow.locator('.wf-duration-text').textContent(), (text) => text !== first, 'the running duration to grow', 10_000);

      expect((await api('POST', `/api/v3/executions/${running}/signals/go`, { body: {} })).status).toBeLessThan(300);
      await until(() => workflowRow.getAttribute('data-span-status'), (s) => s === 'completed', 'the workflow row to complete', 15_000);
      await until(() => page.locator('.wf-bar.tone-ok').count(), (n) => n === 3, 'all bars green', 15_000);
      expect(await workflowRow.locator('.wf-duration-text').textContent()).not.toMatch(/so far/);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is usable at phone width: the waterfall scrolls inside its box, the page does not', async () => {
    const { page, errors, close } = await newPage(browser, PHONE);
    try {
      await signIn(page, t.url, t.key);
      await openTrace(page, executionId, flatten(tree).length);
      expect(await inPage<number>(page, 'document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      const [scrollWidth, clientWidth] = await inPage<number[]>(page, `(() => { const el = document.querySelector('.waterfall-wrap'); return [el.scrollWidth, el.clientWidth]; })()`);
      expect(scrollWidth).toBeGreaterThan(clientWidth);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });
});
