import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { Env, validateEnv } from '@cognition/config/env.schema';
import { openEmbeddedDatabase } from '@cognition/platform/database/embedded/embedded-database';
import { checkDatabase, describeTarget } from '@cognition/platform/database/startup-checks';
import { CliEnvSource } from './cli-env';

/** Provided by CliModule.forRoot: where the environment came from, named in the line each command prints. */
export const CLI_ENV_SOURCE = Symbol('CLI_ENV_SOURCE');

/**
 * The CLI's database, connected only when a command runs (`--help` and `--version` need none).
 * `open()` says on stderr which database it uses (never the password), runs the start-up checks
 * (reachable, pgvector, and — unless the command migrates — every migration applied), then connects.
 * With no database configured, it is the embedded PostgreSQL (started, or the running one attached
 * to, and migrated); cli.ts stops using it when the command is done.
 */
@Injectable()
export class CliDatabase {
  private opened?: Env;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(CLI_ENV_SOURCE) private readonly source: CliEnvSource,
  ) {}

  async open(options: { migrated: boolean } = { migrated: true }): Promise<DataSource> {
    const embedded = this.source.embeddedDatabase ? await openEmbeddedDatabase() : undefined;
    // The data source was configured before the embedded server's port and password were known.
    const env = embedded ? validateEnv(process.env) : this.config.all;
    if (embedded) this.dataSource.setOptions({ host: env.DB_HOST, port: env.DB_PORT, username: env.DB_USER, password: env.DB_PASSWORD, database: env.DB_NAME, ssl: false });
    const target = describeTarget(env);
    const from = this.source.file ? ` (environment from ${this.source.file})` : '';
    const kind = embedded ? 'the embedded PostgreSQL' : 'PostgreSQL';
    const about = embedded ? ` (${embedded.started ? 'started' : 'already running'}, data in ${embedded.dir}; set DATABASE_URL or DB_HOST to use your own)` : '';
    process.stderr.write(`cognition-os: using ${kind} at ${target.host}:${target.port}, database "${target.database}", user "${target.user}"${from}${about}\n`);
    await checkDatabase(env, options.migrated ? {} : { migrations: false });
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    this.opened = env;
    return this.dataSource;
  }

  /** The environment of the database `open()` connected to (the embedded server's address when it is that). */
  get env(): Env {
    if (!this.opened) throw new Error('CliDatabase.open() must come first');
    return this.opened;
  }
}
