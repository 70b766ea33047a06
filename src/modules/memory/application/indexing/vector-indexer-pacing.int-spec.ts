import { CommandBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '@cognition/test-support/test-database';
import { newId } from '@cognition/platform/ids/uuid';
import { seededRandom } from '@cognition/test-support/seeded-random';
import { until } from '@cognition/test-support/wait';
import { CreateMemoriesCommand } from '../../contracts';

const TENANT = newId();
const MODEL = 'pacing-16';
const DIMS = 16;
const random = seededRandom(11);
const randomVector = () => Array.from({ length: DIMS }, () => random() * 2 - 1);

async function appModule(): Promise<TestingModule> {
  const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
  const { MemoryModule } = await import('../../memory.module');
  const moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef;
}

describe('the vector indexer yields to writers (its loop running)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('memory_indexer_pacing');
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** An app whose indexer loop runs with these settings (by default with a periodic pass every 100 ms, which must hold back too). */
  async function withApp(settleMs: number, maxDelayMs: number, test: (moduleRef: TestingModule) => Promise<void>, intervalMs = 100): Promise<void> {
    testEnv(db, { MEMORY_INDEXER_SETTLE_MS: String(settleMs), MEMORY_INDEXER_MAX_DELAY_MS: String(maxDelayMs), MEMORY_INDEXER_INTERVAL_MS: String(intervalMs) });
    const moduleRef = await appModule();
    try {
      await test(moduleRef);
    } finally {
      await moduleRef.close();
    }
  }
  const write = async (moduleRef: TestingModule): Promise<string> => {
    const [created] = await moduleRef.get(CommandBus).execute(new CreateMemoriesCommand(TENANT, [{ content: `p ${newId()}`, embedding: randomVector(), embeddingModel: MODEL }]));
    return (created as { id: string }).id;
  };
  const pendingOf = async (moduleRef: TestingModule, idList: string[]): Promise<number> =>
    (await moduleRef.get(DataSource).query(`SELECT count(*)::int AS n FROM memories WHERE id = ANY($1) AND vector_pending`, [idList]))[0].n;
  const untilIndexed = async (moduleRef: TestingModule, idList: string[]): Promise<void> =>
    void (await until(() => pendingOf(moduleRef, idList), (n) => n === 0, `pending of ${idList.length}`, 30_000));

  it('leaves a stream of writes pending while it runs, and indexes all of it once the writes pause', async () => {
    await withApp(5_000, 600_000, async (moduleRef) => {
      // The model's first memory creates its HNSW index, in the request.
      await untilIndexed(moduleRef, [await write(moduleRef)]);
      const stream: string[] = [];
      for (let i = 0; i < 12; i++) {
        stream.push(await write(moduleRef));
        await new Promise((r) => setTimeout(r, 20));
      }
      // Writes came far less than 5 s apart: neither the wake-ups nor the periodic passes indexed any of them.
      expect(await pendingOf(moduleRef, stream)).toBe(stream.length);
      await untilIndexed(moduleRef, stream);
    });
  });

  it('indexes while a stream is still writing once its oldest write has waited MEMORY_INDEXER_MAX_DELAY_MS', async () => {
    await withApp(60_000, 300, async (moduleRef) => {
      const stream: string[] = [];
      const deadline = Date.now() + 20_000;
      let indexedDuringStream = false;
      while (!indexedDuringStream && Date.now() < deadline) {
        stream.push(await write(moduleRef));
        indexedDuringStream = (await pendingOf(moduleRef, stream)) < stream.length;
      }
      expect(indexedDuringStream).toBe(true);
      // The settle time (60 s) never passes in this test: the rest is indexed by the delay bound too.
      await untilIndexed(moduleRef, stream);
    });
  });

  it('with MEMORY_INDEXER_SETTLE_MS 0, a write wakes the indexer at once (no periodic pass in this test)', async () => {
    await withApp(
      0,
      600_000,
      async (moduleRef) => {
        const first = await write(moduleRef);
        await untilIndexed(moduleRef, [first]);
        const second = await write(moduleRef);
        await untilIndexed(moduleRef, [second]);
      },
      3_600_000,
    );
  });
});
