import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { checkDatabase, describeTarget } from '@cognition/platform/database/startup-checks';
import { CliEnvSource } from './cli-env';

/** Provided by CliModule.forRoot: where the environment came from, named in the line each command prints. */
export const CLI_ENV_SOURCE = Symbol('CLI_ENV_SOURCE');

/**
 * The CLI's database, connected only when a command runs (`--help` and `--version` need none).
 * `open()` says on stderr which database it uses (never the password), runs the start-up checks
 * (reachable, pgvector, and — unless the command migrates — every migration applied), then connects.
 */
@Injectable()
export class CliDatabase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    @Inject(CLI_ENV_SOURCE) private readonly source: CliEnvSource,
  ) {}

  async open(options: { migrated: boolean } = { migrated: true }): Promise<DataSource> {
    const env = this.config.all;
    const target = describeTarget(env);
    const from = this.source.file ? ` (environment from ${this.source.file})` : '';
    process.stderr.write(`cognition-os: using PostgreSQL at ${target.host}:${target.port}, database "${target.database}", user "${target.user}"${from}\n`);
    await checkDatabase(env, options.migrated ? {} : { migrations: false });
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    return this.dataSource;
  }
}
