import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from './config/env.schema';
import { closeEmbeddedDatabase, openEmbeddedDatabaseIfUnconfigured } from './platform/database/embedded/embedded-database';
import { checkDatabase, explainStartupError } from './platform/database/startup-checks';
import { exitOnStartupFailure } from './platform/lifecycle/startup-failure';

/**
 * A worker-only process (`npm run start:worker`): the engine's workers, scheduler and outbox relay,
 * no HTTP. Any number of these and of API processes may share one database. Start-up failures end
 * in one line on stderr and exit 1; SIGTERM/SIGINT shut it down gracefully and exit 0. With no
 * database configured it uses the embedded PostgreSQL, as the API process does (the same one, on the
 * same data directory, when that runs).
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  await openEmbeddedDatabaseIfUnconfigured({ announce: true });
  process.env.WORKER_ENABLED = 'true';
  const env = validateEnv(process.env);
  await checkDatabase(env);
  const { NestFactory } = await import('@nestjs/core');
  const { Logger: NestLogger } = await import('@nestjs/common');
  const { Logger } = await import('nestjs-pino');
  const { AppModule } = await import('./app.module');
  const { exitOnShutdownSignals } = await import('./platform/lifecycle/shutdown-signals');
  // Nest's own logs wait for pino; an error while building the app is thrown to us (one line), not logged with its stack.
  try {
    const app = await NestFactory.createApplicationContext(AppModule, { bufferLogs: true, autoFlushLogs: false, abortOnError: false });
    app.useLogger(app.get(Logger));
    app.flushLogs();
    exitOnShutdownSignals(app, { graceSeconds: env.SHUTDOWN_GRACE_SECONDS, afterClose: closeEmbeddedDatabase });
    await app.init();
    new NestLogger('Worker').log('worker process started');
  } catch (error) {
    throw explainStartupError(error, env);
  }
}

main().catch(exitOnStartupFailure);
