import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from './config/env.schema';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Fail before anything starts, with a message that names each bad variable.
  const env = validateEnv(process.env);
  const { AppModule } = await import('./app.module');
  const { createApp } = await import('./platform/http/create-app');
  const app = await createApp(AppModule);
  await app.listen(env.PORT, env.HOST);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
