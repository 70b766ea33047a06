import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectCommander } from 'nest-commander';

/** The part of commander's root program this CLI configures (commander is nest-commander's). */
interface RootProgram {
  name(name: string): unknown;
  option(flags: string, description: string): unknown;
  addHelpText(position: 'after', text: string): unknown;
}

const HELP_AFTER = `
Environment:
  The database and every other setting come from the environment (see .env.example).
  With neither DATABASE_URL nor DB_HOST set, commands use the embedded PostgreSQL in
  EMBEDDED_PG_DIR (.data/pg), started for the command or the one already running.
  ./.env is read by default when it is present; --env-file <path> reads another file instead.
  Variables already set in the environment win over the file. Every command prints the
  database it uses (host, port, database, user; never the password) on stderr.

Exit status: 0 on success, 1 on any error (printed once on stderr).`;

/** Names the program, documents --env-file (read by cli.ts before Nest starts) and the environment. */
@Injectable()
export class CliProgram implements OnModuleInit {
  constructor(@InjectCommander() private readonly program: RootProgram) {}

  onModuleInit(): void {
    this.program.name('cognition-os');
    this.program.option('--env-file <path>', 'read the environment from this file instead of ./.env');
    this.program.addHelpText('after', HELP_AFTER);
  }
}
