import { Command, CommandRunner } from 'nest-commander';
import { CliDatabase } from './cli-database';
import { applyMigrations, migrationStates } from './migrations';

@Command({ name: 'migration:run', description: 'Apply the pending database migrations (each in its own transaction)' })
export class MigrationRunCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run(): Promise<void> {
    const applied = await applyMigrations(await this.database.open({ migrated: false }));
    process.stderr.write(applied.length ? `applied ${applied.length} migration(s)\n` : 'the database is up to date\n');
    console.log(JSON.stringify({ applied }, null, 2));
  }
}

@Command({ name: 'migration:show', description: 'List the migrations and whether each is applied (exit 0 either way)' })
export class MigrationShowCommand extends CommandRunner {
  constructor(private readonly database: CliDatabase) {
    super();
  }

  async run(): Promise<void> {
    const states = await migrationStates(await this.database.open({ migrated: false }));
    const pending = states.filter((s) => !s.applied).length;
    process.stderr.write(`${states.length - pending} of ${states.length} migrations applied\n`);
    console.log(JSON.stringify(states, null, 2));
  }
}
