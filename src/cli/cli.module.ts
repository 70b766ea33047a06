import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@cognition/config/app-config';
import { ConfigModule } from '@cognition/config/config.module';
import { typeormOptions } from '@cognition/platform/database/typeorm-options';
import { ApiKeyOrmEntity } from '@cognition/platform/auth/api-key.orm-entity';
import { TenantOrmEntity } from '@cognition/platform/tenancy/tenant.orm-entity';
import { ApiKeyService } from '@cognition/platform/auth/api-key.service';
import { RetentionRunner } from '@cognition/platform/retention/retention-runner';
import { RETENTION_JOBS } from '@cognition/app/retention-jobs';
import { ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand } from './api-key.commands';
import { CLI_ENV_SOURCE, CliDatabase } from './cli-database';
import { DeadLettersDiscardCommand, DeadLettersListCommand, DeadLettersRetryCommand } from './dead-letter.commands';
import { CliEnvSource } from './cli-env';
import { CliProgram } from './cli-program';
import { MigrationRunCommand, MigrationShowCommand } from './migration.commands';
import { RetentionRunCommand } from './retention.commands';
import { TenantCreateCommand, TenantListCommand, TenantQuotaCommand, TenantRateLimitCommand } from './tenant.commands';

const COMMANDS = [
  MigrationRunCommand,
  MigrationShowCommand,
  TenantCreateCommand,
  TenantListCommand,
  TenantRateLimitCommand,
  TenantQuotaCommand,
  ApiKeyCreateCommand,
  ApiKeyListCommand,
  ApiKeyRevokeCommand,
  DeadLettersListCommand,
  DeadLettersRetryCommand,
  DeadLettersDiscardCommand,
  RetentionRunCommand,
];

/**
 * The admin CLI: only what its commands need (no HTTP, no workers, no relay). The database is
 * connected by CliDatabase when a command runs, never for `--help` or `--version`.
 */
@Module({})
export class CliModule {
  static forRoot(source: CliEnvSource): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(),
        DiscoveryModule,
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ ...typeormOptions(config.all, [TenantOrmEntity, ApiKeyOrmEntity]), retryAttempts: 0, manualInitialization: true }),
        }),
      ],
      providers: [{ provide: CLI_ENV_SOURCE, useValue: source }, CliDatabase, CliProgram, ApiKeyService, RetentionRunner, ...RETENTION_JOBS, ...COMMANDS],
    };
  }
}
