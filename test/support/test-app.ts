import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, TestDatabase, testEnv } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  /** Base URL of the listening server, e.g. http://127.0.0.1:40123 */
  url: string;
  /** An API key of a fresh tenant. */
  key: string;
  tenantId: string;
  newTenant(name?: string): Promise<{ tenantId: string; key: string; keyId: string }>;
  close(): Promise<void>;
}

/**
 * Boots the real application (as main.ts does) on its own fresh database, listening on a random
 * loopback port, with one tenant and key ready.
 */
export async function startTestApp(label: string, env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase(label);
  testEnv(db, env);
  // Imported after the environment is set: ConfigModule validates it when the module loads.
  const { AppModule } = await import('@cognition/app/app.module');
  const { createApp } = await import('@cognition/platform/http/create-app');
  const { ApiKeyService } = await import('@cognition/platform/auth/api-key.service');
  const app = await createApp(AppModule);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const keys = app.get(ApiKeyService);
  const newTenant = async (name = 'tenant') => {
    const tenant = await keys.createTenant(name);
    const issued = await keys.createKey(tenant.id, 'test');
    return { tenantId: tenant.id, key: issued.key, keyId: issued.id };
  };
  const first = await newTenant('first');
  return {
    app,
    db,
    url: `http://127.0.0.1:${address.port}`,
    key: first.key,
    tenantId: first.tenantId,
    newTenant,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
