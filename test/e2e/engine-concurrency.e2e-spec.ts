import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { activeWorkflow, testServer, TestServer } from '../support/engine-helpers';
import { apiClient } from '../support/http-client';
import { startTestApp, TestApp } from '../support/test-app';
import { startWorkerProcess, stopProcess, waitForListeners } from '../support/worker-processes';

const STEPS = 1000;

describe('workers racing over one database', () => {
  let t: TestApp;
  let http: TestServer;
  const children: ChildProcess[] = [];
  const local: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    http = await testServer();
    t = await startTestApp('concurrency', { WORKER_ENABLED: 'false', SCHEDULER_ENABLED: 'false', HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*' });
  });
  afterAll(async () => {
    for (const w of local) await w.stop();
    for (const c of children) await stopProcess(c);
    await t?.close();
    await http?.close();
  });

  it('4 workers in one process and 2 processes claim and complete each of 1,000 steps exactly once', async () => {
    const api = apiClient(t.url, t.key);
    await activeWorkflow(api, { id: 'race', steps: [{ id: 'work', type: 'http_request', params: { url: `${http.url}/slow?ms=5` } }] });
    const { StartExecutionCommand } = await import('@cognition/engine/contracts');
    const { CommandBus } = await import('@nestjs/cqrs');
    const commands = t.app.get(CommandBus);
    for (let i = 0; i < STEPS; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => commands.execute(new StartExecutionCommand(t.tenantId, 'race', undefined, {}))));
    }
    const env = { HTTP_STEP_ALLOWED_HOSTS: '127.0.0.1:*', WORKER_CONCURRENCY: '10', WORKER_POLL_MS: '100', SCHEDULER_ENABLED: 'false' };
    children.push(startWorkerProcess(t.db, env), startWorkerProcess(t.db, env));
    await waitForListeners(t.db, 3); // one LISTEN connection per process: this app and each child
    const { StepWorker } = await import('@cognition/engine/application/worker/step-worker');
    const { AppConfig } = await import('@cognition/config/app-config');
    const { WorkflowPlans } = await import('@cognition/engine/application/workflow-plans');
    const { StepRunner } = await import('@cognition/engine/application/worker/step-runner');
    const { EngineMetrics } = await import('@cognition/engine/application/engine-metrics');
    const { BackgroundJobs } = await import('@cognition/platform/background/background-jobs');
    const { PgListener } = await import('@cognition/platform/database/pg-listener');
    const db = t.app.get(DataSource);
    for (let i = 0; i < 4; i++) {
      const worker = new StepWorker(t.app.get(AppConfig), db, t.app.get(WorkflowPlans), t.app.get(StepRunner), t.app.get(EngineMetrics), t.app.get(BackgroundJobs), t.app.get(PgListener));
      local.push(worker);
      worker.start();
    }
    const until = Date.now() + 240_000; // a bound on waiting, not a timing: a loaded machine is slow
    for (;;) {
      const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE status = 'completed'`);
      if (n === STEPS) break;
      if (Date.now() > until) throw new Error(`${n} of ${STEPS} executions completed`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const perStep = await db.query(
      `SELECT payload->>'stepExecutionId' AS step, count(*) FILTER (WHERE type = 'StepExecutionStarted')::int AS started,
              count(*) FILTER (WHERE type = 'StepExecutionCompleted')::int AS completed
       FROM domain_events WHERE type IN ('StepExecutionStarted', 'StepExecutionCompleted') GROUP BY 1`,
    );
    expect(perStep).toHaveLength(STEPS);
    expect(perStep.filter((r: { started: number; completed: number }) => r.started !== 1 || r.completed !== 1)).toEqual([]);
    const workers = await db.query(`SELECT DISTINCT payload->>'workerId' AS worker FROM domain_events WHERE type = 'StepExecutionCompleted'`);
    const pids = new Set(workers.map((w: { worker: string }) => w.worker.split(':')[1]));
    expect(workers.length).toBeGreaterThanOrEqual(3);
    expect(pids.size).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
