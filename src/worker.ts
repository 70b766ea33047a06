import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from './config/env.schema';

/**
 * A worker-only process (`npm run start:worker`): the engine's workers, scheduler and outbox relay,
 * no HTTP. Any number of these and of API processes may share one database.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  process.env.WORKER_ENABLED = 'true';
  validateEnv(process.env);
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
