#!/usr/bin/env node
import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { validateEnv } from './config/env.schema';
import { closeEmbeddedDatabase } from './platform/database/embedded/embedded-database';
import { usesEmbeddedDatabase } from './platform/database/embedded/embedded-mode';
import { exitOnStartupFailure } from './platform/lifecycle/startup-failure';
import { loadCliEnv, packageVersion } from './cli/cli-env';

/**
 * `cognition-os <command>` (`npm run cli -- <command>` in this repository): migrations, tenants,
 * quotas, API keys and dead letters; `cognition-os --help` lists them. Every failure — bad environment, database
 * unreachable or not migrated, a command's error — is one line on stderr and exit 1; usage errors
 * are commander's line and its exit code; `--help` and `--version` exit 0 without a database.
 * With no database configured, a command uses the embedded PostgreSQL (CliDatabase), stopped when
 * done unless another process uses it (on an error exit, by its `exit` hook).
 */
async function main(): Promise<void> {
  const source = loadCliEnv(process.argv.slice(2));
  // Fail before Nest starts, with a message that names each bad variable.
  validateEnv(process.env);
  // Imported after the environment is loaded: the config module reads it when imported.
  const { CliModule } = await import('./cli/cli.module');
  await CommandFactory.run(CliModule.forRoot({ ...source, embeddedDatabase: usesEmbeddedDatabase(process.env) }), {
    logger: ['error', 'warn'],
    cliName: 'cognition-os',
    version: packageVersion(),
    abortOnError: false,
    // Usage errors, --help and --version: commander has printed them already; exit with its code (0 for --help and --version).
    errorHandler: (error: Error & { exitCode?: number }) => process.exit(error.exitCode ?? 1),
    serviceErrorHandler: exitOnStartupFailure,
  });
  // The app (its pool) is closed: the embedded server may stop.
  closeEmbeddedDatabase();
}

main().catch(exitOnStartupFailure);
