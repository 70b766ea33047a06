import 'reflect-metadata';
import { ApiKeyService, createApp, runMigrations } from 'cognition-os';
import { AppModule } from './app.module';

/**
 * A Nest app that embeds CognitionOS: applies its migrations, starts, creates a tenant and an API key,
 * and prints `{"url", "apiKey", "migrated"}` as one line for the test that drives it over HTTP.
 */
async function main(): Promise<void> {
  const migrated = await runMigrations();
  const app = await createApp(AppModule);
  await app.listen(0, '127.0.0.1');
  const keys = app.get(ApiKeyService);
  const tenant = await keys.createTenant('embedding-app');
  const key = await keys.createKey(tenant.id, 'test');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, apiKey: key.key, migrated: migrated.length })}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
