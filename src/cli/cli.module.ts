import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { typeormOptions } from '../platform/database/typeorm-options';
import { ApiKeyOrmEntity } from '../platform/auth/api-key.orm-entity';
import { TenantOrmEntity } from '../platform/tenancy/tenant.orm-entity';
import { ApiKeyService } from '../platform/auth/api-key.service';
import { ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand } from './api-key.commands';
import { TenantCreateCommand, TenantListCommand, TenantRateLimitCommand } from './tenant.commands';

/** The admin CLI: only what its commands need (no HTTP, no workers, no relay). */
@Module({
  imports: [
    ConfigModule.forRoot(),
    TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: (config: AppConfig) => ({ ...typeormOptions(config.all, [TenantOrmEntity, ApiKeyOrmEntity]), retryAttempts: 0 }) }),
  ],
  providers: [ApiKeyService, TenantCreateCommand, TenantListCommand, TenantRateLimitCommand, ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand],
})
export class CliModule {}
