import { Test, TestingModule } from '@nestjs/testing';
import { createTestDatabase, TestDatabase, testEnv } from './test-database';

/**
 * The memory module and the core it needs, initialised on a fresh test database (`env` added to
 * the test environment), as the memory integration specs use it. The database is dropped again
 * when the module fails to start.
 */
export async function memoryTestModule(label: string, env: Record<string, string> = {}): Promise<{ db: TestDatabase; moduleRef: TestingModule }> {
  const db = await createTestDatabase(label);
  try {
    testEnv(db, env);
    // Imported after the environment is set: ConfigModule validates it when the module loads.
    const { CognitionOsCoreModule } = await import('@cognition/app/app.module');
    const { MemoryModule } = await import('@cognition/memory/memory.module');
    const moduleRef = await Test.createTestingModule({ imports: [CognitionOsCoreModule.forRoot(), MemoryModule] }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return { db, moduleRef };
  } catch (error) {
    await db.drop();
    throw error;
  }
}
