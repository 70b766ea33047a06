import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '../support/test-database';

const TENANT = '00000000-0000-7000-8000-00000000c10c';

class FakeClock {
  constructor(public current: Date) {}
  now(): Date {
    return this.current;
  }
}

describe('cron schedules across two instances', () => {
  let db: TestDatabase;
  const instances: TestingModule[] = [];
  let clock: FakeClock;

  beforeAll(async () => {
    db = await createTestDatabase('schedules');
    testEnv(db, { WORKER_ENABLED: 'false', SCHEDULER_INTERVAL_MS: '100' });
    const { Test } = await import('@nestjs/testing');
    const { AppModule } = await import('@cognition/app/app.module');
    const { Clock } = await import('@cognition/engine/application/clock');
    clock = new FakeClock(new Date());
    for (let i = 0; i < 2; i++) {
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(Clock).useValue(clock).compile();
      moduleRef.useLogger(false);
      await moduleRef.init();
      instances.push(moduleRef);
    }
  });
  afterAll(async () => {
    for (const m of instances) await m.close();
    await db?.drop();
  });

  it('starts exactly one execution per tick, and at most one catch-up after downtime', async () => {
    const { CommandBus } = await import('@nestjs/cqrs');
    const { CreateWorkflowCommand } = await import('@cognition/workflow/contracts');
    const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
    await instances[0].get(ApiKeyService).createTenant('scheduled', TENANT);
    await instances[0]
      .get(CommandBus)
      .execute(new CreateWorkflowCommand(TENANT, 'every-minute', '1.0.0', { name: 'tick', schedule: { cron: '* * * * *' }, steps: [{ id: 'a', type: 'transform' }] }, 'active'));
    const ds = instances[0].get(DataSource);
    const count = async () => (await ds.query(`SELECT count(*)::int AS n FROM workflow_executions WHERE triggered_by = 'schedule'`))[0].n as number;
    const settle = async (expected: number) => {
      const until = Date.now() + 10_000;
      while ((await count()) < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500)); // several passes of both schedulers
      return count();
    };

    const base = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 1000);
    for (let minute = 0; minute < 3; minute++) {
      clock.current = new Date(base.getTime() + minute * 60_000);
      expect(await settle(minute + 1)).toBe(minute + 1);
    }
    // Ten minutes of downtime: one catch-up run for the latest missed tick, not ten.
    clock.current = new Date(base.getTime() + 12 * 60_000);
    expect(await settle(4)).toBe(4);
    const ticks = await ds.query(`SELECT tick_at, execution_id FROM schedule_ticks ORDER BY tick_at`);
    expect(ticks.map((t: { tick_at: Date }) => new Date(t.tick_at).getTime() - (base.getTime() - 1000))).toEqual([0, 60_000, 120_000, 720_000]);
    expect(ticks.every((t: { execution_id: string | null }) => t.execution_id)).toBe(true);
    const events = await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE type = 'ScheduledWorkflowTriggered'`);
    expect(events[0].n).toBe(4);
  });
});
