import { CommandBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase, testEnv } from '../../../../test/support/test-database';
import { CreateMemoriesCommand } from '../contracts';
import { EmbeddingProvider } from '../domain/embedding-provider.port';
import { MemorySql } from './memory-sql';
import { OutboxWriter } from '../../../platform/outbox/outbox.writer';

describe('timing', () => {
  let db: TestDatabase;
  let moduleRef: TestingModule;
  beforeAll(async () => {
    db = await createTestDatabase('memory_timing');
    testEnv(db);
    const { CognitionOsCoreModule } = await import('../../../app.module');
    const { MemoryModule } = await import('../memory.module');
    moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
  });
  afterAll(async () => {
    await moduleRef?.close();
    await db?.drop();
  });
  it('times', async () => {
    const commands = moduleRef.get(CommandBus);
    const provider = moduleRef.get(EmbeddingProvider);
    const sql = moduleRef.get(MemorySql);
    const outbox = moduleRef.get(OutboxWriter);
    const texts = Array.from({ length: 1000 }, (_, i) => `batch memory number ${i} about topic ${i % 17} with some more words like deploy and kubernetes`);
    let t = performance.now();
    await provider.embed(texts);
    console.log('embed 1000', performance.now() - t);
    const origQ = sql.query.bind(sql);
    (sql as any).query = async (text: string, params: unknown[]) => { const s = performance.now(); const r = await origQ(text, params); console.log('sql', text.slice(0, 40).replace(/\s+/g, ' '), (performance.now() - s).toFixed(1)); return r; };
    const origA = outbox.append.bind(outbox);
    (outbox as any).append = async (e: any) => { const s = performance.now(); await origA(e); console.log('outbox', e.length, (performance.now() - s).toFixed(1)); };
    for (let round = 0; round < 3; round++) {
      t = performance.now();
      await commands.execute(new CreateMemoriesCommand('00000000-0000-7000-8000-0000000000aa', texts.map((content) => ({ content, namespace: 'a.b' }))));
      console.log('batch', round, performance.now() - t);
    }
    for (let round = 0; round < 5; round++) {
      t = performance.now();
      await commands.execute(new CreateMemoriesCommand('00000000-0000-7000-8000-0000000000aa', [{ content: 'single ' + round }], null, true));
      console.log('single', performance.now() - t);
    }
    const ds = moduleRef.get(DataSource);
    await ds.query('DROP INDEX ' + (await ds.query(`SELECT index_name FROM memory_embedding_models`))[0].index_name);
    t = performance.now();
    await commands.execute(new CreateMemoriesCommand('00000000-0000-7000-8000-0000000000aa', texts.map((content) => ({ content, namespace: 'a.b' }))));
    console.log('batch without hnsw', performance.now() - t);
  });
});
