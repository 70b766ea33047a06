import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CommandFactory } from 'nest-commander';
import { validateEnv } from './config/env.schema';
import { checkDatabase } from './platform/database/startup-checks';
import { exitOnStartupFailure } from './platform/lifecycle/startup-failure';

/** Commands that run without the schema (none today: every command reads or writes tenants and keys). */
const COMMANDS_WITHOUT_SCHEMA = new Set<string>();

/** `npm run cli -- <command>`: tenant:create, tenant:list, apikey:create, apikey:list, apikey:revoke. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const env = validateEnv(process.env);
  const args = process.argv.slice(2);
  const command = args.find((a) => !a.startsWith('-'));
  const helpOnly = !command || args.includes('--help') || args.includes('-h');
  // The same one-line failures as the server (unreachable, not migrated, pgvector), before Nest starts.
  if (!helpOnly) await checkDatabase(env, COMMANDS_WITHOUT_SCHEMA.has(command) ? { migrations: false } : {});
  const { CliModule } = await import('./cli/cli.module');
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    abortOnError: false,
    // Usage errors: commander has printed them (or the help) already; exit with its code (0 for --help).
    errorHandler: (error: Error & { exitCode?: number }) => process.exit(error.exitCode ?? 1),
    serviceErrorHandler: exitOnStartupFailure,
  });
}

main().catch(exitOnStartupFailure);
