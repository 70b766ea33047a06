import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { typeormOptions } from '../database/typeorm-options';
import { ApiKeyService } from '../platform/auth/api-key.service';
import { ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand } from './api-key.commands';
import { TenantCreateCommand, TenantListCommand } from './tenant.commands';

/** The admin CLI: only what its commands need (no HTTP, no workers, no relay). */
@Module({
  imports: [
    ConfigModule.forRoot(),
    TypeOrmModule.forRootAsync({ inject: [AppConfig], useFactory: (config: AppConfig) => typeormOptions(config.all) }),
  ],
  providers: [ApiKeyService, TenantCreateCommand, TenantListCommand, ApiKeyCreateCommand, ApiKeyListCommand, ApiKeyRevokeCommand],
})
export class CliModule {}
