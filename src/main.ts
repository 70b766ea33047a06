import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { validateEnv } from './config/env.schema';
import { closeEmbeddedDatabase, openEmbeddedDatabaseIfUnconfigured } from './platform/database/embedded/embedded-database';
import { checkDatabase, explainStartupError } from './platform/database/startup-checks';
import { describeListenFailure, exitOnStartupFailure } from './platform/lifecycle/startup-failure';

/**
 * The API process (`npm start`). Every start-up failure — bad env, PostgreSQL unreachable, database
 * not migrated, pgvector missing, port in use — ends in one line on stderr and exit 1 (see README,
 * "Start-up failures"). SIGTERM/SIGINT shut it down gracefully and exit 0. With no database
 * configured it starts (or attaches to) the embedded PostgreSQL, migrated, and stops it last.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  await openEmbeddedDatabaseIfUnconfigured({ announce: true });
  // Fail before anything starts, with a message that names each bad variable.
  const env = validateEnv(process.env);
  await checkDatabase(env);
  const { AppModule } = await import('./app.module');
  const { createApp } = await import('./platform/http/create-app');
  const { exitOnShutdownSignals } = await import('./platform/lifecycle/shutdown-signals');
  try {
    const app = await createApp(AppModule);
    exitOnShutdownSignals(app, { graceSeconds: env.SHUTDOWN_GRACE_SECONDS, afterClose: closeEmbeddedDatabase });
    await app.listen(env.PORT, env.HOST).catch((error) => Promise.reject(describeListenFailure(error, env.HOST, env.PORT)));
  } catch (error) {
    throw explainStartupError(error, env);
  }
}

main().catch(exitOnStartupFailure);
